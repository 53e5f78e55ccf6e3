// What `annotate` and `annotate --follow` share: their options, and setting up a run.
import { createAnnotator, type Annotator } from '../core/annotate.js';
import type { FollowStats } from '../follow/follower.js';
import { describeError } from '../pipeline/errors.js';
import { OutputErrors } from '../sinks/output-errors.js';
import { warn, type InputArgs } from './batch.js';
import { startMetricsIfAsked, type MetricsArgs } from './metrics-args.js';
import type { MetricsSession } from './metrics-session.js';
import { parseFields, validateKey } from './options.js';
import { openOutputs, type OutputMode, type Outputs } from './outputs.js';
import { shutdownSignal } from './shutdown.js';

export interface AnnotateArgs extends InputArgs, MetricsArgs {
  output?: string | undefined;
  format: 'ndjson' | 'pretty';
  key: string;
  deadLetter?: string | undefined;
}

/** What `annotate` and `annotate --follow` set up alike, in this order. */
export interface AnnotateSetup {
  annotator: Annotator;
  maxLineBytes: number;
  stop: AbortSignal;
  metrics: MetricsSession | undefined;
  outputs: Outputs;
  /** Whether pretty output may be coloured: stdout is a terminal and NO_COLOR is not set. */
  colour: boolean;
}

/**
 * Validates the options, starts metrics if asked, opens the outputs (see OutputMode); undefined
 * (said in one line) if an output cannot be opened.
 */
export async function setUpAnnotate(args: AnnotateArgs, mode: OutputMode, follow?: FollowStats): Promise<AnnotateSetup | undefined> {
  const key = validateKey(args.key);
  const fields = parseFields(args.field);
  const stop = shutdownSignal();
  const outputErrors = new OutputErrors(args.deadLetter ? ['output', 'dead_letter'] : ['output']);
  const metrics = await startMetricsIfAsked(args, warn, { follow, outputErrors });
  const annotator = createAnnotator({ key, fields, recordPaths: metrics?.tally.labelPaths });
  let outputs: Outputs;
  try {
    outputs = await openOutputs(args, mode, outputErrors, stop);
  } catch (error) {
    warn(describeError(error));
    await metrics?.finish(AbortSignal.abort(), warn);
    return undefined;
  }
  const colour = !args.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  return { annotator, maxLineBytes: args.maxLineBytes, stop, metrics, outputs, colour };
}
