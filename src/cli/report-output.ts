// What `hidlog report` and its merge of partials share: the options, the window, writing the report.
import { describeError } from '../pipeline/errors.js';
import type { ReportAggregator } from '../report/aggregator.js';
import { parseDuration } from '../report/duration.js';
import { buildReport, type ReportContext } from '../report/model.js';
import { render, type ReportFormat } from '../report/render/render.js';
import { parseTime } from '../report/time.js';
import type { Bound } from '../report/window.js';
import type { Zone } from '../report/zone.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';
import { LineWriter } from '../sinks/line-writer.js';
import { warn } from './batch.js';
import { UsageError } from './options.js';

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

/** Renders the report of a finished aggregator in `format` and writes it; whether it could be written. */
export async function writeReportOf(aggregator: ReportAggregator, context: ReportContext, format: ReportFormat, output: string | undefined): Promise<boolean> {
  const report = buildReport(aggregator, context);
  if (report.timeline?.widenedFrom) warn(`--bucket ${report.timeline.widenedFrom} would make too many buckets for this time range: the timeline uses ${report.timeline.bucket}`);
  const onTerminal = format === 'table' && output === undefined && process.stdout.isTTY === true;
  const text = render(format, report, { colour: onTerminal && !process.env.NO_COLOR, width: onTerminal ? process.stdout.columns : undefined });
  return writeReport(text, output);
}
