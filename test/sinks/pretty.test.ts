import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.js';
import { createAnnotator } from '../../src/core/annotate.js';
import type { LineEvent } from '../../src/pipeline/events.js';
import { decodeTime, parseTime, UTC_WALL, type RecordTime } from '../../src/core/record-time.js';
import { factsAnnotation, factsReader, factsSetup } from '../../src/report/facts.js';
import { prettyFormatter } from '../../src/sinks/pretty.js';

const T = Date.UTC(2026, 10, 28, 9);

// Each record with the time the report reads and pretty output shows, by the one rule
// (core/record-time.ts). The comments say where the two read it apart before.
const RECORDS: [line: string, report: RecordTime, pretty: string][] = [
  ['{"time":"2026-11-28T09:00:00Z","status":401}', T, '2026-11-28T09:00:00Z'],
  ['{"time":"2026-11-28T10:00:00.5+01:00","status":401}', T + 500, '2026-11-28T10:00:00.5+01:00'],
  ['{"time_local":"28/Nov/2026:10:00:00 +0100","status":401}', T, '28/Nov/2026:10:00:00 +0100'],
  ['{"ts":1795856400,"status":401}', T, '2026-11-28T09:00:00.000Z'],
  ['{"@timestamp":1795856400123,"status":401}', T + 123, '2026-11-28T09:00:00.123Z'],
  ['{"__REALTIME_TIMESTAMP":"1795856400123456","status":401}', T + 123, '2026-11-28T09:00:00.123Z'],
  ['{"time":null,"ts":1795856400,"status":401}', T, '2026-11-28T09:00:00.000Z'],
  ['{"time":"soon","ts":1795856400,"status":401}', 'unparseable', 'soon'],
  ['{"status":401}', 'missing', '-'],
  // Pretty read `ts` past a value that is not text or a number; the report called it unparseable.
  ['{"time":true,"ts":1795856400,"status":401}', T, '2026-11-28T09:00:00.000Z'],
  ['{"@timestamp":{"$date":"x"},"time":"2026-11-28T09:00:00Z","status":401}', T, '2026-11-28T09:00:00Z'],
  // The report read epoch text with a fraction; pretty showed it as written.
  ['{"time":"1795856400.5","status":401}', T + 500, '2026-11-28T09:00:00.500Z'],
  // Pretty showed a placeholder as 1970; the report reads no time before 2000.
  ['{"time":0,"status":401}', 'unparseable', '0'],
  ['{"time":"123456789","status":401}', 'unparseable', '123456789'],
  // Both read it, a millisecond apart: pretty cut the fraction, the report rounds it.
  ['{"ts":1795856400.1236,"status":401}', T + 124, '2026-11-28T09:00:00.124Z'],
];

describe('a record’s time in pretty output and in the report', () => {
  const setup = factsSetup({ timeFields: [], by: [], zone: 'UTC' });
  const annotator = createAnnotator(factsAnnotation(setup));
  const reportTime = (event: LineEvent): RecordTime => {
    let time: RecordTime | undefined;
    factsReader(setup)(event, {
      annotated: (t) => (time = decodeTime(t)),
      noCodes: (t) => (time = decodeTime(t)),
      badLine: () => {},
    });
    return time!;
  };
  const pretty = prettyFormatter(false, { catalog: Catalog.vendor });
  const prettyTime = (line: string) => pretty(createAnnotator().annotateLine(line)).split('  ')[0]!;

  it.each(RECORDS)('is one time for %s', (line, report, shown) => {
    const bytes = Buffer.from(line);
    expect(reportTime(annotator.annotateBytes(bytes, 0, bytes.length)), 'the report, from the bytes').toBe(report);
    expect(reportTime(annotator.annotateLine(line)), 'the report, from the text').toBe(report);
    expect(prettyTime(line), 'pretty output').toBe(shown);
    // Pretty shows what the report reads: a time that reads back to the report's, or none.
    expect(parseTime(shown, UTC_WALL) ?? (shown === '-' ? 'missing' : 'unparseable')).toBe(report);
  });
});
