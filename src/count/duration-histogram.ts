/**
 * The upper bounds (`le`, seconds) of hid_request_duration_seconds: fixed, so that every instance's
 * buckets add up in `sum by (le)`, from 1 ms to 60 s in 1-2.5-5 steps (docs/metrics.md, "Latency").
 */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/**
 * Observed durations as plain data (a worker thread sends it as it is): how many fell in each
 * bucket, not cumulated (the last one is above the largest bound), their count and their sum.
 * The sum is kept in whole microseconds: integers add up exactly in any order, so a run split
 * across threads sums to what one thread would.
 */
export interface DurationCounts {
  buckets: number[];
  count: number;
  sumMicroseconds: number;
}

export function emptyDurationCounts(): DurationCounts {
  return { buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), count: 0, sumMicroseconds: 0 };
}

/** Counts one duration (seconds, finite, 0 or more): a bound holds what equals it, as Prometheus' `le` says. */
export function observeDuration(counts: DurationCounts, seconds: number): void {
  let bucket = 0;
  while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
  counts.buckets[bucket]!++;
  counts.count++;
  counts.sumMicroseconds += Math.round(seconds * 1e6);
}

export function addDurationCounts(into: DurationCounts, from: DurationCounts): void {
  from.buckets.forEach((n, bucket) => (into.buckets[bucket]! += n));
  into.count += from.count;
  into.sumMicroseconds += from.sumMicroseconds;
}

/** The cumulative counts Prometheus exposes: one per bound in DURATION_BUCKETS, then `+Inf` (all). */
export function cumulativeBuckets(counts: DurationCounts): number[] {
  let running = 0;
  return counts.buckets.map((n) => (running += n));
}
