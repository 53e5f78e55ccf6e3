import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../bench/corpus.mjs';
import { catalogEntries } from '../../src/catalog/catalog.js';
import type { Report } from '../../src/report/model.js';
import { fixture, runCli, type CliResult } from '../helpers/cli.js';

const FORMATS = ['table', 'markdown', 'json', 'csv', 'html'] as const;

let dir: string;
let incident: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-merge-'));
  incident = shard(gunzipSync(readFileSync(fixture('incident.ndjson.gz'))).toString(), 3, 'incident');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Cuts text into `count` shards of whole lines, written as NAME.0, NAME.1…; the first gzipped. */
function shard(text: string, count: number, name: string): string[] {
  const lines = text.split(/(?<=\n)/);
  const size = Math.ceil(lines.length / count);
  return Array.from({ length: count }, (_, i) => {
    const part = lines.slice(i * size, (i + 1) * size).join('');
    const path = join(dir, i === 0 ? `${name}.${i}.gz` : `${name}.${i}`);
    writeFileSync(path, i === 0 ? gzipSync(part) : part);
    return path;
  });
}

const ok = (result: CliResult) => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.toString();
};

/** Each shard's partial (with `args`), written beside it. */
async function partials(shards: string[], args: string[], suffix = ''): Promise<string[]> {
  return Promise.all(
    shards.map(async (path) => {
      const partial = `${path}${suffix}.hidpart`;
      ok(await runCli(['report', '--partial', ...args, '-o', partial, path]));
      return partial;
    }),
  );
}

// The incident shards' partials with --by client_id, made once for the tests that need no other.
let clientPartials: Promise<string[]> | undefined;
const byClient = () => (clientPartials ??= partials(incident, ['--by', 'client_id'], '.client'));

/** The report of one pass over all the shards, and the merge of their partials, in `format`. */
async function bothWays(shards: string[], parts: string[], format: string, onePass: string[], merge: string[] = []): Promise<[string, string]> {
  const [one, merged] = await Promise.all([
    runCli(['report', ...onePass, '--format', format, ...shards]),
    runCli(['report', '--merge', ...merge, '--format', format, ...parts]),
  ]);
  return [ok(one), ok(merged)];
}

