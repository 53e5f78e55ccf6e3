// The options of every command that reads records, from argv.
import type { InferredOptionTypes } from 'yargs';
import type { InputOptions } from '../app/inputs.js';
import type { CodeKind } from '../catalog/catalog.js';
import { DURATION_UNITS, parseDurationField, type DurationField } from '../core/duration.js';
import type { FieldPaths } from '../core/extract.js';
import { STDIN_ARG, UsageError, type INPUT_OPTIONS } from './options.js';

/** What yargs made of INPUT_OPTIONS and the files. */
export type InputArgv = InferredOptionTypes<typeof INPUT_OPTIONS> & { files: readonly unknown[] };

export const strings = (values: readonly unknown[]) => values.map(String);

export const KIND_BY_NAME: Record<string, CodeKind> = { status: 'http', http: 'http', error: 'error', failure: 'failure', response: 'response' };

/** `--field status=res.code` etc. into paths by kind, each kind's in the order given. */
export function parseFields(specs: readonly string[]): FieldPaths {
  const fields: Partial<Record<CodeKind, string[][]>> = {};
  for (const spec of specs) {
    const match = /^([a-z]+)=(.+)$/.exec(spec);
    const kind = match ? KIND_BY_NAME[match[1]!] : undefined;
    const path = match?.[2]!.split('.');
    if (!kind || !path || path.some((key) => key === '')) {
      throw new UsageError(`--field ${spec}: expected KIND=DOT.PATH with KIND one of status, error, failure, response`);
    }
    (fields[kind] ??= []).push(path);
  }
  return fields;
}

/** `--duration-field took:ms` etc. into fields, in the order given. */
export function parseDurationFields(specs: readonly string[]): DurationField[] {
  return specs.map((spec) => {
    const field = parseDurationField(spec);
    if (!field) throw new UsageError(`--duration-field ${spec}: expected DOT.PATH:UNIT with UNIT one of ${Object.keys(DURATION_UNITS).join(', ')}`);
    return field;
  });
}

export function inputOptions(argv: InputArgv): InputOptions {
  return {
    files: argv.files.map((file) => (file === STDIN_ARG ? '-' : String(file))),
    fields: parseFields(strings(argv.field)),
    durationFields: parseDurationFields(strings(argv['duration-field'])),
    builtinFields: argv['builtin-fields'],
    strict: argv.strict,
    maxLineBytes: argv['max-line-bytes'],
    workers: argv.workers,
    inputFormat: argv['input-format'],
  };
}
