import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, startCli, type CliResult } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';
import { freePort, hasTool, startDaemon, stopDaemon, waitFor } from '../helpers/tools.js';

let dir: string;
const running: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-catalog-reload-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const OLD = 'Wrong password (old wording)';
const NEW = 'Wrong password (new wording)';
const catalogText = (description: string, extra = '') => `entries:\n  - {kind: failure, code: 13, description: ${description}}\n${extra}`;
const ADDED = '  - {kind: error, code: 7777, description: Over the gateway quota, category: technical}\n';
const BROKEN = 'entries:\n  - {kind: failure, code: 13, category: lockout}\n';

/** Replaces the file as editors and ConfigMaps do: a new file renamed over it. */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
}

interface Run {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** What hidlog said on stderr so far. */
  said: () => string;
}

function start(args: string[]): Run {
  const child = startCli(args);
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, done: collect(child), said: () => stderr };
}

const said = (run: Run, text: string) => waitFor(`hidlog to say ${JSON.stringify(text)}`, async () => (run.said().includes(text) ? true : undefined), 20_000);

/** The failure description of every record `{"n":…}` written out so far, by n, in output order. */
function annotated(path: string): { n: number; description: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{"n":'))
    .map((line) => {
      const record = JSON.parse(line);
      return { n: record.n as number, description: record.hid.failure.description as string };
    });
}

/** hidlog following an empty app.log from its start, with catalog.yaml (the old wording), serving /metrics. */
async function follow() {
  const log = join(dir, 'app.log');
  const out = join(dir, 'out.ndjson');
  const catalog = join(dir, 'catalog.yaml');
  writeFileSync(log, '');
  writeFileSync(catalog, catalogText(OLD));
  const port = await freePort();
  const hidlog = start([
    'annotate',
    '--follow',
    log,
    '--start-at',
    'beginning',
    '-o',
    out,
    '--poll-interval',
    '50',
    '--catalog',
    catalog,
    '--metrics-listen',
    `127.0.0.1:${port}`,
  ]);
  return { log, out, catalog, port, hidlog };
}

async function scrape(port: number) {
  return parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
}

describe('reloading --catalog in follow mode', () => {
  const prometheus = hasTool('prometheus');

  it.runIf(prometheus)(
    'swaps the table under streaming lines, with a real Prometheus scraping: old text before, new after, none lost or repeated',
    async () => {
      const { log, out, catalog, port, hidlog } = await follow();
      const promPort = await freePort();
      const config = join(dir, 'prometheus.yml');
      writeFileSync(
        config,
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: hidlog\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`,
      );
      const server = startDaemon('prometheus', [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ]);
      const query = async (promql: string) => {
        const response = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
        return ((await response.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
      };
      const described = async () => (await query('hid_code_info{job="hidlog",kind="failure",code="13"}')).map((r) => r.metric.description);
      const scalar = async (promql: string) => {
        const result = await query(promql);
        return result.length === 1 ? Number(result[0]!.value[1]) : undefined;
      };

      let n = 0;
      const writer = setInterval(() => {
        let lines = '';
        for (let i = 0; i < 5; i++) lines += `{"n":${n++},"hid_failure":13}\n`;
        appendFileSync(log, lines);
      }, 10);
      try {
        await said(hidlog, 'serving metrics');
        await waitFor('the old table in Prometheus', async () => ((await described()).includes(OLD) ? true : undefined), 60_000);
        await waitFor('lines before the reload', async () => (annotated(out).length >= 200 ? true : undefined));

        replace(catalog, catalogText(NEW, ADDED));
        await said(hidlog, `--catalog ${catalog}: reloaded, 2 site entries in force`);
        const atReload = n;
        await waitFor('lines after the reload', async () => (n >= atReload + 300 ? true : undefined));

        // A broken file: the table in force stays, lines go on, the failure is counted and said once.
        replace(catalog, BROKEN);
        await said(hidlog, 'reload failed');
        const atFailure = n;
        await waitFor('lines after the failed reload', async () => (n >= atFailure + 200 ? true : undefined));
        clearInterval(writer);
        const records = await waitFor('every line written', async () => {
          const now = annotated(out);
          return now.length >= n ? now : undefined;
        });

        expect(records.map((record) => record.n)).toEqual(Array.from({ length: n }, (_, i) => i));
        const switchAt = records.findIndex((record) => record.description === NEW);
        expect(switchAt).toBeGreaterThan(0);
        expect(records.slice(0, switchAt).every((record) => record.description === OLD)).toBe(true);
        expect(records.slice(switchAt).every((record) => record.description === NEW)).toBe(true);
        expect(switchAt).toBeLessThanOrEqual(atReload + 5); // swapped as soon as reloaded, not at the end
        expect(
          hidlog
            .said()
            .split('\n')
            .filter((line) => line.includes('reload failed')),
        ).toEqual([
          `hidlog: --catalog ${catalog}: reload failed, keeping the table in force: line 2: entries[0] (failure 13): category "lockout" is neither one of hidlog's failure categories nor one the file adds under categories.failure`,
        ]);

        await waitFor(
          'the new table and the counts in Prometheus',
          async () => {
            const descriptions = await described();
            const total = await scalar('sum(hid_failures_total{job="hidlog",code="13"})');
            return descriptions.length === 1 && descriptions[0] === NEW && total === n ? true : undefined;
          },
          60_000,
        );
        expect((await query('hid_code_info{job="hidlog",kind="error",code="7777"}')).map((r) => r.metric.description)).toEqual(['Over the gateway quota']);
        expect(await scalar('hidlog_catalog_reloads_total{job="hidlog",result="success"}')).toBe(1);
        expect(await scalar('hidlog_catalog_reloads_total{job="hidlog",result="failure"}')).toBe(1);
        expect(await scalar('hidlog_catalog_last_reload_successful{job="hidlog"}')).toBe(0);
        expect(await scalar('hidlog_catalog_entries{job="hidlog",kind="error"}')).toBe(305);
      } finally {
        clearInterval(writer);
        hidlog.child.kill('SIGTERM');
        await hidlog.done;
        await stopDaemon(server);
      }
    },
    180_000,
  );

  it('on SIGHUP, reloads the catalog (counted even when unchanged) and reopens the output, both', async () => {
    const { log, out, catalog, port, hidlog } = await follow();
    await waitFor('hidlog to follow', async () => {
      if (annotated(out).length > 0) return true;
      appendFileSync(log, '{"n":0,"hid_failure":13}\n');
      return undefined;
    });
    renameSync(out, `${out}.1`);
    hidlog.child.kill('SIGHUP');
    await said(hidlog, `--catalog ${catalog}: reloaded, 1 site entries in force`);
    appendFileSync(log, '{"n":1,"hid_failure":13}\n');
    await waitFor('the reopened output', async () => (annotated(out).length === 1 ? true : undefined));
    expect(annotated(out)).toEqual([{ n: 1, description: OLD }]);
    const samples = await scrape(port);
    expect(byLabel(samples, 'hidlog_catalog_reloads_total', 'result')).toEqual({ success: 1 });
    expect(samples.find((s) => s.name === 'hidlog_catalog_last_reload_successful')?.value).toBe(1);
    hidlog.child.kill('SIGTERM');
    expect((await hidlog.done).code).toBe(0);
  });
});

