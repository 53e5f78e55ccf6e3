import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValueWithName,
  type RegistryContentType,
} from 'prom-client';
import { CODE_KINDS, type Catalog, type CodeKind } from '../catalog/catalog.js';
import type { CatalogReloads } from '../catalog/reloader.js';
import { INVALID_REASONS } from '../core/annotate.js';
import { OUTCOMES } from '../core/outcome.js';
import { OVERFLOW_VALUE } from './capped-values.js';
import { DURATION_BUCKETS, cumulativeBuckets } from './duration-histogram.js';
import type { FollowStats } from './follow-stats.js';
import type { OutputErrors } from '../sinks/output-errors.js';
import type { CodeSeries, MetricsTally } from './tally.js';
import { VERSION } from '../version.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface RegistryOptions {
  format: ExpositionFormat;
  /** prom-client's process metrics: for a live endpoint, not for a textfile or a push of a finished run. */
  processMetrics: boolean;
  /** Follow mode's own numbers, when following files. */
  follow?: FollowStats | undefined;
  /** Failed writes to the outputs, when annotating. */
  outputErrors?: OutputErrors | undefined;
  /** How reloads of the catalog file went, in runs that reload it. */
  catalogReloads?: CatalogReloads | undefined;
  /**
   * Whether to expose the catalog codes the tally starts at 0 (without --label) before they are
   * seen; false (--no-zero-series) shows a code from its first record on. Default true.
   */
  zeroSeries?: boolean | undefined;
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

// The metric contract: names and labels that dashboards and alerts depend on (docs/metrics.md).
const CODE_COUNTERS: Record<CodeKind, { name: string; help: string; categoryLabel: string }> = {
  http: { name: 'hid_http_responses_total', help: 'Records per HTTP status.', categoryLabel: 'category' },
  error: { name: 'hid_errors_total', help: 'Records per hid_error reason code (ErrorConstants).', categoryLabel: 'category' },
  failure: { name: 'hid_failures_total', help: 'Records per hid_failure reason code (AuthenticationResponseConstants).', categoryLabel: 'category' },
  response: { name: 'hid_responses_total', help: 'Records per HID response code (1 succeeded, 2 failed).', categoryLabel: 'result' },
};

/** The latency histogram's name: part of the metric contract, like the code counters'. */
export const DURATION_HISTOGRAM = 'hid_request_duration_seconds';
const DURATION_HELP = `Durations of annotated records (--duration-field, or the built-in fields), by outcome: ${OUTCOMES.join(', ')}.`;

/**
 * hid_request_duration_seconds, read from the tally's durations at each collect. prom-client's
 * Histogram takes observations one at a time; the tally has counted them already, so this one
 * only lays its counts out as prom-client would (buckets, then _sum and _count, per outcome).
 */
