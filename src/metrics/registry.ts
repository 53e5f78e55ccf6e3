import { Gauge, Registry, collectDefaultMetrics, type RegistryContentType } from 'prom-client';
import type { CatalogReloads } from '../catalog/reloader.js';
import { HIDLOG_METRICS } from '../contract/metrics.js';
import type { MetricsTally } from '../count/tally.js';
import type { FollowStats } from './follow-stats.js';
import type { OutputErrors } from '../sinks/output-errors.js';
import { VERSION } from '../version.js';
import { catalogReloadMetrics } from './collectors/catalog-reloads.js';
import { codeMetrics } from './collectors/codes.js';
import { followMetrics } from './collectors/follow.js';
import { outputErrorMetrics } from './collectors/output-errors.js';
import { recordMetrics } from './collectors/records.js';

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

/**
 * A prom-client registry whose metrics read the tally each time they are collected. Counting
 * stays out of prom-client's label hashing on the per-line path; the values are still
 * cumulative counters, rebuilt from the tally at each scrape. One collector a concern
 * (collectors/), as prom-client's default metrics are; the order they register in is the order
 * of the exposition.
 */
export function createRegistry(tally: MetricsTally, options: RegistryOptions): Registry<RegistryContentType> {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(options.format === 'openmetrics' ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE);
  const registers = [registry];
  codeMetrics(registers, tally, options.zeroSeries);
  recordMetrics(registers, tally, options.zeroSeries);
  new Gauge({ name: HIDLOG_METRICS.buildInfo, help: 'hidlog build information, value 1.', labelNames: ['version'], registers }).set({ version: VERSION }, 1);
  if (options.outputErrors) outputErrorMetrics(registers, options.outputErrors);
  if (options.follow) followMetrics(registers, options.follow);
  if (options.catalogReloads) catalogReloadMetrics(registers, options.catalogReloads);
  if (options.processMetrics) {
    collectDefaultMetrics({ register: registry });
    // Gauges that prom-client names like counters: promtool rejects them, and a rate() over them misleads.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  }
  return registry;
}
