// The delivery ledger (src/follow/delivery.ts) where it meets files known by their content
// (src/follow/follower.ts): the output disk fills up, and while it is full the followed log is
// rotated by rename + create, by copytruncate, and by copytruncate with a gzip copy. Once space is
// freed, or after SIGTERM and a restart with space, every record is in the outputs exactly once
// and no line is torn. Rotations are made by hand, step by step, so that each test knows which
// path hidlog takes: it reads on while the disk is full (its output queue is below the high-water
// mark) and sees each rotation as it happens, or it is held (the queue is full) and finds them all
// once space comes back.
import type { ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collect, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { SmallDisk, canMountTmpfs } from '../helpers/tmpfs.js';
import { freePort, waitFor } from '../helpers/tools.js';

// Numbered records; every 50th line is not JSON, so the dead-letter file (on the same full disk)
// is a second output the ledger waits for.
const record = (n: number) => (n % 50 === 49 ? `not json ${n}` : `{"n":${n},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'}}`);
const records = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${record(from + i)}\n`).join('');
const isBad = (n: number) => n % 50 === 49;

// Room for a few hundred annotated lines. Reading on: the lines written while it is full make far
// less than the output's 1 MiB queue, so hidlog keeps reading. Held: far more.
const SMALL_DISK = 128 * 1024;
const ROOMY_DISK = 64 * 1024 * 1024;
const PRIMING = 100;
const FILL = { 'reading on': 1500, held: 20_000 } as const;
const MOST = PRIMING + FILL.held + 2000;

type Pattern = 'glob' | 'name';
type Pace = keyof typeof FILL;

let reference: string[];
let dir: string;
let logs: string;
let disk: SmallDisk | undefined;
/** Where the outputs go: the small disk, or `dir`. */
let outputs: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'hidlog-delivery-ref-'));
  writeFileSync(join(work, 'app.log'), records(0, MOST));
  const result = await runCli(['annotate', join(work, 'app.log')]);
  rmSync(work, { recursive: true, force: true });
  expect(result.code).toBe(0);
  reference = result.stdout.toString().split('\n').slice(0, -1);
  expect(reference).toHaveLength(MOST);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-delivery-'));
  logs = join(dir, 'logs');
  mkdirSync(logs);
  outputs = dir;
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  disk?.remove();
  disk = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A file's lines; it must end with a whole line. */
function wholeLines(path: string): string[] {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  expect(text === '' || text.endsWith('\n'), `${path} ends with a whole line`).toBe(true);
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

/**
 * What the outputs hold: the record number of every annotated line (each checked against the
 * batch output for it), how many lines mark a bad line, and the numbers of the dead letters.
 */
function delivered(out: string, dead: string): { numbers: number[]; marked: number; dead: number[] } {
  const numbers: number[] = [];
  let marked = 0;
  for (const line of wholeLines(out)) {
    const n = /^\{"n":(\d+),/.exec(line)?.[1];
    if (n === undefined) {
      expect(line).toMatch(/^\{"hid":\{"invalid":"invalid_json"/);
      marked++;
      continue;
    }
    expect(line).toBe(reference[Number(n)]);
    numbers.push(Number(n));
  }
  const deadNumbers = wholeLines(dead).map((line) => Number(/^not json (\d+)$/.exec(line)![1]));
  return { numbers, marked, dead: deadNumbers };
}

/** How many lines the output holds. */
function linesOut(): number {
  const holds = delivered(out(), dead());
  return holds.numbers.length + holds.marked;
}

/** Every record below `count` exactly once: each good one annotated, each bad one marked and in the dead-letter file. */
function expectEveryRecordOnce(out: string, dead: string, count: number): void {
  const holds = delivered(out, dead);
  const all = Array.from({ length: count }, (_, n) => n);
  const sorted = (numbers: number[]) => [...numbers].sort((a, b) => a - b);
  expect(sorted(holds.numbers)).toEqual(all.filter((n) => !isBad(n)));
  expect(sorted(holds.dead)).toEqual(all.filter(isBad));
  expect(holds.marked).toBe(holds.dead.length);
}

interface Run {
  child: ChildProcess;
  done: Promise<CliResult>;
  stderr: () => string;
  port: number;
}

const out = () => join(outputs, 'out.ndjson');
const dead = () => join(outputs, 'dead.txt');
const log = (suffix = '') => join(logs, `app.log${suffix}`);

async function follow(pattern: Pattern): Promise<Run> {
  const port = await freePort();
  const patterns = pattern === 'glob' ? [log('*')] : [log()];
  const args = [
    'annotate',
    '--follow',
    ...patterns,
    '--start-at',
    'beginning',
    '--poll-interval',
    '50',
    '--state-file',
    join(dir, 'state.json'),
    '-o',
    out(),
    '--dead-letter',
    dead(),
    '--metrics-listen',
    `127.0.0.1:${port}`,
  ];
  const child = startCli(args);
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, done: collect(child), stderr: () => stderr, port };
}

async function metric(run: Run, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${run.port}/metrics`)).text();
  const value = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${name} on /metrics`);
  return Number(value);
}

const metricReaches = (run: Run, name: string, value: number) =>
  waitFor(`${name} to reach ${value}`, async () => ((await metric(run, name)) >= value ? true : undefined), 15_000).catch(async (error: Error) => {
    const text = await (await fetch(`http://127.0.0.1:${run.port}/metrics`)).text();
    throw new Error(
      `${error.message}\n${text
        .split('\n')
        .filter((line) => /^hidlog_(bytes_total|follow_|output_errors)/.test(line))
        .join('\n')}\nstderr: ${run.stderr()}\nfiles: ${readdirSync(logs).join(' ')}`,
    );
  });

