import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import type { BadLineReason } from '../../src/core/bad-lines.js';
import type { Outcome } from '../../src/core/outcome.js';
import type { FoundCodes } from '../../src/core/extract.js';
import type { LineEvent } from '../../src/pipeline/events.js';
import { FactsRecorder, factsAnnotation, factsReader, factsSetup, forEachFacts, type ByValue, type FactsSink } from '../../src/report/facts.js';
import { decodeTime, type RecordTime } from '../../src/core/record-time.js';

type LineFacts =
  | { result: 'annotated'; time: RecordTime; codes: FoundCodes; outcome: Outcome; by: ByValue[] }
  | { result: 'no_codes'; time: RecordTime }
  | { result: 'invalid'; reason: Exclude<BadLineReason, 'too_long'> }
  | { result: 'too_long' };

/** What a sink is handed, call by call, as plain objects. */
function collected(feed: (sink: FactsSink) => void): LineFacts[] {
  const facts: LineFacts[] = [];
  feed({
    annotated: (time, codes, outcome, by) => facts.push({ result: 'annotated', time: decodeTime(time), codes, outcome, by }),
    noCodes: (time) => facts.push({ result: 'no_codes', time: decodeTime(time) }),
    badLine: (reason) => facts.push(reason === 'too_long' ? { result: 'too_long' } : { result: 'invalid', reason }),
  });
  return facts;
}

/** The facts of each event, as a reader hands them on. */
const factsOf = (read: ReturnType<typeof factsReader>, ...lineEvents: LineEvent[]) => collected((sink) => lineEvents.forEach((event) => read(event, sink)));

const setup = factsSetup({ timeFields: [], by: ['client_id', 'req.url'], zone: 'UTC' });
const annotator = createAnnotator(factsAnnotation(setup));

const LINES = [
  '{"time":"2026-11-28T09:00:00Z","status":200,"client_id":"a"}',
  '{"time":"2026-11-28T09:00:01Z","status":401,"hid_failure":13,"client_id":"a","req":{"url":"/token"}}',
  '{"ts":1795856402,"status":500,"hid_error":0,"client_id":7}',
  '{"time":"soon","hid_response":2,"client_id":{"id":"b"}}',
  '{"status":403,"hid_error":9001}',
  '{"time":"2026-11-28T09:00:03Z","msg":"health"}',
  '{"msg":"no time, no code"}',
  'not json',
  '',
];
const events: LineEvent[] = [
  ...LINES.map((line) => {
    const bytes = Buffer.from(line);
    return annotator.annotateBytes(bytes, 0, bytes.length);
  }),
  { result: 'too_long', bytes: 5_000_000 },
  { result: 'invalid', reason: 'invalid_utf8', raw: Buffer.from([0xff]) },
];

describe('a line’s facts', () => {
  it('are its time, codes, outcome and, for failures and errors only, its --by values (scalars only)', () => {
    expect(factsOf(factsReader(setup), ...events)).toEqual([
      { result: 'annotated', time: Date.UTC(2026, 10, 28, 9), codes: { http: 200 }, outcome: 'success', by: [] },
      { result: 'annotated', time: Date.UTC(2026, 10, 28, 9, 0, 1), codes: { http: 401, failure: 13 }, outcome: 'failure', by: ['a', '/token'] },
      { result: 'annotated', time: Date.UTC(2026, 10, 28, 9, 0, 2), codes: { http: 500, error: 0 }, outcome: 'error', by: ['7', null] },
      { result: 'annotated', time: 'unparseable', codes: { response: 2 }, outcome: 'failure', by: [null, null] },
      { result: 'annotated', time: 'missing', codes: { http: 403, error: 9001 }, outcome: 'error', by: [null, null] },
      { result: 'no_codes', time: Date.UTC(2026, 10, 28, 9, 0, 3) },
      { result: 'no_codes', time: 'missing' },
      { result: 'invalid', reason: 'invalid_json' },
      { result: 'invalid', reason: 'blank' },
      { result: 'too_long' },
      { result: 'invalid', reason: 'invalid_utf8' },
    ]);
  });

  it('are the same from a line’s bytes as from its text', () => {
    const read = factsReader(setup);
    for (const line of LINES) {
      const bytes = Buffer.from(line);
      expect(factsOf(read, annotator.annotateBytes(bytes, 0, bytes.length)), line).toEqual(factsOf(read, annotator.annotateLine(line)));
    }
  });

  it.each([
    ['the built-in time fields', {}],
    ['a top-level --time-field', { timeFields: ['ts'] }],
    ['a nested --time-field', { timeFields: ['event.created'] }],
    ['top-level --time-field alternatives', { timeFields: ['ts', 'date'] }],
    ['a nested and a top-level --time-field', { timeFields: ['event.created', 'date'] }],
    ['a --by field that is a time field too', { by: ['time'] }],
    ['a --tz', { zone: 'Europe/Berlin' }],
  ])('are the same from a line’s bytes as from its text, with %s', (_, options: { timeFields?: string[]; by?: string[]; zone?: string }) => {
    const setup = factsSetup({ timeFields: [], by: [], zone: 'UTC', ...options });
    const annotator = createAnnotator(factsAnnotation(setup));
    const read = factsReader(setup);
    const lines = [
      ...LINES,
      '{"time":null,"ts":"2026-11-28T09:00:00+01:00","status":200,"event":{"created":"2026-11-28T09:00:00"}}',
      '{"date":"2026-11-28","@timestamp":null,"time":"2026-11-28 09:00:00.123456","status":401,"hid_failure":13}',
      '{"timestamp":"\\u0032026-11-28T09:00:00Z","ts":" 1795856400 ","status":500,"event":{"created":1795856400}}',
      '{"time":"2026-11-28T09:00:00Z","time":null,"date":"28/Nov/2026:10:00:00 +0100","status":200}',
      '{"time":{"at":"2026-11-28T09:00:00Z"},"ts":[1],"status":200}',
      '{"ts":1795856400,"ts":1795856400123,"status":200}',
    ];
    for (const line of lines) {
      const bytes = Buffer.from(line);
      const fromBytes = annotator.annotateBytes(bytes, 0, bytes.length);
      if (line.startsWith('{')) expect(fromBytes.text, line).toBeUndefined();
      expect(factsOf(read, fromBytes), line).toEqual(factsOf(read, annotator.annotateLine(line)));
    }
  });

  it('come back from a worker thread as they were, in order', () => {
    const recorder = new FactsRecorder(setup);
    for (const event of events) recorder.line(event);
    const encoded = structuredClone(recorder.take());
    expect(collected((sink) => forEachFacts(encoded, setup.by.length, sink))).toEqual(factsOf(factsReader(setup), ...events));
    expect(recorder.take()).toEqual({ numbers: [], by: [] });
  });
});
