import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { lines, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-arrays-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BANNER = '[2026-11-28 10:00:00,123] INFO auth service starting';
const records = Array.from({ length: 200 }, (_, i) => ({
  time: `2026-11-28T10:00:${String(i % 60).padStart(2, '0')}Z`,
  status: [200, 401, 400, 500][i % 4],
  response: i % 4 === 1 ? { error: 'invalid_grant', hid_failure: { reason: [13, 51, 1][i % 3] } } : undefined,
  hid_error: i % 4 === 2 ? 1200 + (i % 5) : undefined,
  note: 'a [bracket], a "quote" and é',
}));
const ndjson = records.map((record) => JSON.stringify(record));

// What hidlog writes for each line read as NDJSON, and for each element read from an array.
const annotator = createAnnotator();
const asLines = (input: readonly string[]) => input.map((line) => annotator.annotateLine(line).text);
const asElements = (values: readonly unknown[]) => values.map((value) => annotator.annotateValue(value).text);

interface Case {
  input: string;
  /** The output lines, in order. */
  output: string[];
  /** The one line on stderr, if any (then exit 1). */
  error?: RegExp;
  /** `hidlog count`'s line results. */
  results: Record<string, number>;
  invalid?: Record<string, number>;
}

const brokenOff = JSON.stringify(records.slice(0, 10), null, 2);
const CASES: Record<string, Case> = {
  'a text banner, then 200 NDJSON records': {
    input: `${BANNER}\n${ndjson.join('\n')}\n`,
    output: [BANNER, ...asLines(ndjson)],
    results: { annotated: 200, invalid: 1 },
    invalid: { invalid_json: 1 },
  },
  'a one-line array that is not a record, then NDJSON': {
    input: `["a"]\n${ndjson.slice(0, 20).join('\n')}\n`,
    output: ['["a"]', ...asLines(ndjson.slice(0, 20))],
    results: { annotated: 20, invalid: 1 },
    invalid: { not_object: 1 },
  },
  'a pretty-printed array': {
    input: `${JSON.stringify(records.slice(0, 30), null, 2)}\n`,
    output: asElements(records.slice(0, 30).map((record) => JSON.parse(JSON.stringify(record)) as unknown)),
    results: { annotated: 30 },
  },
  'a one-line array of records': {
    input: JSON.stringify(records.slice(0, 30)),
    output: asElements(records.slice(0, 30).map((record) => JSON.parse(JSON.stringify(record)) as unknown)),
    results: { annotated: 30 },
  },
  'a pretty-printed array broken off in the middle of its sixth record': {
    input: brokenOff.slice(0, brokenOff.indexOf('"status"', brokenOff.indexOf(records[5]!.time))),
    output: asElements(records.slice(0, 5).map((record) => JSON.parse(JSON.stringify(record)) as unknown)),
    error: /invalid JSON array after 5 records: /,
    results: { annotated: 5 },
  },
};

const VARIANTS = ['file', 'gzipped file', 'stdin', 'gzipped stdin'] as const;

async function runVariant(name: string, input: string, variant: (typeof VARIANTS)[number], args: string[] = []) {
  const bytes = variant.startsWith('gzipped') ? gzipSync(input) : Buffer.from(input);
  if (variant.endsWith('stdin')) return { result: await runCli([...args, '-'], { input: bytes }), inputName: 'stdin' };
  const path = join(dir, `${name.replace(/\W+/g, '-')}-${variant.replace(' ', '-')}`);
  writeFileSync(path, bytes);
  return { result: await runCli([...args, path]), inputName: path };
}

describe('what hidlog takes for a JSON array (the real CLI)', () => {
  describe.each(Object.entries(CASES))('%s', (name, { input, output, error }) => {
    it.each(VARIANTS)('on a %s: every line or element written, in order', async (variant) => {
      const { result, inputName } = await runVariant(name, input, variant);
      expect(lines(result.stdout)).toEqual(output);
      if (error) {
        expect(result.stderr).toMatch(new RegExp(`^hidlog: ${inputName}: ${error.source}.+\\n$`));
        expect(result.code).toBe(1);
      } else {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      }
    });
  });

  it.each(Object.entries(CASES))('%s: every line counted, bad lines by reason', async (name, { input, results, invalid }) => {
    const { result } = await runVariant(name, input, 'file', ['count']);
    const exposition = result.stdout.toString();
    const counted = Object.fromEntries(
      [...exposition.matchAll(/^hidlog_lines_total\{result="(\w+)"\} (\d+)$/gm)].filter((m) => m[2] !== '0').map((m) => [m[1], Number(m[2])]),
    );
    expect(counted).toEqual(results);
    const reasons = Object.fromEntries(
      [...exposition.matchAll(/^hidlog_invalid_lines_total\{reason="(\w+)"\} (\d+)$/gm)].filter((m) => m[2] !== '0').map((m) => [m[1], Number(m[2])]),
    );
    expect(reasons).toEqual(invalid ?? {});
  });

  it('reads a one-line array of records longer than --max-line-bytes as an array: NDJSON could not read the line', async () => {
    const many = Array.from({ length: 30 }, () => records).flat();
    const input = JSON.stringify(many);
    expect(input.length).toBeGreaterThan(2 * 256 * 1024);
    for (const variant of ['file', 'stdin'] as const) {
      const { result } = await runVariant('long line', input, variant, ['--max-line-bytes', '4096']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(lines(result.stdout)).toEqual(asElements(many.map((record) => JSON.parse(JSON.stringify(record)) as unknown)));
    }
  });

  it('a gzipped array whose gzip is cut off: what was decompressed is written, the break reported, on a file and on stdin', async () => {
    const many = Array.from({ length: 20 }, () => records).flat();
    const gzipped = gzipSync(JSON.stringify(many, null, 2));
    const cut = gzipped.subarray(0, gzipped.length >> 1);
    const path = join(dir, 'cut.json.gz');
    writeFileSync(path, cut);
    for (const [result, name] of [
      [await runCli([path]), path],
      [await runCli(['-'], { input: cut }), 'stdin'],
    ] as const) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^hidlog: ${name}: invalid JSON array after (\\d+) records: corrupt gzip data \\(unexpected end of file\\)\\n$`),
      );
      const written = Number(/after (\d+) records/.exec(result.stderr)![1]);
      expect(written).toBeGreaterThan(100);
      expect(lines(result.stdout)).toEqual(asElements(many.slice(0, written).map((record) => JSON.parse(JSON.stringify(record)) as unknown)));
    }
  });

  it('with --workers 2, takes the banner log for NDJSON too', async () => {
    const { result } = await runVariant('workers', CASES['a text banner, then 200 NDJSON records']!.input, 'gzipped stdin', ['--workers', '2']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toEqual(CASES['a text banner, then 200 NDJSON records']!.output);
  });
});