/** The log as the service writes it: the records from `written` on, a few hundred at a time. */
class Service {
  written = 0;
  /** Bytes of every record written so far: what hidlog has read once it has read them all. */
  bytes = 0;

  async write(count: number): Promise<void> {
    for (const end = this.written + count; this.written < end; ) {
      const to = Math.min(this.written + 200, end);
      const text = records(this.written, to);
      appendFileSync(log(), text);
      this.bytes += Buffer.byteLength(text);
      this.written = to;
      // A sleep, the service's own pace: the scenario, not a wait for hidlog.
      await sleep(5);
    }
  }
}

/** Shifts the rotated files up by one (app.log.1 -> app.log.2, …), as logrotate does before it rotates. */
function shiftRotated(): void {
  for (let i = 4; i >= 1; i--) {
    for (const ending of ['', '.gz']) if (existsSync(log(`.${i}${ending}`))) renameSync(log(`.${i}${ending}`), log(`.${i + 1}${ending}`));
  }
}

/**
 * Each rotation, and how many records are written after it: after the last one, more than hidlog
 * read of the file before, so that if hidlog looks only once they are all written (a busy
 * machine), the file's size does not tell that it was truncated (test/follow/follow.cli.test.ts
 * makes sure of that case with SIGSTOP).
 */
const ROTATIONS: { truncates: boolean; rotate: () => void; after: number }[] = [
  {
    // copytruncate
    truncates: true,
    rotate: () => {
      shiftRotated();
      copyFileSync(log(), log('.1'));
      truncateSync(log(), 0);
    },
    after: 300,
  },
  {
    // rename + create
    truncates: false,
    rotate: () => {
      shiftRotated();
      renameSync(log(), log('.1'));
      writeFileSync(log(), '');
    },
    after: 500,
  },
  {
    // copytruncate with a gzip copy, compressed before hidlog sees it (made beside, then moved in whole)
    truncates: true,
    rotate: () => {
      shiftRotated();
      writeFileSync(join(dir, 'staging.gz'), gzipSync(readFileSync(log())));
      renameSync(join(dir, 'staging.gz'), log('.1.gz'));
      truncateSync(log(), 0);
    },
    after: 700,
  },
];

