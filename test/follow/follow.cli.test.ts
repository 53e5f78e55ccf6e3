import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { untilAsleep } from '../helpers/asleep.js';
import { collect, startCli, type CliResult } from '../helpers/cli.js';
import { waitForSample } from '../helpers/exposition.js';
import { freePort, waitFor } from '../helpers/tools.js';

let dir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-follow-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const record = (n: number, extra = '') => `{"n":${n},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'}${extra}}\n`;
const records = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => record(from + i)).join('');

interface Follow {
  child: ChildProcess;
  done: Promise<CliResult>;
  out: string;
}

function follow(args: string[], out = join(dir, 'out.ndjson')): Follow {
  const child = startCli(['annotate', '--follow', '--poll-interval', '50', '-o', out, ...args]);
  running.push(child);
  return { child, done: collect(child), out };
}

/** The `n` of every record written out so far, in order. */
function numbersIn(path: string): number[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{"n":'))
    .map((line) => JSON.parse(line).n as number);
}

async function waitForCount(path: string, count: number, timeoutMs = 20_000): Promise<number[]> {
  return waitFor(
    `${count} lines in ${path}`,
    async () => {
      const numbers = numbersIn(path);
      return numbers.length >= count ? numbers : undefined;
    },
    timeoutMs,
  );
}

function expectExactlyOnce(numbers: number[], count: number): void {
  expect(numbers.length).toBe(count);
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
}

/** Waits for records 0..count-1, each once, then a while longer: nothing more may come. */
async function expectAllOnceAndNoMore(run: Follow, count: number): Promise<void> {
  expectExactlyOnce(await waitForCount(run.out, count), count);
  // A sleep, the point of the check: nothing more comes in 300 ms (several polls).
  await new Promise((resolve) => setTimeout(resolve, 300));
  expectExactlyOnce(numbersIn(run.out), count);
}

async function stop(run: Follow, signal: NodeJS.Signals = 'SIGTERM'): Promise<CliResult> {
  run.child.kill(signal);
  return run.done;
}

/** Appends a probe line tagged `tag` to `log` and waits for it in the output: hidlog has read `log` up to there. */
async function through(run: Follow, log: string, tag: string): Promise<void> {
  appendFileSync(log, `{"probe":"${tag}"}\n`);
  await waitFor(
    `the probe "${tag}" appended to ${log} in ${run.out}`,
    async () => (existsSync(run.out) && readFileSync(run.out, 'utf8').includes(`"probe":"${tag}"`) ? true : undefined),
    20_000,
    20,
  );
}

/** Follows `args` with /metrics served; returns the run and the address of /metrics. */
async function followWithMetrics(args: string[]): Promise<{ run: Follow; metrics: string }> {
  const port = await freePort();
  return { run: follow([...args, '--metrics-listen', `127.0.0.1:${port}`]), metrics: `http://127.0.0.1:${port}/metrics` };
}

/** Waits until hidlog follows `log`: probes appended until one comes out (none before it has started). */
async function ready(run: Follow, log: string): Promise<void> {
  await waitFor('hidlog to follow', async () => {
    if (existsSync(run.out) && readFileSync(run.out, 'utf8').includes('"probe":true')) return true;
    appendFileSync(log, '{"probe":true}\n');
    return undefined;
  });
}

describe('hidlog annotate --follow', () => {
  it('annotates lines appended to a file, from the end of what was there at the start', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '{"old":true,"status":500}\n');
    const run = follow([log]);
    await ready(run, log);
    appendFileSync(log, records(0, 100));
    expectExactlyOnce(await waitForCount(run.out, 100), 100);
    expect(readFileSync(run.out, 'utf8')).not.toContain('"old":true');
    expect(readFileSync(run.out, 'utf8')).toContain('"hid":{"status":{"code":401');
    const result = await stop(run);
    expect(result.code).toBe(0);
  });

  it('with --start-at beginning, reads files present at the start from their first line', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, records(0, 10));
    const run = follow(['--start-at', 'beginning', log]);
    expectExactlyOnce(await waitForCount(run.out, 10), 10);
    await stop(run);
  });

  it('follows rename rotations while lines are written fast: the old file to its end, the new from its start', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const run = follow([log]);
    await ready(run, log);
    let n = 0;
    for (let rotation = 0; rotation < 5; rotation++) {
      for (let i = 0; i < 400; i++) appendFileSync(log, record(n++));
      renameSync(log, `${log}.${rotation}`);
      // The application goes on writing to the file it has open, then reopens its log.
      for (let i = 0; i < 50; i++) appendFileSync(`${log}.${rotation}`, record(n++));
      writeFileSync(log, '');
      // Followed by its name alone, a file renamed away before hidlog opened it is not found (the next test has the glob):
      // hidlog reads the old file to its end and follows the new one before the next rotation.
      await through(run, log, `rotation ${rotation}`);
    }
    for (let i = 0; i < 100; i++) appendFileSync(log, record(n++));
    expectExactlyOnce(await waitForCount(run.out, n), n);
    await stop(run);
  });

  it('loses nothing to rotations faster than it looks, when the glob also finds the rotated files', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const run = follow([`${log}*`]);
    await ready(run, log);
    let n = 0;
    for (let rotation = 0; rotation < 5; rotation++) {
      for (let i = 0; i < 400; i++) appendFileSync(log, record(n++));
      renameSync(log, `${log}.${rotation}`);
      writeFileSync(log, '');
    }
    expectExactlyOnce(await waitForCount(run.out, n), n);
    await stop(run);
  });

  it('follows copytruncate: truncation is noticed and reading starts again at 0', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const { run, metrics } = await followWithMetrics([log]);
    await ready(run, log);
    appendFileSync(log, records(0, 50));
    await waitForCount(run.out, 50);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    await waitForSample(metrics, 'hidlog_follow_truncations_total', (n) => n === 1, 'the empty file seen truncated');
    appendFileSync(log, records(50, 60));
    expectExactlyOnce(await waitForCount(run.out, 60), 60);
    await stop(run);
  });

  it('follows a file deleted and created again, and one that stays missing for a while', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const { run, metrics } = await followWithMetrics([log]);
    await ready(run, log);
    appendFileSync(log, records(0, 20));
    await waitForCount(run.out, 20);
    unlinkSync(log);
    await waitForSample(metrics, 'hidlog_follow_rotations_total', (n) => n === 1, 'the deletion noticed, the file missing');
    writeFileSync(log, records(20, 40));
    expectExactlyOnce(await waitForCount(run.out, 40), 40);
    await stop(run);
  });

  it('says once that it waits for a file that does not exist yet, then reads it from its beginning', async () => {
    const log = join(dir, 'later', 'app.log');
    const run = follow([log]);
    let said = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    await waitFor('the notice', async () => (said.includes('waiting for it') ? true : undefined));
    mkdirSync(join(dir, 'later'));
    writeFileSync(log, records(0, 20));
    expectExactlyOnce(await waitForCount(run.out, 20), 20);
    const result = await stop(run);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`hidlog: ${log}: no such file yet; waiting for it\n`);
  });

  it('picks up a new file that matches the glob, from its beginning', async () => {
    writeFileSync(join(dir, 'a.log'), '');
    const run = follow([join(dir, '*.log')]);
    await ready(run, join(dir, 'a.log'));
    writeFileSync(join(dir, 'b.log'), records(0, 30));
    writeFileSync(join(dir, 'ignored.txt'), records(100, 110));
    expectExactlyOnce(await waitForCount(run.out, 30), 30);
    // A sleep, the point of the check: ignored.txt's lines do not come in 200 ms either.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(numbersIn(run.out).length).toBe(30);
    await stop(run);
  });

  it('follows a symlink that is repointed', async () => {
    const link = join(dir, 'current.log');
    writeFileSync(join(dir, 'one.log'), '');
    symlinkSync(join(dir, 'one.log'), link);
    const run = follow([link]);
    await ready(run, link);
    appendFileSync(link, records(0, 10));
    await waitForCount(run.out, 10);
    writeFileSync(join(dir, 'two.log'), records(10, 20));
    unlinkSync(link);
    symlinkSync(join(dir, 'two.log'), link);
    expectExactlyOnce(await waitForCount(run.out, 20), 20);
    await stop(run);
  });

  it('holds a line still being written until it is complete, and emits it once', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const run = follow([log]);
    await ready(run, log);
    appendFileSync(log, '{"n":0,"status":4');
    // A sleep, the point of the test: the writer pauses in the middle of the line, and nothing comes out meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(numbersIn(run.out)).toEqual([]);
    appendFileSync(log, '01}\n');
    expect(await waitForCount(run.out, 1)).toEqual([0]);
    expect(readFileSync(run.out, 'utf8')).toContain('{"n":0,"status":401,"hid":');
    await stop(run);
  });

  it('keeps following after a 5 MB line in the middle', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const run = follow([log]);
    await ready(run, log);
    appendFileSync(log, records(0, 10));
    appendFileSync(log, `{"big":"${'x'.repeat(5 * 1024 * 1024)}"}\n`);
    appendFileSync(log, records(10, 20));
    expectExactlyOnce(await waitForCount(run.out, 20), 20);
    expect(readFileSync(run.out, 'utf8')).toMatch(/^\{"hid":\{"invalid":"too_long","bytes":5242890\}\}$/m);
    await stop(run);
  });

  it('dead-letters a too-long line whole and once: cut by copytruncate while written, or while another file dead-letters', async () => {
    const log = join(dir, 'app.log');
    const other = join(dir, 'other.log');
    const dead = join(dir, 'dead.txt');
    writeFileSync(log, '');
    writeFileSync(other, '');
    const run = follow([log, other, '--dead-letter', dead, '--max-line-bytes', '1000']);
    await ready(run, log);
    const long = `not json ${'y'.repeat(5000)}`;
    // hidlog reads the line's first 3,000 bytes, then another file's bad line.
    appendFileSync(log, records(0, 10) + long.slice(0, 3000));
    await waitForCount(run.out, 10);
    // The part of the line is held (it counts in the lag): asleep, hidlog has taken all it was woken for.
    await untilAsleep(run.child.pid!);
    appendFileSync(other, 'not json either\n');
    await waitFor('the other file’s bad line', async () => (existsSync(dead) && readFileSync(dead, 'utf8').includes('either') ? true : undefined));
    // The line ends, and at once logrotate copies and truncates: its end is only in the copy.
    appendFileSync(log, `${long.slice(3000)}\n${records(10, 20)}`);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, records(20, 30));
    expectExactlyOnce(await waitForCount(run.out, 30), 30);
    await waitFor('the too-long line', async () => (readFileSync(dead, 'utf8').includes('y\n') ? true : undefined));
    expect(readFileSync(dead, 'utf8').split('\n')).toEqual(['not json either', long, '']);
    await stop(run);
  });

  it('dead-letters a too-long line whole and once when copytruncate cuts the file while the line is written out', async () => {
    const log = join(dir, 'app.log');
    const dead = join(dir, 'dead.fifo');
    execFileSync('mkfifo', [dead]);
    writeFileSync(log, '');
    const run = follow([log, '--dead-letter', dead, '--max-line-bytes', '1000']);
    // The dead-letter file is a FIFO read by cat: stopping cat holds hidlog in the middle of the line.
    const reader = spawn('cat', [dead], { stdio: ['ignore', 'pipe', 'ignore'] });
    running.push(reader);
    const received: Buffer[] = [];
    reader.stdout.on('data', (chunk: Buffer) => received.push(chunk));
    await ready(run, log);
    reader.kill('SIGSTOP');
    const long = `not json ${'y'.repeat(3 * 1024 * 1024)}`;
    appendFileSync(log, `${records(0, 10)}${long}\n${records(10, 20)}`);
    // hidlog waits on the full pipe with part of the line written: asleep, though the file has more for it.
    await untilAsleep(run.child.pid!);
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, records(20, 30));
    reader.kill('SIGCONT');
    expectExactlyOnce(await waitForCount(run.out, 30), 30);
    await waitFor('the too-long line through the FIFO', async () => (Buffer.concat(received).includes('y\n') ? true : undefined));
    await stop(run);
    expect(Buffer.concat(received).toString()).toBe(`${long}\n`);
  });

  it('reports an unreadable file once, retries it, and follows the others', async () => {
    // A directory where a log file is expected cannot be read, even by root.
    const broken = join(dir, 'broken.log');
    const open = join(dir, 'open.log');
    mkdirSync(broken);
    writeFileSync(open, '');
    const run = follow(['--start-at', 'beginning', broken, open]);
    await ready(run, open);
    appendFileSync(open, records(0, 10));
    await waitForCount(run.out, 10);
    // A sleep, the point of the check: several polls meanwhile, and still one report.
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(broken, { recursive: true });
    writeFileSync(broken, records(10, 15));
    expectExactlyOnce(await waitForCount(run.out, 15), 15);
    const result = await stop(run);
    const reports = result.stderr.split('\n').filter((line) => line.includes('broken.log'));
    expect(reports).toEqual([`hidlog: cannot read ${broken}: is a directory (will retry)`]);
  });

  it('reopens its output on SIGHUP, so logrotate can move it away', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const run = follow([log]);
    await ready(run, log);
    appendFileSync(log, records(0, 10));
    await waitForCount(run.out, 10);
    renameSync(run.out, `${run.out}.1`);
    run.child.kill('SIGHUP');
    await waitFor(`the output reopened at ${run.out} after SIGHUP`, async () => (existsSync(run.out) ? true : undefined), 20_000, 20);
    appendFileSync(log, records(10, 20));
    await waitForCount(run.out, 10);
    expect(numbersIn(`${run.out}.1`)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(numbersIn(run.out)).toEqual(Array.from({ length: 10 }, (_, i) => i + 10));
    await stop(run);
  });

  it('shuts down on SIGTERM within 2 seconds, output flushed, exit 0', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const run = follow([log, '--state-file', join(dir, 'state.json')]);
    await ready(run, log);
    appendFileSync(log, records(0, 1000));
    await waitForCount(run.out, 1000);
    const started = Date.now();
    const result = await stop(run);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).files).toHaveLength(1);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('restarts from the state file after %s: no line lost, none repeated', async (signal) => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, '');
    const first = follow([log, '--state-file', state]);
    await ready(first, log);
    appendFileSync(log, records(0, 500));
    await waitForCount(first.out, 500);
    expect((await stop(first, signal)).code).toBe(0);
    // Written while hidlog was down, including a rotation.
    appendFileSync(log, records(500, 600));
    renameSync(log, `${log}.1`);
    writeFileSync(log, records(600, 700));
    const second = follow([join(dir, 'app.log*'), '--state-file', state]);
    await waitForCount(second.out, 700);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectExactlyOnce(numbersIn(second.out), 700);
    await stop(second);
  });

  it('restarts after SIGKILL: no line lost, repeats bounded by one checkpoint interval', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, '');
    const first = follow([log, '--state-file', state]);
    await ready(first, log);
    appendFileSync(log, records(0, 300));
    await waitForCount(first.out, 300);
    // A checkpoint that covers the 300 records. hidlog saves at its looks, a second apart at least,
    // and an idle follower looks again only at its 10 s full look: the log is written on (probes) meanwhile.
    const size = statSync(log).size;
    await waitFor(`a checkpoint past the 300 records (${size} bytes of ${log}) in ${state}`, async () => {
      if (existsSync(state) && (JSON.parse(readFileSync(state, 'utf8')) as { files: { offset: number }[] }).files.some((file) => file.offset >= size))
        return true;
      appendFileSync(log, '{"probe":true}\n');
      return undefined;
    });
    appendFileSync(log, records(300, 400));
    await waitForCount(first.out, 400);
    await stop(first, 'SIGKILL');
    appendFileSync(log, records(400, 500));
    const second = follow([log, '--state-file', state]);
    await waitForCount(second.out, 500);
    // A sleep, the point of the check: the repeats counted include any that come in 300 ms more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const numbers = numbersIn(second.out);
    expect(new Set(numbers).size).toBe(500);
    const repeats = numbers.length - 500;
    expect(repeats).toBeLessThanOrEqual(100); // only what was read after the last checkpoint
    await stop(second);
  });

  it('serves its own metrics, without a label per file, and counts what it read', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const port = await freePort();
    const run = follow([log, '--metrics-listen', `127.0.0.1:${port}`]);
    await ready(run, log);
    appendFileSync(log, records(0, 50));
    await waitForCount(run.out, 50);
    renameSync(log, `${log}.1`);
    writeFileSync(log, records(50, 60));
    await waitForCount(run.out, 60);
    const metrics = await waitFor('the rotation in /metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return /^hidlog_follow_rotations_total 1$/m.test(text) ? text : undefined;
    });
    expect(metrics).toMatch(/^hidlog_follow_files [12]$/m);
    expect(metrics).toMatch(/^hidlog_follow_lag_bytes 0$/m);
    expect(metrics).toMatch(/^hidlog_follow_last_read_timestamp_seconds \d+(\.\d+)?(e\+\d+)?$/m);
    expect(metrics).toMatch(/^hid_failures_total\{code="13",category="credential_mismatch"\} 12$/m);
    expect(metrics).not.toMatch(/app\.log/);
    await stop(run);
  });
});

