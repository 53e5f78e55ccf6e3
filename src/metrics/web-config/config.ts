// The exporter-toolkit web configuration file (Prometheus' --web.config.file), read and checked
// whole: text in, settings out, no file system. Every key exporter-toolkit knows is either honoured
// or refused by name; none is ignored.
import { resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { firstLineOf } from '../../common/error-text.js';
import {
  CIPHER_SUITES,
  CLIENT_AUTH_ALIASES,
  CLIENT_AUTH_TYPES,
  CURVES,
  TLS13_SUITES,
  TLS_VERSIONS,
  UNSUPPORTED_TLS_VERSIONS,
  type ClientAuthType,
  type NodeTlsVersion,
} from './go-names.js';

/** Why a web configuration cannot be used: one line, naming the key. */
export class WebConfigError extends Error {}

/** PEM text, from a file (an absolute path) or written inline in the configuration. */
export type PemSource = { readonly file: string } | { readonly text: string };

export interface TlsSettings {
  cert: PemSource;
  key: PemSource;
  clientCa: PemSource | undefined;
  clientAuth: ClientAuthType;
  minVersion: NodeTlsVersion;
  maxVersion: NodeTlsVersion;
  /** An OpenSSL cipher list (TLS 1.2 and 1.3 suites), when cipher_suites names some. */
  ciphers: string | undefined;
  /** OpenSSL groups in order of preference, when curve_preferences names some. */
  ecdhCurve: string | undefined;
  honorCipherOrder: boolean;
  /** A client certificate must carry one of these subject alternative names. */
  allowedSans: readonly string[] | undefined;
}

export interface WebConfig {
  /** Undefined: plain HTTP. */
  tls: TlsSettings | undefined;
  /** Response headers, as [name, value]. */
  headers: readonly (readonly [string, string])[];
  /** User name to bcrypt hash; empty: no basic authentication. */
  users: ReadonlyMap<string, string>;
}

// The headers exporter-toolkit lets a configuration set, with the values it allows (none listed: any).
const ALLOWED_HEADERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Strict-Transport-Security', []],
  ['X-Content-Type-Options', ['nosniff']],
  ['X-Frame-Options', ['deny', 'sameorigin']],
  ['X-XSS-Protection', []],
  ['Content-Security-Policy', []],
]);

// As htpasswd -B writes them ($2y$) and other bcrypt tools ($2a$, $2b$, $2$): cost, 22 characters of salt, 31 of hash.
const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

const TLS_KEYS = [
  'cert_file',
  'key_file',
  'cert',
  'key',
  'client_ca_file',
  'client_ca',
  'client_auth_type',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'curve_preferences',
  'prefer_server_cipher_suites',
];
// Any of these turns TLS on, as in exporter-toolkit; the others only shape TLS that is on.
const TLS_ENABLING_KEYS = ['cert_file', 'key_file', 'cert', 'key', 'client_ca_file', 'client_ca', 'client_auth_type'];
const REFUSED: ReadonlyMap<string, string> = new Map([['rate_limit', "exporter-toolkit's request rate limiter is not supported by hidlog"]]);

type YamlNode = unknown;

/** Reads the YAML tree the way Go's yaml.v2 decodes into exporter-toolkit's structs: strictly, keys known, scalars as text. */
class TreeReader {
  constructor(private readonly doc: Document) {}

