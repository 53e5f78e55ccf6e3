import { describe, expect, it } from 'vitest';
import { createExtractor } from '../../src/core/extract.js';

const extract = createExtractor();
const body = { error: 'invalid_grant', error_description: 'Invalid grant: Step-up authentication required', hid_failure: { reason: 51, context: { TM_ACTION_ID: '4481' }, authType: 'AT_CUSTPW' } };
const scim = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], detail: "'roleId' specified does not exist.", status: '400', scimType: 'invalidValue', errorCode: 1292 };

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
    expect(createExtractor({ error: ['constructor', 'name'] })({})).toEqual({});
    expect(({} as Record<string, unknown>).hid_error).toBeUndefined();
  });

  it('with --field, reads that kind only from the given path, through JSON text too', () => {
    const custom = createExtractor({ failure: ['payload', 'reasonCode'], http: ['meta', 'code'] });
    expect(custom({ payload: { reasonCode: '13' }, meta: { code: 401 }, status: 500, hid_failure: 51 })).toEqual({ http: 401, failure: 13 });
    expect(custom({ payload: JSON.stringify({ reasonCode: 13 }) })).toEqual({ failure: 13 });
    expect(custom({ hid_failure: 51, hid_error: 1200 })).toEqual({ error: 1200 });
  });
});
