import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebConfigError, filesOf, parseWebConfig, type WebConfig } from '../../../src/metrics/web-config/config.js';
import { ROOT } from '../../helpers/cli.js';
import { readTestdata as read, testdataNamed as named } from './testdata.js';

// A bad file says on its first line what hidlog answers.
const parse = (name: string) => parseWebConfig(read(name), '/etc/hidlog');

describe('parseWebConfig on the testdata', () => {
  it('has cases of both verdicts', () => {
    expect(named('good').length).toBeGreaterThan(10);
    expect(named('bad').length).toBeGreaterThan(20);
  });

  it.each(named('good'))('%s is accepted', (name) => {
    expect(() => parse(name)).not.toThrow();
  });

  it.each(named('bad'))('%s is refused, naming the key', (name) => {
    const expected = /^# hidlog: (.*)$/m.exec(read(name))?.[1];
    expect(expected, `${name} says what hidlog answers`).toBeDefined();
    expect(() => parse(name)).toThrow(new WebConfigError(expected!));
  });
});

describe('what a good configuration means', () => {
  const tls = (name: string) => parse(name).tls!;

  it('an empty file: plain HTTP, no headers, no users', () => {
    expect(parse('web_config_empty.good.yml')).toEqual<WebConfig>({ tls: undefined, headers: [], users: new Map() });
    expect(parse('users_none.good.yml').users.size).toBe(0);
  });

  it("TLS with exporter-toolkit's defaults; relative files taken from the file's directory", () => {
    expect(tls('tls_noAuth.good.yml')).toEqual({
      cert: { file: '/etc/hidlog/server.crt' },
      key: { file: '/etc/hidlog/server.key' },
      clientCa: undefined,
      clientAuth: 'NoClientCert',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: undefined,
      ecdhCurve: undefined,
      honorCipherOrder: true,
      allowedSans: undefined,
    });
    expect(parseWebConfig('tls_server_config: {cert_file: /pki/a.crt, key_file: ../b.key}', '/etc/hidlog').tls).toMatchObject({
      cert: { file: '/pki/a.crt' },
      key: { file: '/etc/b.key' },
    });
  });

  it('client certificate policies, the old name included', () => {
    expect(tls('tls_requireAndVerifyClientCert.good.yml')).toMatchObject({
      clientAuth: 'RequireAndVerifyClientCert',
      clientCa: { file: '/etc/hidlog/ca.crt' },
    });
    expect(tls('tls_requireAnyClientCert.good.yml').clientAuth).toBe('RequireAnyClientCert');
    expect(tls('tls_requireClientCert_oldName.good.yml').clientAuth).toBe('RequireAnyClientCert');
    expect(tls('tls_requestClientCert.good.yml').clientAuth).toBe('RequestClientCert');
    expect(tls('tls_verifyClientCertIfGiven.good.yml').clientAuth).toBe('VerifyClientCertIfGiven');
    expect(tls('tls_allowedSans.good.yml').allowedSans).toEqual(['prometheus.example.net', '::1']);
  });

  it("Go's cipher suite names become OpenSSL's; TLS 1.3 keeps its suites unless some are named", () => {
    expect(tls('tls_someCiphers_noOrder.good.yml')).toMatchObject({
      ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256',
      honorCipherOrder: false,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    const all = tls('tls_allCiphers.good.yml').ciphers!.split(':');
    expect(all).toHaveLength(17);
    expect(all.slice(0, 4)).toEqual(['AES128-SHA', 'AES256-SHA', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384']);
    expect(all.slice(-3)).toEqual(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256']);
  });

  it('curves in order, as OpenSSL groups; versions', () => {
    expect(tls('tls_allCurves.good.yml').ecdhCurve).toBe('X25519:P-256:P-384:P-521');
    expect(tls('tls_onlyTLS13.good.yml')).toMatchObject({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
  });

  it('inline PEM text, kept as written', () => {
    expect(tls('tls_inline.good.yml')).toMatchObject({
      cert: { text: '-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n' },
      key: { text: '-----BEGIN PRIVATE KEY-----\nstand-in\n-----END PRIVATE KEY-----\n' },
    });
    expect(filesOf(parse('tls_inline.good.yml'))).toEqual([]);
    expect(filesOf(parse('tls_requireAndVerifyClientCert.good.yml'))).toEqual(['/etc/hidlog/server.crt', '/etc/hidlog/server.key', '/etc/hidlog/ca.crt']);
  });

  it("headers as written, a number read as its text (as Go's yaml.v2 does), a blank one left unset", () => {
    expect(parse('headers.good.yml').headers).toEqual([
      ['X-Frame-Options', 'deny'],
      ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
      ['X-Content-Type-Options', 'nosniff'],
      ['X-XSS-Protection', '1'],
      ['Content-Security-Policy', "default-src 'self'"],
    ]);
    expect(parseWebConfig('http_server_config: {headers: {Content-Security-Policy: ""}}', '/').headers).toEqual([]);
  });

  it('users with their hashes, every bcrypt prefix htpasswd and others write', () => {
    const users = parse('users.good.yml').users;
    expect([...users.keys()]).toEqual(['alice', 'bob', 'carol']);
    expect([...users.values()].map((hash) => hash.slice(0, 7))).toEqual(['$2y$10$', '$2a$10$', '$2b$10$']);
  });

  it('YAML 1.1 booleans, as Go reads them; anchors and aliases', () => {
    expect(() => parseWebConfig('http_server_config: {http2: no}', '/')).not.toThrow();
    expect(() => parseWebConfig('http_server_config: {http2: yes}', '/')).toThrow(/http2: hidlog serves HTTP\/1.1 only/);
    const aliased = parseWebConfig('tls_server_config:\n  cert_file: &pem both.pem\n  key_file: *pem\n', '/pki');
    expect(aliased.tls).toMatchObject({ cert: { file: '/pki/both.pem' }, key: { file: '/pki/both.pem' } });
  });
});

it('the worked example in docs/web-config.md is a good file', () => {
  const readme = readFileSync(join(ROOT, 'docs/web-config.md'), 'utf8');
  const example = /`\/etc\/hidlog\/web\.yml`[^\n]*\n\n```yaml\n([^`]*)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const config = parseWebConfig(example!, '/etc/hidlog');
  expect(config.tls?.cert).toEqual({ file: '/etc/hidlog/hidlog.crt' });
  expect([...config.users.keys()]).toEqual(['prometheus']);
});
