export const OVERFLOW_VALUE = 'other';

/**
 * Admits label values up to a cap and maps every later new value to `other`, so a stream of
 * random values cannot grow the number of series without bound (GUIDE §5.4).
 */
export class CappedValues {
  private readonly admitted = new Set<string>();
  /** Observations that were counted under `other` because the cap was reached. */
  overflowed = 0;

  constructor(private readonly cap: number) {}

  /** The label value for `times` observations of `value`. */
  admit(value: string, times = 1): string {
    if (this.admitted.has(value)) return value;
    if (this.admitted.size < this.cap) {
      this.admitted.add(value);
      return value;
    }
    this.overflowed += times;
    return OVERFLOW_VALUE;
  }
}
