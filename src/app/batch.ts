// What the batch runs that read records (annotate, count, report) share.
import { availableParallelism } from 'node:os';
import { readersFor } from '../envelopes/formats.js';
import type { RunReport } from '../pipeline/run.js';
import { WorkerPool } from '../pipeline/worker-pool.js';
import { REGION_JOB, type WorkerSetup } from './region-job.js';
import type { InputOptions } from './inputs.js';
import { warn } from './warn.js';

/** A pool for --workers N (0: one per core): this thread and N - 1 worker threads; none for N = 1. */
export function startWorkers(
  options: InputOptions,
  setup: Omit<WorkerSetup, 'strict' | 'maxLineBytes' | 'fields' | 'durationFields' | 'builtinFields' | 'readers'>,
): WorkerPool | undefined {
  const count = options.workers || availableParallelism();
  if (count <= 1) return undefined;
  const { strict, maxLineBytes, fields, durationFields, builtinFields } = options;
  return WorkerPool.start(
    count,
    { ...setup, strict, maxLineBytes, fields, durationFields, builtinFields, readers: readersFor(options.inputFormat) },
    REGION_JOB,
  );
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
