// At least once to a pipe across SIGKILLs (issue 21): hidlog follows a log a writer appends to and
// rotates (rename + create, and copytruncate), with a state file, writing to stdout, a pipe this
// test reads; it is killed again and again (while it starts, while it follows, and while it
// catches up a backlog written while it was down) and started again each time. A pipe cannot be
// cut back, so a restart writes again the lines read after the last save: nothing is lost, and
// every repeat lies within the bound docs/state-file.md states.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';
import { RotatingWriter, sleep } from '../helpers/rotating-log.js';

let dir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-crash-pipe-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// As in crash.cli.test.ts: at least KILLING_MS of kills, and at least MIN_KILLS on a busy machine.
const KILLING_MS = 20_000;
const MIN_KILLS = 8;
const EXTRA_MS = 15_000;
// The bound docs/state-file.md states for a restart: the lines read after the last save, which is
// at most a second old (SAVE_SLACK_MS more for the look that finds it due, the save itself and a
// busy machine), and during a catch-up under 9 MiB of input (a save every 8 MiB read).
const SAVE_EVERY_MS = 1000;
const SAVE_SLACK_MS = 500;
const REPEAT_BYTES = 9 * 1024 * 1024;
// What a writer adds while hidlog is down before a catch-up: more than the 8 MiB between two saves.
const BACKLOG_BYTES = 12 * 1024 * 1024;
const PADDING = 'x'.repeat(120);

function record(n: number, f: number): string {
  return `{"n":${n},"f":${f},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'},"pad":"${PADDING}"}\n`;
}

/** The record a line cut short begins, if it got as far as its number (else it holds no record's identity). */
function cutRecord(tail: string): number | undefined {
  const named = /^\{"n":(\d+),/.exec(tail);
  return named ? Number(named[1]) : undefined;
}

/** Which records came whole through some run's pipe so far. */
class Coverage {
  private seen = new Uint8Array(1 << 20);
  /** Every record below this one came whole. */
  below = 0;

  add(n: number): void {
    if (n >= this.seen.length) {
      const grown = new Uint8Array(Math.max(2 * this.seen.length, n + 1));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.seen[n] = 1;
    while (this.seen[this.below] === 1) this.below++;
  }

  has(n: number): boolean {
    return this.seen[n] === 1;
  }

  /** The records below `total` that never came whole. */
  missing(total: number): number[] {
    return Array.from({ length: total }, (_, n) => n).filter((n) => !this.has(n));
  }
}

/** A whole line read from the pipe: its record, and when this test received it. */
interface Received {
  n: number;
  f: number;
  at: number;
}

/** One hidlog run, and what its stdout pipe brought, line by line as it came. */
class PipeRun {
  readonly child: ChildProcess;
  readonly lines: Received[] = [];
  /** Lines that were not an annotated record (torn in the middle, or two glued). */
  readonly broken: string[] = [];
  /** What followed the last newline when the pipe closed: a line cut by SIGKILL. */
  tail = '';
  stderr = '';
  killedAt = 0;
  readonly closed: Promise<NodeJS.Signals | number | null>;
  private waiting: { condition: () => boolean; resolve: () => void }[] = [];

  /** `keep`: records whose whole line text is kept (in `texts`), to compare a torn line with. */
  constructor(
    args: readonly string[],
    private readonly coverage: Coverage,
    private readonly keep: ReadonlySet<number>,
    readonly texts: Map<number, string>,
  ) {
    this.child = startCli(args);
    running.push(this.child);
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (text: string) => this.take(text, Date.now()));
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (text: string) => (this.stderr += text));
    this.closed = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) => {
        for (const { resolve: wake } of this.waiting.splice(0)) wake();
        resolve(signal ?? code);
      });
    });
  }

  get ended(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolves once `condition` holds after lines came, or the run ended; rejects after `timeoutMs`. */
  async until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
    if (this.ended || condition()) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.waiting.push({ condition, resolve })),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(signal: NodeJS.Signals): Promise<NodeJS.Signals | number | null> {
    this.killedAt = Date.now();
    this.child.kill(signal);
    return this.closed;
  }

  private take(text: string, at: number): void {
    const lines = (this.tail + text).split('\n');
    this.tail = lines.pop()!;
    for (const line of lines) {
      let parsed: { n?: unknown; f?: unknown; status?: unknown; hid?: { status?: { code?: unknown } } };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        this.broken.push(line.slice(0, 200));
        continue;
      }
      const { n, f } = parsed;
      if (typeof n !== 'number' || typeof f !== 'number' || parsed.hid?.status?.code !== parsed.status) {
        this.broken.push(line.slice(0, 200));
        continue;
      }
      this.lines.push({ n, f, at });
      this.coverage.add(n);
      if (this.keep.has(n)) this.texts.set(n, line);
    }
    this.waiting = this.waiting.filter(({ condition, resolve }) => (condition() ? (resolve(), false) : true));
  }
}

