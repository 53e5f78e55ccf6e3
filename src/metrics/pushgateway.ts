import { Pushgateway, type RegistryContentType } from 'prom-client';
import { createRegistry } from './registry.js';
import type { OutputErrors } from '../sinks/output-errors.js';
import type { MetricsTally } from '../count/tally.js';

const PUSH_TIMEOUT_MS = 10_000;

/**
 * Pushes the run's counts to a Pushgateway under `job`, replacing what the job pushed before
 * (PUT), as a batch job should: the last run's numbers, not a sum of runs.
 */
export async function pushMetrics(url: string, job: string, tally: MetricsTally, outputErrors?: OutputErrors, zeroSeries = true): Promise<void> {
  const registry = createRegistry(tally, { format: 'prometheus', processMetrics: false, outputErrors, zeroSeries });
  const gateway = new Pushgateway<RegistryContentType>(url, { timeout: PUSH_TIMEOUT_MS }, registry);
  await gateway.push({ jobName: job });
}
