// Exactly once to a file output across SIGKILLs (issue 21): hidlog follows a log a writer appends
// to and rotates (rename + create, and copytruncate), with -o, --dead-letter and a state file, and
// is killed again and again at random moments (while it starts, follows, or catches up a backlog
// written while it was down) and started again each time. The state file records
// how far each output file was written and synced with the positions; a restart cuts the outputs
// back to that point, so in the end both hold every record exactly once, in order per file, and no
// line is torn or glued to another.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, startCli, type CliResult } from '../helpers/cli.js';
import { RotatingWriter, sizeOf, sleep } from '../helpers/rotating-log.js';
import { waitFor } from '../helpers/tools.js';

let dir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-crash-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

// How long hidlog is killed and started again while the writer writes: at least KILLING_MS, and
// on a busy machine (where hidlog takes longer to start) until MIN_KILLS, one of them during a
// catch-up, up to EXTRA_MS more.
const KILLING_MS = 20_000;
const MIN_KILLS = 8;
const EXTRA_MS = 25_000;
// Every BAD_EVERY-th record is not JSON (a dead letter); every HUGE_EVERY-th of those is 3 MB, so
// that a kill can land in the middle of its write.
const BAD_EVERY = 37;
const HUGE_EVERY = 40;
const PADDING = 'x'.repeat(120);
// What a writer adds while hidlog is down before a catch-up: more than the 8 MiB between two saves.
const BACKLOG_BYTES = 12 * 1024 * 1024;

/** Record `n` of the log's content `f` (each rotation starts a new content). */
function record(n: number, f: number): string {
  if (n % BAD_EVERY === BAD_EVERY - 1) {
    const huge = Math.floor(n / BAD_EVERY) % HUGE_EVERY === HUGE_EVERY - 1;
    return `not json ${n} ${f} ${huge ? 'y'.repeat(3 * 1024 * 1024) : PADDING}\n`;
  }
  return `{"n":${n},"f":${f},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'},"pad":"${PADDING}"}\n`;
}

interface Holds {
  /** Per content, the record numbers of its JSON records in the output, in output order. */
  good: Map<number, number[]>;
  /** Lines marked as not records. */
  marked: number;
  /** Per content, the record numbers in the dead-letter file, in order. */
  dead: Map<number, number[]>;
}

/** What the outputs hold; every line must be whole, and a record or a mark (never two glued). */
function holds(out: string, dead: string): Holds {
  const result: Holds = { good: new Map(), marked: 0, dead: new Map() };
  const add = (map: Map<number, number[]>, f: number, n: number) => map.set(f, [...(map.get(f) ?? []), n]);
  const outText = existsSync(out) ? readFileSync(out, 'utf8') : '';
  expect(outText === '' || outText.endsWith('\n'), 'the output ends with a whole line').toBe(true);
  for (const line of outText.split('\n').slice(0, -1)) {
    const parsed = JSON.parse(line) as { n?: number; f?: number; hid?: { invalid?: string } };
    if (parsed.n === undefined) {
      expect(parsed.hid?.invalid, line.slice(0, 200)).toBeDefined();
      result.marked++;
    } else add(result.good, parsed.f!, parsed.n);
  }
  const deadText = existsSync(dead) ? readFileSync(dead, 'latin1') : '';
  expect(deadText === '' || deadText.endsWith('\n'), 'the dead-letter file ends with a whole line').toBe(true);
  for (const line of deadText.split('\n').slice(0, -1)) {
    const match = /^not json (\d+) (\d+) (x+|y+)$/.exec(line);
    expect(match, `a whole dead letter: ${line.slice(0, 60)}… (${line.length} bytes)`).not.toBeNull();
    add(result.dead, Number(match![2]), Number(match![1]));
  }
  return result;
}

const endsMidLine = (path: string) => sizeOf(path) > 0 && !readFileSync(path).subarray(-1).equals(Buffer.from('\n'));
const all = (map: Map<number, number[]>) => [...map.values()].flat();

