import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWebConfig } from '../../../src/metrics/web-config/config.js';
import { loadTls } from '../../../src/metrics/web-config/tls.js';
import { createTlsListener, type TlsProfile } from '../../../src/metrics/web-config/tls-listener.js';
import { ConnectionGuard } from '../../../src/metrics/connection-guard.js';
import { makeCert, makePki } from '../../helpers/pki.js';
import { hasTool } from '../../helpers/tools.js';

const openssl = hasTool('openssl');
let dir: string;
let profile: TlsProfile;
let listener: Server;
let guard: ConnectionGuard;
let port: number;
const http = createServer((request, response) => response.end(`hello ${(request.socket as TLSSocket).authorized}\n`));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-tls-listener-'));
  if (!openssl) return;
  makePki(dir);
  makeCert(dir, 'server2', { ca: 'ca', san: 'DNS:localhost,IP:127.0.0.1' });
  guard = new ConnectionGuard(http);
  listener = createTlsListener(() => profile, http, guard);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  port = (listener.address() as AddressInfo).port;
});
afterAll(async () => {
  if (listener) {
    guard.destroyAll();
    listener.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function use(tlsServerConfig: string): Promise<void> {
  const settings = parseWebConfig(`tls_server_config: {cert_file: server.crt, key_file: server.key, ${tlsServerConfig}}`, dir).tls!;
  profile = { settings, options: await loadTls(settings) };
}

const pem = (name: string) => readFileSync(join(dir, name));

/** One HTTPS request on a new connection, as `client` (a certificate name) or with none. */
function request(client?: string): Promise<{ status?: number; body?: string; peer?: string; error?: string }> {
  return new Promise((resolve) => {
    const req = httpsGet(
      { host: '127.0.0.1', port, path: '/', ca: pem('ca.crt'), agent: false, ...(client && { cert: pem(`${client}.crt`), key: pem(`${client}.key`) }) },
      (response) => {
        let body = '';
        const peer = (response.socket as TLSSocket).getPeerX509Certificate()?.fingerprint256;
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode, body, peer }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

const outcome = async (client?: string) => {
  const result = await request(client);
  return result.status === 200 ? 'served' : 'refused';
};

describe.runIf(openssl)('the TLS listener', () => {
  it.each([
    ['NoClientCert', '', ['served', 'served', 'served']],
    ['RequestClientCert', 'client_auth_type: RequestClientCert', ['served', 'served', 'served']],
    ['RequireAnyClientCert', 'client_auth_type: RequireAnyClientCert', ['refused', 'served', 'served']],
    ['VerifyClientCertIfGiven', 'client_auth_type: VerifyClientCertIfGiven, client_ca_file: ca.crt', ['served', 'served', 'refused']],
    ['RequireAndVerifyClientCert', 'client_auth_type: RequireAndVerifyClientCert, client_ca_file: ca.crt', ['refused', 'served', 'refused']],
  ])('%s: no certificate, one the client CA signed, a self-signed one', async (_, config, expected) => {
    await use(config);
    expect([await outcome(), await outcome('client'), await outcome('stranger')]).toEqual(expected);
  });

  it('under RequireAndVerifyClientCert, OpenSSL refuses a missing certificate in the handshake itself', async () => {
    await use('client_auth_type: RequireAndVerifyClientCert, client_ca_file: ca.crt');
    expect((await request()).error).toMatch(/^(ECONNRESET|ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED)$/);
    expect(await request('client')).toMatchObject({ status: 200, body: 'hello true\n' });
  });

  it('client_allowed_sans: a certificate must name one of them', async () => {
    await use('client_auth_type: RequireAndVerifyClientCert, client_ca_file: ca.crt, client_allowed_sans: [grafana.example.net, prometheus.example.net]');
    expect(await outcome('client')).toBe('served');
    await use('client_auth_type: RequireAndVerifyClientCert, client_ca_file: ca.crt, client_allowed_sans: [grafana.example.net]');
    expect(await outcome('client')).toBe('refused');
    await use('client_auth_type: RequireAnyClientCert, client_allowed_sans: [prometheus.example.net]');
    expect([await outcome(), await outcome('stranger')]).toEqual(['refused', 'served']);
  });

  it('a new connection takes the profile in force; plain HTTP gets a 400 and nothing else', async () => {
    await use('');
    const first = await request();
    const settings = parseWebConfig('tls_server_config: {cert_file: server2.crt, key_file: server2.key}', dir).tls!;
    profile = { settings, options: await loadTls(settings) };
    const second = await request();
    expect(first.peer).toBeDefined();
    expect(second.peer).toBeDefined();
    expect(second.peer).not.toBe(first.peer);
    const plain = await new Promise<{ status?: number; body: string }>((resolve, reject) => {
      httpGet({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      }).on('error', reject);
    });
    expect(plain).toEqual({ status: 400, body: 'This port serves HTTPS only: use https://\n' });
  });

  it('TLS versions and curves as configured', async () => {
    const attempt = (options: { maxVersion?: 'TLSv1.2'; ecdhCurve?: string }) =>
      new Promise<string>((resolve) => {
        httpsGet({ host: '127.0.0.1', port, ca: pem('ca.crt'), agent: false, ...options }, () => resolve('served')).on('error', (error) =>
          resolve(error.message),
        );
      });
    await use('min_version: TLS13');
    expect(await attempt({ maxVersion: 'TLSv1.2' })).toMatch(/alert protocol version/);
    expect(await attempt({})).toBe('served');
    await use('curve_preferences: [CurveP521]');
    expect(await attempt({ ecdhCurve: 'X25519' })).toMatch(/handshake failure/);
    expect(await attempt({ ecdhCurve: 'P-521' })).toBe('served');
  });
});
