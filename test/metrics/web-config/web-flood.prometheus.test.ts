// /metrics under attack with a real Prometheus as the scraper (issue 21): it scrapes hidlog over
// TLS with basic auth every second through a wrong-password flood, 1,000 idle TLS connections and
// a request flood, while hidlog follows a file being written. Prometheus's own series say whether
// every scrape succeeded within 1 s; hidlog's output says whether the log kept flowing. A second
// job scrapes every 10 s as another user: its credentials must stay cached through the flood, as
// a scraper's at the usual intervals must (Prometheus's own scrapes every 1 s keep theirs fresh).
import { type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCli, type CliResult } from '../../helpers/cli.js';
import { htpasswd, makePki } from '../../helpers/pki.js';
import { Prometheus } from '../../helpers/prometheus.js';
import { freePort, hasTool, waitFor } from '../../helpers/tools.js';

const ready = hasTool('openssl') && hasTool('htpasswd') && hasTool('prometheus');
// Each phase's window, after its attack is fully on. Shorter than hidlog's 10 s for a request's
// headers, so the idle connections it holds are held through (nearly) all of the window.
const PHASE_MS = 8_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-web-flood-prometheus-'));
  if (!ready) return;
  makePki(dir);
  writeFileSync(
    join(dir, 'web.yml'),
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${htpasswd('scrape-secret')}\n  slow: ${htpasswd('slow-secret')}\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running: { child: ChildProcess; done: Promise<CliResult> }[] = [];
const closers: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const { child, done } of running.splice(0)) {
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  }
  for (const close of closers.splice(0).reverse()) await close();
});

const ca = () => readFileSync(join(dir, 'ca.crt'));

/** Requests to /metrics from each of `addresses`, `perAddress` at a time, until stopped; the statuses seen. */
function requestFlood(port: number, addresses: readonly string[], perAddress: number, credentials: () => string) {
  const statuses = new Map<number, number>();
  let stopped = false;
  const agents = addresses.map((localAddress) => new Agent({ keepAlive: true, localAddress, ca: ca() }));
  const loop = async (agent: Agent) => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/metrics', agent, auth: credentials() }, (response) => {
          statuses.set(response.statusCode!, (statuses.get(response.statusCode!) ?? 0) + 1);
          response.resume().on('end', resolve);
        });
        req.on('error', () => resolve());
        req.end();
      });
    }
  };
  void Promise.all(agents.flatMap((agent) => Array.from({ length: perAddress }, () => loop(agent))));
  const stop = () => {
    stopped = true;
    for (const agent of agents) agent.destroy();
  };
  closers.push(stop);
  return { statuses, stop };
}

