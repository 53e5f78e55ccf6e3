// A JSON number's value read from its bytes: by the scanner (scan.ts) and by the report's times
// (report/time.ts), which import it from here so that a merge of report partials loads no scanner.

// Exact powers of ten: a mantissa of 15 digits or fewer divided by one is correctly rounded, as JSON.parse reads the number.
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * A JSON number's value (`b[from, to)` is one): up to 15 digits, with or without a fraction, read
 * here (durations such as 1234.56 are common); anything else by Number (as JSON.parse reads it).
 */
export function numberValue(b: Buffer, from: number, to: number): number {
  const negative = b[from] === 45;
  let value = 0;
  let digits = 0;
  let point = -1;
  for (let i = negative ? from + 1 : from; i < to; i++) {
    const c = b[i]!;
    if (c === 46 /* . */) {
      point = i;
      continue;
    }
    const digit = c - 48;
    if (digit < 0 || digit > 9 || ++digits > 15) return Number(b.toString('latin1', from, to));
    value = value * 10 + digit;
  }
  if (point >= 0) value /= POWERS_OF_TEN[to - point - 1]!;
  return negative ? -value : value;
}
