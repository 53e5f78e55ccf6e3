// The one conversion of the parsed command line into each command's options (the types app/
// declares), with every check the command line alone can decide: one line and exit 2 for a mistake.
import { extname } from 'node:path';
import type { InferredOptionTypes } from 'yargs';
import type { AnnotateOptions } from '../app/annotate-setup.js';
import type { InputOptions } from '../app/batch.js';
import type { CodesOptions, ExplainOptions } from '../app/codes.js';
import type { CountOptions } from '../app/count.js';
import type { FollowOptions } from '../app/follow.js';
import type { MetricsOptions } from '../app/metrics-session.js';
import type { MixinOptions } from '../app/mixin.js';
import type { ReportOptions } from '../app/report-output.js';
import { CODE_KINDS, type CodeKind } from '../catalog/catalog.js';
import type { FieldPaths } from '../core/extract.js';
import { SERIES_OVERFLOW_LABEL, type RecordLabel } from '../metrics/tally.js';
import { KUBERNETES_LABELS, type KubernetesLabel } from '../metrics/kubernetes-labels.js';
import { parseListenAddress } from '../metrics/listen-address.js';
import { checkConfig, MixinConfigError } from '../mixin/config.js';
import { AskedWindowError, askedWindow } from '../report/asked-window.js';
import { parseDuration } from '../report/duration.js';
import type { PartialSetup } from '../report/partial.js';
import type { ReportFormat } from '../report/render/render.js';
import type { Bound, WindowBounds } from '../report/window.js';
import { parseZone, type Zone } from '../report/zone.js';
import type { MIXIN_OPTIONS } from './mixin-options.js';
import { UsageError, type ANNOTATE_OPTIONS, type CATALOG_OPTIONS, type CODES_OPTIONS, type FOLLOW_OPTIONS, type INPUT_OPTIONS, type METRICS_OPTIONS, type REPORT_OPTIONS, type SERVE_OPTIONS } from './options.js';

// What yargs made of each command's option tables (commands.ts).
type Files = { files: readonly unknown[] };
type InputArgv = InferredOptionTypes<typeof INPUT_OPTIONS> & Files;
type MetricsArgv = InferredOptionTypes<typeof METRICS_OPTIONS>;
type CatalogArgv = InferredOptionTypes<typeof CATALOG_OPTIONS>;
export type AnnotateArgv = InputArgv & MetricsArgv & CatalogArgv & InferredOptionTypes<typeof ANNOTATE_OPTIONS & typeof SERVE_OPTIONS & typeof FOLLOW_OPTIONS>;
export type CountArgv = InputArgv & MetricsArgv & CatalogArgv;
export type ReportArgv = InputArgv & CatalogArgv & InferredOptionTypes<typeof REPORT_OPTIONS>;
export type CodesArgv = CatalogArgv & InferredOptionTypes<typeof CODES_OPTIONS>;
export type ExplainArgv = CodesArgv & { code: unknown };
export type MixinArgv = InferredOptionTypes<typeof MIXIN_OPTIONS>;

// yargs-parser drops a lone `-` positional; it stands in for stdin among the files, so it
// travels through yargs under another name.
export const STDIN_ARG = '\u0000stdin';

const KIND_BY_NAME: Record<string, CodeKind> = { status: 'http', http: 'http', error: 'error', failure: 'failure', response: 'response' };

/** `--field status=res.code` etc. into paths by kind, each kind's in the order given. */
function parseFields(specs: readonly string[]): FieldPaths {
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

function parseKind(name: string | undefined): CodeKind | undefined {
  if (name === undefined) return undefined;
  const kind = KIND_BY_NAME[name];
  if (!kind) throw new UsageError(`--kind ${name}: expected one of ${CODE_KINDS.join(', ')} (or status)`);
  return kind;
}

function validateKey(key: string): string {
  if (key === '' || key === '__proto__') throw new UsageError(`--key ${JSON.stringify(key)}: not a usable key name`);
  return key;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['code', 'category', 'result', 'kind', 'description', 'outcome', 'reason', 'label', 'le', 'quantile', 'job', 'instance']);

/** A `--label` name that Prometheus accepts and hidlog does not set itself. */
function checkLabelName(spec: string, name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new UsageError(`--label ${spec}: ${name} is not a valid Prometheus label name`);
  if (RESERVED_LABELS.has(name)) throw new UsageError(`--label ${spec}: ${name} is a label hidlog sets itself`);
  // hidlog_label_overflow_total's `label` names each --label, and what --max-series turned away.
  if (name === SERIES_OVERFLOW_LABEL) throw new UsageError(`--label ${spec}: ${name} is taken: hidlog_label_overflow_total{label="${name}"} counts what --max-series turns away`);
}

/**
 * `--kubernetes-labels namespace,pod` into its label names, each once, checked against the
 * `--label` names (`labels`) the counters already have.
 */
function parseKubernetesLabels(spec: string | undefined, labels: readonly { name: string }[]): KubernetesLabel[] {
  if (spec === undefined) return [];
  const names = spec.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !(KUBERNETES_LABELS as readonly string[]).includes(name));
  if (unknown !== undefined) throw new UsageError(`--kubernetes-labels ${spec}: ${JSON.stringify(unknown)} is not one of ${KUBERNETES_LABELS.join(', ')}`);
  const taken = names.find((name) => labels.some((label) => label.name === name));
  if (taken !== undefined) throw new UsageError(`--kubernetes-labels ${spec}: ${taken} is also a --label`);
  return [...new Set(names as KubernetesLabel[])];
}

