import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { untilAsleep } from '../helpers/asleep.js';
import { CLI, collect, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { SmallDisk, canMountTmpfs } from '../helpers/tmpfs.js';
import { freePort, waitFor } from '../helpers/tools.js';

// The log every test follows or reads: numbered records, every 100th line not JSON (for the
// dead-letter file), and the output hidlog makes of it with a dead-letter file, line by line,
// from a batch run.
const LINES = 20_000;
const logLine = (n: number) =>
  n % 100 === 99 ? `not json ${n} ${'x'.repeat(300)}` : `{"n":${n},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'}}`;
const logText = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${logLine(from + i)}\n`).join('');

// The disk the outputs go to: room for a few hundred of the 20,000 annotated lines.
const SMALL_DISK = 128 * 1024;
const PRIMING_LINES = 100;
const ROOMY_DISK = 64 * 1024 * 1024;

let dir: string;
let reference: { output: string[]; deadLetter: string[]; lineEnds: number[] };
const running: ChildProcess[] = [];
let disk: SmallDisk | undefined;

beforeAll(async () => {
  const work = mkdtempSync(join(tmpdir(), 'hidlog-faults-ref-'));
  writeFileSync(join(work, 'app.log'), logText(0, LINES + 1000));
  const result = await runCli(['annotate', '--dead-letter', join(work, 'dead.txt'), join(work, 'app.log')]);
  expect(result.code).toBe(0);
  const lineEnds: number[] = [];
  let end = 0;
  for (let n = 0; n < LINES + 1000; n++) lineEnds.push((end += logLine(n).length + 1));
  reference = { output: splitLines(result.stdout.toString()), deadLetter: splitLines(readFileSync(join(work, 'dead.txt'), 'utf8')), lineEnds };
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-faults-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  disk?.remove();
  disk = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** The whole lines of a file, which must end with a newline: no torn line. */
function wholeLines(path: string): string[] {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  expect(text === '' || text.endsWith('\n'), `${path} ends with a whole line`).toBe(true);
  return splitLines(text);
}

/** How many lines of the log (from 0) an output file holds: it must be exactly their output, in order. */
function outputLinesIn(path: string): number {
  const lines = wholeLines(path);
  expect(lines).toEqual(reference.output.slice(0, lines.length));
  return lines.length;
}

/** How many of the log's bad lines a dead-letter file holds: exactly the first ones, in order. */
function deadLettersIn(path: string): number {
  const lines = wholeLines(path);
  expect(lines).toEqual(reference.deadLetter.slice(0, lines.length));
  return lines.length;
}

const badLinesBefore = (lines: number) => Math.floor((lines + 1) / 100);

/** The state file's offset for the one followed file, as a count of the log's lines before it. */
function stateLines(path: string): number {
  const { files } = JSON.parse(readFileSync(path, 'utf8')) as { files: { offset: number }[] };
  expect(files).toHaveLength(1);
  const { offset } = files[0]!;
  if (offset === 0) return 0;
  const lines = reference.lineEnds.indexOf(offset) + 1;
  expect(lines, `offset ${offset} is the end of a line`).toBeGreaterThan(0);
  return lines;
}

interface Run {
  child: ChildProcess;
  done: Promise<CliResult>;
  stderr: () => string;
}

function start(args: string[], stdio?: number): Run {
  const child =
    stdio === undefined
      ? startCli(args)
      : spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', stdio, 'pipe'] });
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done =
    stdio === undefined
      ? collect(child)
      : new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.alloc(0), stderr })));
  return { child, done: done.then((result) => ({ ...result, stderr })), stderr: () => stderr };
}

/** Follows `log` from its beginning into files on the small disk, with a state file and /metrics. */
async function followToDisk(log: string, state: string, extra: string[] = []): Promise<Run & { out: string; dead: string; port: number }> {
  const out = join(disk!.dir, 'out.ndjson');
  const dead = join(disk!.dir, 'dead.txt');
  const port = await freePort();
  const args = [
    'annotate',
    '--follow',
    log,
    '--start-at',
    'beginning',
    '--poll-interval',
    '50',
    '--state-file',
    state,
    '-o',
    out,
    '--dead-letter',
    dead,
    '--metrics-listen',
    `127.0.0.1:${port}`,
    ...extra,
  ];
  return { ...start(args), out, dead, port };
}

async function metric(port: number, pattern: RegExp): Promise<string> {
  return waitFor(`${pattern} on /metrics`, async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return pattern.exec(text)?.[0];
  });
}

const stderrSays = (run: Run, text: string) => waitFor(`stderr to say "${text}"`, async () => (run.stderr().includes(text) ? true : undefined));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Once hidlog follows the log: its first 100 lines written out, and saved in the state file. */
async function primed(log: string, out: string, state: string): Promise<void> {
  appendFileSync(log, logText(0, PRIMING_LINES));
  await waitFor('the first lines written and saved', async () =>
    wholeLines(out).length === PRIMING_LINES && existsSync(state) && stateLines(state) === PRIMING_LINES ? true : undefined,
  );
}

/** Appends the log's lines `from` to `to` as a service would: a few hundred at a time, every few milliseconds. */
async function writeLog(log: string, from: number, to: number): Promise<void> {
  for (let n = from; n < to; n += 200) {
    appendFileSync(log, logText(n, Math.min(n + 200, to)));
    // A sleep, the writer's own pace: the scenario, not a wait for hidlog.
    await sleep(10);
  }
}

async function stopTimed(run: Run): Promise<CliResult & { ms: number }> {
  const started = Date.now();
  run.child.kill('SIGTERM');
  const result = await run.done;
  return { ...result, ms: Date.now() - started };
}

/**
 * Follows a log into files on a small disk while the log grows past what the disk holds: returns
 * once hidlog has said that it holds its input.
 */
async function fillTheDisk(): Promise<{ run: Awaited<ReturnType<typeof followToDisk>>; log: string; state: string; full: SmallDisk }> {
  const full = (disk = new SmallDisk(SMALL_DISK));
  const log = join(dir, 'app.log');
  const state = join(dir, 'state.json');
  writeFileSync(log, '');
  const run = await followToDisk(log, state);
  await primed(log, run.out, state);
  await writeLog(log, PRIMING_LINES, LINES);
  await stderrSays(run, 'no space left on device (ENOSPC); input held, retrying until it can');
  return { run, log, state, full };
}

describe.runIf(canMountTmpfs())('hidlog annotate --follow when its output disk fills up', () => {
  it('holds reading, says so once, counts it, saves only what was written; once space is freed, resumes with nothing lost or repeated', async () => {
    const { run, log, state, full } = await fillTheDisk();
    await metric(run.port, /^hidlog_output_errors_total\{output="output",error="ENOSPC"\} [1-9]\d*$/m);
    // Reading is held: what was read stays put while the disk is full, far short of the log.
    const read = Number((await metric(run.port, /^hidlog_bytes_total \d+$/m)).split(' ')[1]);
    // A sleep, the point of the check: nothing more is read in 1.5 s.
    await sleep(1500);
    expect(Number((await metric(run.port, /^hidlog_bytes_total \d+$/m)).split(' ')[1])).toBe(read);
    expect(read).toBeLessThan(reference.lineEnds[LINES - 1]!);
    // Each file is a prefix of whole lines of what it should hold, and the state file covers
    // no line that is not in them.
    const written = outputLinesIn(run.out);
    const deadLetters = deadLettersIn(run.dead);
    const saved = stateLines(state);
    expect(written).toBeGreaterThan(PRIMING_LINES);
    expect(saved).toBeGreaterThanOrEqual(PRIMING_LINES);
    expect(saved).toBeLessThanOrEqual(written);
    expect(badLinesBefore(saved)).toBeLessThanOrEqual(deadLetters);

    full.resize(ROOMY_DISK);
    await waitFor('every line written', async () => (wholeLines(run.out).length >= LINES ? true : undefined));
    appendFileSync(log, logText(LINES, LINES + 1000)); // and it still follows
    await waitFor('the appended lines written', async () => (wholeLines(run.out).length >= LINES + 1000 ? true : undefined));
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    expect(outputLinesIn(run.out)).toBe(LINES + 1000);
    expect(deadLettersIn(run.dead)).toBe(badLinesBefore(LINES + 1000));
    const result = await stopTimed(run);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(2000);
    expect(stateLines(state)).toBe(LINES + 1000);
    // One line when each output (the dead-letter file is on the same disk) fails, one when it is written again.
    const lines = result.stderr.trimEnd().split('\n').slice(1); // after "serving metrics on …"
    for (const name of [`output ${run.out}`, `dead-letter file ${run.dead}`]) {
      const own = lines.filter((line) => line.includes(name));
      if (name.startsWith('dead') && own.length === 0) continue;
      expect(own).toHaveLength(2);
      expect(own[0]).toBe(`hidlog: cannot write ${name}: no space left on device (ENOSPC); input held, retrying until it can`);
      expect(own[1]).toMatch(new RegExp(`^hidlog: ${name} written again, after \\d+ failed attempts in \\d+\\.\\d s: nothing lost$`));
    }
    expect(lines.every((line) => line.includes(run.out) || line.includes(run.dead))).toBe(true);
  }, 60_000);

  it('SIGTERM while the disk is full: out within 2 s, exit 1, the outputs cut back to exactly what the state file covers; a restart loses and repeats nothing', async () => {
    const { run: first, log, state, full } = await fillTheDisk();
    // Held: a write has failed again since it said so.
    await metric(first.port, /^hidlog_output_errors_total\{output="output",error="ENOSPC"\} ([2-9]|\d{2,})$/m);
    const result = await stopTimed(first);
    expect(result.ms).toBeLessThan(2000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `hidlog: cannot write output ${first.out}: no space left on device (ENOSPC); stopped, the state file covers the lines it took\n`,
    );
    const saved = stateLines(state);
    expect(saved).toBeGreaterThanOrEqual(PRIMING_LINES);
    expect(outputLinesIn(first.out)).toBe(saved);
    expect(deadLettersIn(first.dead)).toBe(badLinesBefore(saved));

    full.resize(ROOMY_DISK);
    const second = await followToDisk(log, state);
    await waitFor('every line written', async () => (wholeLines(second.out).length >= LINES ? true : undefined));
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    expect(outputLinesIn(second.out)).toBe(LINES);
    expect(deadLettersIn(second.dead)).toBe(badLinesBefore(LINES));
    expect((await stopTimed(second)).code).toBe(0);
  }, 60_000);

  it('SIGHUP while the disk is full (the full output moved away): the rest goes to the new file, nothing lost or repeated', async () => {
    const { run, full } = await fillTheDisk();
    renameSync(run.out, `${run.out}.1`);
    renameSync(run.dead, `${run.dead}.1`);
    run.child.kill('SIGHUP');
    await waitFor(`${run.out} reopened after SIGHUP`, async () => (existsSync(run.out) ? true : undefined));
    full.resize(ROOMY_DISK);
    await waitFor('every line written', async () => (wholeLines(`${run.out}.1`).length + wholeLines(run.out).length >= LINES ? true : undefined));
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    expect([...wholeLines(`${run.out}.1`), ...wholeLines(run.out)]).toEqual(reference.output.slice(0, LINES));
    expect([...wholeLines(`${run.dead}.1`), ...wholeLines(run.dead)]).toEqual(reference.deadLetter.slice(0, badLinesBefore(LINES)));
    expect((await stopTimed(run)).code).toBe(0);
  }, 60_000);
});

describe('hidlog annotate --follow when stdout fails or blocks', () => {
  it('the reader goes away (EPIPE): one line, exit 1 at once, the state file short of what it never took; a restart goes on from there', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, logText(0, LINES));
    const taken = 100_000;
    const script = `set -o pipefail; node '${CLI}' annotate --follow '${log}' --start-at beginning --poll-interval 50 --state-file '${state}' --dead-letter '${dir}/dead.txt' 2>'${dir}/err' | head -c ${taken} >'${dir}/first'; echo "exit=\${PIPESTATUS[0]}"`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { timeout: 20_000 });
    expect(stdout).toBe('exit=1\n');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readFileSync(join(dir, 'err'), 'utf8')).toBe(
      'hidlog: cannot write stdout: its reader went away (EPIPE); stopped, the state file covers the lines it took\n',
    );
    const saved = stateLines(state);
    // Saved: no more than the pipe took, that is what the reader read and at most the pipe's
    // buffer (64 KiB) that it left unread when it went away.
    const savedBytes = reference.output.slice(0, saved).join('\n').length + 1;
    expect(savedBytes).toBeLessThanOrEqual(taken + 64 * 1024);
    expect(saved).toBeLessThan(LINES);
    const firstLines = readFileSync(join(dir, 'first'), 'utf8').split('\n').slice(0, -1);
    expect(firstLines).toEqual(reference.output.slice(0, firstLines.length));

    const second = start(['annotate', '--follow', log, '--poll-interval', '50', '--state-file', state, '--dead-letter', join(dir, 'dead.txt')]);
    let newlines = 0;
    second.child.stdout!.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines++;
    });
    await waitFor('the rest of the log', async () => (newlines >= LINES - saved ? true : undefined));
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    const result = await stopTimed(second);
    expect(result.code).toBe(0);
    expect(splitLines(result.stdout.toString())).toEqual(reference.output.slice(saved, LINES));
  }, 60_000);

  it('SIGTERM while stdout is blocked (a reader that stopped reading): out within 2 s, and the state file covers only what the pipe took', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, '');
    const child = spawn(
      process.execPath,
      [CLI, 'annotate', '--follow', log, '--start-at', 'beginning', '--poll-interval', '50', '--state-file', state, '--dead-letter', join(dir, 'dead.txt')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise((resolve) => child.on('close', resolve));
    const received: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => received.push(chunk));
    const got = () =>
      splitLines(
        Buffer.concat(received)
          .toString()
          .replace(/[^\n]*$/, ''),
      );
    appendFileSync(log, logText(0, PRIMING_LINES));
    await waitFor('the first lines', async () =>
      got().length === PRIMING_LINES && existsSync(state) && stateLines(state) === PRIMING_LINES ? true : undefined,
    );
    child.stdout.pause(); // the reader stops reading: the pipe fills, hidlog's writes wait
    await writeLog(log, PRIMING_LINES, LINES);
    // hidlog waits on the full pipe: asleep, though the log has more for it.
    await untilAsleep(child.pid!);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(code).toBe(0);
    child.stdout.resume();
    await closed;
    expect(stderr).toBe('hidlog: stdout did not take its last lines before shutdown: they are read again at the next start\n');
    expect(got()).toEqual(reference.output.slice(0, got().length));
    const saved = stateLines(state);
    expect(saved).toBeGreaterThanOrEqual(PRIMING_LINES);
    expect(saved).toBeLessThan(LINES);
    expect(saved).toBeLessThanOrEqual(got().length); // nothing saved that the reader was not given
  }, 60_000);

  it('stdout redirected to a full device (/dev/full): waited out, counted; SIGTERM: exit 1 within 2 s, nothing saved as written', async () => {
    const log = join(dir, 'app.log');
    const state = join(dir, 'state.json');
    writeFileSync(log, logText(0, 1000));
    const port = await freePort();
    const full = openSync('/dev/full', 'w');
    const run = start(
      ['annotate', '--follow', log, '--start-at', 'beginning', '--poll-interval', '50', '--state-file', state, '--metrics-listen', `127.0.0.1:${port}`],
      full,
    );
    closeSync(full);
    await stderrSays(run, 'hidlog: cannot write stdout: no space left on device (ENOSPC); input held, retrying until it can');
    await metric(port, /^hidlog_output_errors_total\{output="output",error="ENOSPC"\} [2-9]\d*$/m);
    const result = await stopTimed(run);
    expect(result.ms).toBeLessThan(2000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hidlog: cannot write stdout: no space left on device (ENOSPC); stopped, the state file covers the lines it took\n');
    expect(stateLines(state)).toBe(0);
  }, 30_000);
});

describe.runIf(canMountTmpfs())('hidlog annotate (batch) when its output disk is full', () => {
  it('-o FILE: one line, exit 1, the file holds whole lines only, the first of the output', async () => {
    disk = new SmallDisk(SMALL_DISK);
    const log = join(dir, 'app.log');
    writeFileSync(log, logText(0, LINES));
    const out = join(disk.dir, 'out.ndjson');
    const result = await runCli(['annotate', log, '-o', out, '--dead-letter', join(dir, 'dead.txt')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: cannot write output ${out}: no space left on device (ENOSPC)\n`);
    expect(outputLinesIn(out)).toBeGreaterThan(100);
  });

  it('--dead-letter FILE: one line, exit 1, the file holds whole lines only', async () => {
    disk = new SmallDisk(16 * 1024);
    const log = join(dir, 'app.log');
    writeFileSync(log, logText(0, LINES));
    const dead = join(disk.dir, 'dead.txt');
    const result = await runCli(['annotate', log, '--dead-letter', dead, '-o', join(dir, 'out.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: cannot write dead-letter file ${dead}: no space left on device (ENOSPC)\n`);
    expect(deadLettersIn(dead)).toBeGreaterThan(10);
  });
});

describe('hidlog annotate (batch) when stdout fails', () => {
  it('stdout on a full device (/dev/full): one line, exit 1', async () => {
    const log = join(dir, 'app.log');
    writeFileSync(log, logText(0, 100));
    const full = openSync('/dev/full', 'w');
    const run = start(['annotate', log], full);
    closeSync(full);
    const result = await run.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('hidlog: cannot write stdout: no space left on device (ENOSPC)\n');
  });
});
