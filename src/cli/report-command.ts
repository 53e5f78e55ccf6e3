import { access, constants } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { createAnnotator } from '../core/annotate.js';
import { describeError } from '../pipeline/errors.js';
import { run } from '../pipeline/run.js';
import { ReportAggregator } from '../report/aggregator.js';
import { parseDuration } from '../report/duration.js';
import { factsAnnotation, factsSetup } from '../report/facts.js';
import { buildReport, type ReportContext } from '../report/model.js';
import { partialOf } from '../report/partial.js';
import { render, type ReportFormat } from '../report/render/render.js';
import { parseTime } from '../report/time.js';
import type { Bound } from '../report/window.js';
import { parseZone, type Zone } from '../report/zone.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';
import { LineWriter } from '../sinks/line-writer.js';
import { VERSION } from '../version.js';
import { exitCodeOf, inputReading, inputsOf, startWorkers, warn, type InputArgs } from './batch.js';
import { loadCatalogOption, type CatalogArgs } from './catalog-option.js';
import { UsageError, parseFields } from './options.js';
import { mergeCommand, partialSetupOf, partialText } from './report-partial.js';
import { shutdownSignal } from './shutdown.js';

export interface ReportArgs {
  output?: string | undefined;
  format?: string | undefined;
  top: number;
  bucket?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  /** As given: undefined reads and shows UTC (a merge: the partials' zone). */
  tz?: string | undefined;
  timeFields: string[];
  by: string[];
  quiet: boolean;
  partial: boolean;
  merge: boolean;
}

/** The report's options from yargs' argv (REPORT_OPTIONS). */
export function reportArgs(argv: Record<string, unknown>): ReportArgs {
  const text = (value: unknown) => (value === undefined ? undefined : String(value));
  return {
    output: text(argv.output),
    format: text(argv.format),
    top: Number(argv.top),
    bucket: text(argv.bucket),
    since: text(argv.since),
    until: text(argv.until),
    tz: text(argv.tz),
    timeFields: [argv['time-field'] ?? []].flat().map(String),
    by: [argv.by ?? []].flat().map(String),
    quiet: argv.quiet === true,
    partial: argv.partial === true,
    merge: argv.merge === true,
  };
}

const FORMAT_OF_EXTENSION: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.md': 'markdown', '.markdown': 'markdown', '.json': 'json', '.csv': 'csv', '.txt': 'table' };

/** `--format` (yargs checked its choices), else the output file's extension, else a table (on a terminal and off one alike). */
function formatOf(args: ReportArgs): ReportFormat {
  if (args.format !== undefined) return args.format as ReportFormat;
  return (args.output && FORMAT_OF_EXTENSION[extname(args.output).toLowerCase()]) || 'table';
}

/** `--since` / `--until`: a time (read in the zone if it has no offset), or a duration before the latest record. */
function boundOf(name: string, text: string | undefined, zone: Zone): Bound | undefined {
  if (text === undefined) return undefined;
  const before = parseDuration(text);
  if (before !== undefined) return { before };
  const at = parseTime(text, zone);
  if (at === undefined) throw new UsageError(`--${name} ${text}: expected an ISO 8601 time (2026-11-28T09:00:00Z) or a duration before the latest record (2h, 30m, 1d)`);
  return { at };
}

export function windowOf(args: ReportArgs, zone: Zone): { since?: Bound | undefined; until?: Bound | undefined } {
  const since = boundOf('since', args.since, zone);
  const until = boundOf('until', args.until, zone);
  if (since && until && 'at' in since && 'at' in until && since.at >= until.at) throw new UsageError(`--since ${args.since} is not before --until ${args.until}`);
  if (since && until && 'before' in since && 'before' in until && since.before <= until.before) throw new UsageError(`--since ${args.since} is not before --until ${args.until}: --since must reach further back`);
  return { since, until };
}

export async function writeReport(text: string, output: string | undefined): Promise<boolean> {
  if (output !== undefined) {
    try {
      await writeFileAtomically(output, text);
    } catch (error) {
      warn(`cannot write ${output}: ${describeError(error)}`);
      return false;
    }
    return true;
  }
  const writer = new LineWriter(process.stdout);
  writer.writeBytes(Buffer.from(text));
  await writer.finish(false);
  if (writer.error) warn(`cannot write stdout: ${describeError(writer.error)}`);
  return writer.error === undefined;
}

