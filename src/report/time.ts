// A record's time: ISO 8601 text (with or without an offset, any fraction of a second), nginx's
// `$time_local`, or a Unix epoch in seconds, milliseconds, micro- or nanoseconds (told apart by
// magnitude), as a number or a numeric string. Kept to the millisecond.
import { getPath, type JsonObject } from '../core/json.js';
import type { Zone } from './zone.js';

/** A record's time in milliseconds since the epoch, or why it has none. */
export type RecordTime = number | 'missing' | 'unparseable';

/**
 * Where a record's time is looked for, in this order, when no `--time-field` is given: ECS's
 * `@timestamp`, then the names loggers use. Top-level keys only: each key the byte scanner keeps
 * costs every record read (a nested one like ECS's `event.created` is one `--time-field` away).
 */
export const TIME_FIELDS: readonly (readonly string[])[] = [['@timestamp'], ['timestamp'], ['time'], ['ts'], ['date']];

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

/** The `count` digits at `at` as a number, or -1. */
function digits(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
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

/** `±hh`, `±hhmm` or `±hh:mm` from `at` to the end of the text, in milliseconds; undefined if it is none of these. */
function offsetFrom(text: string, at: number): number | undefined {
  const sign = text.charCodeAt(at) === 45 /* - */ ? -1 : 1;
  const hours = digits(text, at + 1, 2);
  const rest = text.length - at - 3;
  const minutesAt = text.charCodeAt(at + 3) === 58 /* : */ ? at + 4 : at + 3;
  const minutes = rest === 0 ? 0 : text.length - minutesAt === 2 ? digits(text, minutesAt, 2) : -1;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
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

/** `YYYY-MM-DD[(T| )hh:mm[:ss[(.|,)fraction]]][Z|±hh[:mm]]`; without an offset, a wall time in `zone`. */
function fromIso(text: string, zone: Zone): number | undefined {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || text.charCodeAt(7) !== 45 || month < 0 || day < 0 || !validDate(year, month, day)) return undefined;
  let wall = daysFromCivil(year, month, day) * 86_400_000;
  if (text.length === 10) return inRange(zone.instantOf(wall));
  const separator = text.charCodeAt(10);
  if (separator !== 84 /* T */ && separator !== 116 /* t */ && separator !== 32) return undefined;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  if (hour < 0 || hour > 23 || text.charCodeAt(13) !== 58 || minute < 0 || minute > 59) return undefined;
  wall += hour * 3_600_000 + minute * 60_000;
  let at = 16;
  let second = 0;
  let ms = 0;
  if (text.charCodeAt(at) === 58 /* : */) {
    second = digits(text, at + 1, 2);
    if (second < 0 || second > 60) return undefined;
    at += 3;
    const dot = text.charCodeAt(at);
    if (dot === 46 /* . */ || dot === 44 /* , */) {
      const from = ++at;
      for (let scale = 100; at < text.length; at++, scale /= 10) {
        const d = text.charCodeAt(at) - DIGIT_0;
        if (!(d >= 0 && d <= 9)) break;
        if (scale >= 1) ms += d * scale;
      }
      if (at === from) return undefined;
    }
  }
  wall += second * 1000 + ms;
  if (at === text.length) return inRange(zone.instantOf(wall));
  const mark = text.charCodeAt(at);
  if ((mark === 90 /* Z */ || mark === 122 /* z */) && at + 1 === text.length) return inRange(wall);
  if (mark !== 43 /* + */ && mark !== 45 /* - */) return undefined;
  const offset = offsetFrom(text, at);
  return offset === undefined ? undefined : inRange(wall - offset);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const COMMON_LOG = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?: ([+-]\d{4}))?$/;

/** nginx's and Apache's `28/Nov/2026:09:00:00 +0000`; without an offset, a wall time in `zone`. */
function fromCommonLog(text: string, zone: Zone): number | undefined {
  const match = COMMON_LOG.exec(text);
  if (!match) return undefined;
  const [, day, monthName, year, hour, minute, second, offset] = match;
  const month = MONTHS.indexOf(monthName!) + 1;
  if (!validDate(Number(year), month, Number(day)) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  const wall = Date.UTC(Number(year), month - 1, Number(day), Number(hour), Number(minute), Number(second));
  if (offset === undefined) return inRange(zone.instantOf(wall));
  return inRange(wall - offsetFrom(offset, 0)!);
}

const EPOCH_TEXT = /^\d+(\.\d+)?$/;

/** A time as logged, in milliseconds since the epoch; undefined if it is not one (or not between 2000 and 2100). */
export function parseTime(value: unknown, zone: Zone): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  // Most times have no space around them: trim only those that do.
  const text = value.charCodeAt(0) > 32 && value.charCodeAt(value.length - 1) > 32 ? value : value.trim();
  if (text.charCodeAt(4) === 45 /* - */) return fromIso(text, zone);
  if (EPOCH_TEXT.test(text)) return fromEpoch(Number(text));
  return fromCommonLog(text, zone);
}

/** Builds the function that gives a record's time: from the first of `paths` it has (a value that is not null), or why there is none. */
export function timeReader(paths: readonly (readonly string[])[], zone: Zone): (record: JsonObject) => RecordTime {
  const read = (value: unknown): RecordTime => (value === undefined || value === null ? 'missing' : (parseTime(value, zone) ?? 'unparseable'));
  // The built-in fields by name: property loads of fixed names cost half what a loop over the
  // names does (none of them is inherited, so a plain read is an own key's).
  if (paths === TIME_FIELDS || JSON.stringify(paths) === JSON.stringify(TIME_FIELDS)) {
    return (record) => read(record['@timestamp'] ?? record.timestamp ?? record.time ?? record.ts ?? record.date);
  }
  // A top-level key that no object inherits is read as a plain property; any other path as
  // getPath reads it, own keys only.
  const plainKeys = paths.map((path) => (path.length === 1 && !(path[0]! in Object.prototype) ? path[0]! : undefined));
  return (record) => {
    for (let i = 0; i < paths.length; i++) {
      const key = plainKeys[i];
      const value = key !== undefined ? record[key] : getPath(record, paths[i]!);
      if (value === undefined || value === null) continue;
      return parseTime(value, zone) ?? 'unparseable';
    }
    return 'missing';
  };
}

export const timeOfRecord = (record: JsonObject, paths: readonly (readonly string[])[], zone: Zone): RecordTime => timeReader(paths, zone)(record);
