import type { JsonObject } from './json.js';

/** What a scan of one line found: the line is a JSON object, and these are its wanted keys. */
export interface ScannedObject {
  /** The object with only the wanted keys, at every depth, holding what JSON.parse would give. */
  record: JsonObject;
  /** Where the object's closing brace is. */
  closingBrace: number;
  /** Whether the object has the scanner's top-level key (the annotation key). */
  hasTopKey: boolean;
}

/** A scanned object; `invalid_json` when JSON.parse would fail on a line that is not blank; undefined when unsure. */
export type Scan = (bytes: Buffer, start: number, end: number) => ScannedObject | 'invalid_json' | undefined;

// What a JSON text can start with (after whitespace): { [ " - 0-9 t f n.
const VALUE_START = new Set([...'{["-0123456789tfn'].map((c) => c.charCodeAt(0)));

/**
 * Whether a line whose first byte past JSON whitespace is `c` is certainly not JSON and not
 * blank either: an ASCII byte no JSON value starts with, other than the two that String#trim
 * takes for blank (\v, \f). Anything else is left to JSON.parse.
 */
function certainlyNotJson(c: number): boolean {
  return c >= 0 && c < 0x80 && c !== 0x0b && c !== 0x0c && !VALUE_START.has(c);
}

// Deeper nesting than this is left to JSON.parse, which has no such limit.
const MAX_DEPTH = 64;

const EMPTY = Buffer.alloc(0);
const QUOTE = 34;
const BACKSLASH = 92;

// Thrown inside this module only: the line is not JSON, or it may be but the scanner cannot tell.
const INVALID = Object.freeze({ invalid: true });
const UNSURE = Object.freeze({ unsure: true });

// Bytes that stand for themselves inside a string: not a quote, a backslash or a control character.
const PLAIN_IN_STRING = new Uint8Array(256).map((_, c) => (c >= 32 && c !== QUOTE && c !== BACKSLASH ? 1 : 0));

function isHexDigit(c: number | undefined): boolean {
  return c !== undefined && ((c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102));
}

/** Byte strings, looked up by length and first byte, then byte by byte. */
class KeySet {
  private readonly byLength: { name: string; bytes: Uint8Array }[][] = [];
  // One flag per (length mod 64, first byte): most keys of a record are rejected by it alone.
  private readonly maybe = new Uint8Array(64 * 256);

  constructor(names: Iterable<string>) {
    for (const name of new Set(names)) {
      const bytes = new TextEncoder().encode(name);
      if (bytes.length === 0) continue;
      (this.byLength[bytes.length] ??= []).push({ name, bytes });
      this.maybe[((bytes.length & 63) << 8) | bytes[0]!] = 1;
    }
  }

  find(source: Uint8Array, start: number, end: number): string | undefined {
    if (end <= start || this.maybe[(((end - start) & 63) << 8) | source[start]!] === 0) return undefined;
    const candidates = this.byLength[end - start];
    if (candidates === undefined) return undefined;
    next: for (const candidate of candidates) {
      const { bytes } = candidate;
      for (let i = 1; i < bytes.length; i++) if (source[start + i] !== bytes[i]) continue next;
      if (source[start] === bytes[0]) return candidate.name;
    }
    return undefined;
  }
}

/**
 * A validating JSON scanner for the bytes of one line (valid UTF-8): it answers what the hot path
 * asks, is this line a JSON object, and what do some keys hold, without decoding the line or
 * building the whole record. Values of wanted keys are built (objects pruned to wanted keys at
 * every depth); everything else is only checked. Where it cannot tell (a key written with
 * escapes, nesting deeper than MAX_DEPTH, a line that is not an object) it returns undefined and
 * the caller asks JSON.parse. A line it accepts is one JSON.parse accepts, every wanted key holds
 * what JSON.parse would give it, and a line it calls invalid is one JSON.parse rejects.
 */
