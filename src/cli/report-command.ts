import { access, constants } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { createAnnotator } from '../core/annotate.js';
import { describeError } from '../pipeline/errors.js';
import { run } from '../pipeline/run.js';
import { ReportAggregator } from '../report/aggregator.js';
import { parseDuration } from '../report/duration.js';
import { factsAnnotation, factsSetup } from '../report/facts.js';
import { partialOf } from '../report/partial.js';
import type { ReportFormat } from '../report/render/render.js';
import { parseZone } from '../report/zone.js';
import { VERSION } from '../version.js';
import { exitCodeOf, inputReading, inputsOf, startWorkers, warn, type InputArgs } from './batch.js';
import { loadCatalogOption, type CatalogArgs } from './catalog-option.js';
import { UsageError, parseDurationFields, parseFields } from './options.js';
import { windowOf, writeReport, writeReportOf, type ReportArgs } from './report-output.js';
import { mergeCommand, partialSetupOf, partialText } from './report-partial.js';
import { shutdownSignal } from './shutdown.js';

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
    durationFields: parseDurationFields(args.durationField),
    maxLineBytes: args.maxLineBytes,
    facts: factsSetup({ timeFields: args.timeFields, by: args.by, zone: zone.name }),
  };
}

/** `hidlog report`: reads the inputs once, then writes the report. Returns the exit code. */
export async function reportCommand(args: InputArgs & ReportArgs & CatalogArgs): Promise<number> {
  const { zone, bucket, format, top, window, fields, durationFields, maxLineBytes, facts } = parseReportArgs(args);
  const setup = args.partial && !args.merge ? partialSetupOf(args, zone, bucket, window) : undefined;
  if (args.output !== undefined) {
    await access(dirname(args.output), constants.W_OK).catch((error: unknown) => {
      throw new Error(`cannot write ${args.output}: ${describeError(error)}`);
    });
  }
  if (args.merge) return mergeCommand(args, { bucket, format, top });
  const { catalog, site } = await loadCatalogOption(args);
  const aggregator = new ReportAggregator({ facts, zone, window, bucket, top, catalog, partial: args.partial });
  const annotator = createAnnotator({ fields, durationFields, builtinFields: args.builtinFields, ...factsAnnotation(facts), catalog });
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