/**
 * hidlog follows the log into the small disk; the log grows until the disk is full; then, while it
 * is full, each rotation in turn, with records written after it (and, reading on, a few just
 * before it, so that a copy holds lines hidlog has not read from the file). Reading on, each step
 * waits until hidlog has read everything (`hidlog_bytes_total`) and, following the name alone,
 * until the file read to its end after a rename is closed with its lines still unwritten.
 */
async function rotateWhileFull(pattern: Pattern, pace: Pace): Promise<{ run: Run; service: Service }> {
  disk = new SmallDisk(SMALL_DISK);
  outputs = disk.dir;
  writeFileSync(log(), '');
  const run = await follow(pattern);
  const service = new Service();
  await service.write(PRIMING);
  await waitFor('the first lines written', async () => (linesOut() === PRIMING ? true : undefined));
  await service.write(FILL[pace]);
  await waitFor('hidlog to say the disk is full', async () => (run.stderr().includes('no space left on device (ENOSPC); input held') ? true : undefined));
  const readAll = () => (pace === 'reading on' ? metricReaches(run, 'hidlog_bytes_total', service.bytes) : Promise.resolve(true));
  await readAll();
  const filled = service.bytes;
  let truncations = 0;
  for (const { truncates, rotate, after } of ROTATIONS) {
    if (pace === 'reading on') await service.write(50);
    rotate();
    await service.write(after);
    if (truncates) truncations++;
    if (pace === 'reading on') {
      await readAll();
      await metricReaches(run, 'hidlog_follow_truncations_total', truncations);
      if (pattern === 'name') await waitFor('the rotated files closed', async () => ((await metric(run, 'hidlog_follow_files')) === 1 ? true : undefined));
    }
  }
  // Held: still reading the first file when it was rotated. Still full: the outputs far short of the log.
  if (pace === 'held') expect(await metric(run, 'hidlog_bytes_total')).toBeLessThan(filled);
  expect(linesOut()).toBeLessThan(service.written / 2);
  return { run, service };
}

/** Waits until the outputs hold every record the service wrote, then a while longer: nothing more may come. */
async function everyRecordOnce(written: number): Promise<void> {
  await waitFor('every record written out', async () => (linesOut() >= written ? true : undefined), 15_000).catch((error: Error) => {
    const holds = new Set([...delivered(out(), dead()).numbers, ...delivered(out(), dead()).dead]);
    throw new Error(`${error.message}; missing: ${ranges(Array.from({ length: written }, (_, n) => n).filter((n) => !holds.has(n)))}`);
  });
  // A sleep, the point of the check: nothing more (a line twice) comes in 500 ms.
  await sleep(500);
  expectEveryRecordOnce(out(), dead(), written);
}

