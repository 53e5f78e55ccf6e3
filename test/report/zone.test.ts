import { describe, expect, it } from 'vitest';
import { UTC, parseZone } from '../../src/report/zone.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const berlin = parseZone('Europe/Berlin')!;

describe('parseZone', () => {
  it('takes UTC, offsets and IANA names, and refuses anything else', () => {
    expect(parseZone('utc')).toBe(UTC);
    expect(parseZone('Z')).toBe(UTC);
    expect(parseZone('+05:30')!.offsetAt(T)).toBe(5.5 * 3_600_000);
    expect(parseZone('-0800')!.offsetAt(T)).toBe(-8 * 3_600_000);
    expect(berlin.offsetAt(T)).toBe(3_600_000);
    expect(berlin.offsetAt(Date.UTC(2026, 6, 1))).toBe(7_200_000);
    expect(parseZone('Asia/Kathmandu')!.offsetAt(T)).toBe(5.75 * 3_600_000);
    expect(parseZone('Mars/Olympus')).toBeUndefined();
    expect(parseZone('+19:00')).toBeUndefined();
    expect(parseZone('+05:60')).toBeUndefined();
  });

  it('finds the instant of a wall time on both sides of a daylight saving change', () => {
    // Berlin, 2026-03-29: 02:00 local became 03:00.
    expect(berlin.instantOf(Date.UTC(2026, 2, 29, 1, 30))).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(berlin.instantOf(Date.UTC(2026, 2, 29, 3, 30))).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });
});
