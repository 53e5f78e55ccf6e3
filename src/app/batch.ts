// What the batch runs (annotate, count, report) share.
import { availableParallelism } from 'node:os';
import type { FieldPaths } from '../core/extract.js';
import { readersFor, type InputFormatOption } from '../envelopes/formats.js';
import type { RunOptions, RunReport } from '../pipeline/run.js';
import { WorkerPool, type WorkerSetup } from '../pipeline/worker-pool.js';

/** How the inputs are read, for every command that reads records. */
export interface InputOptions {
  /** As given, `-` for stdin; none: stdin. */
  files: string[];
  /** `--field`: where to read each kind first. */
  fields: FieldPaths;
  builtinFields: boolean;
  strict: boolean;
  maxLineBytes: number;
  /** 0: one per core. */
  workers: number;
  inputFormat: InputFormatOption;
}

/** How each input is read (`--input-format`): the envelopes its lines are read from. */
export function inputReading(options: Pick<InputOptions, 'inputFormat'>): Pick<RunOptions, 'readers' | 'inputFormat'> {
  return { readers: readersFor(options.inputFormat), inputFormat: options.inputFormat };
}

export const warn = (message: string) => process.stderr.write(`hidlog: ${message}\n`);

export function inputsOf(options: Pick<InputOptions, 'files'>): string[] {
  return options.files.length > 0 ? options.files : ['-'];
}

/** A pool for --workers N (0: one per core): this thread and N - 1 worker threads; none for N = 1. */
export function startWorkers(options: InputOptions, setup: Omit<WorkerSetup, 'strict' | 'maxLineBytes' | 'fields' | 'builtinFields' | 'readers'>): WorkerPool | undefined {
  const count = options.workers || availableParallelism();
  if (count <= 1) return undefined;
  const { strict, maxLineBytes, fields, builtinFields } = options;
  return WorkerPool.start(count, { ...setup, strict, maxLineBytes, fields, builtinFields, readers: readersFor(options.inputFormat) });
}

/** The exit code a finished run earns. */
export function exitCodeOf(report: RunReport, metricsOk: boolean): number {
  if (report.strictStop) {
    warn(report.strictStop);
    return 1;
  }
  if (report.outputClosed) return 0;
  return report.failedInputs > 0 || !metricsOk ? 1 : 0;
}
