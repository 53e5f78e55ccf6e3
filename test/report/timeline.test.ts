import { describe, expect, it } from 'vitest';
import { BUCKET_LADDER, MAX_CHOSEN_BUCKETS, Timeline, bucketStart, chooseWidth } from '../../src/report/timeline.js';
import { UTC, parseZone } from '../../src/report/zone.js';
import { random } from '../../fixtures/shapes.mjs';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const SUCCESS = 0;
const FAILURE = 1;

describe('chooseWidth', () => {
  it.each([
    ['a minute', M, S],
    ['two minutes', 2 * M, 5 * S],
    ['an hour', H, M],
    ['three hours', 3 * H, 5 * M],
    ['five hours', 5 * H, 5 * M],
    ['a day', D, 30 * M],
    ['two days', 2 * D, H],
    ['a week', 7 * D, 3 * H],
    ['sixty days', 59 * D, D],
    ['a year', 365 * D, 7 * D],
  ])('%s of records gets the narrowest width with at most 60 buckets', (_what, range, width) => {
    expect(chooseWidth(T, T + range - 1)).toBe(width);
  });

  it('widens when a range crosses one more bucket boundary than its length suggests', () => {
    // 60 minutes from 09:00:30 touch 61 minute buckets.
    expect(chooseWidth(T + 30 * S, T + 30 * S + H)).toBe(5 * M);
  });

  it('keeps each width a multiple of the one before, so buckets merge exactly', () => {
    for (let i = 1; i < BUCKET_LADDER.length; i++) expect(BUCKET_LADDER[i]! % BUCKET_LADDER[i - 1]!).toBe(0);
  });
});

describe('bucketStart', () => {
  it('starts days at midnight and weeks on Monday', () => {
    expect(bucketStart(T, D)).toBe(Date.UTC(2026, 10, 28));
    // 2026-11-28 is a Saturday.
    expect(bucketStart(T, 7 * D)).toBe(Date.UTC(2026, 10, 23));
    expect(bucketStart(T + 7 * M, 5 * M)).toBe(T + 5 * M);
  });
});

describe('Timeline', () => {
  it('counts records per bucket and outcome, and failures per category', () => {
    const timeline = new Timeline(UTC, 5 * M);
    timeline.add(T, SUCCESS, -1);
    timeline.add(T + 4 * M, FAILURE, 0);
    timeline.add(T + 14 * M, FAILURE, 7);
    timeline.add(T + 14 * M + 59 * S, FAILURE, 7);
    const data = timeline.data()!;
    expect(data.bucket).toBe(5 * M);
    expect(data.starts).toEqual([T, T + 5 * M, T + 10 * M]);
    expect(data.outcomes.success).toEqual([1, 0, 0]);
    expect(data.outcomes.failure).toEqual([1, 0, 2]);
    expect(data.outcomes.error).toEqual([0, 0, 0]);
    expect(data.failureCategories.map((c) => [c.category, c.counts])).toEqual([
      ['risk', [0, 0, 2]],
      ['credential_mismatch', [1, 0, 0]],
    ]);
  });

  it('chooses the width from the range when none is asked for', () => {
    const timeline = new Timeline(UTC);
    for (let t = T; t < T + 3 * H; t += 37 * S) timeline.add(t, SUCCESS, -1);
    const data = timeline.data()!;
    expect(data.bucket).toBe(5 * M);
    expect(data.starts.length).toBe(36);
    expect(data.outcomes.success.reduce((a, b) => a + b)).toBe(Math.ceil((3 * H) / (37 * S)));
  });

  it('stays bounded over years of records, and loses no count when it widens', () => {
    const timeline = new Timeline(UTC);
    let added = 0;
    for (let t = Date.UTC(2001, 0, 1); t < Date.UTC(2099, 0, 1); t += 3 * D + 17 * S) {
      timeline.add(t, SUCCESS, -1);
      added++;
    }
    const data = timeline.data()!;
    expect(data.bucket).toBe(7 * D);
    expect(data.outcomes.success.reduce((a, b) => a + b)).toBe(added);
  });

  it('widens an asked width the range cannot hold, and says so', () => {
    const timeline = new Timeline(UTC, M);
    timeline.add(T, SUCCESS, -1);
    timeline.add(T + 30 * D, SUCCESS, -1);
    const data = timeline.data()!;
    expect(data.widened).toBe(M);
    expect(data.bucket % M).toBe(0);
    expect(data.bucket).toBeGreaterThan(M);
    expect(data.starts.length).toBeLessThanOrEqual(8192);
  });

  it('cuts days at midnight in the zone shown', () => {
    const berlin = parseZone('Europe/Berlin')!;
    const timeline = new Timeline(berlin, D);
    // 23:30 UTC on the 27th is 00:30 on the 28th in Berlin.
    timeline.add(Date.UTC(2026, 10, 27, 23, 30), SUCCESS, -1);
    timeline.add(Date.UTC(2026, 10, 27, 22, 30), SUCCESS, -1);
    const data = timeline.data()!;
    expect(data.starts).toEqual([Date.UTC(2026, 10, 26, 23), Date.UTC(2026, 10, 27, 23)]);
    expect(data.outcomes.success).toEqual([1, 1]);
  });

  it.each([
    ['over two hours, in order with some back and forth', 2 * H, undefined, 0.1],
    ['over forty days, in any order', 40 * D, undefined, 1],
    ['over a day at an asked 1s, which widens', D, S, 0.5],
    ['over three hours at an asked 5m', 3 * H, 5 * M, 1],
  ])('counts records %s as a plain count per bucket does', (_what, span, asked, disorder) => {
    const rnd = random(7);
    const zone = parseZone('+05:30')!;
    const timeline = new Timeline(zone, asked);
    const records: [number, number][] = [];
    for (let i = 0; i < 20_000; i++) {
      const inOrder = T + Math.floor((i / 20_000) * span);
      records.push([rnd() < disorder ? T + Math.floor(rnd() * span) : inOrder, rnd() < 0.3 ? FAILURE : SUCCESS]);
    }
    for (const [time, outcome] of records) timeline.add(time, outcome, outcome === FAILURE ? 2 : -1);
    const data = timeline.data()!;
    const offset = zone.offsetAt(T);
    const expected = { success: data.starts.map(() => 0), failure: data.starts.map(() => 0) };
    for (const [time, outcome] of records) {
      const bucket = (bucketStart(time + offset, data.bucket) - (data.starts[0]! + offset)) / data.bucket;
      expected[outcome === FAILURE ? 'failure' : 'success'][bucket]!++;
    }
    expect(data.outcomes.success).toEqual(expected.success);
    expect(data.outcomes.failure).toEqual(expected.failure);
    expect(data.failureCategories.map((c) => c.counts)).toEqual([expected.failure]);
  });

  it('has no data without a record', () => {
    expect(new Timeline(UTC).data()).toBeUndefined();
  });

  it('never chooses more buckets than a terminal line holds', () => {
    const timeline = new Timeline(UTC);
    for (let t = T; t < T + 13 * D; t += 7 * M) timeline.add(t, SUCCESS, -1);
    expect(timeline.data()!.starts.length).toBeLessThanOrEqual(MAX_CHOSEN_BUCKETS);
  });
});
