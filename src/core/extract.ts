import type { CodeKind } from '../catalog/catalog.js';
import { getPath, isObject, parseEmbeddedObject, type JsonObject } from '../common/json.js';

/** The status and codes found in one record; a kind is absent when the record has none. */
export type FoundCodes = Partial<Record<CodeKind, number>>;

/** User-given locations by kind (`--field`), each kind's tried in the order given. */
export type FieldPaths = Partial<Record<CodeKind, readonly (readonly string[])[]>>;

export interface ExtractorOptions {
  /**
   * Whether a kind none of whose `fields` paths holds a code is still searched for where real
   * logs put it (the default; `--no-builtin-fields`: it is not, the paths are the only place).
   */
  builtin?: boolean;
}

export type Extractor = (record: JsonObject) => FoundCodes;

const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
// An envelope inside Docker's `log` inside a gateway's body is as deep as real logs go.
const MAX_BODY_DEPTH = 3;

/** A code as logged: a JSON integer, a numeric string, or an object carrying it in `reason`. */
export function toCode(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string') return /^\s*-?\d{1,15}\s*$/.test(value) ? Number(value) : undefined;
  if (isObject(value)) return toCode(value.reason);
  return undefined;
}

export function toStatus(value: unknown): number | undefined {
  if (value === undefined || isObject(value)) return undefined;
  const code = toCode(value);
  return code !== undefined && code >= 100 && code <= 599 ? code : undefined;
}

/**
 * Every key the built-in search below reads, at any depth: a record pruned to these keys gives
 * the same codes as the whole record (the byte scanner builds only these).
 */
export const SEARCHED_KEYS = [
  ...['status', 'statusCode', 'status_code', 'http', 'response', 'res', 'http.response.status_code'],
  ...['hid_error', 'errorCode', 'schemas', 'hid_failure', 'hid_response', 'responseCode', 'reason'],
  ...['body', 'responseBody', 'response_body', 'content', 'http.response.body.content', 'log'],
  ...['message', 'MESSAGE', 'msg', 'resp_body', 'upstream_response_body'],
] as const;

/**
 * Top-level keys the search below reads only as a body (JSON text or an object) and no status
 * or code from: a record may hold such a key's body already read, in place of its text.
 */
export const BODY_ONLY_KEYS = [
  'body',
  'responseBody',
  'response_body',
  'http.response.body.content',
  'log',
  'message',
  'MESSAGE',
  'msg',
  'resp_body',
  'upstream_response_body',
] as const;

// The search below reads fixed key names with plain property access: none of them exists on
// Object.prototype, so a missing key reads as undefined and a record's `__proto__` key (an own
// property after JSON.parse) is never followed. User-given paths go through getPath instead.

