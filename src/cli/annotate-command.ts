import { createAnnotator } from '../core/annotate.js';
import { describeError } from '../pipeline/errors.js';
import { run, type RunReport } from '../pipeline/run.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { startMetricsIfAsked, type MetricsArgs } from './metrics-args.js';
import { openOutputs, type Outputs } from './outputs.js';
import { shutdownSignal } from './shutdown.js';
import { availableParallelism } from 'node:os';
import { WorkerPool, type WorkerSetup } from '../pipeline/worker-pool.js';
import { nonNegativeInteger, parseFields, positiveInteger, validateKey } from './options.js';

export interface InputArgs {
  files: string[];
  field: string[];
  strict: boolean;
  maxLineBytes: number;
  workers: number;
}

export interface AnnotateArgs extends InputArgs, MetricsArgs {
  output?: string | undefined;
  format: 'ndjson' | 'pretty';
  key: string;
  deadLetter?: string | undefined;
}

export const warn = (message: string) => process.stderr.write(`hidlog: ${message}\n`);

export function inputsOf(args: InputArgs): string[] {
  return args.files.length > 0 ? args.files : ['-'];
}

/** A pool for --workers N (0: one per core); none for one worker, which is this thread. */
export function startWorkers(args: InputArgs, setup: Omit<WorkerSetup, 'strict' | 'maxLineBytes' | 'fields'>): WorkerPool | undefined {
  const count = nonNegativeInteger('workers', args.workers) || availableParallelism();
  if (count <= 1) return undefined;
  return WorkerPool.start(count, { ...setup, strict: args.strict, maxLineBytes: args.maxLineBytes, fields: parseFields(args.field) });
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

/** `hidlog annotate`: returns the exit code. */
export async function annotateCommand(args: AnnotateArgs): Promise<number> {
  const annotator = createAnnotator({ key: validateKey(args.key), fields: parseFields(args.field) });
  const maxLineBytes = positiveInteger('max-line-bytes', args.maxLineBytes);
  const stop = shutdownSignal();
  const metrics = await startMetricsIfAsked(args, warn);
  let outputs: Outputs;
  try {
    outputs = await openOutputs(args, 'w');
  } catch (error) {
    warn(describeError(error));
    await metrics?.finish(AbortSignal.abort(), warn);
    return 1;
  }
  const { output, deadLetter } = outputs;
  const colour = !args.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const workers = startWorkers(args, { key: args.key, format: args.format, colour, output: true, deadLetter: deadLetter !== undefined, counting: metrics !== undefined, labels: metrics?.tally.options.labels ?? [] });
  const report = await run(inputsOf(args), {
    annotator,
    maxLineBytes,
    strict: args.strict,
    output,
    format: args.format === 'pretty' ? prettyFormatter(colour) : undefined,
    deadLetter,
    observer: metrics?.tally,
    signal: stop,
    workers,
    warn,
  }).finally(() => workers?.close());
  await Promise.all([output.finish(outputs.outputIsFile), deadLetter?.finish(true)]);
  if (stop.aborted) process.stdin.destroy();
  for (const [writer, name] of [[output, args.output ?? 'stdout'], [deadLetter, args.deadLetter]] as const) {
    if (writer?.error) {
      warn(`cannot write ${name}: ${describeError(writer.error)}`);
      await metrics?.finish(AbortSignal.abort(), warn);
      return 1;
    }
  }
  const metricsOk = (await metrics?.finish(stop, warn)) ?? true;
  return exitCodeOf(report, metricsOk);
}