/**
 * `--label tenant=ctx.tenant` into validated label names, each with its paths in the order given
 * (a name repeated is one label read from the first of its paths a record has), in the order the
 * names first appear.
 */
function parseLabels(specs: readonly string[]): RecordLabel[] {
  const labels = new Map<string, string[][]>();
  for (const spec of specs) {
    const match = /^([^=]+)=(.+)$/.exec(spec);
    const name = match?.[1] ?? '';
    const path = match?.[2]!.split('.') ?? [];
    if (!match || path.some((key) => key === '')) throw new UsageError(`--label ${spec}: expected NAME=DOT.PATH`);
    checkLabelName(spec, name);
    const paths = labels.get(name);
    if (paths) paths.push(path);
    else labels.set(name, [path]);
  }
  return [...labels].map(([name, paths]) => ({ name, paths }));
}

const strings = (values: readonly unknown[]) => values.map(String);

function inputOptions(argv: InputArgv): InputOptions {
  return {
    files: argv.files.map((file) => (file === STDIN_ARG ? '-' : String(file))),
    fields: parseFields(strings(argv.field)),
    builtinFields: argv['builtin-fields'],
    strict: argv.strict,
    maxLineBytes: argv['max-line-bytes'],
    workers: argv.workers,
    inputFormat: argv['input-format'],
  };
}

function metricsOptions(argv: MetricsArgv & Partial<InferredOptionTypes<typeof SERVE_OPTIONS>>): MetricsOptions {
  const listen = argv['metrics-listen'];
  if (argv['web-config'] !== undefined && listen === undefined) throw new UsageError('--web-config applies with --metrics-listen');
  const labels = parseLabels(strings(argv.label));
  const kubernetesLabels = parseKubernetesLabels(argv['kubernetes-labels'], labels);
  const pushgateway = argv.pushgateway;
  if (pushgateway !== undefined && !/^https?:\/\/[^/]+/.test(pushgateway)) throw new UsageError(`--pushgateway ${pushgateway}: expected an http:// or https:// URL`);
  const address = listen === undefined ? undefined : parseListenAddress(listen);
  if (listen !== undefined && !address) throw new UsageError(`--metrics-listen ${listen}: expected HOST:PORT, [IPv6]:PORT or :PORT`);
  return {
    labels,
    kubernetesLabels,
    maxUnknownCodes: argv['max-unknown-codes'],
    maxLabelValues: argv['max-label-values'],
    maxSeries: argv['max-series'],
    zeroSeries: argv['zero-series'],
    textfile: argv.textfile,
    pushgateway,
    job: argv.job,
    metricsListen: listen === undefined || !address ? undefined : { given: listen, address },
    linger: argv.linger,
    webConfig: argv['web-config'],
  };
}

export function annotateOptions(argv: AnnotateArgv): AnnotateOptions & { follow?: FollowOptions } {
  const key = validateKey(argv.key);
  const options: AnnotateOptions = {
    ...inputOptions(argv),
    ...metricsOptions(argv),
    output: argv.output,
    format: argv.format,
    key,
    deadLetter: argv['dead-letter'],
    catalog: argv.catalog,
  };
  if (!argv.follow) {
    if (argv['state-file'] !== undefined) throw new UsageError('--state-file applies with --follow');
    return options;
  }
  if (options.files.length === 0) throw new UsageError('--follow needs at least one file or quoted glob to follow');
  if (options.files.includes('-')) throw new UsageError('--follow follows files, not stdin');
  if (options.workers !== 1) throw new UsageError('--workers applies to batch inputs, not to --follow');
  return { ...options, follow: { stateFile: argv['state-file'], startAt: argv['start-at'], pollInterval: argv['poll-interval'], watch: argv.watch } };
}

export function countOptions(argv: CountArgv): CountOptions {
  return { ...inputOptions(argv), ...metricsOptions(argv), catalog: argv.catalog };
}

const FORMAT_OF_EXTENSION: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.md': 'markdown', '.markdown': 'markdown', '.json': 'json', '.csv': 'csv', '.txt': 'table' };

