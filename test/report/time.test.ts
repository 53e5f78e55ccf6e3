import { describe, expect, it } from 'vitest';
import { EARLIEST_TIME, LATEST_TIME, TIME_FIELDS, parseTime, timeOfRecord, timeReader } from '../../src/report/time.js';
import { UTC, parseZone } from '../../src/report/zone.js';

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const berlin = parseZone('Europe/Berlin')!;

describe('parseTime', () => {
  it.each([
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
  ])('reads the text %j', (text, expected) => {
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

  it.each([
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
  ])('gives nothing for %s', (_what, value) => {
    expect(parseTime(value, UTC)).toBeUndefined();
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

  it('says whether a record has no time or one that cannot be read; a null counts as none', () => {
    expect(timeOfRecord({ status: 200 }, TIME_FIELDS, UTC)).toBe('missing');
    expect(timeOfRecord({ time: null }, TIME_FIELDS, UTC)).toBe('missing');
    expect(timeOfRecord({ time: 'soon' }, TIME_FIELDS, UTC)).toBe('unparseable');
    // The first field present decides, even when a later one could be read.
    expect(timeOfRecord({ time: 'soon', ts: 1_795_856_400 }, TIME_FIELDS, UTC)).toBe('unparseable');
  });

  it('reads records in a row that share their minute as each alone (the reader keeps the last minute)', () => {
    const read = timeReader([['time']], UTC);
    const texts = ['2026-11-28T09:00:05Z', '2026-11-28T09:00:07.5+01:00', '2026-11-28T09:00', '2026-11-28T09:00:xx', '2026-11-28T09:00:61Z', '2026-11-28T09:01:00Z', '2026-11-28 09:00:01Z', '2026-11-28T09:00:09'];
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

describe('parseZone', () => {
  it('takes UTC, offsets and IANA names, and refuses anything else', () => {
    expect(parseZone('utc')).toBe(UTC);
    expect(parseZone('Z')).toBe(UTC);
    expect(parseZone('+05:30')!.offsetAt(T)).toBe(5.5 * 3_600_000);
    expect(parseZone('-0800')!.offsetAt(T)).toBe(-8 * 3_600_000);
    expect(berlin.offsetAt(T)).toBe(3_600_000);
    expect(berlin.offsetAt(Date.UTC(2026, 6, 1))).toBe(7_200_000);
    expect(parseZone('Asia/Kathmandu')!.offsetAt(T)).toBe(5.75 * 3_600_000);
    expect(parseZone('Mars/Olympus')).toBeUndefined();
    expect(parseZone('+19:00')).toBeUndefined();
    expect(parseZone('+05:60')).toBeUndefined();
  });

  it('finds the instant of a wall time on both sides of a daylight saving change', () => {
    // Berlin, 2026-03-29: 02:00 local became 03:00.
    expect(berlin.instantOf(Date.UTC(2026, 2, 29, 1, 30))).toBe(Date.UTC(2026, 2, 29, 0, 30));
    expect(berlin.instantOf(Date.UTC(2026, 2, 29, 3, 30))).toBe(Date.UTC(2026, 2, 29, 1, 30));
  });
});
