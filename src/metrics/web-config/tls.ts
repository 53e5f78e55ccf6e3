// tls_server_config made real: its PEM files read and checked, the options of a Node TLS server,
// and the client-certificate rules OpenSSL does not apply by itself.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { createSecureContext, type TLSSocket, type TlsOptions } from 'node:tls';
import { describeError } from '../../common/error-text.js';
import { WebConfigError, type PemSource, type TlsSettings } from './config.js';

async function readPem(source: PemSource, fileKey: string, inlineKey: string): Promise<{ pem: string; name: string }> {
  if ('text' in source) return { pem: source.text, name: `tls_server_config.${inlineKey}` };
  const name = `tls_server_config.${fileKey} ${source.file}`;
  try {
    return { pem: await readFile(source.file, 'utf8'), name };
  } catch (error) {
    throw new WebConfigError(`${name}: ${describeError(error)}`);
  }
}

function check(name: string, what: string, parse: () => unknown): void {
  try {
    parse();
  } catch {
    throw new WebConfigError(`${name}: not a PEM ${what}`);
  }
}

/** Reads the certificate, key and client CA, and checks they can serve: the options for a TLS server. */
export async function loadTls(settings: TlsSettings): Promise<TlsOptions> {
  const [cert, key, ca] = await Promise.all([
    readPem(settings.cert, 'cert_file', 'cert'),
    readPem(settings.key, 'key_file', 'key'),
    settings.clientCa && readPem(settings.clientCa, 'client_ca_file', 'client_ca'),
  ]);
  check(cert.name, 'certificate', () => new X509Certificate(cert.pem));
  check(key.name, 'private key (without a passphrase)', () => createPrivateKey(key.pem));
  if (ca) check(ca.name, 'certificate', () => new X509Certificate(ca.pem));
  const verify = settings.clientAuth === 'RequireAndVerifyClientCert';
  const options: TlsOptions = {
    cert: cert.pem,
    key: key.pem,
    ca: ca?.pem,
    minVersion: settings.minVersion,
    maxVersion: settings.maxVersion,
    honorCipherOrder: settings.honorCipherOrder,
    // Verification is OpenSSL's only under RequireAndVerifyClientCert (a missing certificate
    // fails the handshake itself); the other policies are applied by clientRefusal.
    requestCert: settings.clientAuth !== 'NoClientCert',
    rejectUnauthorized: verify,
    ...(settings.ciphers && { ciphers: settings.ciphers }),
    ...(settings.ecdhCurve && { ecdhCurve: settings.ecdhCurve }),
  };
  try {
    createSecureContext(options);
  } catch (error) {
    const reason = (error as { code?: unknown }).code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' ? 'the key does not match the certificate' : describeError(error);
    throw new WebConfigError(`${key.name}: ${reason}`);
  }
  return options;
}

/** Why a client that finished the handshake is refused under the settings, or undefined if it may go on. */
export function clientRefusal(socket: TLSSocket, settings: TlsSettings): string | undefined {
  if (settings.clientAuth === 'NoClientCert') return undefined;
  const certificate = socket.getPeerX509Certificate();
  const required = settings.clientAuth === 'RequireAnyClientCert' || settings.clientAuth === 'RequireAndVerifyClientCert' || settings.allowedSans !== undefined;
  if (!certificate) return required ? 'no client certificate' : undefined;
  const verified = settings.clientAuth === 'VerifyClientCertIfGiven' || settings.clientAuth === 'RequireAndVerifyClientCert';
  if (verified && !socket.authorized) return `client certificate not verified (${String(socket.authorizationError)})`;
  if (settings.allowedSans && !hasAllowedSan(certificate, settings.allowedSans)) return 'client certificate has none of client_allowed_sans';
  return undefined;
}

// Node writes subjectAltName as `DNS:a, IP Address:1.2.3.4, email:x@y, URI:spiffe://…`, quoting
// (as JSON) a value that holds a comma or a quote.
const SAN_ENTRY = /(?:^|, )(DNS|email|URI|IP Address|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g;

/** The DNS names, e-mail addresses, IP addresses and URIs of a certificate, as exporter-toolkit compares them. */
export function subjectAltNames(subjectAltName: string | undefined): string[] {
  const names: string[] = [];
  for (const [, type, raw] of (subjectAltName ?? '').matchAll(SAN_ENTRY)) {
    const value = raw!.startsWith('"') ? (JSON.parse(raw!) as string) : raw!;
    if (type === 'DNS' || type === 'email' || type === 'URI') names.push(value);
    else if (type === 'IP Address') names.push(canonicalIp(value));
  }
  return names;
}

/** IPv6 in its shortest form (Node writes every group; a configuration usually does not). */
function canonicalIp(text: string): string {
  return isIPv6(text) ? new URL(`http://[${text}]/`).hostname.slice(1, -1) : text;
}

function hasAllowedSan(certificate: X509Certificate, allowed: readonly string[]): boolean {
  const names = new Set(subjectAltNames(certificate.subjectAltName));
  return allowed.some((name) => names.has(canonicalIp(name)));
}
