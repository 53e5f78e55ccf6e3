import type { RunStats } from '../metrics/exposition.js';
import type { MetricsSession } from './metrics-session.js';
import { UsageError } from './options.js';

export interface MetricsArgs {
  label: string[];
  maxUnknownCodes: number;
  maxLabelValues: number;
  textfile?: string | undefined;
  pushgateway?: string | undefined;
  job: string;
  metricsListen?: string | undefined;
  linger?: boolean | undefined;
  webConfig?: string | undefined;
}

/** The metrics side of an annotate run, only when asked for: a plain run does not load prom-client. */
export async function startMetricsIfAsked(args: MetricsArgs, warn: (message: string) => void, stats?: RunStats): Promise<MetricsSession | undefined> {
  if (args.webConfig !== undefined && args.metricsListen === undefined) throw new UsageError('--web-config applies with --metrics-listen');
  if (args.metricsListen === undefined && args.textfile === undefined && args.pushgateway === undefined) return undefined;
  const { MetricsSession } = await import('./metrics-session.js');
  return MetricsSession.start(args, warn, stats);
}
