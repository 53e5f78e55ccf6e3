import { describe, expect, it } from 'vitest';
import { random } from '../../fixtures/shapes.mjs';
import {
  EARLIEST_TIME,
  LATEST_TIME,
  TIME_FIELDS,
  builtinTimeValue,
  decodeTime,
  isEpochText,
  jsonTimeReader,
  parseTime,
  timeOfRecord,
  timeReader,
} from '../../src/core/record-time.js';
import { UTC, parseZone } from '../../src/report/zone.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const berlin = parseZone('Europe/Berlin')!;

const TEXTS: [string, number][] = [
  ['2026-11-28T09:00:00Z', T],
  ['2026-11-28T09:00:00z', T],
  ['2026-11-28t09:00:00Z', T],
  ['2026-11-28 09:00:00Z', T],
  ['2026-11-28T09:00Z', T],
  ['2026-11-28T09:00:00.123Z', T + 123],
  ['2026-11-28T09:00:00.1Z', T + 100],
  ['2026-11-28T09:00:00.12Z', T + 120],
  ['2026-11-28T09:00:00.123456789Z', T + 123],
  ['2026-11-28T09:00:00,5Z', T + 500],
  ['2026-11-28T10:00:00+01:00', T],
  ['2026-11-28T10:00:00.250+01:00', T + 250],
  ['2026-11-28T10:00:00+0100', T],
  ['2026-11-28T10:00:00+01', T],
  ['2026-11-28T03:30:00-05:30', T],
  ['2026-11-28T09:00:00+00:00', T],
  ['  2026-11-28T09:00:00Z  ', T],
  ['2026-11-28', Date.UTC(2026, 10, 28)],
  ['2026-11-28T09:00:00', T],
  ['28/Nov/2026:10:00:00 +0100', T],
  ['28/Nov/2026:09:00:00', T],
];

// The common shape's edges, which the reader of JSON text reads from the bytes.
const EDGES: [string, number][] = [
  ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
  ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
  ['2028-02-29t23:59:59.999z', Date.UTC(2028, 1, 29, 23, 59, 59, 999)],
  ['2026-02-28T23:59:60Z', Date.UTC(2026, 2, 1)],
  ['2026-12-31T23:59:59.999+00:00', Date.UTC(2026, 11, 31, 23, 59, 59, 999)],
  ['2027-01-01T00:30:00+01:00', Date.UTC(2026, 11, 31, 23, 30)],
  ['2026-11-28T00:00:00-23:59', Date.UTC(2026, 10, 28, 23, 59)],
  ['2026-11-28T09:00:00.9Z', T + 900],
  ['2026-11-28T09:00:00.98Z', T + 980],
  ['2026-11-28T09:00:00.987Z', T + 987],
  ['2026-11-28T09:00:00.9876Z', T + 987],
  ['2026-11-28T09:00:00.98765Z', T + 987],
  ['2026-11-28T09:00:00.987654Z', T + 987],
  ['2026-11-28T09:00:00.9876543Z', T + 987],
  ['2026-11-28T09:00:00.98765432Z', T + 987],
  ['2026-11-28T09:00:00.987654321Z', T + 987],
  ['2026-11-28T09:00:00.987654321098765432109876543210987654321098765432109876543210987654321Z', T + 987],
  ['2026-11-28 09:00:00.5', T + 500],
  ['2099-12-31T23:59:59.999Z', LATEST_TIME - 1],
  ['2000-01-01T00:00:00Z', EARLIEST_TIME],
];

const NOT_TIMES: [string, unknown][] = [
  ['a placeholder 0', 0],
  ['a negative number', -1_795_856_400],
  ['a duration in seconds', 300],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['text', 'yesterday at noon'],
  ['an empty text', ''],
  ['a date before 2000', '1999-12-31T23:59:59Z'],
  ['a date from 2100', '2100-01-01T00:00:00Z'],
  ['the 30th of February', '2026-02-30T09:00:00Z'],
  ['a 13th month', '2026-13-01T09:00:00Z'],
  ['hour 24', '2026-11-28T24:00:00Z'],
  ['minute 60', '2026-11-28T09:60:00Z'],
  ['second 61', '2026-11-28T09:00:61Z'],
  ['a single-digit hour', '2026-11-28T9:00:00Z'],
  ['a dot without digits', '2026-11-28T09:00:00.Z'],
  ['an unknown zone letter', '2026-11-28T09:00:00X'],
  ['text after the offset', '2026-11-28T09:00:00+01:00 CET'],
  ['a half offset', '2026-11-28T09:00:00+01:0'],
  ['an offset hour of 24', '2026-11-28T09:00:00+24:00'],
  ['a signed epoch text', '-1795856400'],
  ['a month name nobody uses', '28/Foo/2026:09:00:00 +0000'],
  ['an object', { seconds: 1_795_856_400 }],
  ['true', true],
  ['null', null],
  ['the 29th of February in a common year', '2026-02-29T09:00:00Z'],
  ['the 29th of February 2100', '2100-02-29T09:00:00Z'],
  ['the 29th of February 1900', '1900-02-29T09:00:00Z'],
  ['a day 0', '2026-11-00T09:00:00Z'],
  ['the 31st of a 30-day month', '2026-11-31T09:00:00Z'],
  ['a Z and more', '2026-11-28T09:00:00ZZ'],
  ['an offset without a sign', '2026-11-28T09:00:0001:00'],
  ['an offset of minute 60', '2026-11-28T09:00:00+01:60'],
  ['a character past ASCII for a digit', '2026-11-28T09:00:0\u0660Z'],
  ['a T written as a character past ASCII', '2026-11-28\u01d4T09:00:00Z'],
  ['a minute without its second digit', '2026-11-28T09:0'],
  ['a second without its second digit', '2026-11-28T09:00:0'],
  ['an hour alone', '2026-11-28T09'],
];

