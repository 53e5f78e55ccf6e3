// What `annotate` and `annotate --follow` share: their options, and setting up a run.
import { CatalogReloads } from '../catalog/reloader.js';
import { createAnnotator, type Annotator } from '../core/annotate.js';
import type { FollowStats } from '../metrics/follow-stats.js';
import type { RunStats } from '../metrics/exposition.js';
import { describeError } from '../common/error-text.js';
import type { WorkerPool } from '../pipeline/worker-pool.js';
import { OutputErrors } from '../sinks/output-errors.js';
import type { Catalog } from '../catalog/catalog.js';
import type { InputOptions } from './inputs.js';
import { warn } from './warn.js';
import { loadRunCatalog, reloadWhileRunning, type CatalogOptions, type RunCatalog } from './catalog-session.js';
import type { MetricsOptions, MetricsSession } from './metrics-session.js';
import { openOutputs, type OutputMode, type Outputs } from './outputs.js';
import { stopSignal } from './signals.js';

export interface AnnotateOptions extends InputOptions, MetricsOptions, CatalogOptions {
  output?: string | undefined;
  format: 'ndjson' | 'pretty';
  /** The key that holds the annotation: a usable key name. */
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
 * The metrics side of an annotate run, only when asked for: a plain run does not load prom-client.
 * `--label` and `--kubernetes-labels` are said to have no effect without it.
 */
async function startMetricsIfAsked(options: MetricsOptions, run: RunStats & { catalog?: Catalog }): Promise<MetricsSession | undefined> {
  if (options.metricsListen === undefined && options.textfile === undefined && options.pushgateway === undefined) {
    if (options.labels.length > 0) warn('--label has no effect without --metrics-listen, --textfile or --pushgateway');
    if (options.kubernetesLabels.length > 0) warn('--kubernetes-labels has no effect without --metrics-listen, --textfile or --pushgateway');
    return undefined;
  }
  const { MetricsSession } = await import('./metrics-session.js');
  return MetricsSession.start(options, warn, run);
}

/**
 * Starts metrics if asked, opens the outputs (see OutputMode); undefined (said in one line) if an
 * output cannot be opened.
 */
export async function setUpAnnotate(options: AnnotateOptions, mode: OutputMode, follow?: FollowStats): Promise<AnnotateSetup | undefined> {
  const catalog = await loadRunCatalog(options);
  // Batch runs keep the table they started with: one run, one table. Runs that go on reload it.
  const reloads = catalog.file && (follow || options.metricsListen !== undefined) ? new CatalogReloads() : undefined;
  const stop = stopSignal();
  const outputErrors = new OutputErrors(options.deadLetter ? ['output', 'dead_letter'] : ['output']);
  const metrics = await startMetricsIfAsked(options, { follow, outputErrors, catalog: catalog.catalog, catalogReloads: reloads });
  const annotator = createAnnotator({
    key: options.key,
    fields: options.fields,
    durationFields: options.durationFields,
    builtinFields: options.builtinFields,
    recordPaths: metrics?.tally.labelPaths,
    catalog: catalog.catalog,
  });
  let outputs: Outputs;
  try {
    outputs = await openOutputs(options, mode, outputErrors, stop);
  } catch (error) {
    warn(describeError(error));
    await metrics?.finish(AbortSignal.abort(), warn);
    return undefined;
  }
  const colour = !options.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const keepCatalogCurrent = async (workers?: WorkerPool) =>
    reloads ? reloadWhileRunning(catalog, reloads, { annotator, tally: metrics?.tally, workers }) : () => undefined;
  return { annotator, maxLineBytes: options.maxLineBytes, stop, metrics, outputs, colour, catalog, keepCatalogCurrent };
}
