import type { Registry, RegistryContentType } from 'prom-client';
import { createRegistry, type ExpositionFormat, type RegistryOptions } from './registry.js';
import type { MetricsTally } from '../count/tally.js';

/** A run's own numbers beside the tally: follow mode's, the outputs' failed writes, catalog reloads. */
export type RunStats = Pick<RegistryOptions, 'follow' | 'outputErrors' | 'catalogReloads'>;

/** What an exposition shows beside the tally: the run's own numbers, and whether codes not seen yet show at 0. */
export type ExposedStats = RunStats & Pick<RegistryOptions, 'zeroSeries'>;

export interface Rendered {
  contentType: string;
  body: string;
}

export interface ReuseOptions {
  /** A rendering is served again to requests within this long of it (0: render every time). */
  reuseMs: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

interface Rendering {
  rendered: Promise<Rendered>;
  /** When it was done; undefined while it runs. */
  doneAt?: number;
}

/**
 * The tally as exposition text, in the format a scraper asks for (OpenMetrics or Prometheus 0.0.4).
 * With `reuseMs`, a rendering serves every request for its format that arrives while it runs and
 * within `reuseMs` after it is done, so a flood of requests costs the log one rendering per window.
 */
export class Exposition {
  private readonly registries = new Map<ExpositionFormat, Registry<RegistryContentType>>();
  private readonly renderings = new Map<ExpositionFormat, Rendering>();

  constructor(
    private readonly tally: MetricsTally,
    private readonly processMetrics: boolean,
    private readonly stats: ExposedStats = {},
    private readonly reuse: ReuseOptions = { reuseMs: 0 },
  ) {}

  /**
   * Why hidlog is not healthy, for /healthz: a state file it cannot save. Named, not detailed: the
   * probe needs no password, so it tells no path (stderr and /metrics tell the rest).
   */
  get problem(): string | undefined {
    return this.stats.follow?.stateFailure === undefined ? undefined : 'state file not saved';
  }

  render(format: ExpositionFormat = 'prometheus'): Promise<Rendered> {
    const now = () => this.reuse.now?.() ?? performance.now();
    const last = this.renderings.get(format);
    if (last && (last.doneAt === undefined || now() - last.doneAt < this.reuse.reuseMs)) return last.rendered;
    const rendering: Rendering = { rendered: this.renderNow(format) };
    this.renderings.set(format, rendering);
    rendering.rendered.then(
      () => (rendering.doneAt = now()),
      // A failed rendering is not served again: the next request tries anew.
      () => this.renderings.get(format) === rendering && this.renderings.delete(format),
    );
    return rendering.rendered;
  }

  private async renderNow(format: ExpositionFormat): Promise<Rendered> {
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
