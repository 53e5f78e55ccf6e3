// --web-config through the real CLI, against real parts: openssl-made certificates, htpasswd
// hashes, curl, promtool check web-config and a scraping Prometheus.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, runCli, startCli, type CliResult } from '../../helpers/cli.js';
import { expectedFor } from '../../helpers/expected.js';
import { htpasswd, makeCert, makePki } from '../../helpers/pki.js';
import { promql } from '../../helpers/prometheus.js';
import { freePort, hasTool, startDaemon, stopDaemon, waitFor } from '../../helpers/tools.js';

const ready = hasTool('openssl') && hasTool('htpasswd') && hasTool('curl');
let dir: string;
let hash: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-web-config-'));
  if (!ready) return;
  makePki(dir);
  makeCert(dir, 'server2', { ca: 'ca', san: 'DNS:localhost,IP:127.0.0.1' });
  hash = htpasswd('scrape-secret');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
const MTLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n';
const users = () => `basic_auth_users:\n  prometheus: ${hash}\n`;
const HEADERS = 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000\n';

const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

interface Running {
  child: ChildProcess;
  done: Promise<CliResult>;
  port: number;
  stderr: () => string;
}
const running: Running[] = [];
afterEach(async () => {
  for (const { child, done } of running.splice(0)) {
    child.kill('SIGTERM');
    // Every hidlog of these tests closes its server and exits 0, whatever it was sent.
    expect((await done).code).toBe(0);
  }
});

/** hidlog serving the openid fixture's counts under the web configuration in `file`. */
async function serve(file: string, extra: readonly string[] = ['--linger', fixture('openid.ndjson')]): Promise<Running> {
  const port = await freePort();
  const child = startCli(['annotate', '--metrics-listen', `127.0.0.1:${port}`, '--web-config', file, '-o', '/dev/null', ...extra]);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const server: Running = { child, done: collect(child), port, stderr: () => stderr.replaceAll(dir, 'DIR') };
  running.push(server);
  await waitFor('hidlog to listen', async () => (stderr.includes('serving metrics on') ? true : undefined));
  return server;
}

interface Answer {
  exit: number;
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/** One request with the real curl; `exit` is curl's (0 when an HTTP answer came). */
function curl(url: string, options: readonly string[] = []): Promise<Answer> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['-s', '-i', '--max-time', '10', '--cacert', join(dir, 'ca.crt'), ...options, url]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (exit) => {
      const [head = '', ...body] = out.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ exit: exit ?? -1, status: Number(/^HTTP\/[\d.]+ (\d+)/.exec(statusLine)?.[1]) || undefined, headers, body: body.join('\r\n\r\n') });
    });
  });
}

const ANNOTATED = `hidlog_lines_total{result="annotated"} ${expectedFor('openid.ndjson').results.annotated}`;

