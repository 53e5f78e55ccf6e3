import { describe, expect, it } from 'vitest';
import { LatencyCounts, bucketOf, durationText } from '../../src/report/latency.js';

describe("the report's latency buckets", () => {
  it('are 1 µs wide below 100 µs, then two significant digits, each named by its upper bound', () => {
    expect([bucketOf(0), bucketOf(0.000_042), bucketOf(0.000_099)]).toEqual([0, 42, 99]);
    expect([bucketOf(0.0001), bucketOf(0.000_101), bucketOf(0.0012), bucketOf(0.001_201), bucketOf(0.0013)]).toEqual([100, 110, 1200, 1300, 1300]);
    expect([bucketOf(2.5), bucketOf(61.3)]).toEqual([2_500_000, 62_000_000]);
  });

  it('read a percentile within 10% above the true one', () => {
    const values = Array.from({ length: 5000 }, (_, i) => 0.0005 * 1.003 ** i);
    const counts = new LatencyCounts();
    for (const v of values) counts.observe(v);
    for (const q of [0.5, 0.95, 0.99]) {
      const truth = values[Math.ceil(q * values.length) - 1]!;
      expect(counts.quantile(q)).toBeGreaterThanOrEqual(truth - 1e-6);
      expect(counts.quantile(q)).toBeLessThanOrEqual(truth * 1.1);
    }
  });

  it("merge exactly: the buckets of shards added are one pass's, whatever the order", () => {
    const values = Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 5000) / 1000);
    const whole = new LatencyCounts();
    values.forEach((v) => whole.observe(v));
    const shards = [new LatencyCounts(), new LatencyCounts(), new LatencyCounts()];
    values.forEach((v, i) => shards[i % 3]!.observe(v));
    const merged = new LatencyCounts();
    for (const shard of [...shards].reverse()) for (const [bucket, n] of shard.pairs()) merged.add(bucket, n);
    expect(merged.pairs()).toEqual(whole.pairs());
    expect([0.5, 0.95, 0.99].map((q) => merged.quantile(q))).toEqual([0.5, 0.95, 0.99].map((q) => whole.quantile(q)));
  });

  it('show durations in the unit people read them in', () => {
    expect([durationText(0.000_85), durationText(0.012), durationText(0.12), durationText(1.3), durationText(62)]).toEqual([
      '850 µs',
      '12 ms',
      '120 ms',
      '1.3 s',
      '62 s',
    ]);
  });
});
