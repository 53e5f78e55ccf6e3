// exporter-toolkit names TLS settings as Go's crypto/tls does; Node's TLS is OpenSSL's. These
// tables translate the one into the other, and hold only what Node 20 can honour.

/** Go's tls.CipherSuites() (the suites Go does not call insecure), by their OpenSSL names. */
export const CIPHER_SUITES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
    TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
    TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
    TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
    TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
    TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
    TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
    TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
    // TLS 1.3 suites: OpenSSL spells them as Go does.
    TLS_AES_128_GCM_SHA256: 'TLS_AES_128_GCM_SHA256',
    TLS_AES_256_GCM_SHA384: 'TLS_AES_256_GCM_SHA384',
    TLS_CHACHA20_POLY1305_SHA256: 'TLS_CHACHA20_POLY1305_SHA256',
  }),
);

/** Go always offers every TLS 1.3 suite; an OpenSSL cipher list without one would turn TLS 1.3 off. */
export const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'] as const;

/** exporter-toolkit's curve names, as OpenSSL groups. */
export const CURVES: ReadonlyMap<string, string> = new Map([
  ['CurveP256', 'P-256'],
  ['CurveP384', 'P-384'],
  ['CurveP521', 'P-521'],
  ['X25519', 'X25519'],
]);

export type NodeTlsVersion = 'TLSv1.2' | 'TLSv1.3';

export const TLS_VERSIONS: ReadonlyMap<string, NodeTlsVersion> = new Map([
  ['TLS12', 'TLSv1.2'],
  ['TLS13', 'TLSv1.3'],
]);

/** Versions exporter-toolkit knows that Node 20's OpenSSL 3 will not negotiate at its default security level. */
export const UNSUPPORTED_TLS_VERSIONS = new Set(['TLS10', 'TLS11']);

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** exporter-toolkit still accepts the old name of RequireAnyClientCert. */
export const CLIENT_AUTH_ALIASES: ReadonlyMap<string, ClientAuthType> = new Map([['RequireClientCert', 'RequireAnyClientCert']]);
