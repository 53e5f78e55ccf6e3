// What the batch commands (annotate, count) share.
import { availableParallelism } from 'node:os';
import { readersFor, type InputFormatOption } from '../envelopes/formats.js';
import type { RunOptions, RunReport } from '../pipeline/run.js';
import { WorkerPool, type WorkerSetup } from '../pipeline/worker-pool.js';
import { parseDurationFields, parseFields } from './options.js';

export interface InputArgs {
  files: string[];
  field: string[];
  durationField: string[];
  builtinFields: boolean;
  strict: boolean;
  maxLineBytes: number;
  workers: number;
  inputFormat: InputFormatOption;
}

/** How each input is read (`--input-format`): the envelopes its lines are read from. */
export function inputReading(args: Pick<InputArgs, 'inputFormat'>): Pick<RunOptions, 'readers' | 'inputFormat'> {
  return { readers: readersFor(args.inputFormat), inputFormat: args.inputFormat };
}

export const warn = (message: string) => process.stderr.write(`hidlog: ${message}\n`);

export function inputsOf(args: InputArgs): string[] {
  return args.files.length > 0 ? args.files : ['-'];
}

/** A pool for --workers N (0: one per core): this thread and N - 1 worker threads; none for N = 1. */
export function startWorkers(args: InputArgs, setup: Omit<WorkerSetup, 'strict' | 'maxLineBytes' | 'fields' | 'durationFields' | 'builtinFields' | 'readers'>): WorkerPool | undefined {
  const count = args.workers || availableParallelism();
  if (count <= 1) return undefined;
  const { strict, maxLineBytes, builtinFields } = args;
  return WorkerPool.start(count, { ...setup, strict, maxLineBytes, fields: parseFields(args.field), durationFields: parseDurationFields(args.durationField), builtinFields, readers: readersFor(args.inputFormat) });
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

