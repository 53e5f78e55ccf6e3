import { once } from 'node:events';
import type { Catalog } from '../catalog/catalog.js';
import { Exposition, type RunStats } from '../metrics/exposition.js';
import { pushMetrics } from '../metrics/pushgateway.js';
import type { ListenAddress } from '../metrics/listen-address.js';
import { startMetricsServer, type MetricsServer } from '../metrics/server.js';
import type { WebConfigSource } from '../metrics/web-config/source.js';
import { kubernetesLabelValues, type KubernetesLabel } from '../metrics/kubernetes-labels.js';
import { MetricsTally, type RecordLabel } from '../count/tally.js';
import type { Observer } from '../pipeline/events.js';
import type { LineCounts } from '../count/line-counts.js';
import { writeFileAtomically } from '../common/atomic-file.js';
import { describeError } from '../common/error-text.js';
import { Refusal } from './refusal.js';

/** What the metrics side of a run is asked for. */
export interface MetricsOptions {
  /** `--label NAME=DOT.PATH`, each name once with its paths in order. */
  labels: RecordLabel[];
  kubernetesLabels: KubernetesLabel[];
  maxUnknownCodes: number;
  maxLabelValues: number;
  maxSeries: number;
  /** Expose catalog codes at 0 before they are seen (without --label). */
  zeroSeries: boolean;
  textfile?: string | undefined;
  /** An http:// or https:// URL. */
  pushgateway?: string | undefined;
  job: string;
  /** `--metrics-listen`, as given and as read. */
  metricsListen?: { given: string; address: ListenAddress } | undefined;
  linger?: boolean | undefined;
  /** With metricsListen only. */
  webConfig?: string | undefined;
}

// /metrics serves one rendering to every request within this long of it: a flood of requests
// then costs the log one rendering a second, and a scraper sees counts at most this old.
const EXPOSITION_REUSE_MS = 1000;

/** The web configuration, loaded whole: a file that cannot serve is a usage error (exit 2). */
async function openWebConfig(file: string, warn: (message: string) => void): Promise<WebConfigSource> {
  const [{ WebConfigSource }, { WebConfigError }] = await Promise.all([import('../metrics/web-config/source.js'), import('../metrics/web-config/config.js')]);
  try {
    const web = await WebConfigSource.open(file, warn);
    if (web.current.auth && !web.current.tls)
      warn(`--web-config ${file}: basic_auth_users without tls_server_config: passwords cross the network in clear text`);
    return web;
  } catch (error) {
    if (error instanceof WebConfigError) throw new Refusal(`--web-config ${file}: ${error.message}`);
    throw error;
  }
}

/** The metrics side of a run: the tally, the /metrics server, and what is written when the run ends. */
export class MetricsSession {
  private server: MetricsServer | undefined;

  private constructor(
    readonly tally: MetricsTally,
    private readonly options: MetricsOptions,
    private readonly stats: RunStats,
    private readonly kubernetesLabels: readonly KubernetesLabel[],
  ) {}

  /**
   * With --kubernetes-labels: the observer of the lines read from the file at a path (stdin
   * `-`), counting them under the labels its path gives. Undefined without: the tally observes all.
   */
  get observerOf(): ((path: string) => Observer<LineCounts>) | undefined {
    const { kubernetesLabels, tally } = this;
    if (kubernetesLabels.length === 0) return undefined;
    return (path) => tally.forInput(kubernetesLabelValues(kubernetesLabels, path === '-' ? undefined : path));
  }

  /** `run`: the table to count by, and the run's own numbers for /metrics. */
  static async start(options: MetricsOptions, warn: (message: string) => void, run: RunStats & { catalog?: Catalog } = {}): Promise<MetricsSession> {
    const { catalog, ...stats } = run;
    const { labels, kubernetesLabels, metricsListen } = options;
    const tally = new MetricsTally({
      labels,
      inputLabels: kubernetesLabels,
      maxUnknownCodes: options.maxUnknownCodes,
      maxLabelValues: options.maxLabelValues,
      maxSeries: options.maxSeries,
      catalog,
    });
    const session = new MetricsSession(tally, options, stats, kubernetesLabels);
    if (metricsListen !== undefined) {
      const web = options.webConfig === undefined ? undefined : await openWebConfig(options.webConfig, warn);
      try {
        session.server = await startMetricsServer(
          metricsListen.address,
          new Exposition(tally, true, { ...stats, zeroSeries: options.zeroSeries }, { reuseMs: EXPOSITION_REUSE_MS }),
          web,
        );
      } catch (error) {
        throw new Error(`cannot listen on ${metricsListen.given}: ${describeError(error)}`);
      }
      warn(`serving metrics on ${session.server.url}/metrics`);
    }
    return session;
  }

  /** The exposition of the finished run, without process metrics or follow mode's gauges (it outlives the process). */
  async finalText(): Promise<string> {
    return (await new Exposition(this.tally, false, { outputErrors: this.stats.outputErrors, zeroSeries: this.options.zeroSeries }).render('prometheus')).body;
  }

  /**
   * Writes the textfile and pushes, then lingers if asked until `stop` fires, then closes the
   * server. Returns false when a textfile or push failed (each reported in one line).
   * `nothingRead`: no input could be opened, so neither is done: zeros would replace the last
   * run's numbers.
   */
  async finish(stop: AbortSignal, warn: (message: string) => void, { nothingRead = false } = {}): Promise<boolean> {
    let ok = true;
    const { job, linger } = this.options;
    const textfile = nothingRead ? undefined : this.options.textfile;
    const pushgateway = nothingRead ? undefined : this.options.pushgateway;
    if (textfile !== undefined) {
      try {
        await writeFileAtomically(textfile, await this.finalText());
      } catch (error) {
        warn(`cannot write textfile ${textfile}: ${describeError(error)}`);
        ok = false;
      }
    }
    if (pushgateway !== undefined) {
      try {
        await pushMetrics(pushgateway, job, this.tally, this.stats.outputErrors, this.options.zeroSeries);
      } catch (error) {
        warn(`cannot push to ${pushgateway}: ${describeError(error)}`);
        ok = false;
      }
    }
    if (this.server && linger && !stop.aborted) await once(stop, 'abort');
    await this.server?.close();
    return ok;
  }
}