describe('parseTime', () => {
  it.each(TEXTS)('reads the text %j', (text, expected) => {
    expect(parseTime(text, UTC)).toBe(expected);
  });

  it('reads a leap second into the next minute, as Date does', () => {
    expect(parseTime('2026-12-31T23:59:60Z', UTC)).toBe(Date.UTC(2027, 0, 1));
  });

  it('reads a time without an offset in the zone, with its daylight saving time', () => {
    expect(parseTime('2026-11-28T10:00:00', berlin)).toBe(T);
    expect(parseTime('2026-07-01T11:00:00', berlin)).toBe(Date.UTC(2026, 6, 1, 9));
    expect(parseTime('28/Nov/2026:10:00:00', berlin)).toBe(T);
    expect(parseTime('2026-11-28T09:00:00Z', berlin)).toBe(T);
    expect(parseTime('2026-11-28T12:00:00', parseZone('+03:00')!)).toBe(T);
  });

  it.each([
    ['seconds', 1_795_856_400, T],
    ['seconds with a fraction', 1_795_856_400.123, T + 123],
    ['milliseconds', 1_795_856_400_123, T + 123],
    ['microseconds', 1_795_856_400_123_456, T + 123],
    ['nanoseconds', 1_795_856_400_123_456_789, T + 123],
  ])('reads an epoch number in %s', (_unit, value, expected) => {
    expect(parseTime(value, UTC)).toBe(expected);
  });

  it.each([
    ['seconds', '1795856400', T],
    ['seconds with a fraction', '1795856400.5', T + 500],
    ['milliseconds', '1795856400123', T + 123],
    ['nanoseconds', '1795856400123456789', T + 123],
  ])('reads an epoch string in %s', (_unit, value, expected) => {
    expect(parseTime(value, UTC)).toBe(expected);
  });

  it('tells the units apart by magnitude at the edges of the years accepted', () => {
    expect(parseTime(EARLIEST_TIME / 1000, UTC)).toBe(EARLIEST_TIME);
    expect(parseTime(EARLIEST_TIME, UTC)).toBe(EARLIEST_TIME);
    expect(parseTime(LATEST_TIME / 1000 - 1, UTC)).toBe(LATEST_TIME - 1000);
    // Between the ranges a number is in no unit at all.
    expect(parseTime(LATEST_TIME / 1000, UTC)).toBeUndefined();
    expect(parseTime(EARLIEST_TIME - 1, UTC)).toBeUndefined();
  });

  it.each(EDGES)('reads the edge %j', (text, expected) => {
    expect(parseTime(text, UTC)).toBe(expected);
  });

  it.each(NOT_TIMES)('gives nothing for %s', (_what, value) => {
    expect(parseTime(value, UTC)).toBeUndefined();
  });
});