/** The SHA-256 fingerprint of the certificate hidlog shows a new connection. */
function servedCertificate(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(join(dir, 'ca.crt')), servername: 'localhost' }, () => {
      resolve(socket.getPeerX509Certificate()!.fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}
const fingerprint = (name: string) => new X509Certificate(readFileSync(join(dir, name))).fingerprint256;

describe.runIf(ready)('--web-config at start', () => {
  it.each([
    ['a missing file', () => join(dir, 'missing.yml'), ': cannot read it: no such file'],
    [
      'bad YAML',
      () => write('syntax.yml', 'tls_server_config: [\n'),
      ': not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1',
    ],
    ['an unknown key', () => write('unknown.yml', 'tls_server_config:\n  cert_fil: server.crt\n'), ': tls_server_config.cert_fil: unknown key'],
    [
      'a key hidlog cannot honour',
      () => write('http2.yml', TLS + 'http_server_config:\n  http2: true\n'),
      ': http_server_config.http2: hidlog serves HTTP/1.1 only; set it to false or leave it out',
    ],
    [
      'a missing certificate',
      () => write('nocert.yml', 'tls_server_config: {cert_file: nowhere.crt, key_file: server.key}\n'),
      ': tls_server_config.cert_file DIR/nowhere.crt: no such file',
    ],
    [
      'a key that does not match the certificate',
      () => write('mismatch.yml', 'tls_server_config: {cert_file: server.crt, key_file: client.key}\n'),
      ': tls_server_config.key_file DIR/client.key: the key does not match the certificate',
    ],
  ])('%s: one line and exit 2', async (_, file, reason) => {
    const path = file();
    const result = await runCli(['annotate', '--metrics-listen', `127.0.0.1:${await freePort()}`, '--web-config', path, fixture('audit.ndjson')]);
    expect(result.code).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr.replaceAll(dir, 'DIR')).toBe(`hidlog: --web-config ${path.replaceAll(dir, 'DIR')}${reason}\nRun 'hidlog --help' for usage.\n`);
  });

  it('applies with --metrics-listen only', async () => {
    const result = await runCli(['annotate', '--web-config', write('alone.yml', TLS), fixture('audit.ndjson')]);
    expect(result).toMatchObject({ code: 2, stderr: "hidlog: --web-config applies with --metrics-listen\nRun 'hidlog --help' for usage.\n" });
  });

  it('basic auth without TLS works, with a warning that passwords cross in clear text', async () => {
    const hidlog = await serve(write('clear.yml', users()));
    expect(hidlog.stderr()).toContain(
      `hidlog: --web-config DIR/clear.yml: basic_auth_users without tls_server_config: passwords cross the network in clear text\n`,
    );
    expect((await curl(`http://127.0.0.1:${hidlog.port}/metrics`)).status).toBe(401);
    expect((await curl(`http://127.0.0.1:${hidlog.port}/metrics`, ['-u', 'prometheus:scrape-secret'])).status).toBe(200);
  });
});

describe.runIf(ready)('TLS and basic auth, with curl', () => {
  it('no, wrong or right credentials; /healthz open; the configured headers on every answer; plain HTTP gets no metrics', async () => {
    const file = write('tls-basic.yml', TLS + HEADERS + users());
    const hidlog = await serve(file);
    const url = `https://127.0.0.1:${hidlog.port}`;
    expect(hidlog.stderr()).toContain(`hidlog: serving metrics on ${url}/metrics\n`);

    const none = await curl(`${url}/metrics`);
    expect(none).toMatchObject({ exit: 0, status: 401, body: 'Unauthorized\n' });
    expect(none.headers['www-authenticate']).toBe('Basic');
    expect(none.headers['x-frame-options']).toBe('deny');
    for (const credentials of ['prometheus:wrong', 'prometheus:', 'grafana:scrape-secret', 'prometheus:scrape-secret2']) {
      const wrong = await curl(`${url}/metrics`, ['-u', credentials]);
      expect([credentials, wrong.status, wrong.headers['www-authenticate'], wrong.body]).toEqual([credentials, 401, 'Basic', 'Unauthorized\n']);
    }
    const right = await waitFor('the counts', async () => {
      const answer = await curl(`${url}/metrics`, ['-u', 'prometheus:scrape-secret']);
      return answer.body.includes(ANNOTATED) ? answer : undefined;
    });
    expect(right.status).toBe(200);
    expect(right.headers['strict-transport-security']).toBe('max-age=31536000');
    // Unknown paths ask for credentials too: nothing is told to a client without them.
    expect((await curl(`${url}/elsewhere`)).status).toBe(401);
    expect((await curl(`${url}/elsewhere`, ['-u', 'prometheus:scrape-secret'])).status).toBe(404);

    const health = await curl(`${url}/healthz`);
    expect([health.status, health.body, health.headers['x-frame-options']]).toEqual([200, 'ok\n', 'deny']);

    const plain = await curl(`http://127.0.0.1:${hidlog.port}/metrics`, ['-u', 'prometheus:scrape-secret']);
    expect(plain.status).toBe(400);
    expect(plain.body).not.toContain('hidlog_');
    const unverified = await curl(`${url}/metrics`, ['--cacert', join(dir, 'stranger.crt'), '-u', 'prometheus:scrape-secret']);
    expect(unverified.exit).toBe(60);
  });

  it('in follow mode too', async () => {
    const log = write('followed.log', '');
    // From the beginning: a line appended before the follower's first look is read all the same.
    const hidlog = await serve(write('follow.yml', TLS + users()), ['--follow', '--start-at', 'beginning', log]);
    appendFileSync(log, '{"status":401,"hid_failure":{"reason":13}}\n');
    const url = `https://127.0.0.1:${hidlog.port}/metrics`;
    expect((await curl(url)).status).toBe(401);
    await waitFor('the followed line counted', async () =>
      (await curl(url, ['-u', 'prometheus:scrape-secret'])).body.includes('hid_failures_total{code="13",category="credential_mismatch"} 1') ? true : undefined,
    );
  });

  it.runIf(hasTool('promtool'))('the same file passes promtool check web-config', () => {
    for (const [name, text] of [
      ['tls-basic.yml', TLS + HEADERS + users()],
      ['mtls.yml', MTLS],
    ] as const) {
      const check = spawnSync('promtool', ['check', 'web-config', write(name, text)], { encoding: 'utf8' });
      expect(check.stdout + check.stderr).toBe(`${join(dir, name)} SUCCESS\n`);
      expect(check.status).toBe(0);
    }
  });
});