export function createScanner(wantedKeys: Iterable<string>, topKey: string): Scan {
  const wanted = new KeySet(wantedKeys);
  // Every built object starts with every wanted key, undefined: one shape for all of them keeps
  // the reads that follow fast (an own key holding undefined reads as a missing one).
  const shape: JsonObject = Object.fromEntries([...new Set(wantedKeys)].map((name) => [name, undefined]));
  if (wanted.find(new TextEncoder().encode('__proto__'), 0, 9)) throw new Error('__proto__ cannot be a wanted key');
  const top = new KeySet([topKey]);
  let b: Buffer = EMPTY;
  let pos = 0;
  let end = 0;
  let escaped = false; // whether the last string scanned had an escape
  let hasTopKey = false;

  const peek = (): number => (pos < end ? b[pos]! : -1);

  function skipSpace(): void {
    while (pos < end) {
      const c = b[pos]!;
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return;
      pos++;
    }
  }

  /** From an opening quote to just past the closing one. */
  function string(): void {
    const bytes = b;
    const stop = end;
    let i = pos + 1;
    escaped = false;
    for (;;) {
      // The common bytes first: one comparison each for most of a line.
      let c = 0;
      while (i < stop && PLAIN_IN_STRING[(c = bytes[i]!)] === 1) i++;
      if (i >= stop) throw INVALID;
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        const e = i + 1 < stop ? bytes[i + 1] : -1;
        if (e === 117 /* u */) {
          if (i + 5 >= stop || !isHexDigit(bytes[i + 2]) || !isHexDigit(bytes[i + 3]) || !isHexDigit(bytes[i + 4]) || !isHexDigit(bytes[i + 5])) throw INVALID;
          i += 6;
        } else if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          i += 2;
        } else {
          throw INVALID;
        }
        continue;
      }
      if (c < 32) throw INVALID;
      i++;
    }
    pos = i + 1;
  }

  function digits(): void {
    const from = pos;
    while (pos < end && b[pos]! >= 48 && b[pos]! <= 57) pos++;
    if (pos === from) throw INVALID;
  }

  function number(build: boolean): number | undefined {
    const from = pos;
    const negative = b[pos] === 45;
    if (negative) pos++;
    if (peek() === 48) pos++;
    else digits();
    let integer = true;
    if (peek() === 46 /* . */) {
      integer = false;
      pos++;
      digits();
    }
    const c = peek();
    if (c === 101 || c === 69 /* e E */) {
      integer = false;
      pos++;
      if (peek() === 43 || peek() === 45) pos++;
      digits();
    }
    if (!build) return undefined;
    const digitsFrom = negative ? from + 1 : from;
    if (integer && pos - digitsFrom <= 15) {
      let value = 0;
      for (let i = digitsFrom; i < pos; i++) value = value * 10 + (b[i]! - 48);
      return negative ? -value : value;
    }
    return Number(b.toString('latin1', from, pos));
  }

  function literal(text: string, value: boolean | null): boolean | null {
    for (let i = 0; i < text.length; i++) if (pos + i >= end || b[pos + i] !== text.charCodeAt(i)) throw INVALID;
    pos += text.length;
    return value;
  }

  function value(build: boolean, depth: number): unknown {
    const c = peek();
    if (c === QUOTE) {
      const from = pos;
      string();
      if (!build) return undefined;
      return escaped ? JSON.parse(b.toString('utf8', from, pos)) : b.toString('utf8', from + 1, pos - 1);
    }
    if (c === 123 /* { */) return object(build, depth + 1);
    if (c === 91 /* [ */) {
      const from = pos;
      array(depth + 1);
      return build ? JSON.parse(b.toString('utf8', from, pos)) : undefined;
    }
    if (c === 45 || (c >= 48 && c <= 57)) return number(build);
    if (c === 116) return literal('true', true);
    if (c === 102) return literal('false', false);
    if (c === 110) return literal('null', null);
    throw INVALID;
  }

  function array(depth: number): void {
    if (depth > MAX_DEPTH) throw UNSURE;
    pos++;
    skipSpace();
    if (peek() === 93 /* ] */) {
      pos++;
      return;
    }
    for (;;) {
      value(false, depth);
      skipSpace();
      const c = peek();
      pos++;
      if (c === 93) return;
      if (c !== 44 /* , */) throw INVALID;
      skipSpace();
    }
  }

  function object(build: boolean, depth: number): JsonObject | undefined {
    if (depth > MAX_DEPTH) throw UNSURE;
    const record: JsonObject | undefined = build ? { ...shape } : undefined;
    pos++;
    skipSpace();
    if (peek() === 125 /* } */) {
      pos++;
      return record;
    }
    for (;;) {
      if (peek() !== QUOTE) throw INVALID;
      const keyFrom = pos + 1;
      string();
      const keyTo = pos - 1;
      skipSpace();
      if (peek() !== 58 /* : */) throw INVALID;
      pos++;
      skipSpace();
      if (record !== undefined) {
        // An escaped key may spell a wanted one: only JSON.parse can say.
        if (escaped) throw UNSURE;
        if (depth === 1 && top.find(b, keyFrom, keyTo) !== undefined) hasTopKey = true;
        const name = wanted.find(b, keyFrom, keyTo);
        if (name === undefined) value(false, depth);
        else record[name] = value(true, depth);
      } else {
        value(false, depth);
      }
      skipSpace();
      const c = peek();
      pos++;
      if (c === 125) return record;
      if (c !== 44) throw INVALID;
      skipSpace();
    }
  }

  return (bytes, start, stop) => {
    b = bytes;
    pos = start;
    end = stop;
    hasTopKey = false;
    try {
      skipSpace();
      const first = peek();
      if (first !== 123) return certainlyNotJson(first) ? 'invalid_json' : undefined;
      const record = object(true, 1)!;
      const closingBrace = pos - 1;
      skipSpace();
      return pos === end ? { record, closingBrace, hasTopKey } : 'invalid_json';
    } catch (error) {
      if (error === INVALID) return 'invalid_json';
      if (error === UNSURE) return undefined;
      throw error;
    }
  };
}