/** `--format` (yargs checked its choices), else the output file's extension, else a table (on a terminal and off one alike). */
function formatOf(format: ReportFormat | undefined, output: string | undefined): ReportFormat {
  if (format !== undefined) return format;
  return (output && FORMAT_OF_EXTENSION[extname(output).toLowerCase()]) || 'table';
}

function windowOf(asked: { since?: string | undefined; until?: string | undefined }, zone: Zone): WindowBounds {
  try {
    return askedWindow(asked, zone);
  } catch (error) {
    throw error instanceof AskedWindowError ? new UsageError(error.message) : error;
  }
}

/** What a partial records of how it was read; a window must be of times, not durations before the latest record. */
function partialSetupOf(argv: ReportArgv, zone: Zone, bucket: number | undefined, window: WindowBounds): PartialSetup {
  const absolute = (name: string, asked: string | undefined, bound: Bound | undefined) => {
    if (asked === undefined || bound === undefined) return null;
    if ('before' in bound) throw new UsageError(`--${name} ${asked} with --partial: a duration counts back from the latest record of all the shards, which one shard cannot know; give a time (2026-11-28T08:00:00Z)`);
    return { asked, at: bound.at };
  };
  return {
    timeZone: zone.name,
    timeFields: strings(argv['time-field']),
    by: strings(argv.by),
    bucket: bucket ?? null,
    since: absolute('since', argv.since, window.since),
    until: absolute('until', argv.until, window.until),
  };
}

export function reportOptions(argv: ReportArgv): ReportOptions {
  const zone = parseZone(argv.tz ?? 'UTC');
  if (!zone) throw new UsageError(`--tz ${argv.tz}: not a time zone (expected UTC, an offset such as +02:00, or a name such as Europe/Berlin)`);
  const bucket = argv.bucket === undefined ? undefined : parseDuration(argv.bucket);
  if (argv.bucket !== undefined && (bucket === undefined || bucket < 1000)) throw new UsageError(`--bucket ${argv.bucket}: expected a duration of a second or more (30s, 5m, 1h, 1d)`);
  const timeFields = strings(argv['time-field']);
  const by = strings(argv.by);
  const paths = [...timeFields.map((path) => ({ name: 'time-field', path })), ...by.map((path) => ({ name: 'by', path }))];
  for (const { name, path } of paths) {
    if (path.split('.').some((key) => key === '')) throw new UsageError(`--${name} ${path}: expected DOT.PATH`);
  }
  const window = windowOf(argv, zone);
  const input = inputOptions(argv);
  if (argv.partial && argv.format !== undefined) throw new UsageError(`--format ${argv.format} with --partial: a partial has a format of its own; give --format to the merge`);
  return {
    ...input,
    catalog: argv.catalog,
    output: argv.output,
    formatAsked: argv.format,
    format: formatOf(argv.format, argv.output),
    top: argv.top,
    bucket,
    tz: argv.tz,
    zone,
    since: argv.since,
    until: argv.until,
    window,
    timeFields,
    by,
    quiet: argv.quiet,
    partialSetup: argv.partial && !argv.merge ? partialSetupOf(argv, zone, bucket, window) : undefined,
    partial: argv.partial,
    merge: argv.merge,
  };
}

export function codesOptions(argv: CodesArgv): CodesOptions {
  return { kind: parseKind(argv.kind), category: argv.category, json: argv.json, catalog: argv.catalog };
}

export function explainOptions(argv: ExplainArgv): ExplainOptions {
  const typed = String(argv.code);
  if (!/^-?\d+$/.test(typed)) throw new UsageError(`explain ${typed}: a code is a whole number`);
  return { code: Number(typed), typed, kind: parseKind(argv.kind), catalog: argv.catalog };
}

export function mixinOptions(argv: MixinArgv): MixinOptions {
  // hidlog's own `NAME=DOT.PATH`: a NAME repeated with another path is the same label, one variable.
  const labelsWithPaths = new Set<string>();
  const labels = strings(argv.label).flatMap((spec) => {
    const name = spec.split('=')[0]!;
    checkLabelName(spec, name);
    if (!spec.includes('=')) return [name];
    if (labelsWithPaths.has(name)) return [];
    labelsWithPaths.add(name);
    return [name];
  });
  const config = {
    name: argv.name,
    selector: argv.selector,
    labels,
    runbookUrl: argv['runbook-url'],
    failureSpikeFactor: argv['failure-spike-factor'],
    failureSpikeMinRate: argv['failure-spike-min-rate'],
    serverErrorRatio: argv['server-error-ratio'],
    credentialFailureRate: argv['credential-failure-rate'],
    invalidLineRatio: argv['invalid-line-ratio'],
    minRate: argv['min-rate'],
    stalledAfterSeconds: argv['stalled-after'],
  };
  try {
    checkConfig(config);
  } catch (error) {
    throw error instanceof MixinConfigError ? new UsageError(error.message) : error;
  }
  return { out: argv.out, config };
}
