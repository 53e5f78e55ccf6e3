import type { Options } from 'yargs';
import { INPUT_FORMATS } from '../envelopes/formats.js';
import { KUBERNETES_LABELS } from '../metrics/kubernetes-labels.js';

/** A mistake in how hidlog was called: one line on stderr and exit code 2. */
export class UsageError extends Error {
  /** `hint`: whether pointing at --help helps (not for a file that is wrong inside). */
  constructor(
    message: string,
    readonly hint = true,
  ) {
    super(message);
  }
}

// yargs-parser drops a lone `-` positional; it stands in for stdin among the files, so it
// travels through yargs under another name.
export const STDIN_ARG = '\u0000stdin';

/** An option's value as the user typed it, quoted when it would not read as one word. */
function asTyped(value: unknown): string {
  const given = typeof value === 'string' ? value : JSON.stringify(value);
  return given === '' || /\s/.test(given) ? JSON.stringify(given) : given;
}

/**
 * A whole-number option, checked as it is parsed (from argv, HIDLOG_* or --config): a value that
 * is not one is repeated as it was given.
 */
function wholeNumber(name: string, least: 0 | 1) {
  return (value: unknown): number => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(number) || number < least) {
      throw new UsageError(`--${name} ${asTyped(value)}: expected ${least === 1 ? 'a positive whole number' : 'a whole number, 0 or more'}`);
    }
    return number;
  };
}

/** A decimal-number option (a threshold, a share), checked as it is parsed, like wholeNumber. */
export function decimalNumber(name: string) {
  return (value: unknown): number => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(number)) throw new UsageError(`--${name} ${asTyped(value)}: expected a number`);
    return number;
  };
}

// Options declared once as data, in groups that commands share (commands.ts); yargs reads them
// from argv, HIDLOG_* variables and --config, and docs/cli.md's tables are generated from them.
// A new option is one entry here; argv.ts turns it into the app's options.
/** `--config FILE`, for every command. */
export const CONFIG_DESCRIPTION = 'A JSON file of options (keys as on the command line, e.g. "max-line-bytes")';

export const FILES = {
  type: 'string',
  array: true,
  default: [],
  describe: 'NDJSON or JSON-array files, gzipped or not; - or none for stdin',
} as const satisfies Options;

export const INPUT_OPTIONS = {
  field: {
    type: 'string',
    array: true,
    default: [],
    describe:
      "KIND=DOT.PATH: read KIND (status, error, failure, response) from this path first (repeatable: a KIND's paths are tried in order, then the built-in search)",
  },
  'duration-field': {
    type: 'string',
    array: true,
    default: [],
    describe:
      "DOT.PATH:UNIT (s, ms, us, ns): read each record's duration from this path first, for hid_request_duration_seconds and the report's latency (repeatable: the first a record has; then duration_ms, took, responseTime, event.duration, request_time)",
  },
  'builtin-fields': {
    type: 'boolean',
    default: true,
    describe:
      "After a KIND's --field paths (and the --duration-field paths), also look where HID logs put it; --no-builtin-fields reads a KIND given by --field (and a duration given by --duration-field) only from its paths",
  },
  strict: { type: 'boolean', default: false, describe: 'Stop at the first bad line with FILE:LINE: reason and exit 1' },
  'max-line-bytes': {
    coerce: wholeNumber('max-line-bytes', 1),
    requiresArg: true,
    default: 1024 * 1024,
    describe: 'Lines longer than this are not parsed, only counted (and dead-lettered)',
  },
  workers: {
    coerce: wholeNumber('workers', 0),
    requiresArg: true,
    default: 1,
    describe: 'Threads that annotate NDJSON, the main one (which also reads and writes) among them; 0 for one per core. Output stays in input order',
  },
  'input-format': {
    choices: INPUT_FORMATS,
    default: 'auto',
    describe:
      'auto: read every envelope below, line by line (docs/log-formats.md); or only one of them: ndjson, json-array, cri, docker, journald, syslog, logfmt, text',
  },
} as const satisfies Record<string, Options>;

export const ANNOTATE_OPTIONS = {
  output: { alias: 'o', type: 'string', describe: 'Write annotated records to FILE instead of stdout' },
  format: { choices: ['ndjson', 'pretty'], default: 'ndjson', describe: 'ndjson: each record plus its annotation; pretty: one line a record for a terminal' },
  key: { type: 'string', default: 'hid', describe: 'The key that holds the annotation in each record' },
  'dead-letter': {
    type: 'string',
    describe: 'Write bad lines (not JSON objects, too long) to FILE, byte for byte; the output gets a one-line marker for each',
  },
} as const satisfies Record<string, Options>;