describe('a time read from its JSON text', () => {
  const readJson = (json: string, zone = UTC, read = jsonTimeReader(zone)) => decodeTime(read(Buffer.from(`{"t":${json}}`), 5, 5 + Buffer.byteLength(json)));

  it.each([...TEXTS, ...EDGES])('reads the text %j as parseTime does', (text, expected) => {
    expect(readJson(JSON.stringify(text))).toBe(expected);
  });

  // What JSON can write: not NaN, Infinity. Text or a number is a time that cannot be read; anything else is no time value.
  it.each(NOT_TIMES.filter(([, value]) => typeof value !== 'number' || Number.isFinite(value)))('reads %s as no time, as parseTime does', (_what, value) => {
    expect(readJson(JSON.stringify(value))).toBe(typeof value === 'string' || typeof value === 'number' ? 'unparseable' : 'missing');
  });

  it.each([
    ['with escapes', '"2026-11-28\\u0054\\u0030\\u0039:00:00Z"', T],
    ['with an escaped space around it', '"\\t2026-11-28T09:00:00Z "', T],
    ['with a no-break space around it', '" 2026-11-28T09:00:00Z\u00a0"', T],
    ['in seconds', '1795856400.25', T + 250],
    ['in milliseconds', '1795856400123', T + 123],
    ['in nanoseconds, past what a double holds exactly', '1795856400123456789', T + 123],
    ['as epoch text', '"1795856400"', T],
    ['as nginx writes it', '"28/Nov/2026:10:00:00 +0100"', T],
  ])('reads a time %s', (_what, json, expected) => {
    expect(readJson(json)).toBe(expected);
  });

  it('reads a wall time in the zone, on both sides of a change of daylight saving time', () => {
    const read = jsonTimeReader(berlin);
    expect(readJson('"2026-11-28T10:00:00"', berlin, read)).toBe(T);
    expect(readJson('"2026-07-01T11:00:00.5"', berlin, read)).toBe(Date.UTC(2026, 6, 1, 9, 0, 0, 500));
    expect(readJson('"2026-03-29T01:30:00"', berlin, read)).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(readJson('"2026-03-29T03:30:00"', berlin, read)).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });

  it('says what is no time: a value that is not text or a number is none, text that is no time cannot be read', () => {
    for (const json of ['null', 'true', 'false', '{"t":1795856400}', '[1795856400]']) expect(readJson(json), json).toBe('missing');
    for (const json of ['""', '"soon"', '0', '-1795856400']) expect(readJson(json), json).toBe('unparseable');
  });

  it('reads times in a row that share their hour as each alone (the reader keeps the last hour)', () => {
    const texts = [
      '2026-11-28T09:00:05Z',
      '2026-11-28T09:59:59.999Z',
      '2026-11-28T09:60:00Z',
      '2026-11-28T09:00:00+01:00',
      '2026-11-28t09:00:00Z',
      '2026-11-28T10:00:00Z',
      '2026-11-28T09:00:00Z',
      '2026-11-29T09:00:00Z',
      '2026-02-29T09:00:00Z',
      '2026-02-29T09:00:01Z',
      '2024-02-29T09:00:00Z',
      '2024-02-29T09:30',
      '2024-02-29T09',
      '2024-02-29',
      '2024-02-29T09:30:00.1-05:30',
      '2024-02-29T09:30:00',
    ];
    const read = jsonTimeReader(berlin);
    expect(texts.map((text) => readJson(JSON.stringify(text), berlin, read))).toEqual(texts.map((text) => parseTime(text, berlin) ?? 'unparseable'));
  });

  it('agrees with parseTime on generated texts, read in a row by one reader', () => {
    const rnd = random(20261128);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    const pieces = ['0', '1', '2', '9', '-', ':', 'T', 't', ' ', '.', ',', 'Z', 'z', '+', '\u00e9', '"', '\\'];
    const zone = pick([UTC, berlin, parseZone('-03:30')!]);
    const read = jsonTimeReader(zone);
    let base = Date.UTC(2024, 1, 28, 22);
    for (let i = 0; i < 20_000; i++) {
      base += Math.floor(rnd() * 200_000);
      const iso = new Date(base).toISOString();
      const chars = [...pick([iso, iso.slice(0, 19), iso.slice(0, 19) + '+05:45', iso.replace('Z', '123456Z'), iso.slice(0, 10), iso.slice(0, 16)])];
      // Most texts stay valid (times in a row), the rest are broken in one or two places.
      if (rnd() < 0.3)
        for (let edits = 1 + Math.floor(rnd() * 2); edits > 0; edits--) chars.splice(Math.floor(rnd() * chars.length), rnd() < 0.5 ? 1 : 0, pick(pieces));
      const text = chars.join('');
      expect(readJson(JSON.stringify(text), zone, read), text).toBe(parseTime(text, zone) ?? 'unparseable');
    }
  });
});