describe.runIf(ready)('mTLS, with curl', () => {
  it('a client certificate the CA signed is served; none, or a self-signed one, gets no answer at all', async () => {
    const hidlog = await serve(write('mtls.yml', MTLS));
    const url = `https://127.0.0.1:${hidlog.port}/metrics`;
    const client = await waitFor('the counts', async () => {
      const answer = await curl(url, ['--cert', join(dir, 'client.crt'), '--key', join(dir, 'client.key')]);
      return answer.body.includes(ANNOTATED) ? answer : undefined;
    });
    expect(client.status).toBe(200);
    for (const options of [[], ['--cert', join(dir, 'stranger.crt'), '--key', join(dir, 'stranger.key')]]) {
      const refused = await curl(url, options);
      expect(refused.status).toBeUndefined();
      expect(refused.exit).not.toBe(0);
      expect(refused.body).toBe('');
    }
  });
});

describe.runIf(ready)('changes picked up without a restart', () => {
  it('a rotated certificate serves the next connection; new users take effect', async () => {
    copyFileSync(join(dir, 'server.crt'), join(dir, 'live.crt'));
    copyFileSync(join(dir, 'server.key'), join(dir, 'live.key'));
    const file = write('live.yml', 'tls_server_config: {cert_file: live.crt, key_file: live.key}\n' + users());
    const hidlog = await serve(file);
    expect(await servedCertificate(hidlog.port)).toBe(fingerprint('server.crt'));

    copyFileSync(join(dir, 'server2.crt'), join(dir, 'live.crt'));
    copyFileSync(join(dir, 'server2.key'), join(dir, 'live.key'));
    await waitFor('the new certificate', async () => ((await servedCertificate(hidlog.port)) === fingerprint('server2.crt') ? true : undefined));
    const url = `https://127.0.0.1:${hidlog.port}/metrics`;
    expect((await curl(url, ['-u', 'prometheus:scrape-secret'])).status).toBe(200);

    writeFileSync(file, `tls_server_config: {cert_file: live.crt, key_file: live.key}\nbasic_auth_users:\n  prometheus: ${htpasswd('rotated-secret')}\n`);
    await waitFor('the new password', async () => ((await curl(url, ['-u', 'prometheus:rotated-secret'])).status === 200 ? true : undefined));
    expect((await curl(url, ['-u', 'prometheus:scrape-secret'])).status).toBe(401);
    expect(hidlog.stderr().match(/reloaded/g)).toHaveLength(2);
  });

  it('a broken file keeps the last good configuration, and says so once', async () => {
    const file = write('breaking.yml', TLS + users());
    const hidlog = await serve(file);
    const url = `https://127.0.0.1:${hidlog.port}/metrics`;
    writeFileSync(file, TLS + 'basic_auth_users:\n  prometheus: [\n');
    const said =
      'hidlog: --web-config DIR/breaking.yml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 6, column 1; keeping the last good configuration\n';
    await waitFor('the refusal', async () => (hidlog.stderr().includes(said) ? true : undefined));
    expect((await curl(url)).status).toBe(401);
    expect((await curl(url, ['-u', 'prometheus:scrape-secret'])).status).toBe(200);
    // Several more looks at the unchanged broken file say nothing more: a sleep, the point of the check.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(hidlog.stderr().split(said)).toHaveLength(2);
    expect(hidlog.stderr()).not.toContain('reloaded');
  });
});

