import { describe, expect, it } from 'vitest';
import { MetricsTally } from '../../src/count/tally.js';
import { SeenSpans } from '../../src/report/seen.js';

describe('first and last seen', () => {
  it('widen per series to the earliest and latest time, in any order; a series never seen has none', () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 10, maxLabelValues: 0 });
    const counted: Parameters<MetricsTally['countRecord']>[3] = {};
    tally.countRecord({ http: 200, failure: 13 }, 'failure', undefined, counted);
    const { http, failure } = counted;
    tally.countRecord({ error: 9001 }, 'error', undefined, counted);
    const seen = new SeenSpans();
    for (const time of [50, 20, 70, 30]) seen.widen(http!, time);
    seen.widen(failure!, 40);
    expect(seen.of(http!)).toEqual({ first: 20, last: 70 });
    expect(seen.of(failure!)).toEqual({ first: 40, last: 40 });
    expect(seen.of(counted.error!)).toBeUndefined();
  });

  it('keep every series apart, however many the tally makes', () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 5000, maxLabelValues: 0 });
    const seen = new SeenSpans();
    const series = Array.from({ length: 3000 }, (_, i) => {
      const counted: Parameters<MetricsTally['countRecord']>[3] = {};
      tally.countRecord({ error: 100_000 + i }, 'error', undefined, counted);
      seen.widen(counted.error!, i);
      seen.widen(counted.error!, 2 * i);
      return counted.error!;
    });
    expect(new Set(series.map((s) => s.id)).size).toBe(series.length);
    expect(series.map((s) => seen.of(s))).toEqual(series.map((_, i) => ({ first: i, last: 2 * i })));
  });
});
