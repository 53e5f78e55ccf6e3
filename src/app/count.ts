import { createAnnotator } from '../core/annotate.js';
import { run } from '../pipeline/run.js';
import { exitCodeOf, startWorkers } from './batch.js';
import { inputReading, inputsOf, type InputOptions } from './inputs.js';
import { warn } from './warn.js';
import { loadRunCatalog, type CatalogOptions } from './catalog-session.js';
import { MetricsSession, type MetricsOptions } from './metrics-session.js';
import { printAnswer } from './print-answer.js';
import { stopSignal } from './signals.js';

export type CountOptions = InputOptions & Omit<MetricsOptions, 'metricsListen' | 'linger' | 'webConfig'> & CatalogOptions;

/** `hidlog count`: metrics only, no records, like `mtail --one_shot`. Returns the exit code. */
export async function count(args: CountOptions): Promise<number> {
  const { catalog, site } = await loadRunCatalog(args);
  const stop = stopSignal();
  const metrics = await MetricsSession.start(args, warn, { catalog });
  const annotator = createAnnotator({
    fields: args.fields,
    durationFields: args.durationFields,
    builtinFields: args.builtinFields,
    recordPaths: metrics.tally.labelPaths,
    catalog,
  });
  const workers = startWorkers(args, {
    key: 'hid',
    format: 'ndjson',
    colour: false,
    output: false,
    deadLetter: false,
    counting: true,
    labels: metrics.tally.options.labels,
    catalog: site,
  });
  let opened = 0;
  const report = await run(inputsOf(args), {
    annotator,
    maxLineBytes: args.maxLineBytes,
    strict: args.strict,
    observer: metrics.tally,
    observerOf: metrics.observerOf,
    signal: stop,
    workers,
    warn,
    opened: () => opened++,
    ...inputReading(args),
  }).finally(() => workers?.close());
  if (stop.aborted) process.stdin.destroy();
  // No exposition of inputs never read: its zeros would read as a quiet log.
  const nothingRead = opened === 0;
  if (args.textfile === undefined && !nothingRead) printAnswer(await metrics.finalText());
  const metricsOk = await metrics.finish(stop, warn, { nothingRead });
  return exitCodeOf(report, metricsOk);
}
