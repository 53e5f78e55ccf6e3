// The codes: one counter a kind (hid_http_responses_total, …), the catalog in force
// (hid_code_info) and its size by kind (hidlog_catalog_entries).
import { Counter, Gauge } from 'prom-client';
import { CODE_KINDS, type Catalog, type CodeKind } from '../../catalog/catalog.js';
import { CODE_CATEGORY_LABELS, CODE_INFO_METRIC, CODE_METRICS, HIDLOG_METRICS } from '../../contract/metrics.js';
import { OVERFLOW_VALUE } from '../../count/capped-values.js';
import type { CodeSeries, MetricsTally } from '../../count/tally.js';
import type { Registers } from './read.js';

// The names and labels are the metric contract's (contract/metrics.ts); the help texts are this collector's.
const CODE_COUNTERS: Record<CodeKind, { name: string; help: string; categoryLabel: string }> = {
  http: { name: CODE_METRICS.http, help: 'Records per HTTP status.', categoryLabel: CODE_CATEGORY_LABELS.http },
  error: { name: CODE_METRICS.error, help: 'Records per hid_error reason code (ErrorConstants).', categoryLabel: CODE_CATEGORY_LABELS.error },
  failure: {
    name: CODE_METRICS.failure,
    help: 'Records per hid_failure reason code (AuthenticationResponseConstants).',
    categoryLabel: CODE_CATEGORY_LABELS.failure,
  },
  response: { name: CODE_METRICS.response, help: 'Records per HID response code (1 succeeded, 2 failed).', categoryLabel: CODE_CATEGORY_LABELS.response },
};

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

/** The code counters, hid_code_info and hidlog_catalog_entries, read from the tally (`zeroSeries`: RegistryOptions'). */
export function codeMetrics(registers: Registers, tally: MetricsTally, zeroSeries: boolean | undefined): void {
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
          if (series.count === 0 && zeroSeries === false) continue;
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
    name: CODE_INFO_METRIC,
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
    name: HIDLOG_METRICS.catalogEntries,
    help: "Codes in the catalog in force, by kind (the vendor's, with the site's --catalog file laid over them).",
    labelNames: ['kind'],
    registers,
    collect() {
      for (const kind of CODE_KINDS) this.set({ kind }, tally.catalog.size(kind));
    },
  });
}
