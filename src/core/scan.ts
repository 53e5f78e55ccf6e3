import type { JsonObject } from '../common/json.js';
import { ESCAPED, hex4 } from './json-escapes.js';
import { numberValue } from './json-number.js';

/** What a scan of one line found: the line is a JSON object, and these are its wanted keys. */
export interface ScannedObject {
  /** The object with only the wanted keys, at every depth, holding what JSON.parse would give. */
  record: JsonObject;
  /** Where the object's closing brace is. */
  closingBrace: number;
  /** Whether the object has the scanner's top-level key (the annotation key). */
  hasTopKey: boolean;
  /** Where the value of the first picked key the object has is (a JSON text, never `null`); undefined if it has none. */
  picked: ValueSpan | undefined;
}

/** `[from, to)` of a line's bytes. */
export interface ValueSpan {
  from: number;
  to: number;
}

/** A scanner of lines (createScanner), and of JSON text written as a JSON string (`escaped`). */
export interface Scan {
  /** A scanned object; `invalid_json` when JSON.parse would fail on a line that is not blank; undefined when unsure. */
  (bytes: Buffer, start: number, end: number): ScannedObject | 'invalid_json' | undefined;
  /**
   * The object whose JSON text, written as a JSON string, is `bytes[from, to)` (what is between
   * the string's quotes; a docker entry's `log`), pruned to the wanted keys, read where it is
   * without unescaping it first; undefined when the bytes are not such a string of such an object
   * or the scanner cannot tell (then the caller unescapes the string and scans that). Picked keys
   * are not looked for.
   */
  escaped(bytes: Buffer, from: number, to: number): JsonObject | undefined;
}

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

const QUOTE = 34;
const BACKSLASH = 92;

// What a step returns instead of an index: the line is not JSON, or it may be but the scanner cannot tell.
/**
 * Whether a value whose JSON text starts with the byte `c` is text or a number: the values a
 * picked key is taken with (null, true, false, objects and arrays count as none).
 */
export const isPickable = (c: number): boolean => c === 34 /* " */ || c === 45 /* - */ || (c >= 48 && c <= 57);

const INVALID = -1;
const UNSURE = -2;

// Bytes that stand for themselves inside a string: not a quote, a backslash or a control character.
const PLAIN_IN_STRING = new Uint8Array(256).map((_, c) => (c >= 32 && c !== QUOTE && c !== BACKSLASH ? 1 : 0));

/** Byte strings, looked up by length and first byte, then byte by byte. */
class KeySet {
  private readonly byLength: { index: number; bytes: Uint8Array }[][] = [];
  // One flag per (length mod 64, first byte): most keys of a record are rejected by it alone.
  private readonly maybe = new Uint8Array(64 * 256);

  /** `names` without duplicates; an empty name is never found. */
  constructor(names: readonly string[]) {
    names.forEach((name, index) => {
      const bytes = new TextEncoder().encode(name);
      if (bytes.length === 0) return;
      (this.byLength[bytes.length] ??= []).push({ index, bytes });
      this.maybe[((bytes.length & 63) << 8) | bytes[0]!] = 1;
    });
  }

