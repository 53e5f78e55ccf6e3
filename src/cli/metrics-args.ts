import type { Catalog } from '../catalog/catalog.js';
import type { RunStats } from '../metrics/exposition.js';
import type { MetricsSession } from './metrics-session.js';
import { UsageError, parseKubernetesLabels, parseLabels } from './options.js';

export interface MetricsArgs {
  label: string[];
  kubernetesLabels?: string | undefined;
  maxUnknownCodes: number;
  maxLabelValues: number;
  maxSeries: number;
  /** Expose catalog codes at 0 before they are seen (without --label). */
  zeroSeries: boolean;
  textfile?: string | undefined;
  pushgateway?: string | undefined;
  job: string;
  metricsListen?: string | undefined;
  linger?: boolean | undefined;
  webConfig?: string | undefined;
}

/**
 * The metrics side of an annotate run, only when asked for: a plain run does not load prom-client.
 * `--label` is still checked without it, and said to have no effect.
 */
export async function startMetricsIfAsked(args: MetricsArgs, warn: (message: string) => void, run: RunStats & { catalog?: Catalog } = {}): Promise<MetricsSession | undefined> {
  if (args.webConfig !== undefined && args.metricsListen === undefined) throw new UsageError('--web-config applies with --metrics-listen');
  if (args.metricsListen === undefined && args.textfile === undefined && args.pushgateway === undefined) {
    if (args.label.length > 0) {
      parseLabels(args.label);
      warn('--label has no effect without --metrics-listen, --textfile or --pushgateway');
    }
    if (args.kubernetesLabels !== undefined) {
      parseKubernetesLabels(args.kubernetesLabels, parseLabels(args.label));
      warn('--kubernetes-labels has no effect without --metrics-listen, --textfile or --pushgateway');
    }
    return undefined;
  }
  const { MetricsSession } = await import('./metrics-session.js');
  return MetricsSession.start(args, warn, run);
}
