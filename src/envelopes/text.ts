// Text lines: logfmt (`key=value key2="quoted \" value"`) and the lines of Java and Python loggers
// with `key=value` tokens and a JSON object inside (`… status=400 response={"error":…}`).
import type { JsonObject } from '../common/json.js';

const KEY_START = /[A-Za-z_@]/;
const KEY_CHAR = /[\w.@-]/;

/** Where the JSON object or array opened at `text[at]` closes (just past it), strings skipped; -1 if it does not. */
export function balancedEnd(text: string, at: number): number {
  let depth = 0;
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \ */) i++;
      if (i >= text.length) return -1;
    } else if (c === 123 || c === 91) {
      depth++;
    } else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

/** A logfmt quoted value from its opening quote: the value and where it ends, or undefined if unterminated. */
function quoted(text: string, at: number): { value: string; end: number } | undefined {
  let i = at + 1;
  let escaped = false;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      escaped = true;
      i++;
    } else if (c === 34) {
      break;
    }
  }
  if (i >= text.length) return undefined;
  const raw = text.slice(at + 1, i);
  if (!escaped) return { value: raw, end: i + 1 };
  try {
    return { value: JSON.parse(text.slice(at, i + 1)) as string, end: i + 1 };
  } catch {
    // Go's strconv.Quote escapes JSON does not have (`\x1b`): the text with its backslashes.
    return { value: raw, end: i + 1 };
  }
}

const isObjectText = (text: string) => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
};

/**
 * The record a text line holds: each `key=value` token as a string (JSON text for a value that is
 * an object, `{…}`), and the first JSON object standing on its own in the text as `body`.
 * Undefined when the line has neither, so a plain text line is no record.
 */
export function readTextRecord(text: string): JsonObject | undefined {
  const record: JsonObject = {};
  let found = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const atTokenStart = i === 0 || /[\s,;|([]/.test(text[i - 1]!);
    if (atTokenStart && c === '{' && !('body' in record)) {
      const end = balancedEnd(text, i);
      if (end > 0 && isObjectText(text.slice(i, end))) {
        record.body = text.slice(i, end);
        found = true;
        i = end;
        continue;
      }
    }
    if (atTokenStart && KEY_START.test(c)) {
      let keyEnd = i + 1;
      while (keyEnd < text.length && KEY_CHAR.test(text[keyEnd]!)) keyEnd++;
      if (text[keyEnd] === '=') {
        const key = text.slice(i, keyEnd);
        const valueAt = keyEnd + 1;
        let value: string;
        let end: number;
        const first = text[valueAt];
        const asQuoted = first === '"' ? quoted(text, valueAt) : undefined;
        const objectEnd = first === '{' || first === '[' ? balancedEnd(text, valueAt) : -1;
        if (asQuoted) {
          ({ value, end } = asQuoted);
        } else if (objectEnd > 0) {
          value = text.slice(valueAt, objectEnd);
          end = objectEnd;
        } else {
          end = valueAt;
          while (end < text.length && !/\s/.test(text[end]!)) end++;
          value = text.slice(valueAt, end);
          // `status=400,` in prose: the punctuation is not the value's.
          value = value.replace(/[,;)]+$/, '');
        }
        if (key !== '__proto__') record[key] = value;
        found = true;
        i = Math.max(end, i + 1);
        continue;
      }
      i = keyEnd;
      continue;
    }
    i++;
  }
  return found ? record : undefined;
}

const LEADING_TIME = /^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)[\]\s]/;

/** The time a logger's line starts with (`2026-12-01 10:00:00,123 INFO …`), as written; undefined if none. */
export function leadingTime(text: string): string | undefined {
  return LEADING_TIME.exec(text)?.[1];
}
