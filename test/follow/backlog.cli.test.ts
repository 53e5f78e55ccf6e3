import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, collect, startCli, type CliResult } from '../helpers/cli.js';
import { freePort, hasTool, waitFor } from '../helpers/tools.js';

// A backlog several seconds long to catch up with, even on a fast machine (docs/follow-resources.md).
const BACKLOG_RECORDS = 3_000_000;
// What a restart after SIGKILL may read again: the bytes since the last save (8 MiB), plus the
// chunk being read and what the output had not taken when it was saved (docs/follow-resources.md).
const REPEAT_BOUND_BYTES = 9 * 1024 * 1024;

const record = (n: number) => `{"n":${n},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'}}\n`;

let shared: string;
let backlog: string;
/** Where each record of the backlog begins, and (last) its size. */
let starts: Float64Array;

beforeAll(() => {
  shared = mkdtempSync(join(tmpdir(), 'hidlog-backlog-'));
  backlog = join(shared, 'backlog.log');
  starts = new Float64Array(BACKLOG_RECORDS + 1);
  const fd = openSync(backlog, 'w');
  let text = '';
  let offset = 0;
  for (let n = 0; n < BACKLOG_RECORDS; n++) {
    const line = record(n);
    starts[n] = offset;
    offset += line.length;
    text += line;
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = '';
    }
  }
  writeSync(fd, text);
  closeSync(fd);
  starts[BACKLOG_RECORDS] = offset;
});
afterAll(() => rmSync(shared, { recursive: true, force: true }));

let dir: string;
const running: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-backlog-run-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

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

/** The offset the state file holds for the backlog, once there is one. */
function savedOffset(state: string): number | undefined {
  if (!existsSync(state)) return undefined;
  const files = (JSON.parse(readFileSync(state, 'utf8')) as { files: { path: string; offset: number }[] }).files;
  return files.find((file) => file.path === backlog)?.offset;
}

/** Checks that the records in an output run `first`, `first` + 1, ... in order; returns how many there are. */
function countInOrder(path: string, first: number): number {
  const text = readFileSync(path, 'utf8');
  let expected = first;
  let at = 0;
  while (at < text.length) {
    const prefix = `{"n":${expected},`;
    if (!text.startsWith(prefix, at)) expect.fail(`record ${expected} expected at byte ${at} of ${path}, found ${text.slice(at, at + 40)}`);
    expected++;
    const end = text.indexOf('\n', at);
    at = end === -1 ? text.length : end + 1;
  }
  return expected - first;
}

/** Terminates the run with `signal`; resolves with its result and how long it took to exit. */
async function stopTimed(run: Follow, signal: NodeJS.Signals): Promise<{ result: CliResult; ms: number }> {
  const started = Date.now();
  run.child.kill(signal);
  const result = await run.done;
  return { result, ms: Date.now() - started };
}

describe('hidlog annotate --follow: catching up a backlog', () => {
  it('answers /healthz while it catches up, exits within 2 s of SIGTERM, and saved exactly what it wrote', async () => {
    const state = join(dir, 'state.json');
    const port = await freePort();
    const run = follow(['--start-at', 'beginning', '--state-file', state, '--metrics-listen', `127.0.0.1:${port}`, backlog]);
    // Progress is saved during the catch-up, not at its end.
    await waitFor('a first save during the catch-up', async () => ((savedOffset(state) ?? 0) > 0 ? true : undefined));
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('ok\n');
    }
    const { result, ms } = await stopTimed(run, 'SIGTERM');
    expect(result.code).toBe(0);
    expect(ms).toBeLessThan(2000);
    const offset = savedOffset(state)!;
    expect(offset).toBeLessThan(starts[BACKLOG_RECORDS]!); // stopped in the middle
    // Everything up to the saved offset is out, once and in order, and nothing after it: a restart goes on exactly there.
    const written = countInOrder(run.out, 0);
    expect(starts[written]).toBe(offset);
  });

  it('after SIGKILL in the middle, a restart reads again no more than one save apart', async () => {
    const state = join(dir, 'state.json');
    const first = follow(['--start-at', 'beginning', '--state-file', state, backlog]);
    // Several saves into the catch-up.
    await waitFor('saves during the catch-up', async () => ((savedOffset(state) ?? 0) > 3 * 8 * 1024 * 1024 ? true : undefined));
    const killed = await stopTimed(first, 'SIGKILL');
    expect(killed.result.signal).toBe('SIGKILL');
    const offset = savedOffset(state)!;
    const written = countInOrder(first.out, 0);
    expect(offset).toBeLessThan(starts[BACKLOG_RECORDS]!);
    // Nothing lost: the saved offset is not past what was written; and what is read again is bounded.
    expect(offset).toBeLessThanOrEqual(starts[written]!);
    expect(starts[written]! - offset).toBeLessThanOrEqual(REPEAT_BOUND_BYTES);
    // The restart goes on at the saved offset, at a record's start.
    const resumeAt = starts.indexOf(offset);
    expect(resumeAt).toBeGreaterThan(0);
    const second = follow(['--state-file', state, backlog], join(dir, 'second.ndjson'));
    await waitFor('the restart to write', async () => (existsSync(second.out) && statSync(second.out).size > 0 ? true : undefined));
    const { result } = await stopTimed(second, 'SIGTERM');
    expect(result.code).toBe(0);
    expect(countInOrder(second.out, resumeAt)).toBeGreaterThan(0);
  });
});

