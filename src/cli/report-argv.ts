// The options of report (and --partial, --merge), from argv.
import { extname } from 'node:path';
import type { InferredOptionTypes } from 'yargs';
import type { ReportOptions } from '../app/report-output.js';
import { AskedWindowError, askedWindow } from '../report/asked-window.js';
import { parseDuration } from '../report/duration.js';
import type { AskedPartialSetup } from '../report/partial.js';
import type { ReportFormat } from '../report/render/render.js';
import type { Bound, WindowBounds } from '../report/window.js';
import { parseZone, type Zone } from '../report/zone.js';
import { inputOptions, strings, type InputArgv } from './input-argv.js';
import { UsageError, type CATALOG_OPTIONS, type REPORT_OPTIONS } from './options.js';

export type ReportArgv = InputArgv & InferredOptionTypes<typeof CATALOG_OPTIONS & typeof REPORT_OPTIONS>;

const FORMAT_OF_EXTENSION: Record<string, ReportFormat> = {
  '.html': 'html',
  '.htm': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.json': 'json',
  '.csv': 'csv',
  '.txt': 'table',
};

const REPORT_NOUN: Record<ReportFormat, string> = {
  table: 'a text report',
  markdown: 'a Markdown report',
  json: 'a JSON report',
  csv: 'a CSV report',
  html: 'an HTML page',
};

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
function partialSetupOf(argv: ReportArgv, zone: Zone, bucket: number | undefined, window: WindowBounds): AskedPartialSetup {
  const absolute = (name: string, asked: string | undefined, bound: Bound | undefined) => {
    if (asked === undefined || bound === undefined) return null;
    if ('before' in bound)
      throw new UsageError(
        `--${name} ${asked} with --partial: a duration counts back from the latest record of all the shards, which one shard cannot know; give a time (2026-11-28T08:00:00Z)`,
      );
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
  if (argv.bucket !== undefined && (bucket === undefined || bucket < 1000))
    throw new UsageError(`--bucket ${argv.bucket}: expected a duration of a second or more (30s, 5m, 1h, 1d)`);
  const timeFields = strings(argv['time-field']);
  const by = strings(argv.by);
  const paths = [...timeFields.map((path) => ({ name: 'time-field', path })), ...by.map((path) => ({ name: 'by', path }))];
  for (const { name, path } of paths) {
    if (path.split('.').some((key) => key === '')) throw new UsageError(`--${name} ${path}: expected DOT.PATH`);
  }
  const window = windowOf(argv, zone);
  const input = inputOptions(argv);
  if (argv.partial && argv.format !== undefined)
    throw new UsageError(`--format ${argv.format} with --partial: a partial has a format of its own; give --format to the merge`);
  const named = argv.output && FORMAT_OF_EXTENSION[extname(argv.output).toLowerCase()];
  if (argv.partial && named && named !== 'json')
    throw new UsageError(
      `-o ${argv.output} with --partial: a partial is JSON, not ${REPORT_NOUN[named]}; name it .hidpart, and give -o ${argv.output} to the merge`,
    );
  return {
    ...input,
    catalog: argv.catalog,
    output: argv.output,
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
