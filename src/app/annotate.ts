import { describeError } from '../common/error-text.js';
import { run } from '../pipeline/run.js';
import { prettyFormatter } from '../sinks/pretty.js';
import type { WorkerPool } from '../pipeline/worker-pool.js';
import { setUpAnnotate, type AnnotateOptions, type AnnotateSetup } from './annotate-setup.js';
import { exitCodeOf, startWorkers } from './batch.js';
import { inputReading, inputsOf } from './inputs.js';
import { warn } from './warn.js';

/** `hidlog annotate`: returns the exit code. */
export async function annotate(args: AnnotateOptions): Promise<number> {
  const setup = await setUpAnnotate(args, 'batch');
  if (!setup) return 1;
  const { metrics, outputs, colour, catalog } = setup;
  const workers = startWorkers(args, {
    key: args.key,
    format: args.format,
    colour,
    output: true,
    deadLetter: outputs.deadLetter !== undefined,
    counting: metrics !== undefined,
    labels: metrics?.tally.options.labels ?? [],
    catalog: catalog.site,
  });
  const stopReloading = await setup.keepCatalogCurrent(workers);
  try {
    return await annotateInputs(args, setup, workers);
  } finally {
    stopReloading();
  }
}

async function annotateInputs(args: AnnotateOptions, setup: AnnotateSetup, workers: WorkerPool | undefined): Promise<number> {
  const { annotator, maxLineBytes, stop, metrics, outputs, colour } = setup;
  const { output, deadLetter } = outputs;
  let opened = 0;
  const report = await run(inputsOf(args), {
    annotator,
    maxLineBytes,
    strict: args.strict,
    output,
    format: args.format === 'pretty' ? prettyFormatter(colour, annotator) : undefined,
    deadLetter,
    observer: metrics?.tally,
    observerOf: metrics?.observerOf,
    signal: stop,
    workers,
    warn,
    opened: () => opened++,
    ...inputReading(args),
  }).finally(() => workers?.close());
  await Promise.all([output.finish(outputs.outputIsFile), deadLetter?.finish(true)]);
  if (stop.aborted) process.stdin.destroy();
  // A reader that went away (`| head -1`) ends the run quietly; any other write error is one line, exit 1.
  const readerLeft = output.error?.code === 'EPIPE';
  for (const [writer, name] of [
    [output, outputs.names.output],
    [deadLetter, outputs.names.deadLetter],
  ] as const) {
    if (writer?.error && !(writer === output && readerLeft)) {
      warn(`cannot write ${name}: ${describeError(writer.error)}`);
      await metrics?.finish(AbortSignal.abort(), warn);
      return 1;
    }
  }
  const metricsOk = (await metrics?.finish(stop, warn, { nothingRead: opened === 0 })) ?? true;
  return exitCodeOf(report, metricsOk);
}
