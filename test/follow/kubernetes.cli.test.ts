import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, startCli, type CliResult } from '../helpers/cli.js';
import { ContainerLog } from '../helpers/kubelet.js';
import { freePort, waitFor } from '../helpers/tools.js';

// A node's /var/log/pods, in a temporary directory: <namespace>_<pod>_<uid>/<container>/<restarts>.log,
// each line a CRI line whose message is a record.

let dir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-k8s-'));
});
const containerLogs: ContainerLog[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const log of containerLogs.splice(0)) log.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A container's log under the pods directory (`<namespace>_<pod>_<uid>/<container>/<restarts>.log`), held open by its runtime. */
function containerLog(path: string): ContainerLog {
  const log = new ContainerLog(join(dir, 'pods', path));
  containerLogs.push(log);
  return log;
}

const criLine = (n: number, partial = false) => {
  const record = `{"n":${n},"status":${n % 5 === 0 ? 401 : 200},"hid_failure":${n % 5 === 0 ? 13 : 'null'}}`;
  if (!partial) return `2026-12-01T10:00:00.${String(n).padStart(9, '0')}Z stdout F ${record}\n`;
  // A record the runtime split in two: a P line, then the F line that ends it.
  const cut = Math.floor(record.length / 2);
  return `2026-12-01T10:00:00.${String(n).padStart(9, '0')}Z stdout P ${record.slice(0, cut)}\n2026-12-01T10:00:00.${String(n).padStart(9, '0')}Z stdout F ${record.slice(cut)}\n`;
};
const criLines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => criLine(from + i, (from + i) % 7 === 3)).join('');

/** Appends records `from`..`to`-1 to the log at `path` under the pods directory, creating it (and its directories) if need be. */
function write(path: string, from: number, to: number): void {
  const file = join(dir, 'pods', path);
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, criLines(from, to));
}

