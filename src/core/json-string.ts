import { ESCAPED, hex4 } from './json-escapes.js';

const QUOTE = 34;
const BACKSLASH = 92;

/** What `JsonStringReader.read` returns instead of an index. */
export const UNREAD = -1;

/**
 * Reads a JSON string from a line's bytes (valid UTF-8) and unescapes it as it goes, into a
 * buffer of its own that the next read reuses: one pass finds where the string ends and what it
 * holds, as UTF-8 bytes, the bytes of the string JSON.parse would give.
 */
export class JsonStringReader {
  /** The last string read: `bytes[0, length)`. */
  bytes: Buffer = Buffer.alloc(1024);
  length = 0;
  /** Whether the last string read ends in the escape `\n` (as written: `\u000a` is not one). */
  endsInNewlineEscape = false;

  /**
   * From the opening quote at `b[i]`: where the string ends (past its closing quote); or UNREAD
   * when it is not a JSON string, or holds a `\uD800`-`\uDFFF` escape that is not half of a pair
   * (JSON.parse keeps it; UTF-8 has no bytes for it): the caller asks JSON.parse.
   */
  read(b: Buffer, i: number, end: number): number {
    // Unescaped, a string is never longer than it is written.
    if (this.bytes.length < end - i) this.bytes = Buffer.alloc(Math.max(end - i, 2 * this.bytes.length));
    const out = this.bytes;
    let n = 0;
    let newlineEscapeEnd = -1;
    if (b[i] !== QUOTE) return UNREAD;
    i++;
    for (;;) {
      // Bytes that stand for themselves: not a quote, a backslash or a control character. The
      // loop does not test for the end, so that a byte costs less: a line's terminator (or
      // reading past the buffer) stops it, and the test after it rejects a string gone past `end`
      // (past the buffer, b[i] is undefined, and every comparison false).
      let c = 0;
      while ((c = b[i]!) > QUOTE ? c !== BACKSLASH : c >= 32 && c !== QUOTE) {
        out[n++] = c;
        i++;
      }
      if (i >= end || c < 32) return UNREAD;
      if (c === QUOTE) {
        this.length = n;
        this.endsInNewlineEscape = newlineEscapeEnd === i;
        return i + 1;
      }
      const e = i + 1 < end ? b[i + 1]! : 0;
      // A record logged as a string has these in every other key and value.
      if (e === QUOTE || e === BACKSLASH) {
        out[n++] = e;
        i += 2;
        continue;
      }
      if (e !== 117 /* u */) {
        const byte = ESCAPED[e]!;
        if (byte === 0) return UNREAD;
        out[n++] = byte;
        i += 2;
        if (e === 110 /* n */) newlineEscapeEnd = i;
        continue;
      }
      let code = hex4(b, i + 2, end);
      if (code < 0) return UNREAD;
      i += 6;
      if (code >= 0xd800 && code <= 0xdfff) {
        const low = code <= 0xdbff && b[i] === BACKSLASH && b[i + 1] === 117 ? hex4(b, i + 2, end) : -1;
        if (low < 0xdc00 || low > 0xdfff) return UNREAD;
        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
        i += 6;
      }
      if (code < 0x80) out[n++] = code;
      else if (code < 0x800) {
        out[n++] = 0xc0 | (code >> 6);
        out[n++] = 0x80 | (code & 63);
      } else if (code < 0x10000) {
        out[n++] = 0xe0 | (code >> 12);
        out[n++] = 0x80 | ((code >> 6) & 63);
        out[n++] = 0x80 | (code & 63);
      } else {
        out[n++] = 0xf0 | (code >> 18);
        out[n++] = 0x80 | ((code >> 12) & 63);
        out[n++] = 0x80 | ((code >> 6) & 63);
        out[n++] = 0x80 | (code & 63);
      }
    }
  }
}