describe('timeOfRecord', () => {
  it('takes the first of the built-in fields the record has', () => {
    expect(timeOfRecord({ ts: 1_795_856_400, time: '2026-11-28T10:00:00Z' }, TIME_FIELDS, UTC)).toBe(T + 3_600_000);
    expect(timeOfRecord({ '@timestamp': '2026-11-28T09:00:00Z', time: 'garbage' }, TIME_FIELDS, UTC)).toBe(T);
    expect(timeOfRecord({ event: { created: '2026-11-28T09:00:00Z' } }, TIME_FIELDS, UTC)).toBe('missing');
    expect(timeOfRecord({ event: { created: '2026-11-28T09:00:00Z' } }, [['event', 'created']], UTC)).toBe(T);
    expect(timeOfRecord({ date: '2026-11-28T09:00:00Z' }, TIME_FIELDS, UTC)).toBe(T);
  });

  it('says whether a record has no time or one that cannot be read; a value that is not text or a number counts as none', () => {
    expect(timeOfRecord({ status: 200 }, TIME_FIELDS, UTC)).toBe('missing');
    expect(timeOfRecord({ time: null }, TIME_FIELDS, UTC)).toBe('missing');
    for (const time of [true, false, { seconds: 1_795_856_400 }, [1_795_856_400]]) expect(timeOfRecord({ time }, TIME_FIELDS, UTC)).toBe('missing');
    expect(timeOfRecord({ time: 'soon' }, TIME_FIELDS, UTC)).toBe('unparseable');
    expect(timeOfRecord({ time: 0 }, TIME_FIELDS, UTC)).toBe('unparseable');
    // The first field with text or a number decides, even when a later one could be read.
    expect(timeOfRecord({ time: 'soon', ts: 1_795_856_400 }, TIME_FIELDS, UTC)).toBe('unparseable');
    expect(timeOfRecord({ time: 0, ts: 1_795_856_400 }, TIME_FIELDS, UTC)).toBe('unparseable');
  });

  it('passes over a field whose value is not text or a number to the next, built-in fields and --time-fields alike', () => {
    expect(timeOfRecord({ time: true, ts: 1_795_856_400 }, TIME_FIELDS, UTC)).toBe(T);
    expect(timeOfRecord({ '@timestamp': { $date: 1 }, time: '2026-11-28T09:00:00Z' }, TIME_FIELDS, UTC)).toBe(T);
    expect(timeOfRecord({ a: { b: [1] }, c: '2026-11-28T09:00:00Z' }, [['a', 'b'], ['c']], UTC)).toBe(T);
    expect(builtinTimeValue({ time: null, ts: false, date: 'soon', time_local: 1 })).toBe('soon');
    expect(builtinTimeValue({ time: {}, __REALTIME_TIMESTAMP: '1795856400000000' })).toBe('1795856400000000');
    expect(builtinTimeValue({ msg: 'no time' })).toBeUndefined();
  });

  it('has the built-in fields in the order TIME_FIELDS gives', () => {
    // builtinTimeValue reads them by name; a record with each of them takes the first.
    const record = Object.fromEntries(TIME_FIELDS.map(([key], i) => [key!, String(i)]));
    for (let i = 0; i < TIME_FIELDS.length; i++) {
      expect(builtinTimeValue(record)).toBe(String(i));
      delete record[TIME_FIELDS[i]![0]!];
    }
    expect(builtinTimeValue(record)).toBeUndefined();
  });

  it('tells epoch text from written text as the reader does', () => {
    for (const text of ['1795856400', '1795856400.5', ' 1795856400 ', '12345']) expect(isEpochText(text), text).toBe(true);
    for (const text of ['2026-11-28', '28/Nov/2026:09:00:00', '-1795856400', '1.2.3', '', 'soon']) expect(isEpochText(text), text).toBe(false);
  });

  it('reads records in a row that share their minute as each alone (the reader keeps the last minute)', () => {
    const read = timeReader([['time']], UTC);
    const texts = [
      '2026-11-28T09:00:05Z',
      '2026-11-28T09:00:07.5+01:00',
      '2026-11-28T09:00',
      '2026-11-28T09:00:xx',
      '2026-11-28T09:00:61Z',
      '2026-11-28T09:01:00Z',
      '2026-11-28 09:00:01Z',
      '2026-11-28T09:00:09',
    ];
    expect(texts.map((time) => read({ time }))).toEqual(texts.map((time) => parseTime(time, UTC) ?? 'unparseable'));
    expect(texts.map((time) => read({ time }))).toEqual([T + 5000, T + 7500 - 3_600_000, T, 'unparseable', 'unparseable', T + 60_000, T + 1000, T + 9000]);
  });

  it('never reads an inherited property as a time', () => {
    expect(timeOfRecord({}, [['constructor']], UTC)).toBe('missing');
    expect(timeOfRecord({}, [['toString'], ['time']], UTC)).toBe('missing');
    expect(timeOfRecord({ constructor: '2026-11-28T09:00:00Z' }, [['constructor']], UTC)).toBe(T);
  });

  it('reads a path of its own, through JSON-encoded text', () => {
    expect(timeOfRecord({ log: '{"at":"2026-11-28T09:00:00Z"}\n', time: 0 }, [['log', 'at']], UTC)).toBe(T);
  });
});