/** A TLS connection that finishes its handshake, or is refused one, and then says nothing. */
function idleTls(port: number, localAddress: string): Promise<TLSSocket> {
  return new Promise((resolve) => {
    const socket = connect({ socket: tcpConnect({ host: '127.0.0.1', port, localAddress }), servername: 'localhost', ca: ca() });
    socket.on('error', () => undefined);
    closers.push(() => void socket.destroy());
    socket.once('secureConnect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

const count = (statuses: Map<number, number>, status: number) => statuses.get(status) ?? 0;

describe.runIf(ready)('a real Prometheus scraping through attacks', () => {
  it('every scrape is up within 1 s through a wrong-password flood, 1,000 idle TLS connections and a request flood; the followed log keeps flowing', async () => {
    const log = join(dir, 'followed.log');
    const out = join(dir, 'annotated.ndjson');
    writeFileSync(log, '');
    const port = await freePort();
    const child = startCli([
      'annotate',
      '--follow',
      '--start-at',
      'beginning',
      '-o',
      out,
      '--metrics-listen',
      `127.0.0.1:${port}`,
      '--web-config',
      join(dir, 'web.yml'),
      log,
    ]);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    running.push({ child, done: collect(child) });
    await waitFor('hidlog to listen', async () => (stderr.includes('serving metrics on') ? true : undefined));

    const job = (name: string, interval: string, username: string, password: string) => ({
      job_name: name,
      scrape_interval: interval,
      scheme: 'https',
      tls_config: { ca_file: join(dir, 'ca.crt') },
      basic_auth: { username, password },
      static_configs: [{ targets: [`127.0.0.1:${port}`] }],
    });
    // A scrape that takes over 1 s times out: up is 0.
    const prometheus = await Prometheus.start(dir, 'prometheus', {
      global: { scrape_timeout: '1s' },
      scrape_configs: [job('hidlog', '1s', 'prometheus', 'scrape-secret'), job('hidlog-10s', '10s', 'slow', 'slow-secret')],
    });
    closers.push(() => prometheus.stop());
    // A job's first scrape has its credentials checked by bcrypt; later ones are answered from the cache.
    await waitFor('Prometheus to scrape hidlog', async () => ((await prometheus.scalar('min(up{job=~"hidlog|hidlog-10s"})')) === 1 ? true : undefined), 30_000);

    let written = 0;
    let phase = 'quiet';
    const writer = setInterval(() => appendFileSync(log, `{"status":401,"hid_failure":{"reason":13},"phase":"${phase}","n":${++written}}\n`), 100);
    closers.push(() => clearInterval(writer));

    /**
     * Runs `attack` until it is fully on, then for PHASE_MS, until `also` holds and until the last
     * line written came out; the window, in Prometheus's seconds.
     */
    const underAttack = async (name: string, attack: () => Promise<() => void>, also?: (start: number) => Promise<unknown>) => {
      phase = name;
      const stop = await attack();
      const start = Date.now() / 1000;
      // A sleep, the scenario: the attack lasts a phase.
      await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
      await also?.(start);
      const last = `"phase":"${name}","n":${written},`;
      // Still under attack: the lines must come out now, not once it stops.
      await waitFor(`the lines written during the ${name} to come out`, async () => (readFileSync(out, 'utf8').includes(last) ? true : undefined), 10_000);
      const end = Date.now() / 1000;
      stop();
      return { name, start, end };
    };

    let guess = 0;
    const floodStart = Date.now() / 1000;
    const passwords = requestFlood(
      port,
      Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`),
      4,
      () => `prometheus:guess-${guess++}`,
    );
    const windows = [
      await underAttack(
        'wrong-password flood',
        async () => {
          await waitFor('every flooding address to have failed', async () => (count(passwords.statuses, 401) >= 16 ? true : undefined));
          return passwords.stop;
        },
        // A scrape of the 10 s job in the window, its credentials last used before the flood began.
        (start) =>
          waitFor(
            'a 10 s scrape 10 s into the flood',
            async () => (((await prometheus.scalar('timestamp(up{job="hidlog-10s"})')) ?? 0) > Math.max(floodStart + 10, start) ? true : undefined),
            30_000,
          ),
      ),
      await underAttack('idle connections', async () => {
        const sockets: TLSSocket[] = [];
        for (let batch = 0; batch < 10; batch++) {
          sockets.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => idleTls(port, `127.0.2.${((batch * 100 + i) % 40) + 1}`)))));
        }
        // hidlog holds up to 256 of them (docs/metrics-security.md) and has closed the others.
        expect(sockets.filter((socket) => !socket.destroyed).length).toBeGreaterThanOrEqual(128);
        return () => sockets.forEach((socket) => socket.destroy());
      }),
    ];
    const requests = requestFlood(port, ['127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4'], 8, () => 'prometheus:scrape-secret');
    windows.push(
      await underAttack('request flood', async () => {
        await waitFor('every flooding connection to have been answered', async () => (count(requests.statuses, 200) >= 32 ? true : undefined));
        return requests.stop;
      }),
    );

    const last = windows.at(-1)!.end;
    await waitFor('a scrape after the last phase', async () => (((await prometheus.scalar('timestamp(up{job="hidlog"})')) ?? 0) > last + 1 ? true : undefined));
    for (const { name, start, end } of windows) {
      const seconds = Math.ceil(end - start);
      const overWindow = async (fn: string, metric: string, job: string) =>
        Number((await prometheus.query(`${fn}(${metric}{job="${job}"}[${seconds}s])`, end)).data.result[0]?.value?.[1]);
      // The 10 s job scraped within the flood's window only.
      for (const job of name === 'wrong-password flood' ? ['hidlog', 'hidlog-10s'] : ['hidlog']) {
        expect(await overWindow('min_over_time', 'up', job), `${name}, ${job}: the lowest up`).toBe(1);
        expect(await overWindow('max_over_time', 'scrape_duration_seconds', job), `${name}, ${job}: the longest scrape, in seconds`).toBeLessThan(1);
      }
      // A scrape a second: a Prometheus short of CPU may miss a few, never most.
      expect(await overWindow('count_over_time', 'up', 'hidlog'), `${name}: scrapes in ${seconds} s`).toBeGreaterThanOrEqual(seconds / 2);
    }

    // The attacks did run as meant: the wrong passwords were refused, the valid flood was served.
    expect(count(passwords.statuses, 401)).toBeGreaterThanOrEqual(16);
    expect([...passwords.statuses.keys()].filter((status) => status !== 401 && status !== 429)).toEqual([]);
    expect([...requests.statuses.keys()]).toEqual([200]);
  }, 90_000);
});
