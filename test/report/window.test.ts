import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/report/duration.js';
import { HeldRecords } from '../../src/report/held.js';
import { TimeWindow, type Verdict } from '../../src/report/window.js';

const H = 3_600_000;

describe('durations', () => {
  it('reads Prometheus-style durations and writes them back', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h30m')).toBe(1.5 * H);
    expect(parseDuration('2d')).toBe(48 * H);
    expect(parseDuration('1w')).toBe(168 * H);
    expect(parseDuration('250ms')).toBe(250);
    for (const bad of ['', '5', 'h', '-5m', '1.5h', '5 m', '0s', 'soon']) expect(parseDuration(bad), bad).toBeUndefined();
    expect(formatDuration(300_000)).toBe('5m');
    expect(formatDuration(1.5 * H)).toBe('1h30m');
    expect(formatDuration(7 * 24 * H)).toBe('1w');
    expect(formatDuration(1000)).toBe('1s');
  });
});

describe('TimeWindow', () => {
  it('decides absolute bounds at once, half-open: [since, until)', () => {
    const window = new TimeWindow({ since: { at: 10 * H }, until: { at: 12 * H } });
    expect(window.relative).toBe(false);
    expect(window.verdict(10 * H - 1, 0)).toBe('out');
    expect(window.verdict(10 * H, 0)).toBe('in');
    expect(window.verdict(12 * H - 1, 0)).toBe('in');
    expect(window.verdict(12 * H, 0)).toBe('out');
  });

  it('with --since relative: certain only of what falls behind the latest record so far', () => {
    const window = new TimeWindow({ since: { before: 2 * H } });
    expect(window.relative).toBe(true);
    // Latest so far 12:00: 09:59 can never be in (the latest only grows); 10:30 may still fall out.
    expect(window.verdict(10 * H - 60_000, 12 * H)).toBe('out');
    expect(window.verdict(10.5 * H, 12 * H)).toBe('pending');
    expect(window.verdict(12 * H, 12 * H)).toBe('pending');
    // Once the whole input is read, the latest record (13:00) fixes the start at 11:00.
    expect(window.includes(10.5 * H, 13 * H)).toBe(false);
    expect(window.includes(11 * H, 13 * H)).toBe(true);
    expect(window.resolve(13 * H)).toEqual({ since: 11 * H });
  });

  it('with --until relative: certain of what is far enough behind the latest record so far', () => {
    const window = new TimeWindow({ until: { before: H } });
    expect(window.verdict(10 * H, 12 * H)).toBe('in');
    expect(window.verdict(11.5 * H, 12 * H)).toBe('pending');
    expect(window.includes(11.5 * H, 12 * H)).toBe(false);
    expect(window.includes(10.99 * H, 12 * H)).toBe(true);
  });

  it('mixes an absolute bound with a relative one', () => {
    const window = new TimeWindow({ since: { at: 9 * H }, until: { before: H } });
    expect(window.verdict(8 * H, 12 * H)).toBe('out');
    expect(window.verdict(10 * H, 12 * H)).toBe('in');
    expect(window.verdict(11.5 * H, 12 * H)).toBe('pending');
    expect(window.resolve(12 * H)).toEqual({ since: 9 * H, until: 11 * H });
  });
});

describe('HeldRecords', () => {
  const verdicts = (map: Record<number, Verdict>) => (item: number) => map[item] ?? 'pending';

  it('hands on and drops from the front in input order, stopping at the first pending record', () => {
    const held = new HeldRecords<number>();
    for (const item of [1, 2, 3, 4]) held.push(item);
    const taken: number[] = [];
    const dropped: number[] = [];
    held.settle(
      verdicts({ 1: 'in', 2: 'out', 4: 'in' }),
      (i) => taken.push(i),
      (i) => dropped.push(i),
    );
    expect(taken).toEqual([1]);
    expect(dropped).toEqual([2]);
    expect(held.size).toBe(2);
  });

  it('keeps what passes its memory limit in a temporary file, and gives everything back in input order', async () => {
    const held = new HeldRecords<{ n: number; by: (string | null)[] }>(10);
    for (let n = 0; n < 35; n++) held.push({ n, by: [n % 2 ? 'a' : null] });
    expect(held.spilled).toBe(33);
    expect(held.size).toBe(35);
    // Records in the file wait for the end: one that is in must not overtake them.
    const taken: number[] = [];
    held.settle(
      () => 'in',
      (item) => taken.push(item.n),
      () => undefined,
    );
    expect(taken).toEqual([]);
    const drained: { n: number; by: (string | null)[] }[] = [];
    await held.drain((item) => drained.push(item));
    expect(drained).toEqual(Array.from({ length: 35 }, (_, n) => ({ n, by: [n % 2 ? 'a' : null] })));
    expect(held.size).toBe(0);
  });
});
