// docker's json-file driver: `{"log":"<text>\n","stream":"stdout","time":"<RFC3339Nano>"}` a line,
// keys in that order (Go marshals its struct so). A message over 16 KiB is written as several
// entries; all but the last have a `log` without the trailing newline.

import type { ReadObject, ReadString } from '../core/annotate.js';
import { JsonStringReader, UNREAD } from '../core/json-string.js';

const LOG_KEY = Buffer.from('{"log":"');
const AFTER_LOG = Buffer.from('","stream":"');

/** Whether `b[start, end)` is a docker entry whose `log` is a part of a message, not its end. */
export function isDockerPartial(b: Buffer, start: number, end: number): boolean {
  // Byte by byte: every JSON line of an input is asked, and most fail at the third byte.
  if (end - start < 24) return false;
  for (let i = 0; i < LOG_KEY.length; i++) if (b[start + i] !== LOG_KEY[i]) return false;
  const logEnd = b.lastIndexOf(AFTER_LOG, end - 1);
  if (logEnd < start + LOG_KEY.length) return false;
  // The log ends in a newline when it ends in `\n` written with an odd number of backslashes.
  if (b[logEnd - 1] !== 110 /* n */) return true;
  let backslashes = 0;
  for (let i = logEnd - 2; i >= start + LOG_KEY.length && b[i] === 92; i--) backslashes++;
  return backslashes % 2 === 0;
}

export interface DockerEntry {
  log: string;
  stream: unknown;
  time: unknown;
  /** The entry's other keys (`attrs`), kept as they were. */
  rest: Record<string, unknown>;
}

/** A docker entry's parts, or undefined if the line is not one. */
export function parseDockerEntry(text: string): DockerEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { log, stream, time, ...rest } = value as Record<string, unknown>;
  return typeof log === 'string' ? { log, stream, time, rest } : undefined;
}

const STREAM_KEY = Buffer.from(',"stream":');
const TIME_KEY = Buffer.from(',"time":');
function spells(b: Buffer, at: number, end: number, word: Buffer): boolean {
  if (at + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (b[at + i] !== word[i]) return false;
  return true;
}

const QUOTE = 34;
const BACKSLASH = 92;

/** From the closing quote at `b[i]`, back to the opening quote of a string without escapes (not before `min`); -1 if there is none. */
function plainStringStart(b: Buffer, i: number, min: number): number {
  if (i <= min || b[i] !== QUOTE) return -1;
  for (i--; i > min; i--) {
    const c = b[i]!;
    if (c === QUOTE) return i;
    if (c < 32 || c === BACKSLASH) return -1;
  }
  return -1;
}

/** From the opening quote at `b[i]`, past the closing quote of a string without escapes; -1 if there is none. */
function plainStringEnd(b: Buffer, i: number, end: number): number {
  if (b[i] !== 34 /* " */) return -1;
  for (i++; i < end; i++) {
    const c = b[i]!;
    if (c === 34) return i + 1;
    if (c < 32 || c === 92 /* \ */) return -1;
  }
  return -1;
}

/**
 * Reads docker entries in place, without JSON.parse: only one written as docker writes it,
 * `{"log":"…","stream":"…","time":"…"}` with no space, no other key, and no escape but in `log`;
 * anything else is left to parseDockerEntry.
 */
export class DockerEntryReader {
  private readonly log = new JsonStringReader();
  private readonly logField = this.field('log');
  private readonly streamField = this.field('stream');
  private readonly timeField = this.field('time');
  private readonly entry: ReadObject = { closingBrace: 0, fields: [this.logField, this.streamField, this.timeField] };
  /** Whether the last entry read is a partial one (isDockerPartial). */
  partial = false;

  /** The entry `b[start, end)` (from its `{`), as an object of strings; undefined if it is not one read here. Valid until the next read. */
  read(b: Buffer, start: number, end: number): ReadObject | undefined {
    if (end - start < 24) return undefined;
    for (let i = 0; i < 7; i++) if (b[start + i] !== LOG_KEY[i]) return undefined;
    const { logField: log, streamField: stream, timeField: time } = this;
    log.from = start + 7;
    log.to = this.log.read(b, log.from, end);
    if (log.to === UNREAD || !spells(b, log.to, end, STREAM_KEY)) return undefined;
    stream.from = log.to + STREAM_KEY.length;
    stream.to = plainStringEnd(b, stream.from, end);
    if (stream.to < 0 || !spells(b, stream.to, end, TIME_KEY)) return undefined;
    time.from = stream.to + TIME_KEY.length;
    time.to = plainStringEnd(b, time.from, end);
    if (time.to < 0 || time.to >= end || b[time.to] !== 125 /* } */) return undefined;
    for (let i = time.to + 1; i < end; i++) if (b[i] !== 32 && b[i] !== 9 && b[i] !== 10 && b[i] !== 13) return undefined;
    log.text = this.log.bytes;
    log.textFrom = 0;
    log.textTo = this.log.length;
    log.escaped = false;
    plainText(stream, b);
    plainText(time, b);
    this.entry.closingBrace = time.to;
    this.partial = !this.log.endsInNewlineEscape;
    return this.entry;
  }

  /**
   * The entry `b[start, end)` as `read` reads it, but for `log`, left as written (its field
   * `escaped`: the bytes between its quotes, not yet checked), for the annotator to read the
   * record where it is (Scan.escaped), which checks the string as it goes: no copy is made. The
   * entry's end is read backwards from its last byte, so that `log` is read once, by the scanner.
   * Only a whole message (a `log` that ends in `\n`); undefined where `read` is to decide.
   */
  readEscaped(b: Buffer, start: number, end: number): ReadObject | undefined {
    if (end - start < 24) return undefined;
    for (let i = 0; i < LOG_KEY.length; i++) if (b[start + i] !== LOG_KEY[i]) return undefined;
    let k = end - 1;
    while (k > start && (b[k] === 32 || b[k] === 9 || b[k] === 10 || b[k] === 13)) k--;
    const { logField: log, streamField: stream, timeField: time } = this;
    if (b[k] !== 125 /* } */) return undefined;
    time.to = k;
    time.from = plainStringStart(b, k - 1, start);
    if (time.from - TIME_KEY.length < start || !spells(b, time.from - TIME_KEY.length, end, TIME_KEY)) return undefined;
    stream.to = time.from - TIME_KEY.length;
    stream.from = plainStringStart(b, stream.to - 1, start);
    if (stream.from - STREAM_KEY.length < start || !spells(b, stream.from - STREAM_KEY.length, end, STREAM_KEY)) return undefined;
    log.from = start + LOG_KEY.length - 1;
    log.to = stream.from - STREAM_KEY.length;
    // `log` ends in the escape \n: a backslash before the n that is not itself escaped.
    if (log.to - 3 < log.from + 1 || b[log.to - 1] !== QUOTE || b[log.to - 2] !== 110 /* n */) return undefined;
    let backslashes = 0;
    for (let i = log.to - 3; i > log.from && b[i] === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return undefined;
    log.text = b;
    log.textFrom = log.from + 1;
    log.textTo = log.to - 1;
    log.escaped = true;
    plainText(stream, b);
    plainText(time, b);
    this.entry.closingBrace = time.to;
    this.partial = false;
    return this.entry;
  }

  private field(key: string): ReadString {
    return { key, from: 0, to: 0, text: this.log.bytes, textFrom: 0, textTo: 0, escaped: false };
  }
}

/** A string without escapes holds what is written between its quotes. */
function plainText(field: ReadString, b: Buffer): void {
  field.text = b;
  field.textFrom = field.from + 1;
  field.textTo = field.to - 1;
}