/** `1-3, 7` for [1, 2, 3, 7]. */
function ranges(numbers: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (numbers[j + 1] === numbers[j]! + 1) j++;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

const CASES: [Pattern, Pace][] = [
  ['glob', 'reading on'],
  ['glob', 'held'],
  ['name', 'reading on'],
];

describe.runIf(canMountTmpfs())('hidlog annotate --follow: rotations while the output disk is full', () => {
  for (const [pattern, pace] of CASES) {
    const following = pattern === 'glob' ? 'app.log*' : 'app.log';
    it(`following ${following}, ${pace}: once space is freed, every record exactly once, no torn line`, async () => {
      const { run, service } = await rotateWhileFull(pattern, pace);
      disk!.resize(ROOMY_DISK);
      await everyRecordOnce(service.written);
      const result = await (run.child.kill('SIGTERM'), run.done);
      expect(result.code).toBe(0);
    }, 60_000);

    it(`following ${following}, ${pace}: SIGTERM while full, a restart with space: every record exactly once across the two runs`, async () => {
      const { run, service } = await rotateWhileFull(pattern, pace);
      await stopWhileFull(run);
      await restartWithSpace(pattern, service.written);
    }, 60_000);
  }

  it('following app.log*, reading on: SIGKILL while full, a restart with space: every record exactly once (the outputs cut back to the last checkpoint)', async () => {
    const { run, service } = await rotateWhileFull('glob', 'reading on');
    run.child.kill('SIGKILL');
    await run.done;
    disk!.resize(ROOMY_DISK);
    const second = await follow('glob');
    const everyRecord = Array.from({ length: service.written }, (_, n) => n).filter((n) => !isBad(n));
    await waitFor('every record written out', async () => {
      const numbers = new Set(delivered(out(), dead()).numbers);
      return everyRecord.every((n) => numbers.has(n)) ? true : undefined;
    });
    // A sleep, the point of the check: nothing more (a line twice) comes in 500 ms.
    await sleep(500);
    expectEveryRecordOnce(out(), dead(), service.written);
    expect((await (second.child.kill('SIGTERM'), second.done)).code).toBe(0);
    expect(second.stderr()).not.toMatch(/shorter|not the file/);
  }, 60_000);

  it('following app.log*, a gzip rotated file read while full (rotated and compressed while hidlog was down): SIGTERM in the middle of it, a restart with space: every record exactly once', async () => {
    disk = new SmallDisk(SMALL_DISK);
    outputs = disk.dir;
    const compressed = records(0, FILL.held);
    writeFileSync(log('.1.gz'), gzipSync(compressed));
    writeFileSync(log(), '');
    const run = await follow('glob');
    await waitFor('hidlog to say the disk is full', async () => (run.stderr().includes('no space left on device (ENOSPC); input held') ? true : undefined));
    // Held in the middle of the gzip file.
    expect(await metric(run, 'hidlog_bytes_total')).toBeLessThan(Buffer.byteLength(compressed) / 2);
    appendFileSync(log(), records(FILL.held, FILL.held + 300));
    await stopWhileFull(run);
    await restartWithSpace('glob', FILL.held + 300);
  }, 60_000);
});

/** SIGTERM while the disk is full: out within 2 s, exit 1, the outputs cut back to whole lines, none twice. */
async function stopWhileFull(run: Run): Promise<void> {
  const started = Date.now();
  run.child.kill('SIGTERM');
  const result = await run.done;
  expect(Date.now() - started).toBeLessThan(2000);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`cannot write output ${out()}: no space left on device (ENOSPC); stopped, the state file covers the lines it took`);
  const cut = delivered(out(), dead());
  expect(new Set(cut.numbers).size).toBe(cut.numbers.length);
}

/** Frees the space and starts hidlog again from the state file: it writes the rest, and says nothing. */
async function restartWithSpace(pattern: Pattern, written: number): Promise<void> {
  disk!.resize(ROOMY_DISK);
  const second = await follow(pattern);
  await everyRecordOnce(written);
  const result = await (second.child.kill('SIGTERM'), second.done);
  expect(result.code).toBe(0);
  expect(result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('hidlog: serving metrics'))).toEqual([]);
}

describe('hidlog annotate --follow: a rotated gzip file whose last line has no newline', () => {
  it('is read once across a restart, though other files are read after it', async () => {
    writeFileSync(log('.1.gz'), gzipSync(records(0, 10).slice(0, -1)));
    writeFileSync(log(), '');
    const first = await follow('glob');
    await waitFor('the gzip file read', async () => (delivered(out(), dead()).numbers.length === 10 ? true : undefined));
    appendFileSync(log(), records(10, 20));
    await waitFor('app.log read after it', async () => (delivered(out(), dead()).numbers.length === 20 ? true : undefined));
    expect((await (first.child.kill('SIGTERM'), first.done)).code).toBe(0);

    const second = await follow('glob');
    appendFileSync(log(), records(20, 30));
    await waitFor('the new records', async () => (delivered(out(), dead()).numbers.includes(29) ? true : undefined));
    // A sleep, the point of the check: the gzip file is not read again in 500 ms.
    await sleep(500);
    expect((await (second.child.kill('SIGTERM'), second.done)).code).toBe(0);
    expectEveryRecordOnce(out(), dead(), 30);
  });
});
