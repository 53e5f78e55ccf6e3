import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, startCli, type CliResult } from '../helpers/cli.js';
import { freePort, waitFor } from '../helpers/tools.js';

// A node's /var/log/pods, in a temporary directory: <namespace>_<pod>_<uid>/<container>/<restarts>.log,
// each line a CRI line whose message is a record.

let dir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-k8s-'));
});
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

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
  return [...readFileSync(path, 'utf8').matchAll(/^\S+ stdout F \{"n":(\d+),.*"hid":/gm)].map((match) => Number(match[1]));
}

async function waitForCount(path: string, count: number, timeoutMs = 20_000): Promise<number[]> {
  return waitFor(`${count} records in ${path}`, async () => {
    const numbers = numbersIn(path);
    return numbers.length >= count ? numbers : undefined;
  }, timeoutMs);
}

function expectEachOnce(numbers: number[], count: number): void {
  expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
}

interface Follow {
  child: ChildProcess;
  done: Promise<CliResult>;
  out: string;
}

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

    // Nothing more comes after a while.
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

  it('with --kubernetes-labels, counts each file\'s codes under its namespace, pod and container', async () => {
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
      const series = [...text.matchAll(/^hid_failures_total\{code="13",category="credential_mismatch",(.*)\} (\d+)$/gm)].map((match) => `${match[1]} ${match[2]}`);
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
