import { describe, expect, it } from 'vitest';
import { isErrorStatusWithoutReason } from '../../src/core/outcome.js';
import { InputSurvey, emptySurvey, judgeInput, mostly, type SurveyCounts } from '../../src/pipeline/input-survey.js';

const notRecords = (n: number, sample: string, lines = n): SurveyCounts => ({
  ...emptySurvey(),
  lines,
  notRecords: n,
  samples: Array(Math.min(n, 5)).fill(sample),
});
const CRI = '2026-12-01T10:00:00.123456789Z stdout F {"status":401}';

describe('mostly', () => {
  it('is at least 90% of 10 or more, or all of fewer once no more will come', () => {
    expect(mostly(9, 10, false)).toBe(true);
    expect(mostly(8, 10, true)).toBe(false);
    expect(mostly(90, 100, false)).toBe(true);
    expect(mostly(89, 100, true)).toBe(false);
    expect(mostly(3, 3, true)).toBe(true);
    expect(mostly(3, 3, false)).toBe(false);
    expect(mostly(2, 3, true)).toBe(false);
    expect(mostly(0, 0, true)).toBe(false);
  });
});

describe('judgeInput', () => {
  const auto = { name: 'app.log', inputFormat: 'auto', final: true } as const;

  it('names CRI lines forced through --input-format ndjson', () => {
    expect(judgeInput(notRecords(36, CRI), { ...auto, inputFormat: 'ndjson' })).toBe(
      'app.log: 36 of 36 lines are not records; they look like Kubernetes CRI lines: drop --input-format ndjson (auto reads them) — docs/log-formats.md',
    );
  });

  it('names syslog and logfmt lines a format that does not read them left unread', () => {
    expect(judgeInput(notRecords(12, 'Dec  1 10:00:00 host app[42]: {"status":401}'), { ...auto, inputFormat: 'cri' })).toContain(
      'they look like syslog lines: drop --input-format cri (auto reads them)',
    );
    expect(judgeInput(notRecords(12, 'status=401 hid_error=2001'), { ...auto, inputFormat: 'ndjson' })).toContain(
      'they look like key=value (logfmt) text: drop --input-format ndjson (auto reads them)',
    );
  });

  it('says a plain-text log holds no records, and what would', () => {
    expect(judgeInput(notRecords(4, 'Server started'), auto)).toBe(
      'app.log: 4 of 4 lines are not records; they look like plain text with no key=value tokens or JSON objects: hidlog finds records in JSON objects and key=value tokens — docs/log-formats.md',
    );
    expect(judgeInput(notRecords(12, '2026-12-01T10:00:00.1Z stdout F Server started'), auto)).toContain(
      'they look like Kubernetes CRI lines whose messages are plain text',
    );
    expect(judgeInput(notRecords(12, '[{"status":401}]'), { ...auto, inputFormat: 'ndjson' })).toContain('--input-format json-array');
  });

  it('names error statuses without a reason code and the option that finds a body', () => {
    const nginx: SurveyCounts = { ...emptySurvey(), lines: 36, errorStatuses: 18, withoutReason: 18 };
    expect(judgeInput(nginx, { ...auto, name: 'nginx.log' })).toBe(
      'nginx.log: 18 of 18 records with an HTTP status of 400 or more carry no hid_error or hid_failure code; if the HID body is logged in a field hidlog does not search, name it with --field failure=PATH — docs/log-formats.md',
    );
  });

  it('stays silent on usable input, and on a few bad lines among many', () => {
    expect(judgeInput({ ...emptySurvey(), lines: 100, errorStatuses: 40, withoutReason: 3 }, auto)).toBeUndefined();
    // A few error statuses without a body (a 404 of an unknown path) are no sign of anything.
    expect(judgeInput({ ...emptySurvey(), lines: 2, errorStatuses: 1, withoutReason: 1 }, auto)).toBeUndefined();
    expect(judgeInput({ ...emptySurvey(), lines: 20, errorStatuses: 9, withoutReason: 9 }, auto)).toBeUndefined();
    expect(judgeInput(notRecords(5, 'oops', 100), auto)).toBeUndefined();
    expect(judgeInput(emptySurvey(), auto)).toBeUndefined();
    // Follow's first lines: too few to judge before shutdown.
    expect(judgeInput(notRecords(3, 'oops'), { ...auto, final: false })).toBeUndefined();
  });
});

describe('InputSurvey', () => {
  it('judges every line read but blank ones and partials, keeps a few samples, and merges regions', () => {
    const survey = new InputSurvey();
    for (let i = 0; i < 7; i++) survey.line({ result: 'invalid', reason: 'invalid_json', text: `line ${i}` });
    survey.line({ result: 'invalid', reason: 'blank', text: '' });
    survey.line({ result: 'partial', envelope: 'cri' });
    survey.line({ result: 'invalid', reason: 'invalid_utf8', raw: Buffer.from([0xff, 0x41]) });
    survey.line({ result: 'invalid', reason: 'too_deep', text: '[[[[' });
    survey.line({ result: 'annotated', text: '', record: {}, codes: { http: 401 }, outcome: 'error' });
    survey.errorStatus({ http: 401, error: 2001 });
    survey.line({ result: 'no_codes', text: '', record: {} });
    // 13 lines read (the LineProcessor's count), the blank one and the partial not judged.
    expect(survey.counts(13)).toEqual({
      lines: 11,
      notRecords: 8,
      errorStatuses: 2,
      withoutReason: 1,
      samples: ['line 0', 'line 1', 'line 2', 'line 3', 'line 4'],
    });
    // A region of 3 lines read, one of them a partial.
    survey.merge({ lines: 2, notRecords: 1, errorStatuses: 1, withoutReason: 1, samples: ['more'] }, 3);
    expect(survey.counts(16)).toMatchObject({ lines: 13, notRecords: 9, errorStatuses: 3, withoutReason: 2 });
    expect(survey.counts(16).samples).toHaveLength(5);
  });

  it('takes a reason code, a failure code or a response code as a reason', () => {
    expect(isErrorStatusWithoutReason({ http: 503 })).toBe(true);
    expect(isErrorStatusWithoutReason({ http: 399 })).toBe(false);
    expect(isErrorStatusWithoutReason({ http: 401, failure: 1 })).toBe(false);
    expect(isErrorStatusWithoutReason({ http: 401, response: 2 })).toBe(false);
  });
});