  /** The place in `names` of the name `source[start, end)` spells, or -1. */
  indexOf(source: Uint8Array, start: number, end: number): number {
    if (end <= start || this.maybe[(((end - start) & 63) << 8) | source[start]!] === 0) return -1;
    const candidates = this.byLength[end - start];
    if (candidates === undefined) return -1;
    next: for (const candidate of candidates) {
      const { bytes } = candidate;
      for (let i = 1; i < bytes.length; i++) if (source[start + i] !== bytes[i]) continue next;
      if (source[start] === bytes[0]) return candidate.index;
    }
    return -1;
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
 *
 * Picked keys are located, for a caller that reads their values from the bytes: of those the
 * object has at the top level, the first in `pickedKeys` order whose value is text or a number (as
 * JSON.parse leaves it: the last of duplicates counts) is `picked`. A picked key is built as well
 * only if it is wanted too.
 *
 * Each step takes the index it starts at and returns the index after what it read, or INVALID
 * or UNSURE: no exceptions, and no state shared between steps but what the builders leave.
 */
export function createScanner(wantedKeys: Iterable<string>, topKey: string, pickedKeys: Iterable<string> = []): Scan {
  const wantedList = [...new Set(wantedKeys)];
  const pickList = [...new Set(pickedKeys)];
  if (topKey === '' || wantedList.includes('__proto__')) throw new Error('the scanner takes no empty top key and no __proto__');
  if (pickList.includes('')) throw new Error('the scanner picks no empty key');
  // One look-up per key finds it among both: by its place in `keys`, the name to build it under
  // (undefined for a key only picked) and its place among the picked keys (or -1).
  const keyList = [...new Set([...wantedList, ...pickList])];
  const keys = new KeySet(keyList);
  const builtName = keyList.map((name) => (wantedList.includes(name) ? name : undefined));
  const pickOf = Int32Array.from(keyList, (name) => pickList.indexOf(name));
  const top = new KeySet([topKey]);
  const topLength = Buffer.byteLength(topKey);
  const pickCount = pickList.length;
  // Per picked key, where its value is, and the scan that found it there (older ones are stale).
  const pickFrom = new Int32Array(pickCount);
  const pickTo = new Int32Array(pickCount);
  const pickScan = new Float64Array(pickCount).fill(-1);
  let scans = 0;
  // Every built object starts with every wanted key, undefined: one shape for all of them keeps
  // the reads that follow fast (an own key holding undefined reads as a missing one).
  const shape: JsonObject = Object.fromEntries(wantedList.map((name) => [name, undefined]));
  let escaped = false; // whether a string scanned since it was last cleared had an escape
  let built: unknown; // what the last build step built
  let hasTopKey = false;

  /** From an opening quote to just past the closing one. */
  function stringEnd(b: Buffer, i: number, end: number): number {
    i++;
    for (;;) {
      while (i < end && PLAIN_IN_STRING[b[i]!] === 1) i++;
      if (i >= end) return INVALID;
      const c = b[i]!;
      if (c === QUOTE) return i + 1;
      if (c !== BACKSLASH) return INVALID; // a control character
      escaped = true;
      const e = i + 1 < end ? b[i + 1]! : -1;
      if (e === 117 /* u */) {
        if (hex4(b, i + 2, end) < 0) return INVALID;
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
      } else {
        return INVALID;
      }
    }
  }

  function digitsEnd(b: Buffer, i: number, end: number): number {
    const from = i;
    while (i < end && b[i]! >= 48 && b[i]! <= 57) i++;
    return i === from ? INVALID : i;
  }

  function numberEnd(b: Buffer, i: number, end: number): number {
    if (b[i] === 45 /* - */) i++;
    if (i < end && b[i] === 48 /* 0 */) i++;
    else if ((i = digitsEnd(b, i, end)) < 0) return INVALID;
    if (i < end && b[i] === 46 /* . */ && (i = digitsEnd(b, i + 1, end)) < 0) return INVALID;
    if (i < end && (b[i] === 101 || b[i] === 69) /* e E */) {
      i++;
      if (i < end && (b[i] === 43 || b[i] === 45)) i++;
      return digitsEnd(b, i, end);
    }
    return i;
  }

  function literalEnd(b: Buffer, i: number, end: number, text: string): number {
    for (let k = 0; k < text.length; k++) if (i + k >= end || b[i + k] !== text.charCodeAt(k)) return INVALID;
    return i + text.length;
  }

  function spaceEnd(b: Buffer, i: number, end: number): number {
    while (i < end) {
      const c = b[i]!;
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      i++;
    }
    return i;
  }

  /** Checks one value without building it. */
  function skipValue(b: Buffer, i: number, end: number, depth: number): number {
    if (i >= end) return INVALID;
    const c = b[i]!;
    if (c === QUOTE) return stringEnd(b, i, end);
    if (c === 123 /* { */) return objectEnd(b, i, end, depth + 1);
    if (c === 91 /* [ */) return arrayEnd(b, i, end, depth + 1);
    if (c === 45 || (c >= 48 && c <= 57)) return numberEnd(b, i, end);
    if (c === 116) return literalEnd(b, i, end, 'true');
    if (c === 102) return literalEnd(b, i, end, 'false');
    if (c === 110) return literalEnd(b, i, end, 'null');
    return INVALID;
  }

  function arrayEnd(b: Buffer, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return UNSURE;
    i = spaceEnd(b, i + 1, end);
    if (i < end && b[i] === 93 /* ] */) return i + 1;
    for (;;) {
      if ((i = skipValue(b, i, end, depth)) < 0) return i;
      i = spaceEnd(b, i, end);
      if (i >= end) return INVALID;
      const c = b[i++]!;
      if (c === 93) return i;
      if (c !== 44 /* , */) return INVALID;
      i = spaceEnd(b, i, end);
    }
  }

  function objectEnd(b: Buffer, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return UNSURE;
    i = spaceEnd(b, i + 1, end);
    if (i < end && b[i] === 125 /* } */) return i + 1;
    for (;;) {
      if (i >= end || b[i] !== QUOTE || (i = stringEnd(b, i, end)) < 0) return INVALID;
      i = spaceEnd(b, i, end);
      if (i >= end || b[i] !== 58 /* : */) return INVALID;
      if ((i = skipValue(b, spaceEnd(b, i + 1, end), end, depth)) < 0) return i;
      i = spaceEnd(b, i, end);
      if (i >= end) return INVALID;
      const c = b[i++]!;
      if (c === 125) return i;
      if (c !== 44) return INVALID;
      i = spaceEnd(b, i, end);
    }
  }

  /** Checks one value and leaves in `built` what JSON.parse would make of it (objects pruned). */
  function buildValue(b: Buffer, i: number, end: number, depth: number): number {
    if (i >= end) return INVALID;
    const c = b[i]!;
    let next: number;
    if (c === QUOTE) {
      escaped = false;
      if ((next = stringEnd(b, i, end)) < 0) return next;
      built = escaped ? JSON.parse(b.toString('utf8', i, next)) : b.toString('utf8', i + 1, next - 1);
    } else if (c === 123) {
      return buildObject(b, i, end, depth + 1);
    } else if (c === 91) {
      if ((next = arrayEnd(b, i, end, depth + 1)) < 0) return next;
      built = JSON.parse(b.toString('utf8', i, next));
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      if ((next = numberEnd(b, i, end)) < 0) return next;
      built = numberValue(b, i, next);
    } else {
      if ((next = skipValue(b, i, end, depth)) < 0) return next;
      built = c === 116 ? true : c === 102 ? false : null;
    }
    return next;
  }

  function buildObject(b: Buffer, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return UNSURE;
    const record: JsonObject = { ...shape };
    i = spaceEnd(b, i + 1, end);
    if (i < end && b[i] === 125) {
      built = record;
      return i + 1;
    }
    for (;;) {
      if (i >= end || b[i] !== QUOTE) return INVALID;
      const keyFrom = i + 1;
      escaped = false;
      if ((i = stringEnd(b, i, end)) < 0) return INVALID;
      // An escaped key may spell a wanted one: only JSON.parse can say.
      if (escaped) return UNSURE;
      const keyTo = i - 1;
      if (depth === 1 && keyTo - keyFrom === topLength && top.indexOf(b, keyFrom, keyTo) >= 0) hasTopKey = true;
      i = spaceEnd(b, i, end);
      if (i >= end || b[i] !== 58) return INVALID;
      i = spaceEnd(b, i + 1, end);
      const valueFrom = i;
      const key = keys.indexOf(b, keyFrom, keyTo);
      const name = key < 0 ? undefined : builtName[key];
      if (name === undefined) {
        if ((i = skipValue(b, i, end, depth)) < 0) return i;
      } else {
        if ((i = buildValue(b, i, end, depth)) < 0) return i;
        record[name] = built;
      }
      // Without picked keys (count, annotate) this is one test a key.
      if (pickCount > 0 && key >= 0 && depth === 1 && pickOf[key]! >= 0) notePick(pickOf[key]!, b, valueFrom, i);
      i = spaceEnd(b, i, end);
      if (i >= end) return INVALID;
      const c = b[i++]!;
      if (c === 125) {
        built = record;
        return i;
      }
      if (c !== 44) return INVALID;
      i = spaceEnd(b, i, end);
    }
  }

  function notePick(pick: number, b: Buffer, valueFrom: number, valueTo: number): void {
    pickScan[pick] = scans;
    pickFrom[pick] = isPickable(b[valueFrom]!) ? valueFrom : -1;
    pickTo[pick] = valueTo;
  }

  function pickedSpan(): ValueSpan | undefined {
    for (let pick = 0; pick < pickCount; pick++) if (pickScan[pick] === scans && pickFrom[pick]! >= 0) return { from: pickFrom[pick]!, to: pickTo[pick]! };
    return undefined;
  }

  // Escaped mode: the bytes are the inside of a JSON string whose text is the JSON to read (a JSON
  // line logged as a string). Structure, numbers and literals are written as they are; a quote is
  // `\"`; whitespace outside strings is a space or the escapes `\n`, `\t`, `\r`; a string's
  // escape is a backslash written `\\` and the escape's character after it; a character may be
  // written `\uXXXX`. What is read so is what JSON.parse gives of the string, then of its text.
  // Anything else (another escape where the text has structure, a lone surrogate, a control
  // character, a raw quote) stops the scan: every step returns a negative index, and the caller
  // takes the long way, so that this mode never needs to tell invalid from unsure.

  /** Past JSON whitespace, written as a space or as the escapes \n, \t, \r. */
  function escapedSpaceEnd(b: Buffer, i: number, end: number): number {
    while (i < end) {
      const c = b[i]!;
      if (c === 32) i++;
      else if (c === BACKSLASH && i + 1 < end && (b[i + 1] === 110 || b[i + 1] === 116 || b[i + 1] === 114)) i += 2;
      else break;
    }
    return i;
  }

  /** Whether `b[i, i + 2)` is an escaped quote: the text's quote. */
  function isEscapedQuote(b: Buffer, i: number, end: number): boolean {
    return i + 1 < end && b[i] === BACKSLASH && b[i + 1] === QUOTE;
  }

  /** From an escaped opening quote (`\"`) to just past the escaped closing one; `escaped` set if it holds an escape of either kind. */
  function escapedStringEnd(b: Buffer, i: number, end: number): number {
    i += 2;
    for (;;) {
      while (i < end && PLAIN_IN_STRING[b[i]!] === 1) i++;
      // A raw quote or a control character: not a string's inside.
      if (i + 1 >= end || b[i] !== BACKSLASH) return INVALID;
      if (b[i + 1] === QUOTE) return i + 2;
      escaped = true;
      if ((i = escapeEnd(b, i, end)) < 0) return INVALID;
    }
  }

  /** Past an escape inside an escaped string, other than its closing quote, from its backslash at `b[i]`. */
  function escapeEnd(b: Buffer, i: number, end: number): number {
    const e = b[i + 1]!;
    if (e === BACKSLASH) {
      // The text's escape (a backslash, written \\): its character follows, written as it is, or as \" or \\.
      i += 2;
      if (i >= end) return INVALID;
      const f = b[i]!;
      if (f === BACKSLASH) return i + 1 < end && (b[i + 1] === QUOTE || b[i + 1] === BACKSLASH) ? i + 2 : INVALID;
      if (f === 117 /* u */) {
        if (hex4(b, i + 1, end) < 0) return INVALID;
        return i + 5;
      }
      return f === 47 || f === 98 || f === 102 || f === 110 || f === 114 || f === 116 ? i + 1 : INVALID;
    }
    if (e === 117) {
      // A character written \uXXXX (Go writes < > & so): one a string holds as it is.
      const code = hex4(b, i + 2, end);
      if (code < 32 || code === QUOTE || code === BACKSLASH || (code >= 0xd800 && code <= 0xdfff)) return INVALID;
      return i + 6;
    }
    return INVALID; // \n, \t and the like: a control character inside the text's string
  }

  // The last escaped string value read (escapedStringValue), as UTF-8; the buffer is reused.
  let unescaped = Buffer.alloc(256);

  /**
   * The escaped string `b[from, to)` (escaped quotes included; escapedStringEnd read it), as
   * JSON.parse gives it: the string, then its text. Its escapes are only \", \\ and \uXXXX (no
   * surrogate) of the string's, and the text's escapes written with those: both are undone here,
   * into UTF-8, but for a surrogate escaped in the text, which JSON.parse reads.
   */
  function escapedStringValue(b: Buffer, from: number, to: number): unknown {
    // Unescaped, a string is never longer than it is written.
    if (unescaped.length < to - from) unescaped = Buffer.alloc(Math.max(to - from, 2 * unescaped.length));
    const out = unescaped;
    let n = 0;
    for (let i = from + 2, last = to - 2; i < last; ) {
      let c = b[i]!;
      if (c !== BACKSLASH) {
        out[n++] = c;
        i++;
        continue;
      }
      let code: number;
      const e = b[i + 1]!;
      if (e === 117 /* u */) {
        code = hex4(b, i + 2, to);
        i += 6;
      } else {
        // \\: the text's escape, whose character follows, written as it is, or as \" or \\.
        i += 2;
        c = b[i]!;
        if (c === BACKSLASH) {
          out[n++] = b[i + 1]!;
          i += 2;
          continue;
        }
        if (c !== 117) {
          out[n++] = ESCAPED[c]!;
          i++;
          continue;
        }
        code = hex4(b, i + 1, to);
        if (code >= 0xd800 && code <= 0xdfff) return JSON.parse(JSON.parse(`"${b.toString('utf8', from, to)}"`) as string);
        i += 5;
      }
      if (code < 0x80) out[n++] = code;
      else if (code < 0x800) {
        out[n++] = 0xc0 | (code >> 6);
        out[n++] = 0x80 | (code & 63);
      } else {
        out[n++] = 0xe0 | (code >> 12);
        out[n++] = 0x80 | ((code >> 6) & 63);
        out[n++] = 0x80 | (code & 63);
      }
    }
    return out.toString('utf8', 0, n);
  }

  /** An array `b[from, to)` as JSON.parse gives it: the string, then its text. */
  function escapedArrayValue(b: Buffer, from: number, to: number): unknown {
    return JSON.parse(JSON.parse(`"${b.toString('utf8', from, to)}"`) as string);
  }

  function escapedSkipValue(b: Buffer, i: number, end: number, depth: number): number {
    if (i >= end) return INVALID;
    const c = b[i]!;
    if (c === BACKSLASH) return isEscapedQuote(b, i, end) ? escapedStringEnd(b, i, end) : INVALID;
    if (c === 123 /* { */) return escapedObjectEnd(b, i, end, depth + 1);
    if (c === 91 /* [ */) return escapedArrayEnd(b, i, end, depth + 1);
    if (c === 45 || (c >= 48 && c <= 57)) return numberEnd(b, i, end);
    if (c === 116) return literalEnd(b, i, end, 'true');
    if (c === 102) return literalEnd(b, i, end, 'false');
    if (c === 110) return literalEnd(b, i, end, 'null');
    return INVALID;
  }

  function escapedArrayEnd(b: Buffer, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return UNSURE;
    i = escapedSpaceEnd(b, i + 1, end);
    if (i < end && b[i] === 93 /* ] */) return i + 1;
    for (;;) {
      if ((i = escapedSkipValue(b, i, end, depth)) < 0) return i;
      i = escapedSpaceEnd(b, i, end);
      if (i >= end) return INVALID;
      const c = b[i++]!;
      if (c === 93) return i;
      if (c !== 44 /* , */) return INVALID;
      i = escapedSpaceEnd(b, i, end);
    }
  }

  function escapedObjectEnd(b: Buffer, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return UNSURE;
    i = escapedSpaceEnd(b, i + 1, end);
    if (i < end && b[i] === 125 /* } */) return i + 1;
    for (;;) {
      if (!isEscapedQuote(b, i, end) || (i = escapedStringEnd(b, i, end)) < 0) return INVALID;
      i = escapedSpaceEnd(b, i, end);
      if (i >= end || b[i] !== 58 /* : */) return INVALID;
      if ((i = escapedSkipValue(b, escapedSpaceEnd(b, i + 1, end), end, depth)) < 0) return i;
      i = escapedSpaceEnd(b, i, end);
      if (i >= end) return INVALID;
      const c = b[i++]!;
      if (c === 125) return i;
      if (c !== 44) return INVALID;
      i = escapedSpaceEnd(b, i, end);
    }
  }

  function escapedBuildValue(b: Buffer, i: number, end: number, depth: number): number {
    if (i >= end) return INVALID;
    const c = b[i]!;
    let next: number;
    if (c === BACKSLASH) {
      if (!isEscapedQuote(b, i, end)) return INVALID;
      escaped = false;
      if ((next = escapedStringEnd(b, i, end)) < 0) return next;
      built = escaped ? escapedStringValue(b, i, next) : b.toString('utf8', i + 2, next - 2);
    } else if (c === 123) {
      return escapedBuildObject(b, i, end, depth + 1);
    } else if (c === 91) {
      if ((next = escapedArrayEnd(b, i, end, depth + 1)) < 0) return next;
      built = escapedArrayValue(b, i, next);
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      if ((next = numberEnd(b, i, end)) < 0) return next;
      built = numberValue(b, i, next);
    } else {
      if ((next = escapedSkipValue(b, i, end, depth)) < 0) return next;
      built = c === 116 ? true : c === 102 ? false : null;
    }
    return next;
  }

  function escapedBuildObject(b: Buffer, i: number, end: number, depth: number): number {
    if (depth > MAX_DEPTH) return UNSURE;
    const record: JsonObject = { ...shape };
    i = escapedSpaceEnd(b, i + 1, end);
    if (i < end && b[i] === 125) {
      built = record;
      return i + 1;
    }
    for (;;) {
      if (!isEscapedQuote(b, i, end)) return INVALID;
      const keyFrom = i + 2;
      // A key with an escape of either kind (or no end) is not read here.
      i = keyFrom;
      while (i < end && PLAIN_IN_STRING[b[i]!] === 1) i++;
      if (!isEscapedQuote(b, i, end)) return UNSURE;
      const keyTo = i;
      i = escapedSpaceEnd(b, i + 2, end);
      if (i >= end || b[i] !== 58) return INVALID;
      i = escapedSpaceEnd(b, i + 1, end);
      const key = keys.indexOf(b, keyFrom, keyTo);
      const name = key < 0 ? undefined : builtName[key];
      if (name === undefined) {
        if ((i = escapedSkipValue(b, i, end, depth)) < 0) return i;
      } else {
        if ((i = escapedBuildValue(b, i, end, depth)) < 0) return i;
        record[name] = built;
      }
      i = escapedSpaceEnd(b, i, end);
      if (i >= end) return INVALID;
      const c = b[i++]!;
      if (c === 125) {
        built = record;
        return i;
      }
      if (c !== 44) return INVALID;
      i = escapedSpaceEnd(b, i, end);
    }
  }

  function scanEscaped(b: Buffer, from: number, to: number): JsonObject | undefined {
    const first = escapedSpaceEnd(b, from, to);
    if (first >= to || b[first] !== 123) return undefined;
    const next = escapedBuildObject(b, first, to, 1);
    const record = built as JsonObject;
    built = undefined;
    return next < 0 || escapedSpaceEnd(b, next, to) !== to ? undefined : record;
  }

  const scan = (b: Buffer, start: number, end: number): ScannedObject | 'invalid_json' | undefined => {
    const first = spaceEnd(b, start, end);
    if (first >= end || b[first] !== 123) return certainlyNotJson(first < end ? b[first]! : -1) ? 'invalid_json' : undefined;
    hasTopKey = false;
    scans++;
    const next = buildObject(b, first, end, 1);
    if (next === UNSURE) return undefined;
    if (next === INVALID || spaceEnd(b, next, end) !== end) return 'invalid_json';
    const record = built as JsonObject;
    built = undefined;
    return { record, closingBrace: next - 1, hasTopKey, picked: pickCount === 0 ? undefined : pickedSpan() };
  };
  return Object.assign(scan, { escaped: scanEscaped });
}
