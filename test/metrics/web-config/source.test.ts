import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebConfigError } from '../../../src/metrics/web-config/config.js';
import { WebConfigSource } from '../../../src/metrics/web-config/source.js';
import { makeCert, makePki } from '../../helpers/pki.js';
import { hasTool } from '../../helpers/tools.js';
import { readTestdata } from './testdata.js';

const openssl = hasTool('openssl');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-web-source-'));
  if (!openssl) return;
  makePki(dir);
  makeCert(dir, 'server2', { ca: 'ca', san: 'DNS:localhost,IP:127.0.0.1' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';
// The users of the testdata: alice, bob and carol.
const USERS = readTestdata('users.good.yml').replace(/^tls_server_config:\n(  .*\n)*/m, '');

async function opened(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const said: string[] = [];
  const source = await WebConfigSource.open(file, (message) => said.push(message.replaceAll(dir, 'DIR')));
  return { file, said, source };
}

/** Two looks: a change is taken once the files have stayed as they are for one look. */
async function settle(source: WebConfigSource) {
  await source.check();
  await source.check();
}

describe.runIf(openssl)('WebConfigSource', () => {
  it('a file that cannot serve at start: WebConfigError, in one line', async () => {
    await expect(WebConfigSource.open(join(dir, 'missing.yml'), () => undefined)).rejects.toThrow(new WebConfigError('cannot read it: no such file'));
    writeFileSync(join(dir, 'bad.yml'), 'tls_server_config: {cert_file: server.crt, key_file: client.key}\n');
    await expect(WebConfigSource.open(join(dir, 'bad.yml'), () => undefined)).rejects.toThrow(
      /key_file .*client\.key: the key does not match the certificate$/,
    );
  });

  it('picks up new users once the file has settled, and says so', async () => {
    const { file, said, source } = await opened('users.yml', TLS + USERS);
    const first = source.current;
    expect(first.auth).toBeDefined();
    await settle(source);
    expect(source.current).toBe(first);
    writeFileSync(file, TLS);
    await source.check();
    expect(source.current).toBe(first);
    await source.check();
    expect(source.current).not.toBe(first);
    expect(source.current.auth).toBeUndefined();
    expect(said).toEqual(['--web-config DIR/users.yml: reloaded']);
  });

  it('picks up a rotated certificate file, the configuration unchanged', async () => {
    copyFileSync(join(dir, 'server.crt'), join(dir, 'rotating.crt'));
    copyFileSync(join(dir, 'server.key'), join(dir, 'rotating.key'));
    const { said, source } = await opened('rotating.yml', 'tls_server_config: {cert_file: rotating.crt, key_file: rotating.key}\n');
    const before = source.current.tls!.options.cert;
    copyFileSync(join(dir, 'server2.crt'), join(dir, 'rotating.crt'));
    copyFileSync(join(dir, 'server2.key'), join(dir, 'rotating.key'));
    await settle(source);
    expect(source.current.tls!.options.cert).not.toBe(before);
    expect(String(source.current.tls!.options.cert)).toBe(readFileSync(join(dir, 'server2.crt'), 'utf8'));
    expect(said).toEqual(['--web-config DIR/rotating.yml: reloaded']);
  });

  it('a broken reload keeps the last good configuration and says so once; a fix is picked up', async () => {
    const { file, said, source } = await opened('broken.yml', TLS + USERS);
    const good = source.current;
    writeFileSync(file, TLS + 'basic_auth_users:\n  alice: not-a-hash\n');
    for (let i = 0; i < 5; i++) await source.check();
    expect(source.current).toBe(good);
    expect(said).toEqual([
      '--web-config DIR/broken.yml: basic_auth_users.alice: not a bcrypt hash (as htpasswd -nBC 10 writes: $2y$10$ and 53 characters); keeping the last good configuration',
    ]);
    writeFileSync(file, TLS + 'tls_server_config: {}\n');
    await settle(source);
    expect(said[1]).toBe('--web-config DIR/broken.yml: not valid YAML: Map keys must be unique at line 4, column 1; keeping the last good configuration');
    writeFileSync(file, TLS);
    await settle(source);
    expect(source.current).not.toBe(good);
    expect(said.slice(2)).toEqual(['--web-config DIR/broken.yml: reloaded']);
  });

  it('a certificate that goes missing, then comes back under the name the new file gives', async () => {
    copyFileSync(join(dir, 'server.crt'), join(dir, 'moving.crt'));
    const { file, said, source } = await opened('moving.yml', 'tls_server_config: {cert_file: moving.crt, key_file: server.key}\n');
    const good = source.current;
    writeFileSync(file, 'tls_server_config: {cert_file: moved.crt, key_file: server.key}\n');
    await settle(source);
    expect(source.current).toBe(good);
    expect(said).toEqual(['--web-config DIR/moving.yml: tls_server_config.cert_file DIR/moved.crt: no such file; keeping the last good configuration']);
    copyFileSync(join(dir, 'server.crt'), join(dir, 'moved.crt'));
    await settle(source);
    expect(source.current).not.toBe(good);
    expect(said[1]).toBe('--web-config DIR/moving.yml: reloaded');
  });

  it('will not turn TLS off (or on) without a restart', async () => {
    const { file, said, source } = await opened('switch.yml', TLS);
    writeFileSync(file, USERS);
    await settle(source);
    expect(source.current.tls).toBeDefined();
    expect(said).toEqual(['--web-config DIR/switch.yml: turning TLS on or off needs a restart; keeping the last good configuration']);
  });
});
