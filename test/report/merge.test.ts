import { describe, expect, it } from 'vitest';
import { random } from '../../fixtures/shapes.mjs';
import { HeavyHitters } from '../../src/report/heavy-hitters.js';
import { Timeline } from '../../src/report/timeline.js';
import { parseZone, UTC, type Zone } from '../../src/report/zone.js';

const S = 1000;
const H = 3600 * S;
const D = 24 * H;
const T = Date.UTC(2026, 9, 20);

const sketchOf = (capacity: number, values: string[]) => {
  const sketch = new HeavyHitters(capacity, () => ({ seen: 0 }));
  for (const value of values) sketch.add(value).payload.seen++;
  return sketch;
};
const stateOf = (sketch: HeavyHitters<{ seen: number }>) => ({ total: sketch.total, replacements: sketch.replacements, hitters: sketch.hitters() });
const addSeen = (into: { seen: number }, from: { seen: number }) => (into.seen += from.seen);
const countsOf = (sketch: HeavyHitters<{ seen: number }>) => Object.fromEntries(sketch.hitters().map((h) => [h.value, [h.count, h.error, h.payload.seen]]));

describe('HeavyHitters.merge', () => {
  it("gives exactly one sketch's counts while neither replaced a value and together they fit", () => {
    const [first, second] = [
      ['a', 'b', 'a', 'c'],
      ['c', 'd', 'a', 'c'],
    ];
    const merged = sketchOf(4, first);
    merged.merge(stateOf(sketchOf(4, second)), addSeen);
    expect(countsOf(merged)).toEqual(countsOf(sketchOf(4, [...first, ...second])));
    expect(merged).toMatchObject({ total: 8, replacements: 0 });
  });

  it('past capacity, keeps every listed count an upper bound, at most its error too high', () => {
    const rnd = random(11);
    const shards = Array.from({ length: 4 }, (_, shard) =>
      Array.from({ length: 5_000 }, () => {
        const r = rnd();
        return r < 0.1 ? 'heavy' : r < 0.15 ? `shard-${shard}` : `rare-${Math.floor(rnd() * 3_000)}`;
      }),
    );
    const truth = new Map<string, number>();
    for (const value of shards.flat()) truth.set(value, (truth.get(value) ?? 0) + 1);
    const merged = sketchOf(50, shards[0]!);
    for (const shard of shards.slice(1)) merged.merge(stateOf(sketchOf(50, shard)), addSeen);
    expect(merged.hitters()).toHaveLength(50);
    expect(merged.total).toBe(20_000);
    expect(merged.replacements).toBeGreaterThan(0);
    expect(merged.hitters().map((h) => h.value)).toContain('heavy');
    for (const hitter of merged.hitters()) {
      const actual = truth.get(hitter.value)!;
      expect(hitter.count).toBeGreaterThanOrEqual(actual);
      expect(hitter.count - hitter.error).toBeLessThanOrEqual(actual);
    }
  });
});

describe('Timeline: buckets another timeline kept', () => {
  /** Records at random times over `range`, a timeline of all of them, and the merge of timelines of `parts` runs of them. */
  function bothWays(zone: Zone, range: number, parts: number, asked?: number) {
    const rnd = random(range);
    const times = Array.from({ length: 6_000 }, () => T + Math.floor(rnd() * range)).sort((a, b) => a - b);
    const one = new Timeline(zone, asked);
    const pieces = Array.from({ length: parts }, () => new Timeline(zone, asked));
    times.forEach((time, i) => {
      const outcome = i % 4;
      const failure = outcome === 1 ? i % 3 : -1;
      one.add(time, outcome, failure);
      pieces[Math.floor((i * parts) / times.length)]!.add(time, outcome, failure);
    });
    const kept = pieces.map((piece) => piece.kept());
    const spans = kept.map(({ width, buckets }) => ({ width, first: buckets[0]![0], last: buckets[buckets.length - 1]![0] }));
    // As a merge into a partial keeps them, and (settled first) as a merge into a report shows them.
    const [merged, settled] = [false, true].map((settle) => {
      const timeline = new Timeline(zone, asked);
      for (const { width, first, last } of spans) expect(timeline.reserve(width, first, last)).toBe(true);
      if (settle) timeline.settle(spans);
      for (const { width, buckets } of kept) for (const [index, counts] of buckets) expect(timeline.addBucket(width, index, counts)).toBe(true);
      return timeline;
    });
    return { one: one.data(), merged: merged!.data(), settled: settled!.data(), settledKept: settled!.kept(), widths: kept.map((k) => k.width) };
  }

  it.each([
    ['an hour in UTC', UTC, H, 3],
    ['a week across the end of summer time in Berlin', parseZone('Europe/Berlin')!, 7 * D, 5],
    ['ninety days, each part widened', UTC, 90 * D, 8],
  ])("merges into one timeline's buckets: %s", (_what, zone, range, parts) => {
    const { one, merged, settled, settledKept, widths } = bothWays(zone, range, parts);
    expect(merged).toEqual(one);
    expect(settled).toEqual(one);
    // Settled, it keeps the buckets it shows, not the thousands the parts kept.
    expect(settledKept.width).toBe(one!.bucket);
    expect(settledKept.buckets.length).toBeLessThanOrEqual(60);
    expect(Math.max(...widths)).toBeGreaterThanOrEqual(S);
  });

  it('with an asked bucket the parts had to widen', () => {
    const { one, merged, settled } = bothWays(UTC, 30 * D, 4, 5 * S);
    expect(merged).toEqual(one);
    expect(settled).toEqual(one);
    expect(one!.widened).toBe(5 * S);
  });

  it("refuses a bucket that is not a multiple of the parts' buckets", () => {
    const part = new Timeline(UTC);
    part.add(T, 0, -1);
    part.add(T + 2 * D, 0, -1);
    const { width, buckets } = part.kept();
    expect(width).toBe(30 * S);
    const merged = new Timeline(UTC, 20 * S);
    expect(merged.reserve(width, buckets[0]![0], buckets[1]![0])).toBe(false);
    expect(merged.addBucket(width, buckets[0]![0], buckets[0]![1])).toBe(false);
  });
});