class TallyHistogram extends Histogram<'outcome'> {
  constructor(
    private readonly tally: MetricsTally,
    private readonly zeroSeries: boolean,
    registers: Registry<RegistryContentType>[],
  ) {
    super({
      name: DURATION_HISTOGRAM,
      help: DURATION_HELP,
      labelNames: ['outcome'],
      buckets: [...DURATION_BUCKETS],
      registers,
    });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<'outcome'>>> {
    return this.getForPromString();
  }

  // What the registry reads (prom-client's Histogram has it, untyped).
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<'outcome'>>> {
    const values: MetricValueWithName<'outcome' | 'le'>[] = [];
    for (const outcome of OUTCOMES) {
      const counts = this.tally.durations[outcome];
      if (counts.count === 0 && !this.zeroSeries) continue;
      cumulativeBuckets(counts).forEach((value, bucket) => {
        const le = bucket < DURATION_BUCKETS.length ? String(DURATION_BUCKETS[bucket]) : '+Inf';
        values.push({ metricName: `${DURATION_HISTOGRAM}_bucket`, labels: { le, outcome }, value });
      });
      values.push({ metricName: `${DURATION_HISTOGRAM}_sum`, labels: { outcome }, value: counts.sumMicroseconds / 1e6 });
      values.push({ metricName: `${DURATION_HISTOGRAM}_count`, labels: { outcome }, value: counts.count });
    }
    // prom-client's typings call `type` an enum; its registry writes the string it holds.
    const metric = { name: DURATION_HISTOGRAM, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
    return metric as unknown as MetricObjectWithValues<MetricValueWithName<'outcome'>>;
  }
}

/** Series in a stable order (by code, `other` last, then label values), however they were counted. */
function sortedSeries(series: Iterable<CodeSeries>): CodeSeries[] {
  const codeOrder = (code: string) => (code === OVERFLOW_VALUE ? Number.POSITIVE_INFINITY : Number(code));
  return [...series].sort((a, b) => codeOrder(a.code) - codeOrder(b.code) || compareLabels(a.labelValues, b.labelValues));
}

function compareLabels(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * A prom-client registry whose metrics read the tally each time they are collected. Counting
 * stays out of prom-client's label hashing on the per-line path; the values are still
 * cumulative counters, rebuilt from the tally at each scrape.
 */
export function createRegistry(tally: MetricsTally, options: RegistryOptions): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(options.format === 'openmetrics' ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
  const registers = [registry];
  const labelNames = tally.labelNames;

  for (const [kind, spec] of Object.entries(CODE_COUNTERS) as [CodeKind, (typeof CODE_COUNTERS)[CodeKind]][]) {
    new Counter({
      name: spec.name,
      help: spec.help,
      labelNames: ['code', spec.categoryLabel, ...labelNames],
      registers,
      collect() {
        this.reset();
        for (const series of sortedSeries(tally.series[kind].values())) {
          if (series.count === 0 && options.zeroSeries === false) continue;
          const labels: Record<string, string> = { code: series.code, [spec.categoryLabel]: series.category };
          labelNames.forEach((name, i) => (labels[name] = series.labelValues[i]!));
          this.inc(labels, series.count);
        }
      },
    });
  }

  // The table in force, rebuilt only when a reload has swapped it.
  let shown: Catalog | undefined;
  new Gauge({
    name: 'hid_code_info',
    help: 'The catalog in force: one series per code, value 1, to join a code to its description.',
    labelNames: ['kind', 'code', 'category', 'description'],
    registers,
    collect() {
      if (shown === tally.catalog) return;
      shown = tally.catalog;
      this.reset();
      for (const entry of shown.entries())
        this.set({ kind: entry.kind, code: String(entry.code), category: entry.category, description: entry.description }, 1);
    },
  });
  new Gauge({
    name: 'hidlog_catalog_entries',
    help: "Codes in the catalog in force, by kind (the vendor's, with the site's --catalog file laid over them).",
    labelNames: ['kind'],
    registers,
    collect() {
      for (const kind of CODE_KINDS) this.set({ kind }, tally.catalog.size(kind));
    },
  });

  // A counter (or gauge) whose values are read from the tally, or follow stats, at each collect.
  const counter = (name: string, help: string, label: string | undefined, read: () => Iterable<[string, number]> | number) =>
    new Counter({
      name,
      help,
      labelNames: label ? [label] : [],
      registers,
      collect() {
        this.reset();
        const values = read();
        if (typeof values === 'number') this.inc(values);
        else for (const [value, count] of values) this.inc({ [label!]: value }, count);
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });

  counter(
    'hidlog_lines_total',
    'Lines read, by result: annotated (a status or code found), no_codes, invalid (not a record), too_long, partial (a part of a record the line after it ends: CRI P, docker partial).',
    'result',
    () => Object.entries(tally.lines),
  );
  counter('hidlog_invalid_lines_total', `Invalid lines by reason: ${INVALID_REASONS.join(', ')}.`, 'reason', () =>
    INVALID_REASONS.map((reason) => [reason, tally.invalidReasons.get(reason) ?? 0]),
  );
  counter('hidlog_outcomes_total', `Annotated records by outcome: ${OUTCOMES.join(', ')}.`, 'outcome', () =>
    OUTCOMES.map((outcome) => [outcome, tally.outcomes.get(outcome) ?? 0]),
  );
  counter(
    'hidlog_error_statuses_without_reason_total',
    'Records with an HTTP status of 400 or more and no hid_error, hid_failure or response code: the HID body, if logged, is where hidlog does not search.',
    undefined,
    () => tally.errorStatusesWithoutReason,
  );
  new TallyHistogram(tally, options.zeroSeries !== false, registers);
  counter(
    'hidlog_invalid_durations_total',
    'Annotated records whose duration field held no duration: not a finite number, 0 or more (the histogram leaves them out).',
    undefined,
    () => tally.invalidDurations,
  );
  counter('hidlog_bytes_total', 'Bytes read from the inputs, after decompression.', undefined, () => tally.bytesRead);
  counter(
    'hidlog_label_overflow_total',
    'Observations counted under code="other" or a record label\'s "other" because the label\'s cap of distinct values was reached; label="series": under every record label "other" because the code counters reached --max-series series.',
    'label',
    () => tally.overflows().map(({ label, count }) => [label, count]),
  );
  new Gauge({ name: 'hidlog_build_info', help: 'hidlog build information, value 1.', labelNames: ['version'], registers }).set({ version: VERSION }, 1);

  const { outputErrors } = options;
  if (outputErrors) {
    new Counter({
      name: 'hidlog_output_errors_total',
      help: 'Failed writes to an output, by output (output, dead_letter) and error code (ENOSPC, EIO, EPIPE, ..., other).',
      labelNames: ['output', 'error'],
      registers,
      collect() {
        this.reset();
        for (const { output, error, count } of outputErrors.series()) this.inc({ output, error }, count);
      },
    });
  }

  const follow = options.follow;
  if (follow) {
    gauge('hidlog_follow_files', 'Files being followed.', () => follow.files);
    gauge(
      'hidlog_follow_open_files',
      'Followed files held open now: fewer than hidlog_follow_files when the descriptor budget binds (the others are closed while idle).',
      () => follow.openFiles,
    );
    gauge(
      'hidlog_follow_open_files_limit',
      'Followed files held open at most: the open files limit less the descriptors hidlog keeps for itself (+Inf without a limit).',
      () => follow.openFilesLimit,
    );
    counter('hidlog_follow_rotations_total', 'Followed files renamed or deleted (and read to their end).', undefined, () => follow.rotations);
    counter(
      'hidlog_follow_truncations_total',
      'Followed files truncated in place (copytruncate) and read again from the start.',
      undefined,
      () => follow.truncations,
    );
    gauge('hidlog_follow_lag_bytes', 'Bytes written to the followed files and not read yet.', () => follow.lagBytes);
    gauge('hidlog_follow_last_read_timestamp_seconds', 'When lines were last read from a followed file (Unix time).', () => follow.lastLineSeconds);
    counter(
      'hidlog_follow_read_errors_total',
      'Followed files that could not be opened (each reported once, and retried).',
      undefined,
      () => follow.readErrors,
    );
    counter(
      'hidlog_follow_state_save_errors_total',
      'Saves of the --state-file that failed (each retried at the next checkpoint; /healthz fails meanwhile).',
      undefined,
      () => follow.stateSaveErrors,
    );
    gauge(
      'hidlog_follow_state_last_save_successful',
      'Whether the last save of the --state-file succeeded (1; also without one), or failed (0): a restart would read again from the last saved positions.',
      () => (follow.stateFailure === undefined ? 1 : 0),
    );
  }

  const reloads = options.catalogReloads;
  if (reloads) {
    counter(
      'hidlog_catalog_reloads_total',
      'Reloads of the --catalog file (SIGHUP, or the file changed), by result; a failed one keeps the table in force.',
      'result',
      () => [
        ['success', reloads.success],
        ['failure', reloads.failure],
      ],
    );
    gauge(
      'hidlog_catalog_last_reload_success_timestamp_seconds',
      'When the catalog in force was loaded (Unix time): at start, or at the last successful reload.',
      () => reloads.lastSuccessSeconds,
    );
    gauge(
      'hidlog_catalog_last_reload_successful',
      'Whether the last reload of the --catalog file succeeded (1), or failed and the table before it was kept (0).',
      () => (reloads.lastSuccessful ? 1 : 0),
    );
  }

  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    // Gauges that prom-client names like counters: promtool rejects them, and a rate() over them misleads.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  return registry;
}
