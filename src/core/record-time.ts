// A record's time, the one rule that `hidlog report` and `--format pretty` both read it by
// (docs/report.md, Times and windows): where it is (the first of the time fields whose value is
// text or a number), and what it is: ISO 8601 text (with or without an offset, any fraction of a
// second), nginx's `$time_local`, or a Unix epoch in seconds, milliseconds, micro- or nanoseconds
// (told apart by magnitude), as a number or a numeric string, from 2000 to 2099. Kept to the
// millisecond.
import { getPath, type JsonObject } from '../common/json.js';
import { numberValue } from './json-number.js';

const QUOTE = 34;

/** How a time written without an offset (a wall time) becomes an instant: a report's `--tz` zone. */
export interface WallZone {
  /** The instant whose wall-clock time in this zone is `wall`. */
  instantOf(wall: number): number;
}

/** Wall times read as UTC. */
export const UTC_WALL: WallZone = { instantOf: (wall) => wall };

/** A record's time in milliseconds since the epoch, or why it has none. */
export type RecordTime = number | 'missing' | 'unparseable';

/**
 * Where a record's time is looked for, in this order, when no `--time-field` is given: ECS's
 * `@timestamp`, then the names loggers use, nginx's `time_local` and journald's
 * `__REALTIME_TIMESTAMP` (µs). Top-level keys only: each key the byte scanner keeps costs every
 * record read (a nested one like ECS's `event.created` is one `--time-field` away). The first
 * field whose value is text or a number decides (isTimeValue); a record with none of them takes
 * its envelope's time (a CRI or syslog line's), if it came in one.
 */
export const TIME_FIELDS: readonly (readonly string[])[] = [
  ['@timestamp'],
  ['timestamp'],
  ['time'],
  ['ts'],
  ['date'],
  ['time_local'],
  ['__REALTIME_TIMESTAMP'],
];

/**
 * Whether a time field's value is one a time is read from: text or a number. Anything else (null,
 * true, false, an object, an array) counts as no value, and the next time field is looked at.
 */
export const isTimeValue = (value: unknown): value is string | number => typeof value === 'string' || typeof value === 'number';

// Times outside these years are placeholders, typos or a clock that was never set. The bounds
// also make an epoch's unit certain: the four ranges below do not overlap.
export const EARLIEST_TIME = Date.UTC(2000, 0, 1);
export const LATEST_TIME = Date.UTC(2100, 0, 1);

const inRange = (ms: number) => (ms >= EARLIEST_TIME && ms < LATEST_TIME ? ms : undefined);

/** An epoch number in whichever unit puts it between 2000 and 2100. */
function fromEpoch(n: number): number | undefined {
  if (n >= EARLIEST_TIME / 1000 && n < LATEST_TIME / 1000) return Math.round(n * 1000);
  if (n >= EARLIEST_TIME && n < LATEST_TIME) return Math.floor(n);
  if (n >= EARLIEST_TIME * 1000 && n < LATEST_TIME * 1000) return Math.floor(n / 1000);
  if (n >= EARLIEST_TIME * 1e6 && n < LATEST_TIME * 1e6) return Math.floor(n / 1e6);
  return undefined;
}

const DIGIT_0 = 48;