/** An empty app.log, followed (by `patterns`, or its name) and ready. */
async function followNewLog(patterns?: (log: string) => string[]): Promise<{ log: string; run: Follow }> {
  const log = join(dir, 'app.log');
  writeFileSync(log, '');
  const run = follow(patterns ? patterns(log) : [log]);
  await ready(run, log);
  return { log, run };
}

describe('hidlog annotate --follow: files known by their content', () => {
  it('reads gzip files a glob finds decompressed: one never read whole, one partly read from its offset, one read not again', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, records(0, 100));
    const first = follow(['--start-at', 'beginning', '--state-file', state, `${log}*`]);
    await waitForCount(first.out, 100);
    expect((await stop(first)).code).toBe(0);
    // While hidlog is down: 100-150 are appended, the file is rotated and compressed, and a file
    // it never saw (150-200) comes to lie beside it, compressed too; then a new log (200-210).
    writeFileSync(`${log}.2.gz`, gzipSync(records(0, 100) + records(100, 150)));
    unlinkSync(log);
    writeFileSync(`${log}.1.gz`, gzipSync(records(150, 200)));
    writeFileSync(log, records(200, 210));
    const second = follow(['--state-file', state, `${log}*`]);
    await waitForCount(second.out, 210);
    // Restarted once more: every file is known and read to its end, so nothing comes out again.
    expect((await stop(second)).code).toBe(0);
    const third = follow(['--state-file', state, `${log}*`]);
    await ready(third, log);
    await stop(third);
    expectExactlyOnce(numbersIn(third.out), 210);
    expect(
      readFileSync(third.out, 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('{"n":') && !line.startsWith('{"probe":')),
    ).toEqual([]);
  });

  it('names a bzip2, xz or zstd file once and does not read it', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, records(0, 10));
    writeFileSync(`${log}.1.xz`, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.from('{"n":99}\n')]));
    const run = follow(['--start-at', 'beginning', `${log}*`]);
    await waitForCount(run.out, 10);
    // A sleep, the point of the check: several polls meanwhile, and the xz file still named once.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = await stop(run);
    expectExactlyOnce(numbersIn(run.out), 10);
    expect(result.stderr).toBe(`hidlog: ${log}.1.xz is xz-compressed: not read (hidlog reads gzip only)\n`);
  });

  it('copytruncate, following the name: lines written after the last read and before the truncation are read from the copy', async () => {
    const { log, run } = await followNewLog();
    appendFileSync(log, records(0, 50));
    await waitForCount(run.out, 50);
    // hidlog cannot look while it is stopped: 50-80 are written, copied and truncated away unread.
    run.child.kill('SIGSTOP');
    appendFileSync(log, records(50, 80));
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, records(80, 90));
    run.child.kill('SIGCONT');
    await expectAllOnceAndNoMore(run, 90);
    await stop(run);
  });

  it('copytruncate, the file written past the offset read before hidlog looks again: the truncation is still noticed', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, records(1000, 1050));
    const run = follow(['--start-at', 'beginning', log]);
    await waitForCount(run.out, 50);
    // While hidlog cannot look (as when a full output holds its reading), the file is truncated
    // and written again past the offset read, in lines of the same lengths: one ends right there.
    run.child.kill('SIGSTOP');
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, records(2000, 2060));
    run.child.kill('SIGCONT');
    await waitForCount(run.out, 110);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
    expect(numbersIn(run.out).sort((a, b) => a - b)).toEqual([...range(1000, 1050), ...range(2000, 2060)]);
    await stop(run);
  });

  it('copytruncate, following a glob: the copy is known as the file already read, not read again', async () => {
    const { log, run } = await followNewLog((log) => [`${log}*`]);
    appendFileSync(log, records(0, 50));
    await waitForCount(run.out, 50);
    copyFileSync(log, `${log}.1`);
    // hidlog sees the copy beside the file: a file made after it in the same directory, read, tells that it listed the directory since.
    await through(run, `${log}.seen`, 'copy seen');
    truncateSync(log, 0);
    appendFileSync(log, records(50, 60));
    await expectAllOnceAndNoMore(run, 60);
    await stop(run);
  });

  it('a file renamed out of sight and back is read on from where it was', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const { run, metrics } = await followWithMetrics([log]);
    await ready(run, log);
    appendFileSync(log, records(0, 20));
    await waitForCount(run.out, 20);
    renameSync(log, join(dir, 'parked'));
    await waitForSample(metrics, 'hidlog_follow_files', (files) => files === 0, 'the parked file read to its end and let go');
    renameSync(join(dir, 'parked'), log);
    appendFileSync(log, records(20, 30));
    await expectAllOnceAndNoMore(run, 30);
    await stop(run);
  });

  it('reads on from a state file of version 1', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, records(0, 100));
    const offset = Buffer.byteLength(records(0, 40));
    const fingerprint = createHash('sha256').update(readFileSync(log).subarray(0, 1024)).digest('hex');
    writeFileSync(state, JSON.stringify({ version: 1, files: [{ path: log, dev: 1, ino: 1, fingerprint, fingerprintBytes: 1024, offset }] }));
    const run = follow(['--state-file', state, log]);
    await waitForCount(run.out, 60);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(numbersIn(run.out)).toEqual(Array.from({ length: 60 }, (_, i) => 40 + i));
    await stop(run);
    expect(JSON.parse(readFileSync(state, 'utf8')).version).toBe(3);
  });

  it('refuses a state file it cannot read in one line, exit 1', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, '');
    writeFileSync(state, '{"version":4,"files":[]}');
    const result = await follow(['--state-file', state, log]).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: ${state} is a hidlog state file of version 4; this hidlog reads versions 1 to 3\n`);
  });

  it('with --no-watch, follows by polling alone', async () => {
    const { log, run } = await followNewLog((log) => ['--no-watch', log]);
    appendFileSync(log, records(0, 50));
    renameSync(log, `${log}.1`);
    writeFileSync(log, records(50, 60));
    expectExactlyOnce(await waitForCount(run.out, 60), 60);
    await stop(run);
  });
});