/** The options checked and parsed: one line and exit 2 for a mistake. */
function parseReportArgs(args: InputArgs & ReportArgs) {
  const zone = parseZone(args.tz ?? 'UTC');
  if (!zone) throw new UsageError(`--tz ${args.tz}: not a time zone (expected UTC, an offset such as +02:00, or a name such as Europe/Berlin)`);
  const bucket = args.bucket === undefined ? undefined : parseDuration(args.bucket);
  if (args.bucket !== undefined && (bucket === undefined || bucket < 1000)) throw new UsageError(`--bucket ${args.bucket}: expected a duration of a second or more (30s, 5m, 1h, 1d)`);
  const paths = [...args.timeFields.map((path) => ({ name: 'time-field', path })), ...args.by.map((path) => ({ name: 'by', path }))];
  for (const { name, path } of paths) {
    if (path.split('.').some((key) => key === '')) throw new UsageError(`--${name} ${path}: expected DOT.PATH`);
  }
  return {
    zone,
    bucket,
    format: formatOf(args),
    top: args.top,
    window: windowOf(args, zone),
    fields: parseFields(args.field),
    maxLineBytes: args.maxLineBytes,
    facts: factsSetup({ timeFields: args.timeFields, by: args.by, zone: zone.name }),
  };
}

/** `hidlog report`: reads the inputs once, then writes the report. Returns the exit code. */
export async function reportCommand(args: InputArgs & ReportArgs & CatalogArgs): Promise<number> {
  const { zone, bucket, format, top, window, fields, maxLineBytes, facts } = parseReportArgs(args);
  const setup = args.partial && !args.merge ? partialSetupOf(args, zone, bucket, window) : undefined;
  if (args.output !== undefined) {
    await access(dirname(args.output), constants.W_OK).catch((error: unknown) => {
      throw new Error(`cannot write ${args.output}: ${describeError(error)}`);
    });
  }
  if (args.merge) return mergeCommand(args, { bucket, format, top });
  const { catalog, site } = await loadCatalogOption(args);
  const aggregator = new ReportAggregator({ facts, zone, window, bucket, top, catalog, partial: args.partial });
  const annotator = createAnnotator({ fields, builtinFields: args.builtinFields, ...factsAnnotation(facts), catalog });
  const inputs = inputsOf(args);
  const stop = shutdownSignal();
  // Loaded only to be shown: cli-progress and its dependencies cost a run that shows none ~15 ms.
  const progress = process.stderr.isTTY && !args.quiet ? await (await import('./progress.js')).startProgress(inputs) : undefined;
  const workers = startWorkers(args, { key: 'hid', format: 'ndjson', colour: false, output: false, deadLetter: false, counting: false, labels: [], report: facts, catalog: site });
  let result;
  try {
    result = await run(inputs, { annotator, maxLineBytes, strict: args.strict, observer: aggregator, signal: stop, workers, warn, opened: progress?.opened, ...inputReading(args), envelopeTimes: true });
    await aggregator.finish();
  } finally {
    progress?.stop();
    aggregator.discard();
    await workers?.close();
  }
  if (stop.aborted) process.stdin.destroy();
  const files = inputs.map((input) => (input === '-' ? 'stdin' : input));
  if (setup) return exitCodeOf(result, await writeReport(partialText(partialOf(aggregator, setup, { files, unreadable: result.failedInputs, version: VERSION })), args.output));
  const context = { files, unreadable: result.failedInputs, zone, top, version: VERSION, asked: { since: args.since, until: args.until } };
  return exitCodeOf(result, await writeReportOf(aggregator, context, format, args.output));
}

/** Renders the report of a finished aggregator in `format` and writes it; whether it could be written. */
export async function writeReportOf(aggregator: ReportAggregator, context: ReportContext, format: ReportFormat, output: string | undefined): Promise<boolean> {
  const report = buildReport(aggregator, context);
  if (report.timeline?.widenedFrom) warn(`--bucket ${report.timeline.widenedFrom} would make too many buckets for this time range: the timeline uses ${report.timeline.bucket}`);
  const onTerminal = format === 'table' && output === undefined && process.stdout.isTTY === true;
  const text = render(format, report, { colour: onTerminal && !process.env.NO_COLOR, width: onTerminal ? process.stdout.columns : undefined });
  return writeReport(text, output);
}
