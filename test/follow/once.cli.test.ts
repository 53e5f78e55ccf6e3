// The silent cases of issue 21 around the state file and the file outputs, each said once and
// handled without loss: an output longer than the state file says (a kill mid-write), shorter, or
// another file; an output deleted or moved away while written; a state file that cannot be
// written; a saved offset past a file's end; a state file kept for other files.
import type { ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, startCli, type CliResult } from '../helpers/cli.js';
import { waitForSample } from '../helpers/exposition.js';
import { freePort, waitFor } from '../helpers/tools.js';

let dir: string;
let log: string;
let out: string;
let state: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-once-'));
  log = join(dir, 'app.log');
  out = join(dir, 'out.ndjson');
  state = join(dir, 'state.json');
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const record = (n: number) => `{"n":${n},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'}}\n`;
const records = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => record(from + i)).join('');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Follow {
  child: ChildProcess;
  done: Promise<CliResult>;
  stderr: () => string;
}

function follow(args: string[]): Follow {
  const child = startCli(['annotate', '--follow', '--poll-interval', '50', ...args]);
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, done: collect(child), stderr: () => stderr };
}

/** The `n` of every record in a file, in order; the file must end with a whole line. */
function numbersIn(path: string): number[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  expect(text === '' || text.endsWith('\n'), `${path} ends with a whole line`).toBe(true);
  return text
    .split('\n')
    .slice(0, -1)
    .map((line) => (JSON.parse(line) as { n: number }).n);
}

const numbersReach = (path: string, count: number) =>
  waitFor(`${count} records in ${path}`, async () => (numbersIn(path).length >= count ? true : undefined), 20_000);

/** Waits until a state file was saved that covers `count` records of `log` read from its start. */
const savedUpTo = (count: number) =>
  waitFor(`positions saved up to record ${count}`, async () => {
    if (!existsSync(state)) return undefined;
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { files: { offset: number }[] };
    return saved.files.some((file) => file.offset === Buffer.byteLength(records(0, count))) ? true : undefined;
  });

