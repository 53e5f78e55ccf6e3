import { Histogram, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import { DURATION_METRIC } from '../../contract/metrics.js';
import { OUTCOMES } from '../../core/outcome.js';
import { DURATION_BUCKETS, cumulativeBuckets } from '../../count/duration-histogram.js';
import type { MetricsTally } from '../../count/tally.js';
import type { Registers } from './read.js';

const DURATION_HISTOGRAM = DURATION_METRIC;
const DURATION_HELP = `Durations of annotated records (--duration-field, or the built-in fields), by outcome: ${OUTCOMES.join(', ')}.`;

/**
 * hid_request_duration_seconds, read from the tally's durations at each collect. prom-client's
 * Histogram takes observations one at a time; the tally has counted them already, so this one
 * only lays its counts out as prom-client would (buckets, then _sum and _count, per outcome).
 */
export class TallyHistogram extends Histogram<'outcome'> {
  constructor(
    private readonly tally: MetricsTally,
    private readonly zeroSeries: boolean,
    registers: Registers,
  ) {
    super({
      name: DURATION_HISTOGRAM,
      help: DURATION_HELP,
      labelNames: ['outcome'],
      buckets: [...DURATION_BUCKETS],
      registers,
    });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<'outcome'>>> {
    return this.getForPromString();
  }

  // What the registry reads (prom-client's Histogram has it, untyped).
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<'outcome'>>> {
    const values: MetricValueWithName<'outcome' | 'le'>[] = [];
    for (const outcome of OUTCOMES) {
      const counts = this.tally.durations[outcome];
      if (counts.count === 0 && !this.zeroSeries) continue;
      cumulativeBuckets(counts).forEach((value, bucket) => {
        const le = bucket < DURATION_BUCKETS.length ? String(DURATION_BUCKETS[bucket]) : '+Inf';
        values.push({ metricName: `${DURATION_HISTOGRAM}_bucket`, labels: { le, outcome }, value });
      });
      values.push({ metricName: `${DURATION_HISTOGRAM}_sum`, labels: { outcome }, value: counts.sumMicroseconds / 1e6 });
      values.push({ metricName: `${DURATION_HISTOGRAM}_count`, labels: { outcome }, value: counts.count });
    }
    // prom-client's typings call `type` an enum; its registry writes the string it holds.
    const metric = { name: DURATION_HISTOGRAM, help: DURATION_HELP, type: 'histogram', values, aggregator: 'sum' };
    return metric as unknown as MetricObjectWithValues<MetricValueWithName<'outcome'>>;
  }
}
