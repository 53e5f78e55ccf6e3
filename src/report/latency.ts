// The report's latency: durations counted in log-linear buckets, two significant digits wide,
// so that percentiles are read to within 10% and shards merge exactly (counts per bucket add up;
// a percentile read from the sum is the one a single pass reads).

/** A duration's bucket, named by its upper bound in whole microseconds: 1 µs steps below 100 µs, then two significant digits (1,300 µs holds 1,201 to 1,300). */
export function bucketOf(seconds: number): number {
  const micros = Math.round(seconds * 1e6);
  if (micros < 100) return micros;
  let step = 1;
  while (micros >= 100 * step) step *= 10;
  return Math.ceil(micros / step) * step;
}

/** Counts of durations by bucket: mergeable, order-free. */
export class LatencyCounts {
  private readonly buckets = new Map<number, number>();
  count = 0;

  observe(seconds: number): void {
    this.add(bucketOf(seconds), 1);
  }

  add(bucket: number, times: number): void {
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + times);
    this.count += times;
  }

  /** [bucket, count] pairs, smallest bucket first: a partial's form. */
  pairs(): [bucket: number, count: number][] {
    return [...this.buckets].sort((a, b) => a[0] - b[0]);
  }

  /** The q-quantile, in seconds: the upper bound of the bucket that holds the ceil(q·count)-th smallest duration. */
  quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const [bucket, times] of this.pairs()) {
      seen += times;
      if (seen >= rank) return bucket / 1e6;
    }
    return Number.NaN;
  }
}

/** The percentiles a report shows, in seconds. */
export interface LatencyRow {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export function latencyRow(counts: LatencyCounts): LatencyRow {
  return { count: counts.count, p50: counts.quantile(0.5), p95: counts.quantile(0.95), p99: counts.quantile(0.99) };
}

/** A duration as people read it: 850 µs, 12 ms, 1.3 s (two significant digits, as the buckets are). */
export function durationText(seconds: number): string {
  if (seconds < 1e-3) return `${+(seconds * 1e6).toPrecision(2)} µs`;
  if (seconds < 1) return `${+(seconds * 1e3).toPrecision(2)} ms`;
  return `${+seconds.toPrecision(2)} s`;
}
