import { once } from 'node:events';
import type { Catalog } from '../catalog/catalog.js';
import { Exposition, type RunStats } from '../metrics/exposition.js';
import { pushMetrics } from '../metrics/pushgateway.js';
import { parseListenAddress, startMetricsServer, type MetricsServer } from '../metrics/server.js';
import type { WebConfigSource } from '../metrics/web-config/source.js';
import { kubernetesLabelValues, type KubernetesLabel } from '../metrics/kubernetes-labels.js';
import { MetricsTally } from '../metrics/tally.js';
import type { Observer } from '../pipeline/events.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';
import { describeError } from '../pipeline/errors.js';
import type { MetricsArgs } from './metrics-args.js';
import { UsageError, parseKubernetesLabels, parseLabels } from './options.js';

// /metrics serves one rendering to every request within this long of it: a flood of requests
// then costs the log one rendering a second, and a scraper sees counts at most this old.
const EXPOSITION_REUSE_MS = 1000;

/** The web configuration, loaded whole: a file that cannot serve is a usage error (exit 2). */
async function openWebConfig(file: string, warn: (message: string) => void): Promise<WebConfigSource> {
  const [{ WebConfigSource }, { WebConfigError }] = await Promise.all([import('../metrics/web-config/source.js'), import('../metrics/web-config/config.js')]);
  try {
    const web = await WebConfigSource.open(file, warn);
    if (web.current.auth && !web.current.tls) warn(`--web-config ${file}: basic_auth_users without tls_server_config: passwords cross the network in clear text`);
    return web;
  } catch (error) {
    if (error instanceof WebConfigError) throw new UsageError(`--web-config ${file}: ${error.message}`);
    throw error;
  }
}

/** The metrics side of a run: the tally, the /metrics server, and what is written when the run ends. */
export class MetricsSession {
  private server: MetricsServer | undefined;

  private constructor(
    readonly tally: MetricsTally,
    private readonly args: MetricsArgs,
    private readonly stats: RunStats,
    private readonly kubernetesLabels: readonly KubernetesLabel[],
  ) {}

  /**
   * With --kubernetes-labels: the observer of the lines read from the file at a path (stdin
   * `-`), counting them under the labels its path gives. Undefined without: the tally observes all.
   */
  get observerOf(): ((path: string) => Observer) | undefined {
    const { kubernetesLabels, tally } = this;
    if (kubernetesLabels.length === 0) return undefined;
    return (path) => tally.forInput(kubernetesLabelValues(kubernetesLabels, path === '-' ? undefined : path));
  }

  /** `run`: the table to count by, and the run's own numbers for /metrics. */
  static async start(args: MetricsArgs, warn: (message: string) => void, run: RunStats & { catalog?: Catalog } = {}): Promise<MetricsSession> {
    const { catalog, ...stats } = run;
    const labels = parseLabels(args.label);
    const kubernetesLabels = parseKubernetesLabels(args.kubernetesLabels, labels);
    const tally = new MetricsTally({
      labels,
      inputLabels: kubernetesLabels,
      maxUnknownCodes: args.maxUnknownCodes,
      maxLabelValues: args.maxLabelValues,
      maxSeries: args.maxSeries,
      catalog,
    });
    if (args.pushgateway !== undefined && !/^https?:\/\/[^/]+/.test(args.pushgateway)) {
      throw new UsageError(`--pushgateway ${args.pushgateway}: expected an http:// or https:// URL`);
    }
    const session = new MetricsSession(tally, args, stats, kubernetesLabels);
    if (args.metricsListen !== undefined) {
      const address = parseListenAddress(args.metricsListen);
      if (!address) throw new UsageError(`--metrics-listen ${args.metricsListen}: expected HOST:PORT, [IPv6]:PORT or :PORT`);
      const web = args.webConfig === undefined ? undefined : await openWebConfig(args.webConfig, warn);
      try {
        session.server = await startMetricsServer(address, new Exposition(tally, true, { ...stats, zeroSeries: args.zeroSeries }, { reuseMs: EXPOSITION_REUSE_MS }), web);
      } catch (error) {
        throw new Error(`cannot listen on ${args.metricsListen}: ${describeError(error)}`);
      }
      warn(`serving metrics on ${session.server.url}/metrics`);
    }
    return session;
  }

  /** The exposition of the finished run, without process metrics or follow mode's gauges (it outlives the process). */
  async finalText(): Promise<string> {
    return (await new Exposition(this.tally, false, { outputErrors: this.stats.outputErrors, zeroSeries: this.args.zeroSeries }).render('prometheus')).body;
  }

  /**
   * Writes the textfile and pushes, then lingers if asked until `stop` fires, then closes the
   * server. Returns false when a textfile or push failed (each reported in one line).
   * `nothingRead`: no input could be opened, so neither is done: zeros would replace the last
   * run's numbers.
   */
  async finish(stop: AbortSignal, warn: (message: string) => void, { nothingRead = false } = {}): Promise<boolean> {
    let ok = true;
    const { job, linger } = this.args;
    const textfile = nothingRead ? undefined : this.args.textfile;
    const pushgateway = nothingRead ? undefined : this.args.pushgateway;
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
        await pushMetrics(pushgateway, job, this.tally, this.stats.outputErrors, this.args.zeroSeries);
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
