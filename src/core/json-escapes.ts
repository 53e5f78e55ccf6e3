// A JSON string's escapes (RFC 8259 §7), as the byte scanner and the string reader undo them.

/** What a one-character escape stands for, by the byte after the backslash; 0: no such escape. */
export const ESCAPED = new Uint8Array(256);
for (const [c, byte] of [
  ['"', 34],
  ['\\', 92],
  ['/', 47],
  ['b', 8],
  ['f', 12],
  ['n', 10],
  ['r', 13],
  ['t', 9],
] as const)
  ESCAPED[c.charCodeAt(0)] = byte;

/** A hex digit's value, or -1 (also for the byte past a buffer's end). */
export function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** The value of the four hex digits at `b[i, i + 4)`, within `end`, or -1. */
export function hex4(b: Buffer, i: number, end: number): number {
  if (i + 4 > end) return -1;
  const a = hexValue(b[i]);
  const c = hexValue(b[i + 1]);
  const d = hexValue(b[i + 2]);
  const e = hexValue(b[i + 3]);
  return a < 0 || c < 0 || d < 0 || e < 0 ? -1 : (a << 12) | (c << 8) | (d << 4) | e;
}