/** The `n` of every record written out so far (each line keeps its CRI prefix). */
function numbersIn(path: string): number[] {
  if (!existsSync(path)) return [];
  return [...readFileSync(path, 'utf8').matchAll(/^\S+ std(?:out|err) F \{"n":(\d+),.*"hid":/gm)].map((match) => Number(match[1]));
}

async function waitForCount(path: string, count: number, timeoutMs = 20_000): Promise<number[]> {
  return waitFor(
    `${count} records in ${path}`,
    async () => {
      const numbers = numbersIn(path);
      return numbers.length >= count ? numbers : undefined;
    },
    timeoutMs,
  );
}

function expectEachOnce(numbers: number[], count: number): void {
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
}

interface Follow {
  child: ChildProcess;
  done: Promise<CliResult>;
  out: string;
}

/** The value of one series on hidlog's /metrics (0 while it has none). */
async function metric(port: number, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** All a run with --metrics-listen says on stderr when nothing goes wrong. */
const serving = (port: number) => `hidlog: serving metrics on http://127.0.0.1:${port}/metrics\n`;

function follow(args: string[], pollMs = 50): Follow {
  const out = join(dir, 'out.ndjson');
  const child = startCli(['annotate', '--follow', '--poll-interval', String(pollMs), '--start-at', 'beginning', '-o', out, ...args]);
  running.push(child);
  return { child, done: collect(child), out };
}

describe('hidlog annotate --follow on a Kubernetes node', () => {
  it("follows '/var/log/pods/*/*/*.log': new pods, container restarts and kubelet's rotation, each record once", async () => {
    write('hid_auth-0_u1/auth/0.log', 0, 20);
    write('hid_auth-0_u1/sidecar/0.log', 20, 30);
    write('kube-system_dns_u2/dns/0.log', 30, 40);
    const run = follow([join(dir, 'pods/*/*/*.log')]);
    expectEachOnce(await waitForCount(run.out, 40), 40);

    // A new pod, its directories made first, its log written after.
    mkdirSync(join(dir, 'pods/hid_auth-1_u3/auth'), { recursive: true });
    writeFileSync(join(dir, 'pods/hid_auth-1_u3/auth/0.log'), '');
    write('hid_auth-1_u3/auth/0.log', 40, 60);
    expectEachOnce(await waitForCount(run.out, 60), 60);

    // The auth container restarts: its next log is 1.log beside 0.log.
    write('hid_auth-0_u1/auth/1.log', 60, 80);
    expectEachOnce(await waitForCount(run.out, 80), 80);

    // kubelet rotates: 0.log renamed with a timestamp, the runtime writes a little more to it, then to a new 0.log.
    const log = join(dir, 'pods/kube-system_dns_u2/dns/0.log');
    write('kube-system_dns_u2/dns/0.log', 80, 90);
    renameSync(log, `${log}.20261201-100000`);
    appendFileSync(`${log}.20261201-100000`, criLines(90, 95));
    write('kube-system_dns_u2/dns/0.log', 95, 120);
    expectEachOnce(await waitForCount(run.out, 120), 120);

    // A pod deleted: its directory goes, and hidlog says nothing of it.
    rmSync(join(dir, 'pods/hid_auth-1_u3'), { recursive: true });
    write('hid_auth-0_u1/sidecar/0.log', 120, 130);
    expectEachOnce(await waitForCount(run.out, 130), 130);

    // Nothing more comes after a while: a sleep, the point of the check.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectEachOnce(numbersIn(run.out), 130);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('is woken by inotify for a new pod, a new container and a restart: not at the next --poll-interval, nor at the full look every 10 s', async () => {
    write('hid_auth-0_u1/auth/0.log', 0, 10);
    const run = follow([join(dir, 'pods/*/*/*.log')], 600_000);
    await waitForCount(run.out, 10);
    // Each well before the full look 10 s after the start.
    write('hid_auth-1_u2/auth/0.log', 10, 20);
    await waitForCount(run.out, 20, 4000);
    write('hid_auth-1_u2/sidecar/0.log', 20, 30);
    await waitForCount(run.out, 30, 4000);
    write('hid_auth-0_u1/auth/1.log', 30, 40);
    expectEachOnce(await waitForCount(run.out, 40, 4000), 40);
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  });

  it('follows the pods directory deleted and made again, watching the new one', async () => {
    write('hid_auth-0_u1/auth/0.log', 0, 10);
    const run = follow([join(dir, 'pods/*/*/*.log')], 600_000);
    await waitForCount(run.out, 10);
    rmSync(join(dir, 'pods'), { recursive: true });
    write('hid_auth-1_u2/auth/0.log', 10, 20);
    await waitForCount(run.out, 20);
    // The new directory is watched: a pod made in it now is found before the next full look.
    write('hid_auth-2_u3/auth/0.log', 20, 30);
    expectEachOnce(await waitForCount(run.out, 30, 4000), 30);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it("with --kubernetes-labels, counts each file's codes under its namespace, pod and container", async () => {
    write('hid_auth-0_u1/auth/0.log', 0, 10);
    write('web_shop-0_u2/shop/0.log', 10, 15);
    const port = await freePort();
    const run = follow(['--kubernetes-labels', 'namespace,pod,container', '--metrics-listen', `127.0.0.1:${port}`, join(dir, 'pods/*/*/*.log')]);
    await waitForCount(run.out, 15);
    // Rotated and restarted: the same labels.
    renameSync(join(dir, 'pods/hid_auth-0_u1/auth/0.log'), join(dir, 'pods/hid_auth-0_u1/auth/0.log.20261201-100000'));
    write('hid_auth-0_u1/auth/0.log', 15, 20);
    write('hid_auth-0_u1/auth/1.log', 20, 25);
    await waitForCount(run.out, 25);
    const failures = await waitFor('the counts in /metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const series = [...text.matchAll(/^hid_failures_total\{code="13",category="credential_mismatch",(.*)\} (\d+)$/gm)].map(
        (match) => `${match[1]} ${match[2]}`,
      );
      return series.length === 2 && series.includes('namespace="hid",pod="auth-0",container="auth" 4') ? series : undefined;
    });
    // Records 0, 5, ..., 20 in the auth pod's files, 10 in the shop's.
    expect(failures).toEqual(['namespace="hid",pod="auth-0",container="auth" 4', 'namespace="web",pod="shop-0",container="shop" 1']);
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  });

  it('waits for a pods directory that does not exist yet, saying so once', async () => {
    const pattern = join(dir, 'pods/*/*/*.log');
    const run = follow([pattern]);
    let said = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    await waitFor('the notice', async () => (said.includes('waiting for it') ? true : undefined));
    write('hid_auth-0_u1/auth/0.log', 0, 10);
    expectEachOnce(await waitForCount(run.out, 10), 10);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.stderr).toBe(`hidlog: ${pattern}: no such file yet; waiting for it\n`);
  });
});

// containerd cuts a longer message into P lines of 16 KiB each (its maximum log line size) and
// the F line with the rest, counting bytes: a cut may fall inside a UTF-8 character.
const CRI_PART_BYTES = 16 * 1024;
const cutsOf = (message: Buffer) => Array.from({ length: Math.floor((message.length - 1) / CRI_PART_BYTES) }, (_, i) => (i + 1) * CRI_PART_BYTES);
const criTime = (n: number) => `2026-12-01T10:00:00.${String(n).padStart(9, '0')}Z`;

/** Record `n` as a message of three parts, of two-, three- and four-byte characters, each of its cuts inside a character. */
function longRecord(n: number): Buffer {
  for (let lead = 0; ; lead++) {
    const record = Buffer.from(`{"n":${n},"status":401,"hid_failure":13,"lead":"${'x'.repeat(lead)}","detail":"${'é€😀'.repeat(4000)}"}`);
    if (cutsOf(record).every((cut) => (record[cut]! & 0xc0) === 0x80)) return record;
  }
}

describe("hidlog annotate --follow on a Kubernetes node: a record's P parts, each in a write of its own", () => {
  it('joins the parts it read one at a time, cut inside UTF-8 characters, into one record annotated once, byte for byte', async () => {
    const log = containerLog('hid_auth-0_u1/auth/0.log');
    log.write(criLines(0, 5));
    const port = await freePort();
    const run = follow(['--metrics-listen', `127.0.0.1:${port}`, join(dir, 'pods/*/*/*.log')]);
    await waitForCount(run.out, 5);
    const partial = 'hidlog_lines_total{result="partial"}';
    let partsRead = await metric(port, partial);
    const partsBefore = partsRead;
    const records = [5, 6, 7, 8].map(longRecord);
    for (const [i, record] of records.entries()) {
      const cuts = cutsOf(record);
      expect(cuts).toHaveLength(2);
      const parts = [0, ...cuts].map((from, k) => record.subarray(from, cuts[k] ?? record.length));
      for (const [k, part] of parts.entries()) {
        const last = k === parts.length - 1;
        log.write(Buffer.concat([Buffer.from(`${criTime(5 + i)} stdout ${last ? 'F' : 'P'} `), part, Buffer.from('\n')]));
        // Between a record's parts, a whole record on the other stream: joins are per stream.
        if (k === 0) log.write(`${criTime(9 + i)} stderr F {"n":${9 + i},"status":401,"hid_failure":13}\n`);
        if (last) continue;
        // The next part is written only once hidlog has read this one: each part in a read of its own.
        const expected = ++partsRead;
        await waitFor(`part ${k + 1} of record ${5 + i} read`, async () => ((await metric(port, partial)) === expected ? true : undefined));
      }
    }
    expectEachOnce(await waitForCount(run.out, 13), 13);
    const written = readFileSync(run.out, 'utf8').split('\n').slice(0, -1);
    expect(written).toHaveLength(13);
    for (const [i, record] of records.entries()) {
      // The first part's time and stream, tag F, the whole message, then the annotation.
      const joined = `${criTime(5 + i)} stdout F ${record.toString().slice(0, -1)},"hid":{`;
      const line = written.find((candidate) => candidate.startsWith(`${criTime(5 + i)} `)) ?? '';
      expect(line.slice(0, joined.length)).toBe(joined);
    }
    expect(await metric(port, partial)).toBe(partsBefore + 8);
    run.child.kill('SIGTERM');
    expect(await run.done).toMatchObject({ code: 0, stderr: serving(port) });
  });
});

/** kubelet's clock at its `k`-th rotation: a minute apart (it rotates a log once it passes containerLogMaxSize, at most every 10 s). */
const rotationTime = (k: number) => new Date(Date.UTC(2026, 11, 1, 10, k));

describe.each(['*.log', '*.log*'])("hidlog annotate --follow '/var/log/pods/*/*/%s' through kubelet's rotation with gzip", (files) => {
  const pattern = () => join(dir, 'pods/*/*', files);

  /** Waits until hidlog follows `count` files (the rotated ones read to their end and closed) and has read all there is: nothing more can come out. */
  async function waitUntilSettled(port: number, count: number): Promise<void> {
    await waitFor(`${count} files followed, nothing left to read`, async () =>
      (await metric(port, 'hidlog_follow_files')) === count && (await metric(port, 'hidlog_follow_lag_bytes')) === 0 ? true : undefined,
    );
  }

  it('reads every record once across three rotations, the older rotated files gzipped', async () => {
    const auth = containerLog('hid_auth-0_u1/auth/0.log');
    const sidecar = containerLog('hid_auth-0_u1/sidecar/0.log');
    auth.write(criLines(0, 20));
    sidecar.write(criLines(20, 30));
    const port = await freePort();
    const run = follow(['--metrics-listen', `127.0.0.1:${port}`, pattern()]);
    expectEachOnce(await waitForCount(run.out, 30), 30);
    let next = 30;
    const append = (log: ContainerLog, count: number) => {
      log.write(criLines(next, next + count));
      next += count;
    };
    for (let k = 0; k < 3; k++) {
      append(auth, 20);
      // The runtime writes to the renamed file until kubelet has it reopen the log.
      auth.rotate(rotationTime(k), criLines(next, next + 5));
      next += 5;
      append(auth, 20);
      append(sidecar, 5);
      // The new log is found at once, well before the full look every 10 s.
      expectEachOnce(await waitForCount(run.out, next, 4000), next);
    }
    expect(auth.rotated().map((path) => basename(path))).toEqual(['0.log.20261201-100000.gz', '0.log.20261201-100100.gz', '0.log.20261201-100200']);
    // The newest rotated file is followed too where the pattern names it.
    await waitUntilSettled(port, files === '*.log' ? 2 : 3);
    expectEachOnce(numbersIn(run.out), next);
    run.child.kill('SIGTERM');
    expect(await run.done).toMatchObject({ code: 0, stderr: serving(port) });
  });

  it('restarted from its state file after a SIGKILL while pods write, two rotations and a new pod while it was down: every record once', async () => {
    const state = join(dir, 'state.json');
    const auth = containerLog('hid_auth-0_u1/auth/0.log');
    const sidecar = containerLog('hid_auth-0_u1/sidecar/0.log');
    let next = 0;
    const append = (log: ContainerLog, count: number) => {
      log.write(criLines(next, next + count));
      next += count;
    };
    append(auth, 20);
    append(sidecar, 10);
    const first = follow(['--state-file', state, pattern()]);
    await waitForCount(first.out, 30);
    // The pods write on, a few records every 20 ms (their pace, not a wait for hidlog), until the
    // state file holds a position in auth's 0.log past its first records: killed in mid-stream.
    let writing = true;
    const pods = (async () => {
      while (writing) {
        append(auth, 3);
        append(sidecar, 1);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const authLog = join(dir, 'pods/hid_auth-0_u1/auth/0.log');
    await waitFor('a position in auth/0.log saved mid-stream', async () => {
      const saved = JSON.parse(readFileSync(state, 'utf8')) as { files: { path: string; offset: number }[] };
      return saved.files.some((file) => file.path === authLog && file.offset > 4000) ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await first.done;
    writing = false;
    await pods;
    expect(numbersIn(first.out).length).toBeLessThan(next);

    // While hidlog is down: kubelet rotates auth's log twice (the first rotated file gzipped at the
    // second), the pods write on, and a new pod starts.
    append(auth, 10);
    auth.rotate(rotationTime(0), criLines(next, next + 5));
    next += 5;
    append(auth, 20);
    append(sidecar, 5);
    auth.rotate(rotationTime(1));
    append(auth, 20);
    expect(auth.rotated().map((path) => basename(path))).toEqual(['0.log.20261201-100000.gz', '0.log.20261201-100100']);
    const newPod = containerLog('hid_auth-1_u3/auth/0.log');
    append(newPod, 15);

    const port = await freePort();
    const second = follow(['--state-file', state, '--metrics-listen', `127.0.0.1:${port}`, pattern()]);
    expectEachOnce(await waitForCount(second.out, next), next);
    await waitUntilSettled(port, files === '*.log' ? 3 : 4);
    expectEachOnce(numbersIn(second.out), next);
    second.child.kill('SIGTERM');
    expect(await second.done).toMatchObject({ code: 0, stderr: serving(port) });
  });

  it('restarted after three rotations while it was down, one read before: the files rotated since read whole, none again', async () => {
    const state = join(dir, 'state.json');
    const auth = containerLog('hid_auth-0_u1/auth/0.log');
    let next = 0;
    const append = (count: number) => {
      auth.write(criLines(next, next + count));
      next += count;
    };
    append(20);
    const firstPort = await freePort();
    const first = follow(['--state-file', state, '--metrics-listen', `127.0.0.1:${firstPort}`, pattern()]);
    await waitForCount(first.out, 20);
    // A rotation hidlog sees, the rotated file read and closed: its name is earlier than those to
    // come, and it must not be read again. Following *.log, the state file forgets it at the next
    // save (lines read after the close); following *.log*, it keeps it, as the pattern names it.
    auth.rotate(rotationTime(0));
    append(20);
    await waitUntilSettled(firstPort, files === '*.log' ? 1 : 2);
    append(5);
    await waitForCount(first.out, 45);
    await waitFor('a save after the close', async () => {
      const saved = JSON.parse(readFileSync(state, 'utf8')) as { files: { offset: number }[] };
      return saved.files.length === (files === '*.log' ? 1 : 2) && saved.files.some((file) => file.offset > 2000) ? true : undefined;
    });
    first.child.kill('SIGKILL');
    await first.done;

    append(10);
    for (let k = 1; k <= 3; k++) {
      auth.rotate(rotationTime(k));
      append(20);
    }
    // The log hidlog read last is in a .gz, the next one too, the one after it not compressed yet.
    expect(auth.rotated().map((path) => basename(path))).toEqual([
      '0.log.20261201-100000.gz',
      '0.log.20261201-100100.gz',
      '0.log.20261201-100200.gz',
      '0.log.20261201-100300',
    ]);
    const port = await freePort();
    const second = follow(['--state-file', state, '--metrics-listen', `127.0.0.1:${port}`, pattern()]);
    expectEachOnce(await waitForCount(second.out, next), next);
    await waitUntilSettled(port, files === '*.log' ? 1 : 2);
    expectEachOnce(numbersIn(second.out), next);
    second.child.kill('SIGTERM');
    expect(await second.done).toMatchObject({ code: 0, stderr: serving(port) });
  });
});
