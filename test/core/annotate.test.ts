import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { outcomeOf } from '../../src/core/outcome.js';

const annotator = createAnnotator();
const STATUS_401 =
  '"status":{"code":401,"label":"UNAUTHORIZED","category":"client_error","description":"Authorization failure. The authorization header is invalid or missing"}';
const FAILURE_13 = '"failure":{"code":13,"category":"credential_mismatch","description":"The password does not match"}';

describe('annotateLine', () => {
  it('appends the annotation to the original text, byte for byte before it', () => {
    const line = '{"time":"2026-11-28T09:00:00Z", "status":401,"hid_failure":{"reason":13}}';
    const result = annotator.annotateLine(line);
    expect(result.text).toBe(
      `{"time":"2026-11-28T09:00:00Z", "status":401,"hid_failure":{"reason":13},"hid":{${STATUS_401},${FAILURE_13},"outcome":"failure"}}`,
    );
    expect(result).toMatchObject({ result: 'annotated', codes: { http: 401, failure: 13 }, outcome: 'failure' });
  });

  it('writes all four parts, in order, each with code, category and description', () => {
    const { text } = annotator.annotateLine('{"hid_response":2,"hid_failure":13,"hid_error":1200,"status":401}');
    expect(JSON.parse(text).hid).toEqual({
      status: {
        code: 401,
        label: 'UNAUTHORIZED',
        category: 'client_error',
        description: 'Authorization failure. The authorization header is invalid or missing',
      },
      error: { code: 1200, category: 'not_found', description: 'A user with the specified code (external reference) could not be found' },
      failure: { code: 13, category: 'credential_mismatch', description: 'The password does not match' },
      response: { code: 2, category: 'failed', description: 'The authentication failed' },
      outcome: 'failure',
    });
    expect(Object.keys(JSON.parse(text).hid)).toEqual(['status', 'error', 'failure', 'response', 'outcome']);
  });

  it('keeps an unknown code with known:false and category unknown', () => {
    const { text } = annotator.annotateLine('{"hid_error":424242}');
    expect(text).toBe('{"hid_error":424242,"hid":{"error":{"code":424242,"known":false,"category":"unknown"},"outcome":"error"}}');
    expect(annotator.annotateLine('{"status":299}').text).toBe(
      '{"status":299,"hid":{"status":{"code":299,"known":false,"category":"success"},"outcome":"success"}}',
    );
  });

  it('leaves a record without codes as it was', () => {
    expect(annotator.annotateLine('{"msg":"health check"}')).toMatchObject({ result: 'no_codes', text: '{"msg":"health check"}' });
  });

  it('replaces a key the record already has, and drops trailing whitespace', () => {
    const result = annotator.annotateLine('{"status":200,"hid":{"from":"upstream"}}  \t');
    expect(result.text).toBe('{"status":200,"hid":{"status":{"code":200,"label":"OK","category":"success","description":"OK"},"outcome":"success"}}');
    expect(annotator.annotateLine('{"status":200}  ').text).toBe(result.text);
  });

  it('gives the same record from the fast path and the serialising fallback', () => {
    const line = '{"a":[1,{"b":"é"}],"status":"401","body":"{\\"hid_failure\\":{\\"reason\\":13}}"}';
    const fast = annotator.annotateLine(line);
    const fallback = annotator.annotateValue(JSON.parse(line));
    expect(JSON.parse(fast.text)).toEqual(JSON.parse(fallback.text));
    expect(fast.text).toBe(fallback.text);
  });

  it('honours another key name', () => {
    expect(createAnnotator({ key: 'hid_meta' }).annotateLine('{"hid_response":1}').text).toBe(
      '{"hid_response":1,"hid_meta":{"response":{"code":1,"category":"succeeded","description":"The authentication succeeded"},"outcome":"success"}}',
    );
  });

  it('calls a line that is not a JSON object invalid, with the reason, and keeps its text', () => {
    expect(annotator.annotateLine('{"status":')).toEqual({ result: 'invalid', text: '{"status":', reason: 'invalid_json' });
    expect(annotator.annotateLine('[1,2]')).toEqual({ result: 'invalid', text: '[1,2]', reason: 'not_object' });
    expect(annotator.annotateLine('"x"')).toEqual({ result: 'invalid', text: '"x"', reason: 'not_object' });
    expect(annotator.annotateLine('  ')).toEqual({ result: 'invalid', text: '  ', reason: 'blank' });
  });

  it('keeps __proto__ as an ordinary key and pollutes no prototype', () => {
    const line = '{"__proto__":{"polluted":true},"hid_failure":15}';
    const result = annotator.annotateLine(line);
    expect(JSON.parse(result.text).__proto__).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const viaFallback = annotator.annotateValue(JSON.parse('{"__proto__":{"polluted":true},"hid":1,"hid_failure":15}'));
    expect(viaFallback.text.startsWith('{"__proto__":{"polluted":true},')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes a one-line marker for a line that cannot be written itself', () => {
    expect(annotator.markerLine('too_long', 2048)).toBe('{"hid":{"invalid":"too_long","bytes":2048}}');
  });
});

describe('outcomeOf', () => {
  it.each([
    [{ http: 401, failure: 13 }, 'failure'],
    [{ response: 2 }, 'failure'],
    [{ http: 200, error: 1200 }, 'error'],
    [{ http: 503 }, 'error'],
    [{ http: 404 }, 'error'],
    [{ http: 200 }, 'success'],
    [{ http: 302 }, 'success'],
    [{ response: 1 }, 'success'],
    [{ http: 101 }, 'unknown'],
    [{ response: 7 }, 'unknown'],
  ] as const)('%j is %s', (codes, outcome) => {
    expect(outcomeOf(codes)).toBe(outcome);
  });
});

describe('inspectLine', () => {
  it('finds what annotateLine finds, and leaves the text as it was', () => {
    for (const line of ['{"status":401,"hid_failure":13}', '{"a":1}', 'nope', '[1]', '{"hid_response":1,"hid":0}']) {
      const annotated = annotator.annotateLine(line);
      const inspected = annotator.inspectLine(line);
      expect({ ...inspected, text: annotated.text }).toEqual(annotated);
      expect(inspected.text).toBe(line);
    }
  });
});

describe('nesting too deep to serialise again', () => {
  const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

  it('is annotated on the fast path, whatever its depth', () => {
    expect(annotator.annotateLine(`{"status":502,"x":${deep(20000)}}`).result).toBe('annotated');
  });

  it('is too_deep, the same way for annotate and inspect, where the record must be serialised again', () => {
    const line = `{"status":502,"hid":1,"x":${deep(1200)}}`;
    expect(annotator.annotateLine(line)).toMatchObject({ result: 'invalid', reason: 'too_deep', text: line });
    expect(annotator.inspectLine(line)).toMatchObject({ result: 'invalid', reason: 'too_deep' });
    expect(annotator.annotateValue(JSON.parse(deep(1200)))).toMatchObject({ result: 'invalid', reason: 'too_deep' });
    expect(annotator.annotateValue(JSON.parse(`[${deep(1200)}]`))).toMatchObject({ result: 'invalid', reason: 'too_deep' });
    expect(annotator.annotateLine(`{"status":502,"hid":1,"x":${deep(900)}}`).result).toBe('annotated');
  });
});
