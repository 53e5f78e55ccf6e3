import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebConfigError, parseWebConfig } from '../../../src/metrics/web-config/config.js';
import { loadTls, subjectAltNames } from '../../../src/metrics/web-config/tls.js';
import { makePki } from '../../helpers/pki.js';
import { hasTool } from '../../helpers/tools.js';

describe('subjectAltNames', () => {
  it('reads DNS names, e-mail addresses, URIs and IP addresses (IPv6 shortened) as exporter-toolkit compares them', () => {
    expect(
      subjectAltNames('DNS:prometheus, email:ops@example.net, URI:spiffe://cluster/ns/monitoring, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1'),
    ).toEqual(['prometheus', 'ops@example.net', 'spiffe://cluster/ns/monitoring', '127.0.0.1', '::1']);
  });

  it('unquotes a value Node quoted, and leaves other kinds out', () => {
    expect(subjectAltNames('DNS:"a, b", DirName:"CN=x", othername:"1.2.3;UTF8:y", DNS:c')).toEqual(['a, b', 'c']);
    expect(subjectAltNames(undefined)).toEqual([]);
  });
});

describe('loadTls with openssl-made certificates', () => {
  const openssl = hasTool('openssl');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hidlog-tls-'));
    if (openssl) makePki(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (yaml: string) => loadTls(parseWebConfig(yaml, dir).tls!);
  const failure = async (yaml: string) => {
    const error = await load(yaml).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WebConfigError);
    return (error as Error).message.replaceAll(dir, 'DIR');
  };

  it.runIf(openssl)("gives a TLS server's options; OpenSSL verifies only under RequireAndVerifyClientCert", async () => {
    const plain = await load('tls_server_config: {cert_file: server.crt, key_file: server.key}');
    expect(plain).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      honorCipherOrder: true,
      requestCert: false,
      rejectUnauthorized: false,
      ca: undefined,
    });
    expect(String(plain.cert)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const verify = await load(
      'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert, client_ca_file: ca.crt}',
    );
    expect(verify).toMatchObject({ requestCert: true, rejectUnauthorized: true });
    expect(String(verify.ca)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const given = await load(
      'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: VerifyClientCertIfGiven, client_ca_file: ca.crt}',
    );
    expect(given).toMatchObject({ requestCert: true, rejectUnauthorized: false });
    const shaped = await load(
      'tls_server_config: {cert_file: server.crt, key_file: server.key, cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256], curve_preferences: [CurveP384]}',
    );
    expect(shaped).toMatchObject({ ciphers: expect.stringMatching(/^ECDHE-ECDSA-AES128-GCM-SHA256:/), ecdhCurve: 'P-384' });
  });

  it.runIf(openssl)('reads inline PEM text like files', async () => {
    const indent = (file: string) => readFileSync(join(dir, file), 'utf8').trimEnd().replace(/^/gm, '    ') + '\n';
    const options = await load(`tls_server_config:\n  cert: |\n${indent('server.crt')}  key: |\n${indent('server.key')}`);
    expect(options.cert).toBe(readFileSync(join(dir, 'server.crt'), 'utf8'));
  });

  it.runIf(openssl)('a file that cannot serve, in one line naming the key and the file', async () => {
    copyFileSync(join(dir, 'server.key'), join(dir, 'key-as-cert.crt'));
    writeFileSync(join(dir, 'empty.pem'), '');
    expect(await failure('tls_server_config: {cert_file: missing.crt, key_file: server.key}')).toBe(
      'tls_server_config.cert_file DIR/missing.crt: no such file',
    );
    expect(await failure('tls_server_config: {cert_file: server.crt, key_file: .}')).toBe('tls_server_config.key_file DIR: is a directory');
    expect(await failure('tls_server_config: {cert_file: server.crt, key_file: client.key}')).toBe(
      'tls_server_config.key_file DIR/client.key: the key does not match the certificate',
    );
    expect(await failure('tls_server_config: {cert_file: key-as-cert.crt, key_file: server.key}')).toBe(
      'tls_server_config.cert_file DIR/key-as-cert.crt: not a PEM certificate',
    );
    expect(await failure('tls_server_config: {cert_file: server.crt, key_file: server.crt}')).toBe(
      'tls_server_config.key_file DIR/server.crt: not a PEM private key (without a passphrase)',
    );
    expect(
      await failure(
        'tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert, client_ca_file: empty.pem}',
      ),
    ).toBe('tls_server_config.client_ca_file DIR/empty.pem: not a PEM certificate');
  });
});