describe('hidlog annotate --follow, killed with SIGKILL again and again', () => {
  it('leaves -o and --dead-letter holding every record exactly once, in order per file, no line torn', { timeout: 120_000 }, async () => {
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const out = join(dir, 'out.ndjson');
    const dead = join(dir, 'dead.txt');
    const state = join(dir, 'state.json');
    const args = [
      'annotate',
      '--follow',
      join(logs, 'app.log*'),
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
    ];
    const start = () => {
      const child = startCli(args);
      running.push(child);
      return { child, done: collect(child) };
    };
    const writer = new RotatingWriter(join(logs, 'app.log'), record);
    const stderr: string[] = [];
    let kills = 0;
    let catchUpKills = 0;
    let tornAfterKill = 0;
    const written = () => sizeOf(out) + sizeOf(dead);
    const until = Date.now() + KILLING_MS;
    while (Date.now() < until || ((kills < MIN_KILLS || catchUpKills === 0) && Date.now() < until + EXTRA_MS)) {
      const catchingUp = kills % 4 === 2;
      let backlog = 0;
      if (catchingUp) {
        // Down a while (the writer writes and rotates meanwhile), then a backlog at once: a sleep, the scenario.
        await sleep(Math.random() * 1500);
        const bytesBefore = writer.bytes;
        writer.backlog(BACKLOG_BYTES);
        backlog = writer.bytes - bytesBefore;
      }
      const before = sizeOf(out);
      const outputsBefore = written();
      const run = start();
      // Now and then while it starts; during a catch-up, part way into the backlog (its records come
      // out at least as long as they went in); mostly once it writes, at any point of its checkpoint interval.
      // The random sleeps are the point: a kill at any moment, not at one hidlog shows.
      if (kills % 5 === 0) await sleep(Math.random() * 800);
      else if (catchingUp) {
        const target = outputsBefore + backlog * (0.1 + 0.5 * Math.random());
        // Looked at often: hidlog reads a backlog at tens of MB/s, so a slower look would often come after its end.
        await waitFor('hidlog to be part way into the backlog', async () => (written() > target ? true : undefined), 30_000, 5);
        if (written() < outputsBefore + backlog) catchUpKills++;
      } else {
        await waitFor('hidlog to write', async () => (sizeOf(out) > before ? true : undefined), 20_000);
        await sleep(Math.random() * 1200);
      }
      run.child.kill('SIGKILL');
      const result: CliResult = await run.done;
      expect(result.signal).toBe('SIGKILL');
      if (result.stderr) stderr.push(result.stderr);
      kills++;
      if ([out, dead].some(endsMidLine)) tornAfterKill++;
    }
    await writer.stop();

    const last = start();
    const expected = (n: number) => n % BAD_EVERY !== BAD_EVERY - 1;
    const total = writer.written;
    const goodCount = Array.from({ length: total }, (_, n) => n).filter(expected).length;
    await waitFor(
      `all ${total} records in the outputs`,
      async () => {
        const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
        return text.split('\n').length - 1 >= total ? true : undefined;
      },
      30_000,
    );
    await sleep(500); // a sleep, the point of the check: nothing more may come
    last.child.kill('SIGTERM');
    const result = await last.done;
    expect(result.code).toBe(0);
    if (result.stderr) stderr.push(result.stderr);

    const found = holds(out, dead);
    const sorted = (numbers: number[]) => [...numbers].sort((a, b) => a - b);
    expect(all(found.good).length).toBe(goodCount);
    expect(sorted(all(found.good))).toEqual(Array.from({ length: total }, (_, n) => n).filter(expected));
    expect(sorted(all(found.dead))).toEqual(Array.from({ length: total }, (_, n) => n).filter((n) => !expected(n)));
    expect(found.marked).toBe(total - goodCount);
    for (const numbers of [...found.good.values(), ...found.dead.values()]) expect(numbers).toEqual(sorted(numbers));
    expect(stderr).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(catchUpKills, 'kills during a catch-up').toBeGreaterThan(0);
    // Not asserted (it depends on timing), but reported: kills that left a torn line behind.
    console.log(`${kills} kills (${catchUpKills} during a catch-up), ${tornAfterKill} left an output ending mid-line; ${total} records`);
  });
});