export const METRICS_OPTIONS = {
  label: { type: 'string', array: true, default: [], describe: 'NAME=DOT.PATH: add a label from each record to the hid_*_total counters (repeatable)' },
  'max-unknown-codes': {
    coerce: wholeNumber('max-unknown-codes', 0),
    requiresArg: true,
    default: 100,
    describe: 'Codes outside the catalog that get their own label value, per kind; later ones count as code="other"',
  },
  'kubernetes-labels': {
    type: 'string',
    requiresArg: true,
    describe: `NAMES: add labels read from each file's path on a Kubernetes node to the hid_*_total counters, comma-separated: ${KUBERNETES_LABELS.join(', ')} (docs/kubernetes.md)`,
  },
  'max-label-values': {
    coerce: wholeNumber('max-label-values', 0),
    requiresArg: true,
    default: 50,
    describe: 'Distinct values per --label and --kubernetes-labels label; later ones count as "other"',
  },
  'max-series': {
    coerce: wholeNumber('max-series', 0),
    requiresArg: true,
    default: 10000,
    describe:
      'With --label or --kubernetes-labels: series of the hid_*_total counters, all together; a new combination of label values past them counts under its code with every label "other"',
  },
  'zero-series': {
    type: 'boolean',
    default: true,
    describe:
      'Without --label, expose every catalog code at 0 from the start, so rate() works from the first scrape; --no-zero-series shows a code from its first record on (about 500 series on /metrics instead of 995)',
  },
  textfile: { type: 'string', describe: "At the end, write the metrics to FILE atomically (for node_exporter's textfile collector)" },
  pushgateway: { type: 'string', describe: 'At the end, push the metrics to this Pushgateway URL' },
  job: { type: 'string', default: 'hidlog', describe: 'The job name for --pushgateway' },
} as const satisfies Record<string, Options>;

export const FOLLOW_OPTIONS = {
  follow: {
    alias: 'F',
    type: 'boolean',
    default: false,
    describe: 'Follow the files (paths or quoted globs) like tail -F, through rotation, until SIGINT/SIGTERM',
  },
  'state-file': { type: 'string', describe: "With --follow: keep each file's position here, so a restart loses and repeats nothing" },
  'start-at': {
    choices: ['end', 'beginning'],
    default: 'end',
    describe: 'With --follow: where to start in files present at the first start (later files: from the beginning)',
  },
  'poll-interval': {
    coerce: wholeNumber('poll-interval', 1),
    requiresArg: true,
    default: 250,
    describe: 'With --follow: milliseconds between looks at the directories, and at every file with --no-watch',
  },
  watch: {
    type: 'boolean',
    default: true,
    describe: 'With --follow: wake on fs.watch (inotify) events; --no-watch polls every file instead (NFS and other filesystems where events are missed)',
  },
} as const satisfies Record<string, Options>;

export const CATALOG_OPTIONS = {
  catalog: {
    type: 'string',
    describe:
      'A JSON or YAML file of site entries over the vendor\'s catalog (docs/annotation.md, "Your own catalog"); reloaded on SIGHUP and when it changes, in runs that follow or serve /metrics',
  },
} as const satisfies Record<string, Options>;

export const SERVE_OPTIONS = {
  'metrics-listen': { type: 'string', describe: 'Serve GET /metrics and /healthz on HOST:PORT (":PORT" for every interface)' },
  linger: { type: 'boolean', default: false, describe: 'Keep serving /metrics after the input ends, until SIGINT or SIGTERM' },
  'web-config': {
    type: 'string',
    describe:
      "Serve /metrics over TLS and with basic auth as this exporter-toolkit web configuration (YAML, Prometheus' --web.config.file) says; changes are picked up",
  },
} as const satisfies Record<string, Options>;

export const REPORT_OPTIONS = {
  output: {
    alias: 'o',
    type: 'string',
    describe: 'Write the report to FILE (atomically); its extension sets the format unless --format does (.html, .md, .json, .csv)',
  },
  format: {
    choices: ['table', 'markdown', 'json', 'csv', 'html'],
    describe: 'table (the default, coloured on a terminal), markdown, json (schema in docs/report.md), csv, html (one self-contained page)',
  },
  top: {
    coerce: wholeNumber('top', 1),
    requiresArg: true,
    default: 10,
    describe: 'Codes listed per kind, and values per --by field; the rest are summed as other',
  },
  bucket: { type: 'string', describe: 'Timeline bucket width, e.g. 30s, 5m, 1h, 1d (default: chosen from the time range, at most 60 buckets)' },
  since: { type: 'string', describe: 'Only records from this time on: ISO 8601 (2026-11-28T09:00:00Z), or a duration before the latest record (2h)' },
  until: { type: 'string', describe: 'Only records before this time: ISO 8601, or a duration before the latest record' },
  tz: { type: 'string', describe: 'Time zone to show times in, and to read times without an offset in: UTC (the default), +02:00, Europe/Berlin' },
  'time-field': {
    type: 'string',
    array: true,
    default: [],
    describe:
      "DOT.PATH of each record's time (repeatable: the first a record has as text or a number; default: the first of @timestamp, timestamp, time, ts, date, time_local, __REALTIME_TIMESTAMP)",
  },
  by: { type: 'string', array: true, default: [], describe: 'DOT.PATH: the top values of this field among failures and errors, with their codes (repeatable)' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No progress bar (it is shown only when stderr is a terminal)' },
  partial: {
    type: 'boolean',
    default: false,
    describe:
      "Write a partial (JSON, format hidlog-partial) instead of a report, for --merge to combine with other shards' partials; --format, and an -o named like a report (.html, .md, .csv, .txt), are refused",
  },
  merge: {
    type: 'boolean',
    default: false,
    describe: 'The inputs are partials (from --partial): write the report one pass over all their inputs gives (with --partial, one partial of them)',
  },
} as const satisfies Record<string, Options>;

export const CODES_OPTIONS = {
  kind: { type: 'string', describe: 'Only this kind: http (or status), error, failure, response' },
  category: { type: 'string', describe: 'Only this category, e.g. not_found' },
  json: { type: 'boolean', default: false, describe: 'A JSON array of {kind, code, label?, description, category, site?}' },
} as const satisfies Record<string, Options>;

export const EXPLAIN_OPTIONS = {
  kind: CODES_OPTIONS.kind,
} as const satisfies Record<string, Options>;
