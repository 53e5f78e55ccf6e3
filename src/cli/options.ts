import type { Options } from 'yargs';
import { CODE_KINDS, type CodeKind } from '../catalog/catalog.js';
import type { FieldPaths } from '../core/extract.js';

/** A mistake in how hidlog was called: one line on stderr and exit code 2. */
export class UsageError extends Error {}

// Options declared once as data; yargs reads them from argv, HIDLOG_* variables and --config.
export const INPUT_OPTIONS = {
  field: { type: 'string', array: true, default: [], describe: 'KIND=DOT.PATH: read KIND (status, error, failure, response) only from this path (repeatable)' },
  strict: { type: 'boolean', default: false, describe: 'Stop at the first bad line with FILE:LINE: reason and exit 1' },
  'max-line-bytes': { type: 'number', default: 1024 * 1024, describe: 'Lines longer than this are not parsed, only counted (and dead-lettered)' },
  workers: { type: 'number', default: 1, describe: 'Threads that annotate NDJSON, the main one (which also reads and writes) among them; 0 for one per core. Output stays in input order' },
} as const satisfies Record<string, Options>;

export const ANNOTATE_OPTIONS = {
  output: { alias: 'o', type: 'string', describe: 'Write annotated records to FILE instead of stdout' },
  format: { choices: ['ndjson', 'pretty'], default: 'ndjson', describe: 'ndjson: each record plus its annotation; pretty: one line a record for a terminal' },
  key: { type: 'string', default: 'hid', describe: 'The key that holds the annotation in each record' },
  'dead-letter': { type: 'string', describe: 'Write bad lines (not JSON objects, too long) to FILE, byte for byte; the output gets a one-line marker for each' },
} as const satisfies Record<string, Options>;

export const METRICS_OPTIONS = {
  label: { type: 'string', array: true, default: [], describe: 'NAME=DOT.PATH: add a label from each record to the hid_*_total counters (repeatable)' },
  'max-unknown-codes': { type: 'number', default: 100, describe: 'Codes outside the catalog that get their own label value, per kind; later ones count as code="other"' },
  'max-label-values': { type: 'number', default: 50, describe: 'Distinct values per --label; later ones count as "other"' },
  textfile: { type: 'string', describe: 'At the end, write the metrics to FILE atomically (for node_exporter\'s textfile collector)' },
  pushgateway: { type: 'string', describe: 'At the end, push the metrics to this Pushgateway URL' },
  job: { type: 'string', default: 'hidlog', describe: 'The job name for --pushgateway' },
} as const satisfies Record<string, Options>;

export const FOLLOW_OPTIONS = {
  follow: { alias: 'F', type: 'boolean', default: false, describe: 'Follow the files (paths or quoted globs) like tail -F, through rotation, until SIGINT/SIGTERM' },
  'state-file': { type: 'string', describe: 'With --follow: keep each file\'s position here, so a restart loses and repeats nothing' },
  'start-at': { choices: ['end', 'beginning'], default: 'end', describe: 'With --follow: where to start in files present at the first start (later files: from the beginning)' },
  'poll-interval': { type: 'number', default: 250, describe: 'With --follow: milliseconds between looks at the directories, and at every file with --no-watch' },
  watch: { type: 'boolean', default: true, describe: 'With --follow: wake on fs.watch (inotify) events; --no-watch polls every file instead (NFS and other filesystems where events are missed)' },
} as const satisfies Record<string, Options>;

export const SERVE_OPTIONS = {
  'metrics-listen': { type: 'string', describe: 'Serve GET /metrics and /healthz on HOST:PORT (":PORT" for every interface)' },
  linger: { type: 'boolean', default: false, describe: 'Keep serving /metrics after the input ends, until SIGINT or SIGTERM' },
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

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['code', 'category', 'result', 'kind', 'description', 'outcome', 'reason', 'label', 'le', 'quantile', 'job', 'instance']);

/** `--label tenant=ctx.tenant` into validated label names and paths. */
export function parseLabels(specs: readonly string[]): { name: string; path: string[] }[] {
  const labels = specs.map((spec) => {
    const match = /^([^=]+)=(.+)$/.exec(spec);
    const name = match?.[1] ?? '';
    const path = match?.[2]!.split('.') ?? [];
    if (!match || path.some((key) => key === '')) throw new UsageError(`--label ${spec}: expected NAME=DOT.PATH`);
    if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new UsageError(`--label ${spec}: ${name} is not a valid Prometheus label name`);
    if (RESERVED_LABELS.has(name)) throw new UsageError(`--label ${spec}: ${name} is a label hidlog sets itself`);
    return { name, path };
  });
  const names = labels.map((label) => label.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) throw new UsageError(`--label ${repeated} is given twice`);
  return labels;
}

export function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name} ${value}: expected a whole number, 0 or more`);
  return value;
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError(`--${name} ${value}: expected a positive whole number`);
  return value;
}
