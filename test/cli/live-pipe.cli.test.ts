// stdin from a writer that pauses and stays open (`tail -f auth.log | hidlog`): what was written
// comes out while the pipe is open, and SIGTERM ends the run there.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { untilAsleep } from '../helpers/asleep.js';
import { collect, fixture, lines, runCli, startCli } from '../helpers/cli.js';
import { parseExposition } from '../helpers/exposition.js';
import { freePort, waitFor } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NDJSON = ['openid.ndjson', 'gateway.ndjson', 'ecs.ndjson', 'docker.ndjson', 'scim.ndjson', 'audit.ndjson'];

/** A burst of records of every shape and some bad lines: several output chunks' worth, several stdin reads. */
function burst(copies: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < copies; i++) {
    for (const name of NDJSON) parts.push(readFileSync(fixture(name)));
    parts.push(Buffer.from(`not json ${i}\n`), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
const FIRST = burst(4);
const SECOND = burst(1);
const lineCount = (bytes: Buffer) => lines(bytes).length;

// Metrics that count what was read.
const COUNTERS = [
  'hid_http_responses_total',
  'hid_errors_total',
  'hid_failures_total',
  'hid_responses_total',
  'hidlog_lines_total',
  'hidlog_invalid_lines_total',
  'hidlog_outcomes_total',
  'hidlog_bytes_total',
];
function counts(exposition: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { name, labels, value } of parseExposition(exposition))
    if (COUNTERS.includes(name) && value !== 0) out[`${name}${JSON.stringify(labels)}`] = value;
  return out;
}
const linesTotal = (exposition: string) =>
  Object.entries(counts(exposition)).reduce((sum, [key, value]) => (key.startsWith('hidlog_lines_total') ? sum + value : sum), 0);

/** What a batch run makes of the same bytes, the input ended. */
async function batch(args: string[], input: Buffer) {
  const result = await runCli(args, { input });
  expect(result.code).toBe(0);
  return result;
}

function startLive(args: string[]) {
  const child = startCli(args);
  // A run that failed says so in its exit code, not in an unhandled EPIPE here.
  child.stdin!.on('error', () => undefined);
  let stdout = Buffer.alloc(0);
  child.stdout!.on('data', (chunk: Buffer) => (stdout = Buffer.concat([stdout, chunk])));
  const done = collect(child);
  return { child, done, stdout: () => stdout };
}

async function stop(live: ReturnType<typeof startLive>, signal: NodeJS.Signals = 'SIGTERM') {
  const started = Date.now();
  live.child.kill(signal);
  const result = await live.done;
  return { ...result, ms: Date.now() - started };
}

const scrape = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

describe('a live stdin whose writer pauses', () => {
  it.each([
    ['one thread', []],
    ['--workers 2', ['--workers', '2']],
    ['--format pretty', ['--format', 'pretty']],
    ['--format pretty --workers 2', ['--format', 'pretty', '--workers', '2']],
  ])('annotate, %s: each burst is out, line for line, while the pipe is open; SIGTERM: exit 0 within 2 s, every line once', async (_name, args) => {
    const expected = lines((await batch(args, Buffer.concat([FIRST, SECOND]))).stdout);
    const live = startLive(args);
    live.child.stdin!.write(FIRST);
    await waitFor('the first burst annotated', async () => (lines(live.stdout()).length >= lineCount(FIRST) ? true : undefined));
    expect(lines(live.stdout())).toEqual(expected.slice(0, lineCount(FIRST)));
    live.child.stdin!.write(SECOND);
    await waitFor('the second burst annotated', async () => (lines(live.stdout()).length >= expected.length ? true : undefined));
    const result = await stop(live);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(lines(result.stdout)).toEqual(expected);
    expect(result.stderr).toBe('');
  });

  it('annotate, a JSON array written element by element: the elements so far are out while the pipe is open', async () => {
    const elements = '[\n  {"status": 401},\n  {"status": 403, "hid_error": 1200},\n';
    const expected = lines((await batch([], Buffer.from(`${elements}  {"status": 200}\n]\n`))).stdout).slice(0, 2);
    const live = startLive([]);
    live.child.stdin!.write(elements);
    await waitFor('the elements annotated', async () => (lines(live.stdout()).length >= 2 ? true : undefined));
    expect(lines(live.stdout())).toEqual(expected);
    live.child.stdin!.end('  {"status": 200}\n]\n');
    const result = await live.done;
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toHaveLength(3);
  });

  it.each([
    ['one thread', []],
    ['--workers 2', ['--workers', '2']],
  ])('annotate --dead-letter, %s: the bad lines of a burst are in the file while the pipe is open', async (name, args) => {
    const deadLetter = join(dir, `dead-${name.replace(/\W/g, '')}.txt`);
    const expected = (await batch([...args, '--dead-letter', join(dir, 'batch-dead.txt')], FIRST)).stdout;
    const expectedDead = readFileSync(join(dir, 'batch-dead.txt'));
    const live = startLive([...args, '--dead-letter', deadLetter]);
    live.child.stdin!.write(FIRST);
    await waitFor('the burst annotated', async () => (live.stdout().length >= expected.length ? true : undefined));
    expect(live.stdout().equals(expected)).toBe(true);
    await waitFor('the dead letters written', async () => (readFileSync(deadLetter).equals(expectedDead) ? true : undefined), 10_000);
    const result = await stop(live);
    expect(result.code).toBe(0);
    expect(readFileSync(deadLetter).equals(expectedDead)).toBe(true);
  });

  it.each([
    ['one thread', []],
    ['--workers 2', ['--workers', '2']],
  ])('annotate --metrics-listen, %s: /metrics counts each burst in full while the pipe is open', async (_name, args) => {
    const port = await freePort();
    const live = startLive([...args, '--metrics-listen', `127.0.0.1:${port}`, '-o', '/dev/null']);
    const [afterFirst, afterBoth] = [
      (await batch(['count'], FIRST)).stdout.toString(),
      (await batch(['count'], Buffer.concat([FIRST, SECOND]))).stdout.toString(),
    ];
    live.child.stdin!.write(FIRST);
    const first = await waitFor('the first burst counted', async () => {
      const text = await scrape(port);
      return linesTotal(text) >= lineCount(FIRST) ? text : undefined;
    });
    expect(counts(first)).toEqual(counts(afterFirst));
    live.child.stdin!.write(SECOND);
    const both = await waitFor('the second burst counted', async () => {
      const text = await scrape(port);
      return linesTotal(text) >= lineCount(FIRST) + lineCount(SECOND) ? text : undefined;
    });
    expect(counts(both)).toEqual(counts(afterBoth));
    const result = await stop(live);
    expect(result.code).toBe(0);
  });
});

describe('SIGTERM on a batch run whose stdin stays open', () => {
  it.each([
    ['one thread', []],
    ['--workers 2', ['--workers', '2']],
  ])('count, %s: exit 0 within 2 s, the exposition of every line read, once', async (_name, args) => {
    const expected = (await batch(['count'], FIRST)).stdout.toString();
    const live = startLive(['count', ...args]);
    live.child.stdin!.write(FIRST);
    await untilAsleep(live.child.pid!);
    const result = await stop(live);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(result.stdout.toString()).toBe(expected);
    expect(linesTotal(expected)).toBe(lineCount(FIRST));
    expect(result.stderr).toBe('');
  });

  it.each([
    ['one thread', []],
    ['--workers 2', ['--workers', '2']],
  ])('report, %s: exit 0 within 2 s, the report of every line read', async (_name, args) => {
    const reportArgs = ['report', '--format', 'json', ...args];
    const expected = JSON.parse((await batch(reportArgs, FIRST)).stdout.toString());
    const live = startLive(reportArgs);
    live.child.stdin!.write(FIRST);
    await untilAsleep(live.child.pid!);
    const result = await stop(live);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(JSON.parse(result.stdout.toString())).toEqual(expected);
    expect(expected.input.lines).toBe(lineCount(FIRST));
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'report --partial, %s: the partial of the lines read says its shard was cut; a merge says so, exit 1',
    async (signal) => {
      const partial = join(dir, `cut-${signal}.hidpart`);
      const live = startLive(['report', '--partial', '-o', partial, '-']);
      live.child.stdin!.write(FIRST);
      await untilAsleep(live.child.pid!);
      const result = await stop(live, signal);
      expect(result.code).toBe(0);
      const written = JSON.parse(readFileSync(partial, 'utf8'));
      expect(written.input.records).toBeGreaterThan(0);
      expect(written.input.unreadable).toEqual([`stdin: not read to its end (${signal} stopped the run)`]);
      const merged = await runCli(['report', '--merge', '--format', 'json', partial]);
      expect(merged.stderr).toBe(`hidlog: ${partial}: its shard was not read whole: stdin: not read to its end (${signal} stopped the run)\n`);
      expect(merged.code).toBe(1);
      // The input read to its end makes a whole partial: the merge of it says nothing.
      const whole = join(dir, `whole-${signal}.hidpart`);
      expect((await runCli(['report', '--partial', '-o', whole, '-'], { input: FIRST })).code).toBe(0);
      expect(await runCli(['report', '--merge', '--format', 'json', whole])).toMatchObject({ code: 0, stderr: '' });
    },
  );

  it.each(['SIGTERM', 'SIGINT'] as const)('annotate, %s before any input: exit 0 within 2 s, nothing written', async (signal) => {
    const live = startLive([]);
    await untilAsleep(live.child.pid!);
    const result = await stop(live, signal);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toBe('');
  });

  it.each([
    ['a line its writer has not finished: the whole lines before it written, not the piece', '{"status":401}\n{"status":4', '{"status":401}\n'],
    ['a JSON array held back for its verdict: its whole elements written', '[\n  {"status": 401}', '[\n  {"status": 401}\n]\n'],
  ])('annotate, %s; exit 0 within 2 s', async (_name, written, whole) => {
    const expected = (await batch([], Buffer.from(whole))).stdout;
    const live = startLive([]);
    live.child.stdin!.write(written);
    await untilAsleep(live.child.pid!);
    const result = await stop(live);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(result.stdout.equals(expected)).toBe(true);
  });
});