/** The `count` digits at `b[at]` as a number, or -1 (the caller knows they are inside the text). */
function digits(b: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = b[i]! - DIGIT_0;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** An offset east of UTC in milliseconds; undefined past 23:59. */
function offsetOf(sign: number, hours: number, minutes: number): number | undefined {
  return hours < 0 || hours > 23 || minutes < 0 || minutes > 59 ? undefined : sign * (hours * 60 + minutes) * 60_000;
}

/** `±hh`, `±hhmm` or `±hh:mm` in `b[at, to)`, in milliseconds; undefined if it is none of these. */
function offsetFrom(b: Uint8Array, at: number, to: number): number | undefined {
  const rest = to - at - 3;
  if (rest < 0) return undefined;
  const sign = b[at] === 45 /* - */ ? -1 : 1;
  const hours = digits(b, at + 1, 2);
  if (rest === 0) return offsetOf(sign, hours, 0);
  const minutesAt = b[at + 3] === 58 /* : */ ? at + 4 : at + 3;
  return to - minutesAt === 2 ? offsetOf(sign, hours, digits(b, minutesAt, 2)) : undefined;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil): arithmetic only, no Date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The wall time at the start of the day `YYYY-MM-DD` at `b[at]`, or NaN. */
function dayWall(b: Uint8Array, at: number): number {
  const year = digits(b, at, 4);
  const month = digits(b, at + 5, 2);
  const day = digits(b, at + 8, 2);
  if (year < 0 || b[at + 4] !== 45 || b[at + 7] !== 45 || month < 0 || day < 0 || !validDate(year, month, day)) return Number.NaN;
  return daysFromCivil(year, month, day) * 86_400_000;
}

// `YYYY-MM-DDThh`: the part of a time that records in a row share most.
const HOUR_PREFIX = 13;

/**
 * The hour of the last time read (`YYYY-MM-DDThh`, any accepted separator) and its wall time:
 * records in a row share their day and hour, and comparing 13 bytes costs less than reading them.
 */
class LastHour {
  private readonly prefix = new Uint8Array(HOUR_PREFIX);
  private wall = Number.NaN;

  /** The wall time at the start of the hour `b[at]` starts with, if it is the one kept; else NaN. */
  find(b: Uint8Array, at: number): number {
    const { prefix } = this;
    for (let i = 0; i < HOUR_PREFIX; i++) if (b[at + i] !== prefix[i]) return Number.NaN;
    return this.wall;
  }

  keep(b: Uint8Array, at: number, wall: number): void {
    for (let i = 0; i < HOUR_PREFIX; i++) this.prefix[i] = b[at + i]!;
    this.wall = wall;
  }
}

/**
 * `YYYY-MM-DD[(T|t| )hh:mm[:ss[(.|,)fraction]]][Z|z|±hh[[:]mm]]` in `b[from, to)`; without an
 * offset, a wall time in `zone`. The day and hour may come from `lastHour`.
 */
function fromIso(b: Uint8Array, from: number, to: number, zone: WallZone, lastHour: LastHour): number | undefined {
  const length = to - from;
  if (length < 10) return undefined;
  if (length === 10) {
    const day = dayWall(b, from);
    return Number.isNaN(day) ? undefined : inRange(zone.instantOf(day));
  }
  if (length < 16) return undefined;
  let wall = lastHour.find(b, from);
  if (Number.isNaN(wall)) {
    const day = dayWall(b, from);
    const separator = b[from + 10];
    const hour = digits(b, from + 11, 2);
    if (Number.isNaN(day) || (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) || hour < 0 || hour > 23) return undefined;
    wall = day + hour * 3_600_000;
    lastHour.keep(b, from, wall);
  }
  const minute = digits(b, from + 14, 2);
  if (b[from + 13] !== 58 || minute < 0 || minute > 59) return undefined;
  wall += minute * 60_000;
  let at = from + 16;
  if (at < to && b[at] === 58 /* : */) {
    if (to - at < 3) return undefined;
    const second = digits(b, at + 1, 2);
    if (second < 0 || second > 60) return undefined;
    wall += second * 1000;
    at += 3;
    const dot = at < to ? b[at] : -1;
    if (dot === 46 /* . */ || dot === 44 /* , */) {
      // Milliseconds: the first three digits; any after them are read and dropped.
      const fractionFrom = ++at;
      let ms = 0;
      for (; at < to; at++) {
        const d = b[at]! - DIGIT_0;
        if (!(d >= 0 && d <= 9)) break;
        if (at - fractionFrom < 3) ms = ms * 10 + d;
      }
      const fractionDigits = at - fractionFrom;
      if (fractionDigits === 0) return undefined;
      wall += fractionDigits >= 3 ? ms : fractionDigits === 2 ? ms * 10 : ms * 100;
    }
  }
  if (at === to) return inRange(zone.instantOf(wall));
  const mark = b[at];
  if ((mark === 90 /* Z */ || mark === 122) /* z */ && at + 1 === to) return inRange(wall);
  if (mark !== 43 /* + */ && mark !== 45 /* - */) return undefined;
  const offset = offsetFrom(b, at, to);
  return offset === undefined ? undefined : inRange(wall - offset);
}

// The ISO reader reads bytes: a text is copied here first (a time is short; a longer text gets its own copy).
const textBytes = new Uint8Array(64);

/** `fromIso` for a text; no ISO time has a character past ASCII, so none is copied. */
function fromIsoText(text: string, zone: WallZone, lastHour: LastHour): number | undefined {
  const b = text.length <= textBytes.length ? textBytes : new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    b[i] = c;
  }
  return fromIso(b, 0, text.length, zone, lastHour);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const COMMON_LOG = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?: ([+-])(\d{2})(\d{2}))?$/;

