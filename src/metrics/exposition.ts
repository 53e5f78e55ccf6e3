import type { Registry, RegistryContentType } from 'prom-client';
import { createRegistry, type ExpositionFormat, type RegistryOptions } from './registry.js';
import type { MetricsTally } from './tally.js';

/** A run's own numbers beside the tally: follow mode's, the outputs' failed writes, catalog reloads. */
export type RunStats = Pick<RegistryOptions, 'follow' | 'outputErrors' | 'catalogReloads'>;

/** What an exposition shows beside the tally: the run's own numbers, and whether codes not seen yet show at 0. */
export type ExposedStats = RunStats & Pick<RegistryOptions, 'zeroSeries'>;

export interface Rendered {
  contentType: string;
  body: string;
}

/** The tally as exposition text, in the format a scraper asks for (OpenMetrics or Prometheus 0.0.4). */
export class Exposition {
  private readonly registries = new Map<ExpositionFormat, Registry<RegistryContentType>>();

  constructor(
    private readonly tally: MetricsTally,
    private readonly processMetrics: boolean,
    private readonly stats: ExposedStats = {},
  ) {}

  /**
   * Why hidlog is not healthy, for /healthz: a state file it cannot save. Named, not detailed: the
   * probe needs no password, so it tells no path (stderr and /metrics tell the rest).
   */
  get problem(): string | undefined {
    return this.stats.follow?.stateFailure === undefined ? undefined : 'state file not saved';
  }

  async render(format: ExpositionFormat = 'prometheus'): Promise<Rendered> {
    // One registry per format: prom-client renames counters in place when it writes OpenMetrics.
    let registry = this.registries.get(format);
    if (!registry) {
      registry = createRegistry(this.tally, { format, processMetrics: this.processMetrics, ...this.stats });
      this.registries.set(format, registry);
    }
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  /** The format an HTTP Accept header asks for. */
  static negotiate(accept: string | undefined): ExpositionFormat {
    return accept?.includes('application/openmetrics-text') ? 'openmetrics' : 'prometheus';
  }
}
