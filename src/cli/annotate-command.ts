import { createAnnotator } from '../core/annotate.js';
import { describeError } from '../pipeline/errors.js';
import { run } from '../pipeline/run.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { exitCodeOf, inputsOf, startWorkers, warn, type InputArgs } from './batch.js';
import { startMetricsIfAsked, type MetricsArgs } from './metrics-args.js';
import { parseFields, positiveInteger, validateKey } from './options.js';
import { openOutputs, type Outputs } from './outputs.js';
import { shutdownSignal } from './shutdown.js';

export interface AnnotateArgs extends InputArgs, MetricsArgs {
  output?: string | undefined;
  format: 'ndjson' | 'pretty';
  key: string;
  deadLetter?: string | undefined;
}

/** `hidlog annotate`: returns the exit code. */
export async function annotateCommand(args: AnnotateArgs): Promise<number> {
  const key = validateKey(args.key);
  const fields = parseFields(args.field);
  const maxLineBytes = positiveInteger('max-line-bytes', args.maxLineBytes);
  const stop = shutdownSignal();
  const metrics = await startMetricsIfAsked(args, warn);
  const annotator = createAnnotator({ key, fields, recordPaths: metrics?.tally.labelPaths });
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