/** nginx's and Apache's `28/Nov/2026:09:00:00 +0000`; without an offset, a wall time in `zone`. */
function fromCommonLog(text: string, zone: WallZone): number | undefined {
  const match = COMMON_LOG.exec(text);
  if (!match) return undefined;
  const [, day, monthName, year, hour, minute, second, sign, offsetHours, offsetMinutes] = match;
  const month = MONTHS.indexOf(monthName!) + 1;
  if (!validDate(Number(year), month, Number(day)) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const wall = Date.UTC(Number(year), month - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (sign === undefined) return inRange(zone.instantOf(wall));
  const offset = offsetOf(sign === '-' ? -1 : 1, Number(offsetHours), Number(offsetMinutes));
  return offset === undefined ? undefined : inRange(wall - offset);
}

const EPOCH_TEXT = /^\d+(\.\d+)?$/;

/** Whether a text is read as an epoch (digits, perhaps a fraction, perhaps space around them) rather than as a written time. */
export const isEpochText = (text: string): boolean => EPOCH_TEXT.test(text.trim());

/** parseTime, with the hour of the time read before in `lastHour` (a reader's own). */
function readTime(value: unknown, zone: WallZone, lastHour: LastHour): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  // Most times have no space around them: trim only those that do.
  const text = value.charCodeAt(0) > 32 && value.charCodeAt(value.length - 1) > 32 ? value : value.trim();
  if (text.charCodeAt(4) === 45 /* - */) return fromIsoText(text, zone, lastHour);
  if (EPOCH_TEXT.test(text)) return fromEpoch(Number(text));
  return fromCommonLog(text, zone);
}

/** A time as logged, in milliseconds since the epoch; undefined if it is not one (or not between 2000 and 2100). */
export const parseTime = (value: unknown, zone: WallZone): number | undefined => readTime(value, zone, new LastHour());

// A RecordTime as one number (what a worker sends, what the byte path picks): a time, or one of
// these, which are below every time.
export const MISSING_TIME = -1;
export const UNPARSEABLE_TIME = -2;

export const encodeTime = (time: RecordTime): number => (time === 'missing' ? MISSING_TIME : time === 'unparseable' ? UNPARSEABLE_TIME : time);
export const decodeTime = (n: number): RecordTime => (n === MISSING_TIME ? 'missing' : n === UNPARSEABLE_TIME ? 'unparseable' : n);

/**
 * Builds the function that reads a time from its JSON text `b[from, to)` (a value the byte
 * scanner picked: text or a number), encoded as encodeTime does. An ISO 8601 text is read from the bytes, its day
 * and hour kept from the record before; anything else as parseTime reads the decoded value.
 */
export function jsonTimeReader(zone: WallZone): (b: Buffer, from: number, to: number) => number {
  const lastHour = new LastHour();
  return (b, from, to) => {
    const first = b[from]!;
    if (first === QUOTE) {
      // Text with escapes, space around it or no ISO time in it is decoded and read again below.
      const time = fromIso(b, from + 1, to - 1, zone, lastHour);
      if (time !== undefined) return time;
    } else if (first === 45 /* - */ || (first >= 48 && first <= 57)) {
      return fromEpoch(numberValue(b, from, to)) ?? UNPARSEABLE_TIME;
    } else {
      // null, true, false, an object or an array: no time value (isTimeValue); the scanner picks none of them (isPickable).
      return MISSING_TIME;
    }
    return readTime(JSON.parse(b.toString('utf8', from, to)), zone, lastHour) ?? UNPARSEABLE_TIME;
  };
}

/** A time value (isTimeValue) or undefined. */
const timeValue = (value: unknown): string | number | undefined => (isTimeValue(value) ? value : undefined);

/**
 * The value of the first of the built-in time fields (TIME_FIELDS) whose value is text or a
 * number, as the record has it; undefined if it has none. Property loads of fixed names cost half
 * what a loop over the names does (none of them is inherited, so a plain read is an own key's).
 */
export const builtinTimeValue = (record: JsonObject): string | number | undefined =>
  timeValue(record['@timestamp']) ??
  timeValue(record.timestamp) ??
  timeValue(record.time) ??
  timeValue(record.ts) ??
  timeValue(record.date) ??
  timeValue(record.time_local) ??
  timeValue(record.__REALTIME_TIMESTAMP);

/** Builds the function that gives a record's time: from the first of `paths` whose value is text or a number, or why there is none. */
export function timeReader(paths: readonly (readonly string[])[], zone: WallZone): (record: JsonObject) => RecordTime {
  const lastHour = new LastHour();
  const read = (value: string | number | undefined): RecordTime => (value === undefined ? 'missing' : (readTime(value, zone, lastHour) ?? 'unparseable'));
  if (paths === TIME_FIELDS || JSON.stringify(paths) === JSON.stringify(TIME_FIELDS)) return (record) => read(builtinTimeValue(record));
  // A top-level key that no object inherits is read as a plain property; any other path as
  // getPath reads it, own keys only.
  const plainKeys = paths.map((path) => (path.length === 1 && !(path[0]! in Object.prototype) ? path[0]! : undefined));
  return (record) => {
    for (let i = 0; i < paths.length; i++) {
      const key = plainKeys[i];
      const value = key !== undefined ? record[key] : getPath(record, paths[i]!);
      if (isTimeValue(value)) return readTime(value, zone, lastHour) ?? 'unparseable';
    }
    return 'missing';
  };
}

export const timeOfRecord = (record: JsonObject, paths: readonly (readonly string[])[], zone: WallZone): RecordTime => timeReader(paths, zone)(record);