describe('hidlog annotate --follow: the file outputs and the state file', () => {
  it('cuts -o back to the size the state file recorded before writing on: a torn line and lines written after the last save are gone', async () => {
    writeFileSync(log, records(0, 100));
    const first = follow(['--start-at', 'beginning', '--state-file', state, '-o', out, log]);
    await numbersReach(out, 100);
    await savedUpTo(100);
    first.child.kill('SIGKILL');
    await first.done;
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { version: number; outputs: { output: string; ino: number; size: number }[] };
    expect(saved.version).toBe(3);
    expect(saved.outputs).toEqual([expect.objectContaining({ output: 'output', ino: statSync(out).ino, size: statSync(out).size })]);
    // What a kill right after a write and before the next save leaves: whole lines, then a torn one.
    appendFileSync(out, readFileSync(out, 'utf8').split('\n').slice(0, 3).join('\n') + '\n{"n":2,"sta');
    appendFileSync(log, records(100, 150));
    const second = follow(['--state-file', state, '-o', out, log]);
    await numbersReach(out, 150);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    expect(numbersIn(out)).toEqual(range(0, 150));
    second.child.kill('SIGTERM');
    expect((await second.done).code).toBe(0);
    expect(second.stderr()).toBe('');
  });

  it('says once that -o is shorter than recorded, or another file, and writes on without cutting', async () => {
    writeFileSync(log, records(0, 20));
    const first = follow(['--start-at', 'beginning', '--state-file', state, '-o', out, log]);
    await numbersReach(out, 20);
    first.child.kill('SIGTERM');
    await first.done;
    truncateSync(out, 0);
    appendFileSync(log, records(20, 30));
    const second = follow(['--state-file', state, '-o', out, log]);
    await numbersReach(out, 10);
    second.child.kill('SIGTERM');
    await second.done;
    expect(second.stderr()).toMatch(
      /^hidlog: output .* is shorter than when the positions were last saved \(\d+ bytes\): cut meanwhile \(copytruncate\?\); written on at its end\n$/,
    );
    expect(numbersIn(out)).toEqual(range(20, 30));

    renameSync(out, `${out}.1`);
    appendFileSync(log, records(30, 40));
    const third = follow(['--state-file', state, '-o', out, log]);
    await numbersReach(out, 10);
    third.child.kill('SIGTERM');
    await third.done;
    expect(third.stderr()).toBe(
      `hidlog: output ${out} is not the file written up to the last saved positions (replaced or rotated meanwhile): written on as it is; lines read after those positions may be in both\n`,
    );
    expect(numbersIn(out)).toEqual(range(30, 40));
  });

  it('with a state file, stops with one line when -o is deleted while written; the restart writes the lines since the last save to a new file', async () => {
    writeFileSync(log, records(0, 50));
    const first = follow(['--start-at', 'beginning', '--state-file', state, '-o', out, log]);
    await numbersReach(out, 50);
    await savedUpTo(50);
    unlinkSync(out);
    // Written on into the deleted file until hidlog notices, at a look a second or more after its last check of the outputs.
    let next = 50;
    await waitFor('hidlog to stop for the deleted -o', async () => {
      if (first.child.exitCode !== null) return true;
      appendFileSync(log, record(next++));
      return undefined;
    });
    const result = await first.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `hidlog: output ${out} was deleted while hidlog wrote it; stopped without saving positions past the last save, so that a restart writes the lines since then to a new file\n`,
    );
    appendFileSync(log, records(next, next + 10));
    const second = follow(['--state-file', state, '-o', out, log]);
    await numbersReach(out, next + 10 - 50);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    second.child.kill('SIGTERM');
    await second.done;
    expect(second.stderr()).toBe(
      `hidlog: output ${out} is not the file written up to the last saved positions (replaced or rotated meanwhile): written on as it is; lines read after those positions may be in both\n`,
    );
    expect(numbersIn(out)).toEqual(range(50, next + 10));
  });

  it('without a state file, reopens a deleted -o and says what was lost', async () => {
    writeFileSync(log, '');
    const run = follow(['-o', out, log]);
    await waitFor('hidlog to follow', async () => {
      if (numbersIn(out).length > 0) return true;
      appendFileSync(log, record(0));
      return undefined;
    });
    unlinkSync(out);
    // Noticed at the first look a second or more after the last check, before that look writes:
    // the lines read before then go to the deleted file, those of that look on to the new one.
    let next = 1000;
    await waitFor('hidlog to notice -o deleted', async () => {
      if (run.stderr().includes('was deleted')) return true;
      appendFileSync(log, record(next++));
      return undefined;
    });
    const end = next + 10;
    appendFileSync(log, records(next, end));
    await waitFor(`record ${end - 1} in the new ${out}`, async () => (numbersIn(out).includes(end - 1) ? true : undefined), 20_000);
    run.child.kill('SIGTERM');
    await run.done;
    expect(run.stderr()).toBe(
      `hidlog: output ${out} was deleted while hidlog wrote it: written on in a new file at its path; any lines written to it after it was deleted are lost (with --state-file, hidlog stops instead and a restart writes them again)\n`,
    );
    // From the first line the new file got (of the look that noticed), every line once and in order.
    const first = numbersIn(out)[0]!;
    expect(first).toBeGreaterThanOrEqual(1000);
    expect(numbersIn(out)).toEqual(range(first, end));
  });

  it('notices -o moved away while written and writes on in a new file at its path: every line once across the two', async () => {
    writeFileSync(log, records(0, 30));
    const run = follow(['--start-at', 'beginning', '--state-file', state, '-o', out, log]);
    await numbersReach(out, 30);
    renameSync(out, `${out}.1`);
    // Written on until hidlog notices, at a look a second or more after its last check of the outputs, and opens a new file.
    let next = 30;
    await waitFor('a new output', async () => {
      if (existsSync(out)) return true;
      appendFileSync(log, record(next++));
      return undefined;
    });
    const end = next + 10;
    appendFileSync(log, records(next, end));
    await waitFor('all records', async () => (numbersIn(`${out}.1`).length + numbersIn(out).length >= end ? true : undefined));
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
    expect(run.stderr()).toBe(`hidlog: output ${out} was moved away or replaced while hidlog wrote it: written on in a new file at its path\n`);
    expect([...numbersIn(`${out}.1`), ...numbersIn(out)]).toEqual(range(0, end));
  });

  it('cannot write its state file: /healthz fails and /metrics says so, one line, and a restart reads on from the last saved positions', async () => {
    writeFileSync(log, records(0, 10));
    const port = await freePort();
    const run = follow(['--start-at', 'beginning', '--state-file', state, '-o', out, '--metrics-listen', `127.0.0.1:${port}`, log]);
    await numbersReach(out, 10);
    await savedUpTo(10);
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: response.status, text: await response.text() };
    };
    expect(await health()).toEqual({ status: 200, text: 'ok\n' });
    // A directory where the temporary file goes: the save fails, even for root, and the state file stays as it was.
    const blocker = `${state}.${run.child.pid}.tmp`;
    mkdirSync(blocker);
    // hidlog saves (and fails to) at its looks, a second apart at least: a live log is written on meanwhile, a record a probe.
    let next = 10;
    const writingUntil = (what: string, done: () => Promise<boolean>) =>
      waitFor(what, async () => {
        if (await done()) return true;
        appendFileSync(log, record(next++));
        return undefined;
      });
    await writingUntil('/healthz to fail', async () => (await health()).status === 503);
    expect(await health()).toEqual({ status: 503, text: 'state file not saved\n' }); // no path: /healthz needs no password
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^hidlog_follow_state_last_save_successful 0$/m);
    expect(metrics).toMatch(/^hidlog_follow_state_save_errors_total [1-9]\d*$/m);
    appendFileSync(log, records(next, next + 10));
    next += 10;
    await numbersReach(out, next);
    // More failed saves: still one line.
    const failed = (text: string) => Number(/^hidlog_follow_state_save_errors_total (\d+)$/m.exec(text)?.[1]);
    const before = failed(metrics);
    await writingUntil(
      `two more failed saves than ${before}`,
      async () => failed(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()) >= before + 2,
    );
    rmSync(blocker, { recursive: true });
    await writingUntil('/healthz to pass again', async () => (await health()).status === 200);
    // /metrics serves a rendering again for a second (EXPOSITION_REUSE_MS), and this test read it
    // within the second before /healthz passed: it says the save worked within that second.
    await waitForSample(`http://127.0.0.1:${port}/metrics`, 'hidlog_follow_state_last_save_successful', (ok) => ok === 1, '/metrics to say so too', 3000);
    mkdirSync(blocker);
    await writingUntil('/healthz to fail again', async () => (await health()).status === 503);
    await numbersReach(out, next);
    run.child.kill('SIGKILL');
    await run.done;
    const said = run
      .stderr()
      .split('\n')
      .filter((line) => line !== '' && !line.includes('serving metrics'));
    expect(said, said.join('\n')).toHaveLength(3);
    expect(said[0]).toBe(
      `hidlog: cannot write state file ${state}: is a directory; positions not saved (a restart reads again from the last saved ones), retrying every checkpoint`,
    );
    expect(said[1]).toMatch(new RegExp(`^hidlog: state file ${state} written again, after \\d+ failed saves?$`));
    expect(said[2]).toBe(said[0]);
    // The restart reads on from the last save that worked, and cuts -o back to it: nothing skipped, nothing twice.
    appendFileSync(log, records(next, next + 10));
    next += 10;
    const again = follow(['--state-file', state, '-o', out, log]);
    await numbersReach(out, next);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    again.child.kill('SIGTERM');
    await again.done;
    expect(again.stderr()).toBe('');
    expect(numbersIn(out)).toEqual(range(0, next));
  });

  it('refuses a state file it cannot write at the start, before it reads anything: one line, exit 1', async () => {
    writeFileSync(log, records(0, 10));
    const nowhere = join(dir, 'missing', 'state.json');
    const result = await follow(['--start-at', 'beginning', '--state-file', nowhere, '-o', out, log]).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: cannot write state file ${nowhere}: no such file\n`);
    expect(numbersIn(out)).toEqual([]);
  });

  it('reads a file shorter than its saved offset from its start, and says so once', async () => {
    writeFileSync(log, records(0, 100));
    const first = follow(['--start-at', 'beginning', '--state-file', state, '-o', out, log]);
    await numbersReach(out, 100);
    first.child.kill('SIGTERM');
    await first.done;
    // Truncated and written again while hidlog was down, beginning as before (over the first KiB the fingerprint covers).
    writeFileSync(log, records(0, 60));
    const second = follow(['--state-file', state, '-o', out, log]);
    await numbersReach(out, 160);
    // A sleep, the point of the check: nothing more (a line twice) comes in 300 ms.
    await sleep(300);
    second.child.kill('SIGTERM');
    await second.done;
    expect(numbersIn(out)).toEqual([...range(0, 100), ...range(0, 60)]);
    expect(second.stderr()).toMatch(
      new RegExp(
        `^hidlog: ${log} is shorter \\(\\d+ bytes\\) than the position read of it \\(\\d+\\): truncated and written again meanwhile; read from its start\\n`,
      ),
    );
    expect(
      second
        .stderr()
        .split('\n')
        .filter((line) => line.includes('is shorter')),
    ).toHaveLength(1);
  });

  it('does not read the positions of files no pattern names, and starts files it does not know at their end', async () => {
    const other = join(dir, 'other.log');
    writeFileSync(other, records(500, 600));
    const elsewhere = follow(['--start-at', 'beginning', '--state-file', state, '-o', join(dir, 'other.ndjson'), other]);
    await numbersReach(join(dir, 'other.ndjson'), 100);
    elsewhere.child.kill('SIGTERM');
    await elsewhere.done;
    appendFileSync(other, records(600, 610));
    writeFileSync(log, records(0, 5));
    // The same state file, for another file: other.log's position is not read from, and app.log,
    // which it does not know, starts at its end (the default).
    const run = follow(['--state-file', state, '-o', out, log]);
    await waitFor('hidlog to follow', async () => {
      if (numbersIn(out).length > 0) return true;
      appendFileSync(log, record(1000));
      return undefined;
    });
    // A sleep, the point of the check: nothing of app.log's start comes in 500 ms either.
    await sleep(500);
    run.child.kill('SIGTERM');
    await run.done;
    expect(numbersIn(out).every((n) => n >= 1000)).toBe(true);
    expect(run.stderr()).toBe(
      `hidlog: state file ${state} holds positions in 1 file no pattern names (${other}): not read\n` +
        `hidlog: output ${out} is not the file written up to the last saved positions (replaced or rotated meanwhile): written on as it is; lines read after those positions may be in both\n`,
    );
    const saved = JSON.parse(readFileSync(state, 'utf8')) as { patterns: string[]; files: { path: string }[] };
    expect(saved.patterns).toEqual([log]);
    expect(saved.files.map((file) => file.path)).toEqual([log]);
    // A file a known pattern finds that the state does not know appeared while hidlog was down: from its start.
    unlinkSync(log);
    writeFileSync(log, records(2000, 2005));
    const known = follow(['--state-file', state, '-o', out, log]);
    await waitFor('the new file read', async () => (numbersIn(out).includes(2004) ? true : undefined));
    known.child.kill('SIGTERM');
    await known.done;
    expect(known.stderr()).toBe('');
    expect(numbersIn(out).filter((n) => n >= 2000)).toEqual(range(2000, 2005));
  });
});
