import { describe, expect, it } from 'vitest';
import { createExtractor } from '../../src/core/extract.js';

const extract = createExtractor();
const body = {
  error: 'invalid_grant',
  error_description: 'Invalid grant: Step-up authentication required',
  hid_failure: { reason: 51, context: { TM_ACTION_ID: '4481' }, authType: 'AT_CUSTPW' },
};
const scim = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  detail: "'roleId' specified does not exist.",
  status: '400',
  scimType: 'invalidValue',
  errorCode: 1292,
};

describe('extraction of the status and codes', () => {
  it('reads the OpenID error body: hid_failure as an object with reason', () => {
    expect(extract(body)).toEqual({ failure: 51 });
  });

  it('reads hid_error as a number, a numeric string or an object with reason', () => {
    expect(extract({ hid_error: 1200 })).toEqual({ error: 1200 });
    expect(extract({ hid_error: '1200' })).toEqual({ error: 1200 });
    expect(extract({ hid_error: { reason: '1200' } })).toEqual({ error: 1200 });
    expect(extract({ hid_failure: '-1' })).toEqual({ failure: -1 });
  });

  it('ignores values that are not codes', () => {
    expect(extract({ hid_error: 'oops', hid_failure: 1.5, status: true })).toEqual({});
    expect(extract({ hid_error: null, hid_failure: [13] })).toEqual({});
  });

  it('reads the SCIM error body: status as a string, errorCode as an hid_error', () => {
    expect(extract(scim)).toEqual({ http: 400, error: 1292 });
    expect(extract({ errorCode: 1292 })).toEqual({});
  });

  it.each([
    ['status', { status: 401 }],
    ['statusCode', { statusCode: '401' }],
    ['status_code', { status_code: 401 }],
    ['ECS http.response.status_code', { http: { response: { status_code: 401 } } }],
    ['flat ECS key', { 'http.response.status_code': 401 }],
    ['response.status', { response: { status: 401 } }],
    ['res.statusCode', { res: { statusCode: 401 } }],
  ])('finds the HTTP status in %s', (_name, record) => {
    expect(extract(record)).toEqual({ http: 401 });
  });

  it('takes only integers from 100 to 599 as a status', () => {
    expect(extract({ status: 99 })).toEqual({});
    expect(extract({ status: 600 })).toEqual({});
    expect(extract({ status: 'ACTIVE', statusCode: 404 })).toEqual({ http: 404 });
    expect(extract({ status: 200.5 })).toEqual({});
  });

  it.each([
    ['response', (b: object) => ({ response: b })],
    ['body', (b: object) => ({ body: b })],
    ['responseBody', (b: object) => ({ responseBody: b })],
    ['response_body', (b: object) => ({ response_body: b })],
    ['res.body', (b: object) => ({ res: { body: b } })],
    ['http.response.body.content', (b: object) => ({ http: { response: { body: { content: b } } } })],
    ['log', (b: object) => ({ log: b })],
  ])('finds the HID body nested under %s, as an object or as JSON text', (_name, wrap) => {
    expect(extract(wrap(body))).toEqual({ failure: 51 });
    expect(extract(wrap(JSON.stringify(body) as unknown as object))).toEqual({ failure: 51 });
  });

  it('reads a whole envelope logged inside Docker’s log string', () => {
    const line = JSON.stringify({ status: 400, response: body }) + '\n';
    expect(extract({ log: line, stream: 'stdout', time: '2026-11-28T09:00:00Z' })).toEqual({ http: 400, failure: 51 });
  });

  it('prefers the envelope’s status to one in a nested body', () => {
    expect(extract({ statusCode: 502, body: JSON.stringify(scim) })).toEqual({ http: 502, error: 1292 });
  });

  it('reads response codes where a record names them', () => {
    expect(extract({ hid_response: 1 })).toEqual({ response: 1 });
    expect(extract({ responseCode: '2', hid_failure: 13 })).toEqual({ response: 2, failure: 13 });
  });

  it('never follows a key to the prototype', () => {
    const record = JSON.parse('{"__proto__":{"hid_error":1},"constructor":{"status":401}}');
    expect(extract(record)).toEqual({});
    expect(createExtractor({ error: [['constructor', 'name']] })({})).toEqual({});
    expect(({} as Record<string, unknown>).hid_error).toBeUndefined();
  });

  it('with --field, reads that kind from the given path first, through JSON text too', () => {
    const custom = createExtractor({ failure: [['payload', 'reasonCode']], http: [['meta', 'code']] });
    expect(custom({ payload: { reasonCode: '13' }, meta: { code: 401 }, status: 500, hid_failure: 51 })).toEqual({ http: 401, failure: 13 });
    expect(custom({ payload: JSON.stringify({ reasonCode: 13 }) })).toEqual({ failure: 13 });
    expect(custom({ hid_failure: 51, hid_error: 1200 })).toEqual({ error: 1200, failure: 51 });
  });

  it('with --no-builtin-fields, reads a kind given by --field only from its paths, the others as ever', () => {
    const only = createExtractor({ failure: [['payload', 'reasonCode']], http: [['meta', 'code']] }, undefined, { builtin: false });
    expect(only({ payload: { reasonCode: '13' }, meta: { code: 401 }, status: 500, hid_failure: 51 })).toEqual({ http: 401, failure: 13 });
    expect(only({ hid_failure: 51, hid_error: 1200, status: 500 })).toEqual({ error: 1200 });
    expect(createExtractor({}, undefined, { builtin: false })(scim)).toEqual({ http: 400, error: 1292 });
  });

  it('tries a kind’s --field paths in the order given: the first that holds a code wins', () => {
    const record = { oidc: { code: 1200 }, gateway: { upstream_error: '1300' }, hid_error: 1400 };
    expect(
      createExtractor({
        error: [
          ['oidc', 'code'],
          ['gateway', 'upstream_error'],
        ],
      })(record),
    ).toEqual({ error: 1200 });
    expect(
      createExtractor({
        error: [
          ['gateway', 'upstream_error'],
          ['oidc', 'code'],
        ],
      })(record),
    ).toEqual({ error: 1300 });
    expect(createExtractor({ error: [['missing'], ['oidc', 'code']] })(record)).toEqual({ error: 1200 });
    // A value that is not a code is passed over like a missing one, for the next path and then the search.
    expect(createExtractor({ error: [['oidc'], ['gateway', 'nothing']] })(record)).toEqual({ error: 1400 });
    expect(
      createExtractor({
        http: [
          ['oidc', 'code'],
          ['meta', 'status'],
        ],
      })({ oidc: { code: 1200 }, meta: { status: '503' }, status: 200 }),
    ).toEqual({ http: 503 });
  });

  // Issue 20: `--field error=…` switched the built-in SCIM errorCode search off (4 of 7), and a
  // second `--field error=…` replaced the first.
  it('finds every error of a log mixing OpenID and SCIM bodies, with --field for the OpenID ones', () => {
    const mixed = [
      { status: 400, oidc: { error: 'invalid_request', code: 1200 } },
      { status: 400, oidc: { error: 'invalid_client', code: '1201' } },
      { status: 401, gateway: { upstream_error: 1300 } },
      { status: 401, gateway: { upstream_error: { reason: 1301 } } },
      scim,
      { statusCode: 400, body: JSON.stringify({ ...scim, errorCode: 1293 }) },
      { status: 404, response: { ...scim, status: '404', errorCode: 1294 } },
    ];
    const errorsFound = (extract: ReturnType<typeof createExtractor>) => mixed.map((record) => extract(record).error).filter((code) => code !== undefined);
    const paths = [
      ['oidc', 'code'],
      ['gateway', 'upstream_error'],
    ];
    expect(errorsFound(createExtractor({ error: paths }))).toEqual([1200, 1201, 1300, 1301, 1292, 1293, 1294]);
    expect(errorsFound(createExtractor({ error: paths.slice(0, 1) }))).toEqual([1200, 1201, 1292, 1293, 1294]);
    expect(errorsFound(createExtractor({ error: paths }, undefined, { builtin: false }))).toEqual([1200, 1201, 1300, 1301]);
    expect(errorsFound(createExtractor())).toEqual([1292, 1293, 1294]);
  });
});
