import { describe, expect, it } from 'vitest';
import { createArrayProbe, type InputFormat } from '../../src/sources/array-probe.js';

type Verdict = { format: InputFormat; decidedAt: 'read' | 'end' | 'limit' };

/** The probe's verdict on `text` read in pieces of `size` characters, with at most `limit` characters held. */
async function verdictOf(text: string, size = text.length, limit = Infinity): Promise<Verdict> {
  const probe = await createArrayProbe();
  for (let at = 0; at < text.length; at += size) {
    const format = probe.read(text.slice(at, at + size));
    if (format) return { format, decidedAt: 'read' };
    if (at + size >= limit) return { format: probe.atLimit(), decidedAt: 'limit' };
  }
  return { format: probe.end(), decidedAt: 'end' };
}

const record = (i: number) => JSON.stringify({ status: [200, 401, 404][i % 3], hid_failure: { reason: i % 60 }, note: `x,y]}[{"${i}` });
const records = (n: number) => Array.from({ length: n }, (_, i) => record(i));

describe('ArrayProbe', () => {
  it.each<[string, string, Verdict]>([
    ['a text banner, then NDJSON', `[2026-11-28 10:00:00,123] INFO auth service starting\n${records(3).join('\n')}\n`, { format: 'ndjson', decidedAt: 'read' }],
    ['a one-line array that is not a record, then NDJSON', `["a"]\n${records(3).join('\n')}\n`, { format: 'ndjson', decidedAt: 'read' }],
    ['a one-line array of records, then NDJSON', `[${records(2).join(',')}]\n${records(3).join('\n')}\n`, { format: 'ndjson', decidedAt: 'read' }],
    ['a one-line array of records and nothing else', `[${records(5).join(',')}]\n\n`, { format: 'json-array', decidedAt: 'end' }],
    ['an empty array', '[]', { format: 'json-array', decidedAt: 'end' }],
    ['a one-line array holding a non-record', `[${records(2).join(',')},"a"]`, { format: 'ndjson', decidedAt: 'end' }],
    ['a one-line array with a syntax error', `[${records(2).join(',')},{"status" 401}]`, { format: 'ndjson', decidedAt: 'end' }],
    ['a one-line array with a syntax error, then NDJSON', `[${records(2).join(',')},{"status" 401}]\n${record(3)}\n`, { format: 'ndjson', decidedAt: 'read' }],
    ['a one-line array of records broken off', `[${records(2).join(',')},{"sta`, { format: 'json-array', decidedAt: 'end' }],
    [
      'a pretty-printed array',
      JSON.stringify(
        records(4).map((r) => JSON.parse(r) as unknown),
        null,
        2,
      ),
      { format: 'json-array', decidedAt: 'read' },
    ],
    ['an array whose first line holds two records', `[${records(2).join(',')},\n${records(2).join(',')}]`, { format: 'json-array', decidedAt: 'read' }],
    ['a pretty-printed array of one record', `[\n  ${record(1)}\n]\n`, { format: 'json-array', decidedAt: 'end' }],
    ['a pretty-printed empty array', '[\n]\n', { format: 'json-array', decidedAt: 'end' }],
    ['a pretty-printed array broken off in its first element', '[\n  {"status": 4', { format: 'json-array', decidedAt: 'end' }],
    ['a pretty-printed array of numbers', '[\n 1,\n 2\n]', { format: 'json-array', decidedAt: 'read' }],
    ['an array broken just after the comma that follows its first element', `[\n${record(0)}, xx ,${record(1)}]`, { format: 'json-array', decidedAt: 'read' }],
    ['a [ line, then NDJSON', `[\n${records(3).join('\n')}\n`, { format: 'ndjson', decidedAt: 'read' }],
    ['a [ line, then text', '[\nauth service starting\n', { format: 'ndjson', decidedAt: 'read' }],
    ['a pretty array of one record, then NDJSON', `[\n${record(0)}\n]\n${record(1)}\n`, { format: 'ndjson', decidedAt: 'read' }],
    // Its first element and the comma after it were read: an array, which breaks at the second line.
    ['a first line that goes on with a record, then text', `[${record(0)},\nauth service starting\n`, { format: 'json-array', decidedAt: 'read' }],
    ['blank lines before a one-line array', `\n\n  [${records(2).join(',')}]`, { format: 'json-array', decidedAt: 'end' }],
  ])('%s', async (_name, text, expected) => {
    expect(await verdictOf(text)).toEqual(expected);
  });

  it('comes to the same verdict whatever the pieces the text comes in', async () => {
    const texts = [
      `[2026-11-28 10:00:00,123] INFO\n${record(0)}\n`,
      `["a"]\n${record(0)}\n`,
      `[${records(3).join(',')}]`,
      `[${records(3).join(',')},"a"]`,
      `[\n${records(3).join(',\n')}\n]`,
      `[\n${records(3).join('\n')}\n`,
      `[${record(0)},{"status" 401}]`,
      `[\n${record(0)}, xx ,${record(1)}]`,
      '[\n 1 ,\n 2 ]',
      '[\n "a,b\\"]" ,\n true ]',
    ];
    for (const text of texts) {
      const whole = (await verdictOf(text)).format;
      for (const size of [1, 2, 3, 7, 64]) expect(`${size}: ${(await verdictOf(text, size)).format}`).toBe(`${size}: ${whole}`);
    }
  });

  it('with no more to hold: an array of records on one long line, or a long first element past the first line', async () => {
    const line = `[${records(50).join(',')}`;
    expect(await verdictOf(line, 100, 500)).toEqual({ format: 'json-array', decidedAt: 'limit' });
    expect(await verdictOf(`[${'"a",'.repeat(200)}`, 100, 500)).toEqual({ format: 'ndjson', decidedAt: 'limit' });
    expect(await verdictOf(`[\n{"note":"${'x'.repeat(1000)}"}`, 100, 500)).toEqual({ format: 'json-array', decidedAt: 'limit' });
    expect(await verdictOf(`[${record(0)}]${' '.repeat(1000)}`, 100, 500)).toEqual({ format: 'ndjson', decidedAt: 'limit' });
  });
});