describe('hidlog report --partial, --merge: the report of one pass, byte for byte', () => {
  it.each([
    ['no --by', 'plain', [] as string[]],
    ['--by client_id --by tenant --top 3', 'by', ['--by', 'client_id', '--by', 'tenant', '--top', '3']],
    [
      '--tz Asia/Kolkata, a window, --bucket 1m',
      'zoned',
      ['--tz', 'Asia/Kolkata', '--since', '2026-11-28T14:00:00', '--until', '2026-11-28T16:00:00+05:30', '--bucket', '1m', '--by', 'client_id'],
    ],
  ])('incident in 3 shards, %s: every format', { timeout: 120_000 }, async (_name, tag, args) => {
    const parts = await partials(incident, args, `.${tag}`);
    // The merge given the same options: what was decided while reading is accepted when it agrees.
    const reports = await Promise.all(FORMATS.map((format) => bothWays(incident, parts, format, args, args)));
    reports.forEach(([one, merged], i) => {
      expect(merged, FORMATS[i]).toBe(one);
      expect(one.length).toBeGreaterThan(500);
    });
  });

  it('applies --top and a coarser --bucket at the merge', async () => {
    const parts = await byClient();
    const [table, json] = await Promise.all(
      ['table', 'json'].map((format) =>
        bothWays(incident, parts, format, ['--by', 'client_id', '--top', '2', '--bucket', '15m'], ['--top', '2', '--bucket', '15m']),
      ),
    );
    expect(table![1]).toBe(table![0]);
    expect(json![1]).toBe(json![0]);
    expect(JSON.parse(json![1])).toMatchObject({ timeline: { bucket: '15m' }, by: [{ values: [{}, {}] }] });
  });

  it('merges partials of partials (a tree of merges) into the same report', async () => {
    const parts = await byClient();
    const left = join(dir, 'left.hidpart');
    ok(await runCli(['report', '--merge', '--partial', '-o', left, parts[0]!, parts[1]!]));
    const [one, merged] = await Promise.all([
      runCli(['report', '--by', 'client_id', '--format', 'json', ...incident]),
      runCli(['report', '--merge', '--format', 'json', left, parts[2]!]),
    ]);
    expect(ok(merged)).toBe(ok(one));
  });

  it('incident with durations in 3 shards: the latency by outcome and by code, every format', { timeout: 120_000 }, async () => {
    // Each record gets a duration (in one of the built-in fields, some not a duration at all).
    let n = 0;
    const withDurations = gunzipSync(readFileSync(fixture('incident.ndjson.gz')))
      .toString()
      .replace(/^\{"/gm, () => {
        n++;
        const field =
          n % 97 === 0
            ? '"took":"n/a"'
            : n % 3 === 0
              ? `"event":{"duration":${(n * 7919) % 3_000_000_000}}`
              : `"duration_ms":${((n * 104_729) % 250_000) / 100}`;
        return `{${field},"`;
      });
    const shards = shard(withDurations, 3, 'timed');
    const parts = await partials(shards, ['--by', 'client_id']);
    const reports = await Promise.all(FORMATS.map((format) => bothWays(shards, parts, format, ['--by', 'client_id'])));
    reports.forEach(([one, merged], i) => expect(merged, FORMATS[i]).toBe(one));
    const latency = (JSON.parse(reports[FORMATS.indexOf('json')]![0]) as Report).latency!;
    expect(latency.invalid).toBeGreaterThan(0);
    expect(latency.outcomes.map((o) => o.outcome)).toEqual(expect.arrayContaining(['success', 'failure', 'error']));
    expect(latency.codes.length).toBeGreaterThan(5);
    for (const format of ['table', 'markdown', 'html']) expect(reports[FORMATS.indexOf(format as (typeof FORMATS)[number])]![0]).toMatch(/Latency/);
    // Every column of the table's latency section is named, the codes' category too.
    expect(reports[FORMATS.indexOf('table')]![0]).toMatch(/^ +records +p50 +p95 +p99 +category$/m);
  });

  describe('the bench corpus in 4 shards', () => {
    let corpus: string[];
    beforeAll(async () => {
      const path = join(dir, 'corpus.ndjson');
      // 10,000 seconds of records: one pass keeps buckets of 5s, each shard of 1s.
      await writeCorpus({ lines: 10_000, path, catalog: catalogEntries() });
      corpus = shard(readFileSync(path, 'utf8'), 4, 'corpus');
    });

    it('--by user (fewer values than the sketch holds): every format', { timeout: 120_000 }, async () => {
      const parts = await partials(corpus, ['--by', 'user']);
      const reports = await Promise.all(FORMATS.map((format) => bothWays(corpus, parts, format, ['--by', 'user'])));
      reports.forEach(([one, merged], i) => expect(merged, FORMATS[i]).toBe(one));
    });

    it('--by request_id (every value distinct: the sketch overflows): the same report but for its bounds, which hold', { timeout: 120_000 }, async () => {
      const parts = await partials(corpus, ['--by', 'request_id', '--by', 'user'], '.ids');
      const [oneText, mergedText] = await bothWays(corpus, parts, 'json', ['--by', 'request_id', '--by', 'user']);
      const [one, merged] = [JSON.parse(oneText) as Report, JSON.parse(mergedText) as Report];
      expect({ ...merged, by: [] }).toEqual({ ...one, by: [] });
      expect(merged.by[1]).toEqual(one.by[1]);
      const [ids] = merged.by as [Report['by'][number]];
      expect(ids).toMatchObject({ path: 'request_id', records: one.by[0]!.records, missing: one.by[0]!.missing, exact: false, distinct: null });
      expect(ids.values).toHaveLength(10);
      // Each request id is on one line: its true count, 1, lies within the bounds listed.
      for (const value of ids.values) {
        expect(value.count - value.error).toBeLessThanOrEqual(1);
        expect(value.count).toBeGreaterThanOrEqual(1);
      }
      for (const table of await bothWays(corpus, parts, 'table', ['--by', 'request_id', '--by', 'user']))
        expect(table).toMatch(/More distinct values than the sketch holds: a count marked ≥ is an upper bound/);
    });
  });

  it("caps codes outside the catalog, and each --by value's codes, as one pass does", async () => {
    // Codes outside the catalog: 60 and 10, then 10, 100 more and the first 60 again: one pass
    // lists the first 100 seen. Value v's codes: 10, then 10 more three times each (higher codes
    // first) and the first again: one pass keeps 16 of them.
    const line = (second: number, error: number, client: string) =>
      `{"time":"2026-11-28T09:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z","status":500,"hid_error":${error},"client_id":"${client}"}\n`;
    let first = '';
    let second = '';
    let t = 0;
    for (let i = 0; i < 60; i++) first += line(t++, 900_000 + i, 'a');
    for (let i = 0; i < 10; i++) first += line(t++, 70_001 + i, 'v');
    for (let round = 0; round < 3; round++) for (let i = 0; i < 10; i++) second += line(t++, 72_010 - i, 'v');
    for (let i = 0; i < 5; i++) second += line(t++, 70_001, 'v');
    for (let i = 0; i < 100; i++) second += line(t++, 910_000 + i, 'a');
    for (let i = 0; i < 60; i++) second += line(t++, 900_000 + i, 'b');
    const shards = [join(dir, 'unknown.0'), join(dir, 'unknown.1')];
    writeFileSync(shards[0]!, first);
    writeFileSync(shards[1]!, second);
    const parts = await partials(shards, ['--by', 'client_id']);
    const [one, merged] = await bothWays(shards, parts, 'json', ['--by', 'client_id', '--top', '1000'], ['--top', '1000']);
    expect(merged).toBe(one);
    const report = JSON.parse(one) as Report;
    expect(report.kinds.error.codes).toHaveLength(100);
    expect(report.kinds.error.other).toMatchObject({ count: 80 });
    expect(report.by[0]!.values.find((v) => v.value === 'v')!.codes.map((c) => `${c.code}×${c.count}`)).toEqual(['70001×6', '72005×3', '72006×3']);
  });
});

