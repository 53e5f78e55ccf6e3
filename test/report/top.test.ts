import { describe, expect, it } from 'vitest';
import { HeavyHitters } from '../../src/report/heavy-hitters.js';
import { byNumber, byText, topN } from '../../src/report/top.js';
import { random } from '../../fixtures/shapes.mjs';

describe('topN', () => {
  it('orders by count, ties by the given order whatever order they came in, and keeps the rest', () => {
    const codes = [
      { code: 51, n: 5 },
      { code: 13, n: 9 },
      { code: 2, n: 5 },
      { code: 15, n: 5 },
      { code: -1, n: 1 },
    ];
    const expected = [13, 2, 15];
    for (const order of [codes, [...codes].reverse(), [codes[2]!, codes[4]!, codes[0]!, codes[3]!, codes[1]!]]) {
      const { top, rest } = topN(
        order,
        3,
        (c) => c.n,
        (a, b) => byNumber(a.code, b.code),
      );
      expect(top.map((c) => c.code)).toEqual(expected);
      expect(rest.map((c) => c.code)).toEqual([51, -1]);
    }
    expect(topN(['b', 'a', 'c'], 2, () => 1, byText).top).toEqual(['a', 'b']);
  });
});

describe('HeavyHitters', () => {
  it('counts exactly while the values fit', () => {
    const sketch = new HeavyHitters(10, () => undefined);
    for (const value of ['a', 'b', 'a', 'c', 'a', 'b']) sketch.add(value);
    const counts = Object.fromEntries(sketch.hitters().map((h) => [h.value, [h.count, h.error]]));
    expect(counts).toEqual({ a: [3, 0], b: [2, 0], c: [1, 0] });
    expect(sketch.replacements).toBe(0);
    expect(sketch.total).toBe(6);
  });

  it('finds the heavy values of a high-cardinality stream, each true count within its bounds', () => {
    const rnd = random(7);
    const truth = new Map<string, number>();
    const sketch = new HeavyHitters(100, () => ({ seen: 0 }));
    const total = 50_000;
    for (let i = 0; i < total; i++) {
      const r = rnd();
      // Three heavy values (one appears only in the second half) among 20,000 rare ones.
      const value = r < 0.08 ? 'heavy-a' : r < 0.13 ? 'heavy-b' : r < 0.16 && i > total / 2 ? 'late-c' : `rare-${Math.floor(rnd() * 20_000)}`;
      truth.set(value, (truth.get(value) ?? 0) + 1);
      sketch.add(value).payload.seen++;
    }
    const { top } = topN(
      sketch.hitters(),
      3,
      (h) => h.count,
      (a, b) => byText(a.value, b.value),
    );
    expect(top.map((h) => h.value)).toEqual(['heavy-a', 'heavy-b', 'late-c']);
    for (const hitter of sketch.hitters()) {
      const actual = truth.get(hitter.value)!;
      expect(hitter.count).toBeGreaterThanOrEqual(actual);
      expect(hitter.count - hitter.error).toBeLessThanOrEqual(actual);
      // What the payload saw is what was added while the value was tracked.
      expect(hitter.payload.seen).toBe(hitter.count - hitter.error);
    }
    expect(sum(sketch.hitters().map((h) => h.count))).toBe(total);
    expect(sketch.replacements).toBeGreaterThan(0);
  });
});

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