describe('hidlog annotate --follow to a pipe, killed with SIGKILL again and again', () => {
  it('loses no record, and repeats only what was read after the last save, within the documented bound', { timeout: 120_000 }, async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const state = join(dir, 'state.json');
    const args = ['annotate', '--follow', join(logs, 'app.log*'), '--start-at', 'beginning', '--poll-interval', '50', '--state-file', state];
    const writer = new RotatingWriter(join(logs, 'app.log'), record);
    const writing = Date.now();
    const runs: PipeRun[] = [];
    // Records some run's output ended with a part of; their whole lines, as a later run writes them.
    const torn = new Set<number>();
    const tornTexts = new Map<number, string>();
    const coverage = new Coverage();
    const start = () => {
      const run = new PipeRun(args, coverage, torn, tornTexts);
      runs.push(run);
      return run;
    };

    let kills = 0;
    let catchUpKills = 0;
    let backlogBytes = 0;
    const killedWhile: string[] = [];
    const until = Date.now() + KILLING_MS;
    while (Date.now() < until || ((kills < MIN_KILLS || catchUpKills === 0) && Date.now() < until + EXTRA_MS)) {
      const mode = (['starting', 'following', 'catching up', 'following'] as const)[kills % 4]!;
      let backlogEnd = 0;
      let target = 0;
      if (mode === 'catching up') {
        // Down for a while (the writer writes and rotates meanwhile), then a backlog at once: a sleep, the scenario.
        await sleep(Math.random() * 1500);
        const first = writer.written;
        const bytesBefore = writer.bytes;
        const count = writer.backlog(BACKLOG_BYTES);
        backlogBytes += writer.bytes - bytesBefore;
        backlogEnd = first + count - 1;
        target = first + Math.floor(count * (0.1 + 0.85 * Math.random()));
      }
      const writtenAtStart = writer.written;
      const run = start();
      killedWhile.push(mode);
      // The random sleeps are the point: a kill at any moment, not at one hidlog shows.
      if (mode === 'starting') await sleep(Math.random() * 800);
      // The backlog's records come in order, but may come after newer ones (rotated since).
      else if (mode === 'catching up') await run.until(`record ${target}`, () => coverage.has(target));
      else {
        // Once it has caught up, at any point of its checkpoint interval.
        await run.until(`records up to ${writtenAtStart}`, () => coverage.below >= writtenAtStart);
        await sleep(Math.random() * 2 * SAVE_EVERY_MS);
      }
      expect(await run.kill('SIGKILL')).toBe('SIGKILL');
      kills++;
      const cut = cutRecord(run.tail);
      if (cut !== undefined) torn.add(cut);
      if (mode === 'catching up' && !coverage.has(backlogEnd)) catchUpKills++;
    }
    await writer.stop();
    const livePerSecond = ((writer.bytes - backlogBytes) * 1000) / (Date.now() - writing);

    // The last run reads until every record came whole through some run's pipe, then stops.
    const total = writer.written;
    const last = start();
    // Not waited for beyond the timeout: then the records still missing are named below.
    await last.until(`all ${total} records`, () => coverage.below >= total).catch(() => undefined);
    await sleep(500); // a sleep, the point of the check: nothing more may come
    expect(await last.kill('SIGTERM')).toBe(0);
    const lost = coverage.missing(total);
    expect(lost.slice(0, 10), `${lost.length} of ${total} records lost`).toEqual([]);

    // Whole lines only, bar the end of a killed run's pipe; each run in order, nothing twice.
    const problems: string[] = [];
    const runOf = new Int32Array(total).fill(-1);
    const receivedAt = new Float64Array(total);
    let worstAge = 0;
    // The most a restart wrote again, after a kill while following a live log, and after any kill.
    let worstBytesFollowing = 0;
    let worstBytes = 0;
    for (const [j, run] of runs.entries()) {
      problems.push(...run.broken.map((line) => `run ${j}: not a whole record: ${line}`));
      if (run.stderr) problems.push(`run ${j} said: ${run.stderr}`);
      const lastOf = new Map<number, number>();
      let repeatedBytes = 0;
      let runWorstAge = 0;
      for (const { n, f, at } of run.lines) {
        if (n >= total) problems.push(`run ${j}: record ${n} was never written`);
        if ((lastOf.get(f) ?? -1) >= n) problems.push(`run ${j}: record ${n} of file ${f} after ${lastOf.get(f)}`);
        lastOf.set(f, n);
        const before = runOf[n]!;
        if (before === j) problems.push(`run ${j}: record ${n} twice`);
        else if (before >= 0) {
          // A repeat: read after the last save before the run that wrote it last was killed.
          runWorstAge = Math.max(runWorstAge, runs[before]!.killedAt - receivedAt[n]!);
          repeatedBytes += record(n, f).length;
        }
        runOf[n] = j;
        receivedAt[n] = at;
      }
      worstAge = Math.max(worstAge, runWorstAge);
      worstBytes = Math.max(worstBytes, repeatedBytes);
      if (killedWhile[j - 1] === 'following') worstBytesFollowing = Math.max(worstBytesFollowing, repeatedBytes);
      if (runWorstAge > SAVE_EVERY_MS + SAVE_SLACK_MS) problems.push(`run ${j}: wrote again a record received ${runWorstAge} ms before the kill`);
      if (repeatedBytes >= REPEAT_BYTES) problems.push(`run ${j}: wrote again ${repeatedBytes} bytes of input`);
      // A line cut by SIGKILL is a part lost: the record must come again whole in a later run.
      if (run.tail !== '') {
        const cut = cutRecord(run.tail);
        const whole = cut === undefined ? undefined : tornTexts.get(cut);
        if (run === last) problems.push(`the last run ended mid-line: ${run.tail.slice(0, 100)}`);
        else if (cut === undefined ? !/^\{(?:"(?:n(?:"(?::\d*)?)?)?)?$/.test(run.tail) : !whole?.startsWith(run.tail)) {
          problems.push(`run ${j} ended with ${run.tail.slice(0, 100)}…, not the start of a record written whole later`);
        }
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(catchUpKills, 'kills during a catch-up').toBeGreaterThan(0);
    console.log(
      `${kills} kills (${catchUpKills} during a catch-up), ${runs.filter((run) => run.tail !== '').length} left a line cut in the pipe; ${total} records; ` +
        `a restart wrote again at most ${worstBytesFollowing} bytes of input after a kill while following ` +
        `(${(worstBytesFollowing / livePerSecond).toFixed(1)} s of the writer's), ${worstBytes} after any (${(worstBytes / livePerSecond).toFixed(1)} s), ` +
        `received at most ${worstAge} ms before the kill`,
    );
  });
});
