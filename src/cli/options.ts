import type { Options } from 'yargs';
import { CODE_KINDS, type CodeKind } from '../catalog/catalog.js';
import type { FieldPaths } from '../core/extract.js';

/** A mistake in how hidlog was called: one line on stderr and exit code 2. */
export class UsageError extends Error {}

// The options of `annotate`, declared once as data; yargs reads them from argv, HIDLOG_* and --config.
export const ANNOTATE_OPTIONS = {
  output: { alias: 'o', type: 'string', describe: 'Write annotated records to FILE instead of stdout' },
  format: { choices: ['ndjson', 'pretty'], default: 'ndjson', describe: 'ndjson: each record plus its annotation; pretty: one line a record for a terminal' },
  key: { type: 'string', default: 'hid', describe: 'The key that holds the annotation in each record' },
  field: { type: 'string', array: true, default: [], describe: 'KIND=DOT.PATH: read KIND (status, error, failure, response) only from this path (repeatable)' },
  'dead-letter': { type: 'string', describe: 'Write bad lines (not JSON objects, too long) to FILE, byte for byte; the output gets a one-line marker for each' },
  strict: { type: 'boolean', default: false, describe: 'Stop at the first bad line with FILE:LINE: reason and exit 1' },
  'max-line-bytes': { type: 'number', default: 1024 * 1024, describe: 'Lines longer than this are not parsed, only counted (and dead-lettered)' },
} as const satisfies Record<string, Options>;

const KIND_BY_NAME: Record<string, CodeKind> = { status: 'http', http: 'http', error: 'error', failure: 'failure', response: 'response' };

/** `--field status=res.code` etc. into paths by kind. */
export function parseFields(specs: readonly string[]): FieldPaths {
  const fields: FieldPaths = {};
  for (const spec of specs) {
    const match = /^([a-z]+)=(.+)$/.exec(spec);
    const kind = match ? KIND_BY_NAME[match[1]!] : undefined;
    const path = match?.[2]!.split('.');
    if (!kind || !path || path.some((key) => key === '')) {
      throw new UsageError(`--field ${spec}: expected KIND=DOT.PATH with KIND one of status, error, failure, response`);
    }
    fields[kind] = path;
  }
  return fields;
}

export function parseKind(name: string | undefined): CodeKind | undefined {
  if (name === undefined) return undefined;
  const kind = KIND_BY_NAME[name];
  if (!kind) throw new UsageError(`--kind ${name}: expected one of ${CODE_KINDS.join(', ')} (or status)`);
  return kind;
}

export function validateKey(key: string): string {
  if (key === '' || key === '__proto__') throw new UsageError(`--key ${JSON.stringify(key)}: not a usable key name`);
  return key;
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`--${name} ${value}: expected a positive whole number`);
  return value;
}
