// Follow mode under the real logrotate (Debian's), driven with -f and a state file of its own,
// while a writer appends numbered records a few thousand a second and reopens its log when
// logrotate's postrotate sends it SIGHUP. In every setup, following the name and following a
// glob, with a restart from the state file in the middle (and a rotation while hidlog is down):
// every record still on disk afterwards is in the output exactly once, and nothing else is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, ROOT, startCli, type CliResult } from '../helpers/cli.js';
import { hasTool, waitFor } from '../helpers/tools.js';

const RATE = 3000;
const WRITER = join(ROOT, 'bench/log-writer.mjs');
const haveLogrotate = hasTool('logrotate');

let dir: string;
let logs: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-logrotate-'));
  logs = join(dir, 'logs');
  mkdirSync(join(logs, 'old'), { recursive: true });
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// The sleeps below are the schedule of the scenario, not waits for hidlog: the writer writes for
// a gap between two rotations (a second and more for dateext, which names a rotated file by the
// second), and for a while hidlog is down. What hidlog must have done is waited for (waitFor).
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Setup {
  name: string;
  directives: string[];
  /** Between two rotations: dateext names a rotated file by the second. */
  gapMs: number;
}

const SETUPS: Setup[] = [
  { name: 'create', directives: ['create'], gapMs: 400 },
  { name: 'create + compress + delaycompress', directives: ['create', 'compress', 'delaycompress'], gapMs: 400 },
  { name: 'create + compress', directives: ['create', 'compress'], gapMs: 400 },
  { name: 'copytruncate', directives: ['copytruncate'], gapMs: 400 },
  { name: 'copytruncate + compress', directives: ['copytruncate', 'compress'], gapMs: 400 },
  { name: 'dateext', directives: ['create', 'dateext', 'dateformat -%s'], gapMs: 1100 },
  { name: 'olddir', directives: ['create', 'olddir old'], gapMs: 400 },
];

function startWriter(log: string): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [WRITER, log, String(RATE)], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  return { child, done: collect(child) };
}

function rotate(config: string, state: string): void {
  const result = spawnSync('logrotate', ['-f', '-s', state, config], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`logrotate failed: ${result.stderr}`);
}

/** Every numbered record in every file under the log directory, gzip or text: the files each is in. */
function recordsOnDisk(directory: string): Map<number, string[]> {
  const files = new Map<number, string[]>();
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = readFileSync(path);
    const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString() : bytes.toString();
    for (const match of text.matchAll(/^\{"n":(\d+),/gm))
      files.set(Number(match[1]), [...(files.get(Number(match[1])) ?? []), path.slice(directory.length + 1)]);
  }
  return files;
}

/** The records missing from the output, as ranges per file: what a failure shows. */
function describeMissing(onDisk: Map<number, string[]>, seen: Set<number>): string {
  const ranges: string[] = [];
  let from: number | undefined;
  const sorted = [...onDisk.keys()].sort((a, b) => a - b);
  sorted.forEach((n, i) => {
    if (seen.has(n)) return;
    from ??= n;
    const next = sorted[i + 1];
    if (next === n + 1 && !seen.has(next) && onDisk.get(next)![0] === onDisk.get(n)![0]) return;
    ranges.push(`${from}-${n} (${onDisk.get(n)!.join(', ')})`);
    from = undefined;
  });
  return ranges.join('; ');
}

/** Each output line's record number; a line that is not an annotated record of the writer's fails the test. */
function recordsOut(path: string): number[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => {
      const record = JSON.parse(line) as { n?: unknown; hid?: unknown };
      if (typeof record.n !== 'number' || record.hid === undefined) throw new Error(`not a record of the writer's: ${line.slice(0, 200)}`);
      return record.n;
    });
}

