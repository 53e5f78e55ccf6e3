import { once } from 'node:events';
import type { Catalog } from '../catalog/catalog.js';
import { Exposition, type LiveStats } from '../metrics/exposition.js';
import { pushMetrics } from '../metrics/pushgateway.js';
import { parseListenAddress, startMetricsServer, type MetricsServer } from '../metrics/server.js';
import { MetricsTally } from '../metrics/tally.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';
import { describeError } from '../pipeline/errors.js';
import type { MetricsArgs } from './metrics-args.js';
import { UsageError, nonNegativeInteger, parseLabels } from './options.js';

/** The metrics side of a run: the tally, the /metrics server, and what is written when the run ends. */
export class MetricsSession {
  private server: MetricsServer | undefined;

  private constructor(
    readonly tally: MetricsTally,
    private readonly args: MetricsArgs,
  ) {}

  /** `run`: the table to count by, and a long run's own numbers for /metrics. */
  static async start(args: MetricsArgs, warn: (message: string) => void, run: LiveStats & { catalog?: Catalog } = {}): Promise<MetricsSession> {
    const { catalog, ...live } = run;
    const tally = new MetricsTally({
      labels: parseLabels(args.label),
      maxUnknownCodes: nonNegativeInteger('max-unknown-codes', args.maxUnknownCodes),
      maxLabelValues: nonNegativeInteger('max-label-values', args.maxLabelValues),
      catalog,
    });
    if (args.pushgateway !== undefined && !/^https?:\/\/[^/]+/.test(args.pushgateway)) {
      throw new UsageError(`--pushgateway ${args.pushgateway}: expected an http:// or https:// URL`);
    }
    const session = new MetricsSession(tally, args);
    if (args.metricsListen !== undefined) {
      const address = parseListenAddress(args.metricsListen);
      if (!address) throw new UsageError(`--metrics-listen ${args.metricsListen}: expected HOST:PORT, [IPv6]:PORT or :PORT`);
      try {
        session.server = await startMetricsServer(address, new Exposition(tally, true, live));
      } catch (error) {
        throw new Error(`cannot listen on ${args.metricsListen}: ${describeError(error)}`);
      }
      warn(`serving metrics on ${session.server.url}/metrics`);
    }
    return session;
  }

  /** The exposition of the finished run, without process metrics (it outlives the process). */
  async finalText(): Promise<string> {
    return (await new Exposition(this.tally, false).render('prometheus')).body;
  }

  /**
   * Writes the textfile and pushes, then lingers if asked until `stop` fires, then closes the
   * server. Returns false when a textfile or push failed (each reported in one line).
   */
  async finish(stop: AbortSignal, warn: (message: string) => void): Promise<boolean> {
    let ok = true;
    const { textfile, pushgateway, job, linger } = this.args;
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
        await pushMetrics(pushgateway, job, this.tally);
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
