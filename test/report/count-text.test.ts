// The reports' numbers (`1,234,567`) are grouped by hand for whole numbers, to spare the first
// call into ICU: they must be what toLocaleString('en-US') writes, for every number.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count } from '../../src/report/render/text.js';

describe('count', () => {
  it('writes a number as toLocaleString("en-US") does', () => {
    for (const n of [
      0,
      1,
      12,
      123,
      1234,
      12345,
      123456,
      1234567,
      1000,
      1000000,
      -1,
      -1000,
      -999,
      -1234567,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]) {
      expect(count(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => count(n) === n.toLocaleString('en-US')));
  });

  it('leaves what is not a safe whole number to toLocaleString', () => {
    for (const n of [-0, 0.5, 1234.5678, -1234.5, 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, 1e21]) {
      expect(count(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
    fc.assert(fc.property(fc.double(), (n) => count(n) === n.toLocaleString('en-US')));
  });
});