function child(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** Where loggers, gateways and proxies put the HTTP status (docs/annotation.md, "Record shapes"). */
function findStatus(record: JsonObject): number | undefined {
  return (
    toStatus(record.status) ??
    toStatus(record.statusCode) ??
    toStatus(record.status_code) ??
    toStatus(child(child(record.http, 'response'), 'status_code') ?? record['http.response.status_code']) ??
    toStatus(child(record.response, 'status')) ??
    toStatus(child(record.response, 'statusCode')) ??
    toStatus(child(record.res, 'statusCode'))
  );
}

/** Reads a body logged as JSON text: the whole object, or one with at least the searched keys. */
export type BodyParser = (text: string) => JsonObject | undefined;

function searchRecord(record: JsonObject, found: FoundCodes, depth: number, parseBody: BodyParser): void {
  if (found.http === undefined) {
    const status = findStatus(record);
    if (status !== undefined) found.http = status;
  }
  if (found.error === undefined) {
    let error = toCode(record.hid_error);
    if (error === undefined && record.errorCode !== undefined && Array.isArray(record.schemas) && record.schemas.includes(SCIM_ERROR_SCHEMA)) {
      error = toCode(record.errorCode);
    }
    if (error !== undefined) found.error = error;
  }
  if (found.failure === undefined) {
    const failure = toCode(record.hid_failure);
    if (failure !== undefined) found.failure = failure;
  }
  if (found.response === undefined) {
    const response = toCode(record.hid_response) ?? toCode(record.responseCode);
    if (response !== undefined) found.response = response;
  }
  if (depth >= MAX_BODY_DEPTH) return;
  // Where an envelope carries the HID response body, as an object or as JSON-encoded text.
  searchBody(record.response, found, depth, parseBody);
  searchBody(record.body, found, depth, parseBody);
  searchBody(record.responseBody, found, depth, parseBody);
  searchBody(record.response_body, found, depth, parseBody);
  searchBody(child(record.res, 'body'), found, depth, parseBody);
  searchBody(child(child(child(record.http, 'response'), 'body'), 'content') ?? record['http.response.body.content'], found, depth, parseBody);
  searchBody(record.log, found, depth, parseBody);
  // The whole application record as text in a shipper's or a logger's field (Filebeat's and ECS's
  // `message`, journald's `MESSAGE`, `msg`), or a proxy's copy of the upstream body (nginx).
  searchBody(record.message, found, depth, parseBody);
  searchBody(record.MESSAGE, found, depth, parseBody);
  searchBody(record.msg, found, depth, parseBody);
  searchBody(record.resp_body, found, depth, parseBody);
  searchBody(record.upstream_response_body, found, depth, parseBody);
}

/** journald writes a field that held non-UTF-8 or control bytes as an array of byte values. */
function fromByteArray(value: unknown[]): string | undefined {
  for (const byte of value) if (typeof byte !== 'number' || !Number.isInteger(byte) || byte < 0 || byte > 255) return undefined;
  return Buffer.from(value as number[]).toString('utf8');
}

function searchBody(value: unknown, found: FoundCodes, depth: number, parseBody: BodyParser): void {
  if (value === undefined) return;
  if (Array.isArray(value)) value = fromByteArray(value);
  const body = typeof value === 'string' ? parseBody(value) : isObject(value) ? value : undefined;
  if (body) searchRecord(body, found, depth + 1, parseBody);
}

/**
 * Builds the function that finds a record's status and codes. By default it searches the shapes
 * real HID logs have (docs/annotation.md, "Record shapes"); a kind given in `fields` is read from the first of
 * its paths that holds one, and from the built-in search only when none does (and `builtin` allows).
 * `parseBody` reads bodies logged as JSON text (the byte path gives one that keeps searched keys only).
 */
export function createExtractor(fields: FieldPaths = {}, parseBody: BodyParser = parseEmbeddedObject, { builtin = true }: ExtractorOptions = {}): Extractor {
  const overrides = Object.entries(fields) as [CodeKind, readonly (readonly string[])[]][];
  return (record) => {
    const found: FoundCodes = {};
    searchRecord(record, found, 0, parseBody);
    for (const [kind, paths] of overrides) {
      const code = firstCodeAt(record, kind, paths);
      if (code !== undefined) found[kind] = code;
      else if (!builtin) delete found[kind];
    }
    return found;
  };
}

/**
 * What the built-in search finds in a record whose only searched key is one of BODY_ONLY_KEYS,
 * given that body (parsed): the search one level down, as createExtractor's with no `fields`.
 */
export function createBodySearch(parseBody: BodyParser): Extractor {
  return (body) => {
    const found: FoundCodes = {};
    searchRecord(body, found, 1, parseBody);
    return found;
  };
}

function firstCodeAt(record: JsonObject, kind: CodeKind, paths: readonly (readonly string[])[]): number | undefined {
  for (const path of paths) {
    const value = getPath(record, path);
    const code = kind === 'http' ? toStatus(value) : toCode(value);
    if (code !== undefined) return code;
  }
  return undefined;
}
