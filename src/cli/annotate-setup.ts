// What `annotate` and `annotate --follow` share: their options, and setting up a run.
import { CatalogReloads } from '../catalog/reloader.js';
import { createAnnotator, type Annotator } from '../core/annotate.js';
import type { FollowStats } from '../follow/follower.js';
import { describeError } from '../pipeline/errors.js';
import type { WorkerPool } from '../pipeline/worker-pool.js';
import { OutputErrors } from '../sinks/output-errors.js';
import { warn, type InputArgs } from './batch.js';
import { loadCatalogOption, reloadWhileRunning, type CatalogArgs, type RunCatalog } from './catalog-option.js';
import { startMetricsIfAsked, type MetricsArgs } from './metrics-args.js';
import type { MetricsSession } from './metrics-session.js';
import { parseDurationFields, parseFields, validateKey } from './options.js';
import { openOutputs, type OutputMode, type Outputs } from './outputs.js';
import { shutdownSignal } from './shutdown.js';

export interface AnnotateArgs extends InputArgs, MetricsArgs, CatalogArgs {
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
  catalog: RunCatalog;
  /**
   * In a run that goes on (follow mode, a served /metrics) with --catalog: reloads the table
   * into the annotator, the tally and `workers` until the returned function is called.
   */
  keepCatalogCurrent(workers?: WorkerPool): Promise<() => void>;
}

/**
 * Validates the options, starts metrics if asked, opens the outputs (see OutputMode); undefined
 * (said in one line) if an output cannot be opened.
 */
export async function setUpAnnotate(args: AnnotateArgs, mode: OutputMode, follow?: FollowStats): Promise<AnnotateSetup | undefined> {
  const key = validateKey(args.key);
  const fields = parseFields(args.field);
  const catalog = await loadCatalogOption(args);
  // Batch runs keep the table they started with: one run, one table. Runs that go on reload it.
  const reloads = catalog.file && (follow || args.metricsListen !== undefined) ? new CatalogReloads() : undefined;
  const stop = shutdownSignal();
  const outputErrors = new OutputErrors(args.deadLetter ? ['output', 'dead_letter'] : ['output']);
  const metrics = await startMetricsIfAsked(args, warn, { follow, outputErrors, catalog: catalog.catalog, catalogReloads: reloads });
  const annotator = createAnnotator({ key, fields, durationFields: parseDurationFields(args.durationField), builtinFields: args.builtinFields, recordPaths: metrics?.tally.labelPaths, catalog: catalog.catalog });
  let outputs: Outputs;
  try {
    outputs = await openOutputs(args, mode, outputErrors, stop);
  } catch (error) {
    warn(describeError(error));
    await metrics?.finish(AbortSignal.abort(), warn);
    return undefined;
  }
  const colour = !args.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const keepCatalogCurrent = async (workers?: WorkerPool) =>
    reloads ? reloadWhileRunning(catalog, reloads, { annotator, tally: metrics?.tally, workers }) : () => undefined;
  return { annotator, maxLineBytes: args.maxLineBytes, stop, metrics, outputs, colour, catalog, keepCatalogCurrent };
}