describe('hidlog report --merge --since/--until: a window that takes each partial whole or not at all', () => {
  // Three days of records, one partial a day; the last day has a record without a time.
  let days: string[];
  let parts: string[];
  beforeAll(async () => {
    const kinds = [
      '"status":200',
      '"status":401,"hid_response":2,"hid_failure":13',
      '"status":404,"hid_error":1200',
      '"status":201',
      '"status":403,"hid_error":9001',
    ];
    days = [27, 28, 29].map((day) => {
      let text = '';
      for (let i = 0; i < 240; i++) {
        const at = new Date(Date.UTC(2026, 10, day, 0, 0, 0) + (day === 29 ? i * 180_000 : i * 360_000)).toISOString();
        text += `{"time":"${at}",${kinds[(i * 7 + day) % kinds.length]},"client_id":"c${(i * 3) % 7}"}\n`;
      }
      if (day === 29) text += '{"status":500,"hid_error":0,"client_id":"c1"}\n';
      const path = join(dir, `day-${day}.ndjson`);
      writeFileSync(path, text);
      return path;
    });
    parts = await partials(days, ['--by', 'client_id']);
  });

  it.each([
    ['a day, as times', ['--since', '2026-11-28', '--until', '2026-11-29T00:00:00Z'], 1],
    ['up to 12 hours before the latest record', ['--until', '12h'], 2],
  ])('%s: the report of one pass with it, every format', async (_name, window, daysIn) => {
    const reports = await Promise.all(FORMATS.map((format) => bothWays(days, parts, format, ['--by', 'client_id', ...window], window)));
    reports.forEach(([one, merged], i) => expect(merged, FORMATS[i]).toBe(one));
    const report = JSON.parse(reports[FORMATS.indexOf('json')]![1]) as Report;
    expect(report.window).toMatchObject({ outside: 240 * (3 - daysIn), withoutTime: 1 });
    expect(report.records.total).toBe(240 * daysIn);
  });

  it.each([
    [
      ['--since', '1d'],
      /^hidlog: --since 1d: .*day-28\.ndjson\.hidpart has records from 2026-11-28T00:00:00\.000Z to 2026-11-28T23:54:00\.000Z, on both sides of the window's edge; a merge can only take partials whole or leave them out/,
    ],
    [
      ['--since', '2026-11-29'],
      /^hidlog: --since 2026-11-29: .*day-29\.ndjson\.hidpart has 1 records without a time, which a window leaves out and a merge cannot take from its counts/,
    ],
  ])('refuses %s, in one line (exit 2)', async (window, message) => {
    const result = await runCli(['report', '--merge', ...window, ...parts]);
    expect(result.stderr).toMatch(message);
    expect(result).toMatchObject({ code: 2, stdout: Buffer.alloc(0) });
  });
});