describe.runIf(ready && hasTool('prometheus'))('with a real Prometheus', () => {
  it('scrapes one hidlog over TLS with basic auth and another over mTLS, and PromQL sees the counts; wrong credentials are down', async () => {
    const basic = await serve(write('prom-basic.yml', TLS + users()));
    const mtls = await serve(write('prom-mtls.yml', MTLS), ['--linger', fixture('scim.ndjson')]);
    const promPort = await freePort();
    const ca = join(dir, 'ca.crt');
    const job = (name: string, port: number, extra: string) =>
      `  - job_name: ${name}\n    scheme: https\n    tls_config:\n      ca_file: ${ca}\n${extra}    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`;
    const config = write(
      'prometheus.yml',
      'global:\n  scrape_interval: 1s\nscrape_configs:\n' +
        job('hidlog_basic', basic.port, '    basic_auth:\n      username: prometheus\n      password: scrape-secret\n') +
        job('hidlog_mtls', mtls.port, `      cert_file: ${join(dir, 'client.crt')}\n      key_file: ${join(dir, 'client.key')}\n`) +
        job('hidlog_wrong_password', basic.port, '    basic_auth:\n      username: prometheus\n      password: guess\n') +
        job('hidlog_no_client_cert', mtls.port, ''),
    );
    const server = startDaemon('prometheus', [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const { query, scalar } = promql(promPort);
    try {
      const openid = expectedFor('openid.ndjson');
      const scim = expectedFor('scim.ndjson');
      await waitFor(
        'the TLS + basic auth job',
        async () => ((await scalar('sum(hidlog_lines_total{job="hidlog_basic"})')) === openid.lines ? true : undefined),
        60_000,
      );
      await waitFor('the mTLS job', async () => ((await scalar('sum(hidlog_lines_total{job="hidlog_mtls"})')) === scim.lines ? true : undefined), 60_000);
      const failures = await query('sum by (code) (hid_failures_total{job="hidlog_basic"}) > 0');
      expect(Object.fromEntries(failures.map((r) => [r.metric.code, Number(r.value[1])]))).toEqual(openid.codes.failure);
      const errors = await query('sum by (code) (hid_errors_total{job="hidlog_mtls"}) > 0');
      expect(Object.fromEntries(errors.map((r) => [r.metric.code, Number(r.value[1])]))).toEqual(scim.codes.error);
      await waitFor('the refused jobs', async () => ((await query('up == 0')).length === 2 ? true : undefined), 30_000);
      const up = await query('up');
      expect(Object.fromEntries(up.map((r) => [r.metric.job, Number(r.value[1])]))).toEqual({
        hidlog_basic: 1,
        hidlog_mtls: 1,
        hidlog_wrong_password: 0,
        hidlog_no_client_cert: 0,
      });
    } finally {
      await stopDaemon(server);
    }
  }, 120_000);
});
