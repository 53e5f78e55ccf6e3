// /metrics under attack, through the real CLI: a flood of wrong passwords, and idle TLS
// connections by the hundred (node:tls, openssl s_client), while real scrapers (curl) scrape.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, startCli, type CliResult } from '../../helpers/cli.js';
import { htpasswd, makePki } from '../../helpers/pki.js';
import { freePort, hasTool, waitFor } from '../../helpers/tools.js';

const ready = hasTool('openssl') && hasTool('htpasswd') && hasTool('curl');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-web-flood-'));
  if (!ready) return;
  makePki(dir);
  writeFileSync(
    join(dir, 'web.yml'),
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  prometheus: ${htpasswd('scrape-secret')}\n  grafana: ${htpasswd('grafana-secret')}\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const running: { child: ChildProcess; done: Promise<CliResult> }[] = [];
const closers: (() => void)[] = [];
afterEach(async () => {
  // hidlog first, while the attackers still run: it stops at once, whatever it is being sent.
  for (const { child, done } of running.splice(0)) {
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  }
  for (const close of closers.splice(0)) close();
});

/** hidlog serving /metrics over TLS with basic auth; its port. */
async function serve(): Promise<number> {
  const port = await freePort();
  const child = startCli([
    'annotate',
    '--metrics-listen',
    `127.0.0.1:${port}`,
    '--web-config',
    join(dir, 'web.yml'),
    '-o',
    '/dev/null',
    '--linger',
    fixture('openid.ndjson'),
  ]);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  running.push({ child, done: collect(child) });
  await waitFor('hidlog to listen', async () => (stderr.includes('serving metrics on') ? true : undefined));
  return port;
}

/** One scrape with the real curl, from the loopback address `from`: its status and curl's own measure of its time. */
function scrape(port: number, credentials: string, from = '127.0.0.1'): Promise<{ status: number; seconds: number }> {
  return new Promise((resolve) => {
    const child = spawn('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{time_total}',
      '--max-time',
      '10',
      '--interface',
      from,
      '--cacert',
      join(dir, 'ca.crt'),
      '-u',
      credentials,
      `https://127.0.0.1:${port}/metrics`,
    ]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', () => {
      const [status, seconds] = out.split(' ').map(Number);
      resolve({ status: status!, seconds: seconds! });
    });
  });
}

/** Requests with wrong passwords, each new, from each of `addresses`, `perAddress` at a time, until stopped; the statuses seen. */
function flood(port: number, addresses: readonly string[], perAddress: number) {
  const statuses = new Map<number, number>();
  const retryAfter = new Set<string>();
  let stopped = false;
  let guess = 0;
  const agents = addresses.map((localAddress) => new Agent({ keepAlive: true, localAddress, ca: readFileSync(join(dir, 'ca.crt')) }));
  const loop = async (agent: Agent) => {
    while (!stopped) {
      await new Promise<void>((resolve) => {
        const auth = `prometheus:guess-${guess++}`;
        const req = request({ host: '127.0.0.1', port, path: '/metrics', agent, auth }, (response) => {
          statuses.set(response.statusCode!, (statuses.get(response.statusCode!) ?? 0) + 1);
          if (response.headers['retry-after']) retryAfter.add(response.headers['retry-after']);
          response.resume().on('end', resolve);
        });
        req.on('error', () => resolve());
        req.end();
      });
    }
  };
  const loops = agents.flatMap((agent) => Array.from({ length: perAddress }, () => loop(agent)));
  closers.push(() => {
    stopped = true;
    for (const agent of agents) agent.destroy();
  });
  void Promise.all(loops);
  return { statuses, retryAfter };
}

