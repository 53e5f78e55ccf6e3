// Each kind of code has a small, fixed set of categories, chosen so that a dashboard grouped by
// category tells an on-call engineer what kind of trouble it is. The meanings are docs/annotation.md's.

export const HTTP_CATEGORIES = {
  informational: '1xx: the request is still being processed',
  success: '2xx: the request succeeded',
  redirection: '3xx: the client is sent elsewhere',
  client_error: '4xx: the request was refused because of something the client sent',
  server_error: '5xx: the server failed to answer a valid request',
} as const;

export const ERROR_CATEGORIES = {
  technical: 'an internal fault in a component (kernel, LDAP, adapter, STM, RADIUS): look at the server',
  invalid_parameter: 'the API call carried a missing, malformed or contradictory parameter',
  duplicate: 'the object to create already exists',
  not_found: 'the object named in the call does not exist',
  not_authorized: 'the caller lacks the privilege or group membership for the call',
  credential: 'a password, MD answer, seed or authenticator is wrong, expired or insufficient',
  authentication_policy: 'the authentication type or channel does not allow this kind of authentication',
  session: 'the session or session transfer is missing, expired, invalid or misused',
  constraint: 'the change breaks a structural rule: an object still in use, a hierarchy, a dependency, a maximum',
  device: 'a device or soft token is invalid, unsupported, unsynchronised or failed to activate',
  certificate: 'a certificate or CRL is expired, revoked, unsupported or unverifiable',
  license: 'a license is missing, expired or invalid, or a licensed feature is off',
  configurer_card: 'the configurer smart card is missing, faulty or unrecognised',
  datasource: 'a user, group or client is bound to a datasource that does not fit the request',
  obsolete: 'a code the vendor marks as no longer used or deprecated',
} as const;

export const FAILURE_CATEGORIES = {
  credential_mismatch: 'the password, OTP, PIN, MD answer or response did not match',
  not_found: 'the user, authenticator, credential or challenge was not found',
  disabled: 'the user or authenticator is disabled, or the failure count reached the disable threshold',
  blocked: 'the channel is blocked for the user (primary, secondary or block threshold)',
  limit_reached: 'a usage or counter limit was reached',
  validity: 'the authenticator, challenge or activation code is outside its validity period',
  invalid_request: 'the authentication request was incomplete or malformed (EMV, PKI, LDAP mode, configuration)',
  risk: 'risk management (RMS) asked for step-up, rejected, or could not score the request',
  session: 'an open session or a session transfer prevented the authentication',
  technical: 'an internal processing step failed',
  matched: 'an informational reason: the OTP or PIN matched',
  undefined: 'the reason is not defined (-1)',
} as const;

export const RESPONSE_CATEGORIES = {
  succeeded: 'the authentication succeeded',
  failed: 'the authentication failed',
} as const;

export type HttpCategory = keyof typeof HTTP_CATEGORIES;
export type ErrorCategory = keyof typeof ERROR_CATEGORIES;
export type FailureCategory = keyof typeof FAILURE_CATEGORIES;
export type ResponseCategory = keyof typeof RESPONSE_CATEGORIES;
export const UNKNOWN_CATEGORY = 'unknown';

export const CATEGORIES_BY_KIND = {
  http: HTTP_CATEGORIES,
  error: ERROR_CATEGORIES,
  failure: FAILURE_CATEGORIES,
  response: RESPONSE_CATEGORIES,
} as const;