describe('hidlog report --merge refuses, in one line', () => {
  let parts: string[];
  beforeAll(async () => {
    parts = await byClient();
  });

  const rewritten = (path: string, change: (partial: Record<string, unknown>) => void) => {
    const partial = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    change(partial);
    const to = join(dir, `changed-${Math.random().toString(36).slice(2)}.hidpart`);
    writeFileSync(to, JSON.stringify(partial));
    return to;
  };

  it.each([
    [
      'a partial of another format version',
      (p: Record<string, unknown>) => (p.version = 2),
      /^hidlog: .*changed-\w+\.hidpart: a partial of format version 2; this hidlog reads version 1\n$/,
    ],
    [
      'a partial of another hidlog',
      (p: Record<string, unknown>) => (p.hidlog = '0.0.1'),
      /^hidlog: .*: a partial of hidlog 0\.0\.1, this is [\d.]+: make and merge partials with one version\n$/,
    ],
    [
      'a file that is not a partial',
      (p: Record<string, unknown>) => delete p.format,
      /^hidlog: .*: not a report partial \(hidlog report --partial writes them\)\n$/,
    ],
    ['a damaged partial', (p: Record<string, unknown>) => delete p.codes, /^hidlog: .*: a damaged partial \(its parts are not all there\)\n$/],
    [
      'partials made with another --by',
      (p: Record<string, unknown>) => ((p.setup as { by: string[] }).by = ['tenant']),
      /^hidlog: .*: made with --by tenant, .* with client_id: partials merge only when made with the same --tz, --time-field, --by, --bucket, --since and --until\n$/,
    ],
  ])('%s (exit 1)', async (_name, change, message) => {
    const result = await runCli(['report', '--merge', parts[0]!, rewritten(parts[1]!, change)]);
    expect(result.stderr).toMatch(message);
    expect(result).toMatchObject({ code: 1, stdout: Buffer.alloc(0) });
  });

  it.each([
    [
      ['--partial', '--since', '2h'],
      'input',
      /^hidlog: --since 2h with --partial: a duration counts back from the latest record of all the shards, which one shard cannot know; give a time/,
    ],
    [['--partial', '--format', 'json'], 'input', /^hidlog: --format json with --partial: a partial has a format of its own; give --format to the merge/],
    [
      ['--partial', '-o', 'day.html'],
      'input',
      /^hidlog: -o day\.html with --partial: a partial is JSON, not an HTML page; name it \.hidpart, and give -o day\.html to the merge/,
    ],
    [
      ['--merge', '--tz', 'Europe/Berlin'],
      'partials',
      /^hidlog: --tz Europe\/Berlin: the partials were read in UTC .*; merge them without --tz, or make them with --tz Europe\/Berlin/,
    ],
    [
      ['--merge', '--since', '2026-11-28T09:00:00Z'],
      'partials',
      /^hidlog: --since 2026-11-28T09:00:00Z: .*incident\.0\.gz\.client\.hidpart has records from .* on both sides of the window's edge/,
    ],
    [['--merge', '--by', 'tenant'], 'partials', /^hidlog: --by tenant: the partials count --by client_id; a merge cannot count another/],
    [
      ['--merge', '--bucket', '1500ms'],
      'partials',
      /^hidlog: --bucket 1s500ms: .* keeps buckets of 1s \(the finest its time range allowed\), so a merge can only make a multiple of 1s/,
    ],
  ])('%s (exit 2)', async (args, inputs, message) => {
    const result = await runCli(['report', ...args, ...(inputs === 'input' ? incident : parts)]);
    expect(result.stderr).toMatch(message);
    expect(result).toMatchObject({ code: 2, stdout: Buffer.alloc(0) });
  });
});
