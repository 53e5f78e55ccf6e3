import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A CA (NAME.crt, NAME.key) made with the real openssl in `dir`. */
export function makeCa(dir: string, name: string): void {
  run('openssl', ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`], dir);
}

/**
 * A certificate NAME.crt with its key NAME.key, signed by the CA `ca` (or self-signed without
 * one), with these subject alternative names (`DNS:localhost,IP:127.0.0.1`).
 */
export function makeCert(dir: string, name: string, options: { ca?: string; san: string; clientAuth?: boolean }): void {
  const extensions = join(dir, `${name}.ext`);
  writeFileSync(extensions, `subjectAltName=${options.san}\nextendedKeyUsage=${options.clientAuth ? 'clientAuth' : 'serverAuth'}\n`);
  if (!options.ca) {
    run(
      'openssl',
      [
        'req',
        '-x509',
        ...EC_KEY,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.crt`,
        '-days',
        '2',
        '-subj',
        `/CN=${name}`,
        '-addext',
        `subjectAltName=${options.san}`,
      ],
      dir,
    );
    return;
  }
  run('openssl', ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${options.ca}.crt`,
      '-CAkey',
      `${options.ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      extensions,
    ],
    dir,
  );
}

/**
 * The CA `ca`, a server certificate `server` for 127.0.0.1 and localhost, a client certificate
 * `client` signed by the CA, and a self-signed client certificate `stranger`.
 */
export function makePki(dir: string): void {
  makeCa(dir, 'ca');
  makeCert(dir, 'server', { ca: 'ca', san: 'DNS:localhost,IP:127.0.0.1' });
  makeCert(dir, 'client', { ca: 'ca', san: 'DNS:prometheus.example.net', clientAuth: true });
  makeCert(dir, 'stranger', { san: 'DNS:prometheus.example.net', clientAuth: true });
}

/** A bcrypt hash of `password` as `htpasswd -nBC 10` writes it (the real htpasswd). */
export function htpasswd(password: string): string {
  return run('htpasswd', ['-nbBC', '10', '', password], '/').replace(/^:/, '').trim();
}