async function scenario(setup: Setup, mode: 'name' | 'glob'): Promise<void> {
  const log = join(logs, 'app.log');
  const out = join(dir, 'annotated.ndjson');
  const state = join(dir, 'hidlog-state.json');
  const writer = startWriter(log);
  await waitFor('the writer to start', async () => (existsSync(log) && statSync(log).size > 0 ? true : undefined), 10_000);
  const config = join(dir, 'logrotate.conf');
  writeFileSync(
    config,
    [
      `${log} {`,
      '  rotate 1000',
      '  nomail',
      ...setup.directives.map((d) => `  ${d}`),
      '  postrotate',
      `    kill -HUP ${writer.child.pid}`,
      '  endscript',
      '}',
      '',
    ].join('\n'),
  );
  const logrotateState = join(dir, 'logrotate.state');
  const patterns = mode === 'name' ? [log] : [`${log}*`, ...(setup.directives.includes('olddir old') ? [join(logs, 'old/app.log*')] : [])];
  const follow = () => {
    const child = startCli(['annotate', '--follow', '--start-at', 'beginning', '--poll-interval', '50', '--state-file', state, '-o', out, ...patterns]);
    running.push(child);
    return { child, done: collect(child) };
  };

  // hidlog must be following before a rotation: following the name, a file rotated before the
  // first look is out of sight (the README says so).
  const following = async (beyond: number) => {
    await waitFor('hidlog to follow', async () => (recordsOut(out).length > beyond ? true : undefined), 15_000);
  };
  const first = follow();
  await following(0);
  await sleep(setup.gapMs);
  rotate(config, logrotateState);
  await sleep(setup.gapMs);
  rotate(config, logrotateState);
  await sleep(setup.gapMs);
  first.child.kill('SIGTERM');
  const firstResult = await first.done;
  // olddir's directory is made at the first rotation: until then, its pattern names nothing.
  const waitedFor = patterns.filter((pattern) => pattern.includes('/old/'));
  expect(firstResult.stderr).toBe(waitedFor.map((pattern) => `hidlog: ${pattern}: no such file yet; waiting for it\n`).join(''));
  expect(firstResult.code).toBe(0);
  // While hidlog is down: the writer goes on, and its log is rotated (and compressed, where set up).
  await sleep(setup.gapMs / 2);
  rotate(config, logrotateState);
  await sleep(setup.gapMs / 2);

  const second = follow();
  await following(recordsOut(out).length);
  await sleep(setup.gapMs);
  rotate(config, logrotateState);
  await sleep(setup.gapMs);
  writer.child.kill('SIGTERM');
  const written = Number((await writer.done).stdout.toString().trim());
  expect(written).toBeGreaterThan(RATE);

  const onDisk = recordsOnDisk(logs);
  // Each record is on disk once (copytruncate's own losses are not on disk at all).
  expect([...onDisk].filter(([, files]) => files.length > 1)).toEqual([]);
  await waitFor(
    'every record on disk in the output',
    async () => {
      const seen = new Set(recordsOut(out));
      return [...onDisk.keys()].every((n) => seen.has(n)) ? true : undefined;
    },
    15_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; missing: ${describeMissing(onDisk, new Set(recordsOut(out)))}`);
  });
  await sleep(300); // a sleep, the point of the check: anything written twice would come now
  second.child.kill('SIGTERM');
  const secondResult = await second.done;
  expect(secondResult.stderr).toBe('');

  const numbers = recordsOut(out);
  const times = new Map<number, number>();
  for (const n of numbers) times.set(n, (times.get(n) ?? 0) + 1);
  expect([...times].filter(([, count]) => count > 1).map(([n]) => n)).toEqual([]);
  expect([...onDisk.keys()].filter((n) => !times.has(n))).toEqual([]);
  // Output records not on disk: only those logrotate itself lost after hidlog had read them.
  expect(numbers.every((n) => n < written)).toBe(true);
}

describe.skipIf(!haveLogrotate)('hidlog annotate --follow under logrotate', () => {
  for (const setup of SETUPS) {
    for (const following of ['name', 'glob'] as const) {
      it(`${setup.name}, following the ${following}: every record on disk exactly once, nothing else`, () => scenario(setup, following), 60_000);
    }
  }
});
