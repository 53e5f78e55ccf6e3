// What `hidlog report` and its merge of partials share: the options, writing the report.
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../common/error-text.js';
import type { ReportAggregator } from '../report/aggregator.js';
import { buildReport, type ReportContext } from '../report/model.js';
import type { AskedPartialSetup, Partial } from '../report/partial.js';
import { render, type ReportFormat } from '../report/render/render.js';
import type { WindowBounds } from '../report/window.js';
import type { Zone } from '../report/zone.js';
import { writeFileAtomically } from '../common/atomic-file.js';
import { LineWriter } from '../sinks/line-writer.js';
import type { InputOptions } from './inputs.js';
import { warn } from './warn.js';
import type { CatalogOptions } from './catalog-session.js';

/** `hidlog report`'s options, read and checked. */
export interface ReportOptions extends InputOptions, CatalogOptions {
  output?: string | undefined;
  /** What --format, or the output's extension, chose. */
  format: ReportFormat;
  top: number;
  /** Milliseconds; undefined: chosen from the time range. */
  bucket: number | undefined;
  /** `--tz` as asked: undefined reads and shows UTC (a merge: the partials' zone). */
  tz?: string | undefined;
  /** The zone `--tz` names, UTC without it. */
  zone: Zone;
  /** `--since` and `--until` as asked, and read in `zone`. */
  since?: string | undefined;
  until?: string | undefined;
  window: WindowBounds;
  timeFields: string[];
  by: string[];
  quiet: boolean;
  /** Set when a partial is written of the inputs (--partial without --merge). */
  partialSetup?: AskedPartialSetup | undefined;
  partial: boolean;
  merge: boolean;
}

export const partialText = (partial: Partial) => `${JSON.stringify(partial)}\n`;

/** A report is written atomically, through a file beside the output: its folder must take one. */
export async function checkOutputWritable(output: string | undefined): Promise<void> {
  if (output === undefined) return;
  await access(dirname(output), constants.W_OK).catch((error: unknown) => {
    throw new Error(`cannot write ${output}: ${describeError(error)}`);
  });
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
  if (report.timeline?.widenedFrom)
    warn(`--bucket ${report.timeline.widenedFrom} would make too many buckets for this time range: the timeline uses ${report.timeline.bucket}`);
  const onTerminal = format === 'table' && output === undefined && process.stdout.isTTY === true;
  const text = await render(format, report, { colour: onTerminal && !process.env.NO_COLOR, width: onTerminal ? process.stdout.columns : undefined });
  return writeReport(text, output);
}
