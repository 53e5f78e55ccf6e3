import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { createDurationReader, parseDurationField, toSeconds } from '../../src/core/duration.js';

const read = createDurationReader();

describe("reading a record's duration", () => {
  it.each([
    ['duration_ms (ms)', { duration_ms: 250 }, 0.25],
    ['took (ms, Elasticsearch)', { took: 12 }, 0.012],
    ['responseTime (ms, pino-http)', { responseTime: 1500 }, 1.5],
    ['ECS event.duration (ns)', { event: { duration: 2_500_000 } }, 0.0025],
    ['flat ECS key event.duration (ns)', { 'event.duration': 1_000_000 }, 0.001],
    ['nginx request_time (s), as text', { request_time: '0.042' }, 0.042],
    ['nginx request_time (s), as a number', { request_time: 3 }, 3],
  ])('finds %s without an option', (_name, record, seconds) => {
    expect(read(record)).toBe(seconds);
  });

  it('lands exactly on a bucket bound: 1 ms is 0.001 s in every unit', () => {
    expect([toSeconds(1, 'ms'), toSeconds(1000, 'us'), toSeconds(1_000_000, 'ns'), toSeconds('0.001', 's')]).toEqual([0.001, 0.001, 0.001, 0.001]);
    expect(toSeconds(250, 'ms')).toBe(0.25);
  });

  it('calls a present value that is not a finite number, 0 or more, invalid; null and absence are no duration', () => {
    for (const value of [-1, '-0.5', 'slow', '', '1e999', true, [12], { ms: 12 }, '12ms', ' 0x10 ']) expect(toSeconds(value, 'ms')).toBe('invalid');
    expect(toSeconds(null, 'ms')).toBeUndefined();
    expect(toSeconds(undefined, 'ms')).toBeUndefined();
    expect(toSeconds(0, 'ms')).toBe(0);
    expect(toSeconds(' 12.5 ', 'ms')).toBe(0.0125);
    expect(toSeconds('1.5e3', 'us')).toBe(0.0015);
  });

  it('takes the first field present, valid or not: an invalid one does not fall through to the next', () => {
    expect(read({ duration_ms: 'n/a', took: 5 })).toBe('invalid');
    expect(read({ duration_ms: null, took: 5 })).toBe(0.005);
    expect(read({ took: 5, request_time: '9' })).toBe(0.005);
    expect(read({ status: 200 })).toBeUndefined();
  });

  it('reads --duration-field paths first, then the built-in fields; --no-builtin-fields keeps to the paths', () => {
    const fields = [parseDurationField('timing.total:us')!, parseDurationField('latency:s')!];
    const withBuiltin = createDurationReader(fields);
    const only = createDurationReader(fields, { builtin: false });
    expect(withBuiltin({ timing: { total: 1500 }, latency: 9, took: 1 })).toBe(0.0015);
    expect(withBuiltin({ latency: 2, took: 1 })).toBe(2);
    expect(withBuiltin({ took: 1 })).toBe(0.001);
    expect(only({ took: 1 })).toBeUndefined();
    // Without a --duration-field, --no-builtin-fields leaves the built-in fields on, as it does a code kind without --field.
    expect(createDurationReader([], { builtin: false })({ took: 1 })).toBe(0.001);
  });

  it('parses PATH:UNIT, the unit required and one of s, ms, us, ns', () => {
    expect(parseDurationField('took:ms')).toEqual({ path: ['took'], unit: 'ms' });
    expect(parseDurationField('a.b:c.d:ns')).toEqual({ path: ['a', 'b:c', 'd'], unit: 'ns' });
    for (const spec of ['took', 'took:', 'took:min', ':ms', 'a..b:s', 'took:MS']) expect(parseDurationField(spec)).toBeUndefined();
  });
});

describe('durations on annotated records', () => {
  const lines = [
    '{"status":401,"hid_failure":{"reason":13},"duration_ms":12}',
    '{"status":200,"event":{"duration":2500000,"kind":"event"}}',
    '{"status":200,"event.duration":5000000}',
    '{"status":500,"took":"soon"}',
    '{"status":200,"timing":{"total":"1500"}}',
    '{"status":200}',
    '{"msg":"no codes","duration_ms":12}',
  ];
  const expected = [0.012, 0.0025, 0.005, 'invalid', 0.0015, undefined, undefined];

  it('the byte path and the text path read the same duration', () => {
    const annotator = createAnnotator({ durationFields: [parseDurationField('timing.total:us')!] });
    lines.forEach((line, i) => {
      const bytes = Buffer.from(line);
      const fromBytes = annotator.inspectBytes(bytes, 0, bytes.length);
      const fromText = annotator.annotateLine(line);
      const durationOf = (result: typeof fromText | typeof fromBytes) => (result.result === 'annotated' ? result.duration : undefined);
      expect(durationOf(fromBytes), line).toBe(expected[i]);
      expect(durationOf(fromText), line).toBe(expected[i]);
      // The byte path answered itself: no JSON.parse of the line.
      expect(fromBytes.text, line).toBeUndefined();
    });
  });

  it("a docker entry's and a Filebeat document's record has its duration one level down, where its codes are", () => {
    const annotator = createAnnotator();
    const record = '{"status":401,"hid_failure":13,"duration_ms":250}';
    const docker = JSON.stringify({ log: `${record}\n`, stream: 'stdout', time: '2026-12-07T10:00:00.000000000Z' });
    const filebeat = JSON.stringify({ '@timestamp': '2026-12-07T10:00:00.000Z', message: record });
    for (const line of [docker, filebeat]) {
      const bytes = Buffer.from(line);
      const result = annotator.inspectBytes(bytes, 0, bytes.length);
      expect(result.result === 'annotated' && result.duration, line).toBe(0.25);
    }
    // A duration of the envelope's own is the record's.
    expect(read({ duration_ms: 5, message: record })).toBe(0.005);
  });

  it("a text (logfmt) record's duration is read from its values", () => {
    const annotator = createAnnotator();
    const result = annotator.inspectText('status=401 hid_failure=13 request_time=0.120', { status: '401', hid_failure: '13', request_time: '0.120' });
    expect(result.result === 'annotated' && result.duration).toBe(0.12);
  });
});