describe.runIf(ready)('a flood of wrong passwords', () => {
  it('a verified scraper is answered 200 within 1 s, every time; a new one is answered 200; the flood gets 401, then 429', async () => {
    const port = await serve();
    expect((await scrape(port, 'prometheus:scrape-secret')).status).toBe(200);
    // 16 addresses, 4 requests at a time from each: bcrypt stays busy all along.
    const attack = flood(
      port,
      Array.from({ length: 16 }, (_, i) => `127.0.1.${i + 1}`),
      4,
    );
    await waitFor('every flooding address to have failed', async () => ((attack.statuses.get(401) ?? 0) >= 16 ? true : undefined));

    const verified = [];
    for (let i = 0; i < 5; i++) verified.push(await scrape(port, 'prometheus:scrape-secret'));
    // A credential not checked before, from an address that has not failed.
    const fresh = await scrape(port, 'grafana:grafana-secret', '127.0.0.2');
    const seen = Object.fromEntries(attack.statuses);

    for (const answer of verified) {
      expect(answer.status).toBe(200);
      expect(answer.seconds).toBeLessThan(1);
    }
    // Its bcrypt waits for the one running and those of other clients in good standing: soon, but
    // how soon depends on this machine's load.
    expect(fresh.status).toBe(200);
    expect(seen[401]).toBeGreaterThanOrEqual(16);
    expect(seen[429]).toBeGreaterThan(0);
    expect(Object.keys(seen).sort()).toEqual(['401', '429']);
    // 1: too many checks waiting; 5: the address failed too often.
    expect([...attack.retryAfter].filter((seconds) => seconds !== '1' && seconds !== '5')).toEqual([]);
  }, 60_000);

  it('an address that keeps failing gets 429 with Retry-After: 5 after 10 failures, with no bcrypt; other addresses do not', async () => {
    const port = await serve();
    const agent = (localAddress: string) => new Agent({ keepAlive: true, localAddress, ca: readFileSync(join(dir, 'ca.crt')) });
    const attempt = (from: Agent, credentials: string) =>
      new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/metrics', agent: from, auth: credentials }, (response) => {
          response.resume().on('end', () => resolve(`${response.statusCode} ${response.headers['retry-after'] ?? '-'}`));
        })
          .on('error', reject)
          .end();
      });
    const guesser = agent('127.0.3.1');
    closers.push(() => guesser.destroy());
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await attempt(guesser, `prometheus:guess-${i}`));
    expect(answers).toEqual([...Array(10).fill('401 -'), '429 5', '429 5']);
    const other = agent('127.0.3.2');
    closers.push(() => other.destroy());
    expect([await attempt(other, 'prometheus:guess-x'), await attempt(other, 'prometheus:scrape-secret')]).toEqual(['401 -', '200 -']);
  }, 60_000);
});

describe.runIf(ready)('idle TLS connections', () => {
  /** A TLS connection that finishes its handshake and then says nothing. */
  const idleTls = (port: number, localAddress = '127.0.0.1') =>
    new Promise<TLSSocket>((resolve) => {
      const socket = connect({ socket: tcpConnect({ host: '127.0.0.1', port, localAddress }), servername: 'localhost', ca: readFileSync(join(dir, 'ca.crt')) });
      socket.on('error', () => undefined);
      closers.push(() => socket.destroy());
      socket.once('secureConnect', () => resolve(socket));
      socket.once('close', () => resolve(socket));
    });

  it('are closed after the timeout (node:tls, openssl s_client, one byte of a handshake), and valid scrapes succeed meanwhile', async () => {
    const port = await serve();
    // The credentials verified once, as a scraper's are after its first scrape.
    expect((await scrape(port, 'prometheus:scrape-secret')).status).toBe(200);
    const tls = await Promise.all(Array.from({ length: 20 }, () => idleTls(port)));
    const oneByte = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const socket = tcpConnect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        closers.push(() => socket.destroy());
        await once(socket, 'connect');
        socket.write(Buffer.from([0x16]));
        return socket;
      }),
    );
    const sClients = Array.from({ length: 3 }, () => {
      const child = spawn('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${port}`, '-CAfile', join(dir, 'ca.crt')], {
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      closers.push(() => child.kill());
      return child;
    });
    const sClientsExited = sClients.map((child) => once(child, 'exit'));
    await Promise.all(
      sClients.map((child) => waitFor('s_client to connect', async () => (child.stderr.read()?.toString().includes('verify return:1') ? true : undefined))),
    );

    const answer = await scrape(port, 'prometheus:scrape-secret');
    expect(answer.status).toBe(200);
    expect(answer.seconds).toBeLessThan(1);
    const sockets = [...tls, ...oneByte];
    expect(sockets.filter((socket) => socket.destroyed)).toHaveLength(0);

    await waitFor('every idle connection closed by hidlog', async () => (sockets.every((socket) => socket.destroyed) ? true : undefined), 30_000);
    await Promise.all(sClientsExited);
    expect((await scrape(port, 'prometheus:scrape-secret')).status).toBe(200);
  }, 60_000);

  it('a thousand of them, from 40 addresses: hidlog holds at most 256, and valid scrapes are answered within 1 s', async () => {
    const port = await serve();
    expect((await scrape(port, 'prometheus:scrape-secret')).status).toBe(200);
    const sockets: TLSSocket[] = [];
    for (let batch = 0; batch < 10; batch++) {
      sockets.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => idleTls(port, `127.0.2.${((batch * 100 + i) % 40) + 1}`)))));
    }
    await waitFor('the connections over the cap closed', async () => (sockets.filter((socket) => !socket.destroyed).length <= 256 ? true : undefined));
    for (const from of ['127.0.0.1', '127.0.2.1', '127.0.0.3']) {
      const answer = await scrape(port, 'prometheus:scrape-secret', from);
      expect(answer.status).toBe(200);
      expect(answer.seconds).toBeLessThan(1);
    }
  }, 60_000);
});
