import { createAnnotator } from '../core/annotate.js';
import { run } from '../pipeline/run.js';
import { ReportAggregator } from '../report/aggregator.js';
import { factsAnnotation, factsSetup } from '../report/facts.js';
import { partialOf } from '../report/partial.js';
import { VERSION } from '../version.js';
import { exitCodeOf, startWorkers } from './batch.js';
import { inputReading, inputsOf } from './inputs.js';
import { warn } from './warn.js';
import { loadRunCatalog } from './catalog-session.js';
import { checkOutputWritable, partialText, writeReport, writeReportOf, type ReportOptions } from './report-output.js';
import { stopSignal } from './signals.js';

/** `hidlog report` (not --merge): reads the inputs once, then writes the report or a partial. Returns the exit code. */
export async function report(args: ReportOptions): Promise<number> {
  await checkOutputWritable(args.output);
  const { zone, bucket, format, top, window, partialSetup } = args;
  const facts = factsSetup({ timeFields: args.timeFields, by: args.by, zone: zone.name });
  const { catalog, site } = await loadRunCatalog(args);
  const aggregator = new ReportAggregator({ facts, zone, window, bucket, top, catalog, partial: args.partial });
  const annotator = createAnnotator({
    fields: args.fields,
    durationFields: args.durationFields,
    builtinFields: args.builtinFields,
    ...factsAnnotation(facts),
    catalog,
  });
  const inputs = inputsOf(args);
  const stop = stopSignal();
  // Loaded only to be shown: cli-progress and its dependencies cost a run that shows none ~15 ms.
  const progress = process.stderr.isTTY && !args.quiet ? await (await import('./progress.js')).startProgress(inputs) : undefined;
  const workers = startWorkers(args, {
    key: 'hid',
    format: 'ndjson',
    colour: false,
    output: false,
    deadLetter: false,
    counting: false,
    labels: [],
    report: facts,
    catalog: site,
  });
  let result;
  try {
    result = await run(inputs, {
      annotator,
      maxLineBytes: args.maxLineBytes,
      strict: args.strict,
      observer: aggregator,
      signal: stop,
      workers,
      warn,
      opened: progress?.opened,
      ...inputReading(args),
      envelopeTimes: true,
    });
    await aggregator.finish();
  } finally {
    progress?.stop();
    aggregator.discard();
    await workers?.close();
  }
  if (stop.aborted) process.stdin.destroy();
  const files = inputs.map((input) => (input === '-' ? 'stdin' : input));
  if (partialSetup) {
    // What the --catalog file changes in counting decides which partials merge (only runs with one load node:crypto).
    const setup = { ...partialSetup, catalog: site ? (await import('../catalog/fingerprint.js')).catalogFingerprint(site) : null };
    // A partial of a run a signal stopped is not its shard's whole: the merge says so.
    const unreadable =
      result.interrupted === undefined
        ? result.unread
        : [...result.unread, `${result.interrupted}: not read to its end (${String(stop.reason ?? 'a signal')} stopped the run)`];
    const context = { files, unreadable, stopped: result.strictStop ?? null, version: VERSION };
    return exitCodeOf(result, await writeReport(partialText(partialOf(aggregator, setup, context)), args.output));
  }
  const context = { files, unreadable: result.failedInputs, zone, top, version: VERSION, asked: { since: args.since, until: args.until } };
  return exitCodeOf(result, await writeReportOf(aggregator, context, format, args.output));
}
