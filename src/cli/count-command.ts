import { createAnnotator } from '../core/annotate.js';
import { run } from '../pipeline/run.js';
import { exitCodeOf, inputReading, inputsOf, startWorkers, warn, type InputArgs } from './batch.js';
import { printAnswer } from './print-answer.js';
import { loadCatalogOption, type CatalogArgs } from './catalog-option.js';
import type { MetricsArgs } from './metrics-args.js';
import { MetricsSession } from './metrics-session.js';
import { shutdownSignal } from './shutdown.js';
import { parseDurationFields, parseFields } from './options.js';

/** `hidlog count`: metrics only, no records, like `mtail --one_shot`. Returns the exit code. */
export async function countCommand(args: InputArgs & MetricsArgs & CatalogArgs): Promise<number> {
  const fields = parseFields(args.field);
  const { catalog, site } = await loadCatalogOption(args);
  const stop = shutdownSignal();
  const metrics = await MetricsSession.start(args, warn, { catalog });
  const annotator = createAnnotator({ fields, durationFields: parseDurationFields(args.durationField), builtinFields: args.builtinFields, recordPaths: metrics.tally.labelPaths, catalog });
  const workers = startWorkers(args, { key: 'hid', format: 'ndjson', colour: false, output: false, deadLetter: false, counting: true, labels: metrics.tally.options.labels, catalog: site });
  let opened = 0;
  const report = await run(inputsOf(args), { annotator, maxLineBytes: args.maxLineBytes, strict: args.strict, observer: metrics.tally, observerOf: metrics.observerOf, signal: stop, workers, warn, opened: () => opened++, ...inputReading(args) }).finally(() =>
    workers?.close(),
  );
  if (stop.aborted) process.stdin.destroy();
  // No exposition of inputs never read: its zeros would read as a quiet log.
  const nothingRead = opened === 0;
  if (args.textfile === undefined && !nothingRead) printAnswer(await metrics.finalText());
  const metricsOk = await metrics.finish(stop, warn, { nothingRead });
  return exitCodeOf(report, metricsOk);
}