  private deref(node: YamlNode): YamlNode {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** A mapping's entries by key, refusing keys not in `known` (when given); null or absent reads as empty. */
  mapping(node: YamlNode, path: string, known?: readonly string[]): Map<string, YamlNode> {
    const value = this.deref(node);
    const entries = new Map<string, YamlNode>();
    if (value === null || value === undefined || (isScalar(value) && value.value === null)) return entries;
    if (!isMap(value)) throw new WebConfigError(`${path || 'the file'}: expected a mapping of keys`);
    for (const pair of value.items) {
      const key = this.deref(pair.key);
      const name = isScalar(key) ? String(key.source ?? key.value) : undefined;
      const at = path ? `${path}.${name}` : String(name);
      if (name === undefined) throw new WebConfigError(`${path || 'the file'}: a key must be a plain name`);
      const refusal = REFUSED.get(at);
      if (refusal) throw new WebConfigError(`${at}: ${refusal}`);
      if (known && !known.includes(name)) throw new WebConfigError(`${at}: unknown key`);
      entries.set(name, pair.value);
    }
    return entries;
  }

  /** A scalar as its text (yaml.v2 decodes `1` or `yes` into a string field as written); null reads as absent. */
  string(node: YamlNode, path: string): string | undefined {
    const value = this.deref(node);
    if (value === null || value === undefined) return undefined;
    if (!isScalar(value)) throw new WebConfigError(`${path}: expected a string`);
    if (value.value === null) return undefined;
    if (typeof value.value === 'string') return value.value;
    if (value.source !== undefined) return value.source;
    throw new WebConfigError(`${path}: expected a string`);
  }

  boolean(node: YamlNode, path: string): boolean | undefined {
    const value = this.deref(node);
    if (value === null || value === undefined || (isScalar(value) && value.value === null)) return undefined;
    if (!isScalar(value) || typeof value.value !== 'boolean') throw new WebConfigError(`${path}: expected true or false`);
    return value.value;
  }

  strings(node: YamlNode, path: string): string[] {
    const value = this.deref(node);
    if (value === null || value === undefined || (isScalar(value) && value.value === null)) return [];
    if (!isSeq(value)) throw new WebConfigError(`${path}: expected a list`);
    return value.items.map((item, i) => {
      const text = this.string(item, `${path}[${i}]`);
      if (text === undefined) throw new WebConfigError(`${path}[${i}]: expected a string`);
      return text;
    });
  }
}

/**
 * Reads a web configuration. Relative file names are taken from `directory` (the file's own, as
 * exporter-toolkit does). Throws WebConfigError naming the first key that cannot be honoured.
 */
export function parseWebConfig(text: string, directory: string): WebConfig {
  // YAML 1.1, as Go's yaml.v2 reads it (yes/no are booleans there too).
  const doc = parseDocument(text, { version: '1.1', uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem?.code === 'MULTIPLE_DOCS')
    throw new WebConfigError(`not valid YAML: a second document at line ${problem.linePos?.[0].line}, where one is expected`);
  if (problem) throw new WebConfigError(`not valid YAML: ${firstLineOf(problem.message)}`);
  const reader = new TreeReader(doc);
  const top = reader.mapping(doc.contents, '', ['tls_server_config', 'http_server_config', 'basic_auth_users']);
  return {
    tls: tlsSettings(reader, top.get('tls_server_config'), directory),
    headers: headerSettings(reader, top.get('http_server_config')),
    users: userSettings(reader, top.get('basic_auth_users')),
  };
}

function tlsSettings(reader: TreeReader, node: YamlNode, directory: string): TlsSettings | undefined {
  const path = 'tls_server_config';
  const entries = reader.mapping(node, path, TLS_KEYS);
  const text = (key: string) => reader.string(entries.get(key), `${path}.${key}`) || undefined;
  const source = (fileKey: string, inlineKey: string): PemSource | undefined => {
    const file = text(fileKey);
    const inline = text(inlineKey);
    if (file !== undefined && inline !== undefined) throw new WebConfigError(`${path}: give ${fileKey} or ${inlineKey}, not both`);
    if (file !== undefined) return { file: resolve(directory, file) };
    return inline === undefined ? undefined : { text: inline };
  };

  const enabled = TLS_ENABLING_KEYS.some((key) => text(key) !== undefined);
  if (!enabled) {
    const shaping = [...entries.keys()].find((key) => !TLS_ENABLING_KEYS.includes(key) && isSet(reader, entries.get(key), `${path}.${key}`));
    if (shaping) throw new WebConfigError(`${path}.${shaping}: applies only to TLS, which needs cert_file and key_file`);
    return undefined;
  }
  const cert = source('cert_file', 'cert');
  const key = source('key_file', 'key');
  if (!cert) throw new WebConfigError(`${path}: missing one of cert or cert_file`);
  if (!key) throw new WebConfigError(`${path}: missing one of key or key_file`);
  const clientCa = source('client_ca_file', 'client_ca');
  const clientAuth = clientAuthType(text('client_auth_type'));
  if (clientCa && clientAuth === 'NoClientCert') {
    throw new WebConfigError(`${path}.client_ca_file: a client CA needs a client_auth_type that asks for client certificates`);
  }
  if (!clientCa && (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert')) {
    throw new WebConfigError(`${path}.client_auth_type ${clientAuth}: needs client_ca_file, the CA that signs the clients' certificates`);
  }
  const minVersion = tlsVersion(text('min_version'), 'min_version', 'TLSv1.2');
  const maxVersion = tlsVersion(text('max_version'), 'max_version', 'TLSv1.3');
  // 'TLSv1.2' < 'TLSv1.3' as strings.
  if (minVersion > maxVersion) throw new WebConfigError(`${path}: min_version is above max_version`);
  const sans = reader.strings(entries.get('client_allowed_sans'), `${path}.client_allowed_sans`);
  if (sans.length > 0 && clientAuth === 'NoClientCert') {
    throw new WebConfigError(`${path}.client_allowed_sans: needs a client_auth_type that asks for client certificates`);
  }
  return {
    cert,
    key,
    clientCa,
    clientAuth,
    minVersion,
    maxVersion,
    ciphers: cipherList(reader.strings(entries.get('cipher_suites'), `${path}.cipher_suites`)),
    ecdhCurve: curveList(reader.strings(entries.get('curve_preferences'), `${path}.curve_preferences`)),
    honorCipherOrder: reader.boolean(entries.get('prefer_server_cipher_suites'), `${path}.prefer_server_cipher_suites`) ?? true,
    allowedSans: sans.length > 0 ? sans : undefined,
  };
}

function isSet(reader: TreeReader, node: YamlNode, path: string): boolean {
  if (isSeq(node)) return node.items.length > 0;
  return isMap(node) || reader.string(node, path) !== undefined;
}

function clientAuthType(name: string | undefined): ClientAuthType {
  if (name === undefined) return 'NoClientCert';
  const known = CLIENT_AUTH_ALIASES.get(name) ?? CLIENT_AUTH_TYPES.find((type) => type === name);
  if (!known) throw new WebConfigError(`tls_server_config.client_auth_type: "${name}" is not one of ${CLIENT_AUTH_TYPES.join(', ')}`);
  return known;
}

function tlsVersion(name: string | undefined, key: string, fallback: NodeTlsVersion): NodeTlsVersion {
  if (name === undefined) return fallback;
  if (UNSUPPORTED_TLS_VERSIONS.has(name)) {
    throw new WebConfigError(`tls_server_config.${key} ${name}: not supported (Node's OpenSSL 3 refuses TLS 1.0 and 1.1); use TLS12 or TLS13`);
  }
  const version = TLS_VERSIONS.get(name);
  if (!version) throw new WebConfigError(`tls_server_config.${key}: unknown TLS version "${name}" (expected TLS12 or TLS13)`);
  return version;
}

function cipherList(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const suites = names.map((name) => {
    const suite = CIPHER_SUITES.get(name);
    if (!suite) throw new WebConfigError(`tls_server_config.cipher_suites: unknown cipher "${name}" (expected one of Go's tls.CipherSuites() names)`);
    return suite;
  });
  // cipher_suites shapes TLS 1.2 in exporter-toolkit; TLS 1.3 keeps all its suites unless some are named.
  if (!suites.some((suite) => suite.startsWith('TLS_'))) suites.push(...TLS13_SUITES);
  return suites.join(':');
}

function curveList(names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  return names
    .map((name) => {
      const curve = CURVES.get(name);
      if (!curve) throw new WebConfigError(`tls_server_config.curve_preferences: unknown curve "${name}" (expected one of ${[...CURVES.keys()].join(', ')})`);
      return curve;
    })
    .join(':');
}

function headerSettings(reader: TreeReader, node: YamlNode): [string, string][] {
  const http = reader.mapping(node, 'http_server_config', ['headers', 'http2']);
  if (reader.boolean(http.get('http2'), 'http_server_config.http2') === true) {
    throw new WebConfigError('http_server_config.http2: hidlog serves HTTP/1.1 only; set it to false or leave it out');
  }
  const headers: [string, string][] = [];
  for (const [name, valueNode] of reader.mapping(http.get('headers'), 'http_server_config.headers')) {
    const path = `http_server_config.headers.${name}`;
    const allowed = ALLOWED_HEADERS.get(name);
    if (!allowed) throw new WebConfigError(`${path}: this header cannot be configured (allowed: ${[...ALLOWED_HEADERS.keys()].join(', ')})`);
    const value = reader.string(valueNode, path) ?? '';
    if (allowed.length > 0 && !allowed.includes(value)) throw new WebConfigError(`${path}: "${value}" is not one of ${allowed.join(', ')}`);
    // exporter-toolkit documents a blank value as leaving the header unset.
    if (value !== '') headers.push([name, value]);
  }
  return headers;
}

function userSettings(reader: TreeReader, node: YamlNode): Map<string, string> {
  const users = new Map<string, string>();
  for (const [user, hashNode] of reader.mapping(node, 'basic_auth_users')) {
    const path = `basic_auth_users.${user}`;
    if (user.includes(':')) throw new WebConfigError(`${path}: a user name cannot contain ':' (basic authentication splits there)`);
    const hash = reader.string(hashNode, path) ?? '';
    const cost = Number(BCRYPT_HASH.exec(hash)?.[1]);
    if (!(cost >= 4 && cost <= 31)) throw new WebConfigError(`${path}: not a bcrypt hash (as htpasswd -nBC 10 writes: $2y$10$ and 53 characters)`);
    users.set(user, hash);
  }
  return users;
}

/** The files a configuration reads, so that a change to any of them can be picked up. */
export function filesOf(config: WebConfig): string[] {
  const tls = config.tls;
  if (!tls) return [];
  return [tls.cert, tls.key, tls.clientCa].flatMap((source) => (source && 'file' in source ? [source.file] : []));
}