describe('reloading --catalog in a served run with --workers', () => {
  it('switches every thread: what is read after the reload is annotated with the new table', async () => {
    const out = join(dir, 'out.ndjson');
    const catalog = join(dir, 'catalog.yaml');
    writeFileSync(catalog, catalogText(OLD));
    const port = await freePort();
    const hidlog = start(['annotate', '--workers', '2', '--catalog', catalog, '--metrics-listen', `127.0.0.1:${port}`, '-o', out]);
    // Regions of tens of kilobytes: the worker thread annotates them (smaller ones stay on the main thread).
    const batch = (from: number) => Array.from({ length: 20_000 }, (_, i) => `{"n":${from + i},"hid_failure":13}\n`).join('');
    await said(hidlog, 'serving metrics');
    const first = batch(0);
    hidlog.child.stdin!.write(first);
    // Once read, every line of it is in a region handed to a thread: regions are cut as each chunk is read.
    await waitFor('the first batch read', async () =>
      (await scrape(port)).find((s) => s.name === 'hidlog_bytes_total')?.value === Buffer.byteLength(first) ? true : undefined,
    );
    replace(catalog, catalogText(NEW));
    await said(hidlog, 'reloaded');
    hidlog.child.stdin!.end(batch(20_000));
    const result = await hidlog.done;
    expect(result.code).toBe(0);
    const records = annotated(out);
    expect(records.map((record) => record.n)).toEqual(Array.from({ length: 40_000 }, (_, i) => i));
    expect(records.slice(0, 20_000).every((record) => record.description === OLD)).toBe(true);
    expect(records.slice(20_000).every((record) => record.description === NEW)).toBe(true);
  }, 60_000);
});
