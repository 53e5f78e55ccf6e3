import { describe, expect, it } from 'vitest';
import { CatalogReloads } from '../../src/catalog/reloader.js';
import { CODE_KINDS } from '../../src/catalog/catalog.js';
import {
  CODE_CATEGORY_LABELS,
  CODE_INFO_METRIC,
  CODE_METRICS,
  DURATION_METRIC,
  HIDLOG_METRICS,
  RESERVED_LABELS,
  SERIES_OVERFLOW_LABEL,
  isLabelName,
} from '../../src/contract/metrics.js';
import { MetricsTally } from '../../src/count/tally.js';
import { FollowStats } from '../../src/metrics/follow-stats.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { OutputErrors } from '../../src/sinks/output-errors.js';

/** Every metric a registry with every part exposes (follow mode's, catalog reloads', output errors'), with its label names. */
async function exposed(labels: string[]): Promise<Map<string, Set<string>>> {
  const tally = new MetricsTally({ labels: labels.map((name) => ({ name, paths: [[name]] })), maxUnknownCodes: 1, maxLabelValues: 1 });
  const registry = createRegistry(tally, {
    format: 'prometheus',
    processMetrics: false,
    follow: new FollowStats(),
    outputErrors: new OutputErrors(['output']),
    catalogReloads: new CatalogReloads(),
  });
  const metrics = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const names = new Set<string>();
    for (const value of metric.values) for (const name of Object.keys(value.labels)) names.add(name);
    metrics.set(metric.name, names);
  }
  return metrics;
}

describe('the metric contract', () => {
  it('names every metric the registry exposes, and no other', async () => {
    const contract = [...Object.values(CODE_METRICS), DURATION_METRIC, CODE_INFO_METRIC, ...Object.values(HIDLOG_METRICS)];
    expect(new Set(contract).size).toBe(contract.length);
    expect([...(await exposed([])).keys()].sort()).toEqual([...contract].sort());
  });

  it('gives each code counter its code and its category label (a series at 0 for each catalog code, without --label)', async () => {
    const metrics = await exposed([]);
    for (const kind of CODE_KINDS) expect(metrics.get(CODE_METRICS[kind]), kind).toEqual(new Set(['code', CODE_CATEGORY_LABELS[kind]]));
  });

  it('reserves every label hidlog sets on the metrics of records, so no --label takes one', async () => {
    const metrics = await exposed([]);
    const set = [
      ...Object.values(CODE_METRICS),
      DURATION_METRIC,
      CODE_INFO_METRIC,
      HIDLOG_METRICS.lines,
      HIDLOG_METRICS.outcomes,
      HIDLOG_METRICS.labelOverflow,
    ];
    for (const name of set) for (const label of metrics.get(name)!) expect(RESERVED_LABELS.has(label), `${name}{${label}}`).toBe(true);
    for (const label of RESERVED_LABELS) expect(isLabelName(label)).toBe(true);
    expect(RESERVED_LABELS.has(SERIES_OVERFLOW_LABEL)).toBe(false);
  });

  it('takes label names as Prometheus does for a user’s label', () => {
    for (const name of ['tenant', '_x', 'a1_B']) expect(isLabelName(name), name).toBe(true);
    for (const name of ['', '1a', 'a-b', 'é', '__name__']) expect(isLabelName(name), name).toBe(false);
  });
});