describe('hidlog annotate --follow: what is not a file', () => {
  it('refuses a FIFO and a symlink to /dev/zero in the glob, one line each, follows the file beside them, and stops on SIGTERM', async () => {
    const fifo = join(dir, 'a.log');
    const zero = join(dir, 'b.log');
    const log = join(dir, 'c.log');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', zero);
    writeFileSync(log, record(0));
    const run = follow(['--start-at', 'beginning', join(dir, '*.log')]);
    await waitFor('the file to be read', async () => (existsSync(run.out) && readFileSync(run.out, 'utf8').includes('"n":0,') ? true : undefined));
    appendFileSync(log, record(1));
    await waitFor('the file to be followed', async () => (readFileSync(run.out, 'utf8').includes('"n":1,') ? true : undefined));
    const { result, ms } = await stopTimed(run, 'SIGTERM');
    expect(result.code).toBe(0);
    expect(ms).toBeLessThan(2000);
    expect(countInOrder(run.out, 0)).toBe(2);
    expect(result.stderr).toBe(
      `hidlog: ${fifo} is a FIFO: not followed (hidlog follows regular files)\nhidlog: ${zero} is a character device: not followed (hidlog follows regular files)\n`,
    );
  });
});

describe('hidlog annotate --follow -o FIFO', () => {
  it('waits for a reader where SIGTERM reaches it: stops within 2 s, in one line', async () => {
    const fifo = join(dir, 'out.fifo');
    const log = join(dir, 'app.log');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(log, record(0));
    const run = follow([log], fifo);
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the wait to be said', async () => (stderr.includes('no process reads yet') ? true : undefined));
    const { result, ms } = await stopTimed(run, 'SIGTERM');
    expect(ms).toBeLessThan(2000);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hidlog: output ${fifo} is a FIFO no process reads yet: waiting for one\nhidlog: cannot write output ${fifo}: stopped before a process opened the FIFO for reading\n`,
    );
  });

  it('writes to the FIFO once a reader comes', async () => {
    const fifo = join(dir, 'out.fifo');
    const log = join(dir, 'app.log');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(log, record(0));
    const run = follow(['--start-at', 'beginning', log], fifo);
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the wait to be said', async () => (stderr.includes('no process reads yet') ? true : undefined));
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    running.push(reader);
    let read = '';
    reader.stdout.on('data', (chunk: Buffer) => (read += chunk.toString()));
    await waitFor('the record through the FIFO', async () => (read.startsWith('{"n":0,') ? true : undefined));
    const { result } = await stopTimed(run, 'SIGTERM');
    expect(result.code).toBe(0);
  });
});

describe.runIf(hasTool('prlimit'))('hidlog annotate --follow: more files than descriptors', () => {
  const FILES = 2000;

  /** The `n` of every record in an output. */
  const numbersIn = (path: string) => [...readFileSync(path, 'utf8').matchAll(/^\{"n":(\d+),/gm)].map((match) => Number(match[1]));

  it('loses nothing to rename rotations under a limit that binds, following a glob that finds the rotated names', { timeout: 120_000 }, async () => {
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, `idle${i}.log`), `{"idle":${i}}\n`);
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const out = join(dir, 'out.ndjson');
    const args = ['annotate', '--follow', '--poll-interval', '50', '-o', out, join(dir, '*.log*')];
    const child = spawn('prlimit', ['--nofile=128', process.execPath, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(child);
    const run: Follow = { child, done: collect(child), out };
    await waitFor('hidlog to follow', async () => {
      if (existsSync(out) && readFileSync(out, 'utf8').includes('"probe":true')) return true;
      appendFileSync(log, '{"probe":true}\n');
      return undefined;
    });
    let n = 0;
    for (let rotation = 0; rotation < 4; rotation++) {
      for (let i = 0; i < 400; i++) appendFileSync(log, record(n++));
      renameSync(log, `${log}.${rotation}`);
      // The application goes on writing to the file it has open, then reopens its log.
      for (let i = 0; i < 50; i++) appendFileSync(`${log}.${rotation}`, record(n++));
      writeFileSync(log, '');
      // A sleep, the scenario: the writer's gap between rotations, long enough for the rotated file to go quiet
      // (hidlog's 2 s) and be let go; the glob still names it, so no count tells when it is.
      await new Promise((resolve) => setTimeout(resolve, 2500));
    }
    await waitFor('every record', async () => (numbersIn(out).length >= n ? true : undefined), 60_000);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { result } = await stopTimed(run, 'SIGTERM');
    expect(result.code).toBe(0);
    expect([...numbersIn(out)].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(result.stderr).toMatch(
      /^hidlog: more files to follow than descriptors to hold them open \(open files limit 128, ulimit -n\): at most \d+ are held open/,
    );
  });

  it.each([256, 1024])(
    'follows 2,000 files under a limit of %i descriptors: every record out once, the limit said once',
    { timeout: 180_000 },
    async (limit) => {
      const logs = Array.from({ length: FILES }, (_, i) => join(dir, `f${String(i).padStart(4, '0')}.log`));
      logs.forEach((log, i) => writeFileSync(log, record(i)));
      const out = join(dir, 'out.ndjson');
      const state = join(dir, 'state.json');
      const port = await freePort();
      const args = [
        'annotate',
        '--follow',
        '--poll-interval',
        '50',
        '--start-at',
        'beginning',
        '--state-file',
        state,
        '--metrics-listen',
        `127.0.0.1:${port}`,
        '-o',
        out,
        join(dir, '*.log'),
      ];
      const child = spawn('prlimit', [`--nofile=${limit}`, process.execPath, CLI, ...args], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      running.push(child);
      const run: Follow = { child, done: collect(child), out };
      await waitFor('every file read', async () => (existsSync(out) && numbersIn(out).length >= FILES ? true : undefined), 120_000);
      // Files long idle, most of them closed by now, are followed all the same.
      for (let i = 0; i < FILES; i += 100) appendFileSync(logs[i]!, record(FILES + i / 100));
      const expected = FILES + FILES / 100;
      await waitFor('the appended records', async () => (numbersIn(out).length >= expected ? true : undefined), 60_000);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
      expect(value('hidlog_follow_files')).toBe(FILES);
      expect(value('hidlog_follow_open_files_limit')).toBeLessThan(limit);
      expect(value('hidlog_follow_open_files')).toBeLessThanOrEqual(value('hidlog_follow_open_files_limit'));
      expect(readdirSync(`/proc/${child.pid}/fd`).length).toBeLessThan(limit);
      const { result, ms } = await stopTimed(run, 'SIGTERM');
      expect(result.code).toBe(0);
      expect(ms).toBeLessThan(2000);
      expect([...numbersIn(out)].sort((a, b) => a - b)).toEqual(Array.from({ length: expected }, (_, i) => i));
      expect((JSON.parse(readFileSync(state, 'utf8')) as { files: unknown[] }).files).toHaveLength(FILES);
      const warnings = result.stderr.split('\n').filter((line) => line !== '' && !line.includes('serving metrics'));
      expect(warnings).toEqual([
        `hidlog: more files to follow than descriptors to hold them open (open files limit ${limit}, ulimit -n): at most ${value('hidlog_follow_open_files_limit')} are held open, the others closed while idle and opened again when they change`,
      ]);
    },
  );
});
