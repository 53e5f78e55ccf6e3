import type { Catalog } from '../catalog/catalog.js';
import type { LiveStats } from '../metrics/exposition.js';
import type { MetricsSession } from './metrics-session.js';

export interface MetricsArgs {
  label: string[];
  maxUnknownCodes: number;
  maxLabelValues: number;
  textfile?: string | undefined;
  pushgateway?: string | undefined;
  job: string;
  metricsListen?: string | undefined;
  linger?: boolean | undefined;
}

/** The metrics side of an annotate run, only when asked for: a plain run does not load prom-client. */
export async function startMetricsIfAsked(args: MetricsArgs, warn: (message: string) => void, run: LiveStats & { catalog?: Catalog } = {}): Promise<MetricsSession | undefined> {
  if (args.metricsListen === undefined && args.textfile === undefined && args.pushgateway === undefined) return undefined;
  const { MetricsSession } = await import('./metrics-session.js');
  return MetricsSession.start(args, warn, run);
}
