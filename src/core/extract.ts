import type { CodeKind } from '../catalog/catalog.js';
import { getPath, isObject, parseEmbeddedObject, type JsonObject } from './json.js';

/** The status and codes found in one record; a kind is absent when the record has none. */
export type FoundCodes = Partial<Record<CodeKind, number>>;

/** User-given locations, by kind, that replace the built-in search for that kind (`--field`). */
export type FieldPaths = Partial<Record<CodeKind, readonly string[]>>;

export type Extractor = (record: JsonObject) => FoundCodes;

// Where loggers, gateways and proxies put the HTTP status of the response.
const STATUS_PATHS = [
  ['status'],
  ['statusCode'],
  ['status_code'],
  ['http', 'response', 'status_code'],
  ['response', 'status'],
  ['response', 'statusCode'],
  ['res', 'statusCode'],
] as const;

// Where an envelope carries the HID response body, as an object or as JSON-encoded text.
const BODY_PATHS = [
  ['response'],
  ['body'],
  ['responseBody'],
  ['response_body'],
  ['res', 'body'],
  ['http', 'response', 'body', 'content'],
  ['log'],
] as const;

const RESPONSE_KEYS = ['hid_response', 'responseCode'] as const;
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
  if (isObject(value)) return undefined;
  const code = toCode(value);
  return code !== undefined && code >= 100 && code <= 599 ? code : undefined;
}

function isScimError(body: JsonObject): boolean {
  const schemas = body.schemas;
  return Array.isArray(schemas) && schemas.includes(SCIM_ERROR_SCHEMA);
}

function searchRecord(record: JsonObject, found: FoundCodes, depth: number): void {
  if (found.http === undefined) {
    for (const path of STATUS_PATHS) {
      const status = toStatus(getPath(record, path));
      if (status !== undefined) {
        found.http = status;
        break;
      }
    }
  }
  if (found.error === undefined) {
    const error = toCode(record.hid_error) ?? (isScimError(record) ? toCode(record.errorCode) : undefined);
    if (error !== undefined) found.error = error;
  }
  if (found.failure === undefined) {
    const failure = toCode(record.hid_failure);
    if (failure !== undefined) found.failure = failure;
  }
  if (found.response === undefined) {
    for (const key of RESPONSE_KEYS) {
      const response = toCode(record[key]);
      if (response !== undefined) {
        found.response = response;
        break;
      }
    }
  }
  if (depth >= MAX_BODY_DEPTH) return;
  for (const path of BODY_PATHS) {
    const value = getPath(record, path);
    const body = typeof value === 'string' ? parseEmbeddedObject(value) : value;
    if (isObject(body)) searchRecord(body, found, depth + 1);
  }
}

/**
 * Builds the function that finds a record's status and codes. By default it searches the shapes
 * real HID logs have (README, "Record shapes"); a kind given in `fields` is read only from there.
 */
export function createExtractor(fields: FieldPaths = {}): Extractor {
  const overrides = Object.entries(fields) as [CodeKind, readonly string[]][];
  return (record) => {
    const found: FoundCodes = {};
    searchRecord(record, found, 0);
    for (const [kind, path] of overrides) {
      const value = getPath(record, path);
      const code = kind === 'http' ? toStatus(value) : toCode(value);
      if (code === undefined) delete found[kind];
      else found[kind] = code;
    }
    return found;
  };
}
