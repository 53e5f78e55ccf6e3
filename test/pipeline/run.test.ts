import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { run } from '../../src/pipeline/run.js';
import { LineWriter } from '../../src/sinks/line-writer.js';
import { fixture } from '../helpers/cli.js';
import { FIXTURES, Tally, expectedFor } from '../helpers/expected.js';

async function runFixture(name: string) {
  const expected = expectedFor(name);
  const tally = new Tally();
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const warnings: string[] = [];
  const output = new LineWriter(sink);
  const report = await run([fixture(name)], {
    annotator: createAnnotator(),
    maxLineBytes: expected.maxLineBytes ?? 1024 * 1024,
    strict: false,
    output,
    observer: tally,
    warn: (message) => warnings.push(message),
  });
  await output.finish(true);
  return { expected, tally, report, warnings, output: Buffer.concat(chunks) };
}

describe('run() over the fixtures', () => {
  it.each(FIXTURES)('%s: every line, result, code and outcome as the fixture says', async (name) => {
    const { expected, tally, report, warnings, output } = await runFixture(name);
    const { maxLineBytes: _limit, ...truth } = expected;
    expect(tally.seen).toEqual(truth);
    expect(report).toEqual({ failedInputs: 0, unread: [], outputClosed: false });
    expect(warnings).toEqual([]);
    const outputLines = output.toString('latin1').split('\n');
    expect(outputLines.pop()).toBe('');
    expect(outputLines.length).toBe(expected.lines);
  });

  it('counts the bytes it read (after decompression)', async () => {
    const { tally } = await runFixture('openid.ndjson');
    expect(tally.bytesRead).toBe(statSync(fixture('openid.ndjson')).size);
  });
});

describe('run() over JSON-array documents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hidlog-array-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Records with the characters that matter to finding where elements end, and multi-byte ones.
  const elements = Array.from({ length: 3000 }, (_, i) => ({
    status: [200, 401, 404, 500][i % 4],
    hid_error: i % 3 === 0 ? 1200 + (i % 7) : undefined,
    note: ['plain', '},{"x":1}', 'a\\"],[', 'é ü 漢字 🙂', ',,]]}}'][i % 5]!.repeat(1 + (i % 40)),
    nested: { list: [i, [i % 2, { deep: `[${i}]` }], 'x,y'], ok: i % 2 === 0, none: null },
  }));

  async function runArray(text: string) {
    const file = join(dir, `array-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, text);
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    // A copy: the writer reuses a chunk's memory once the stream has taken it.
    sink.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
    const output = new LineWriter(sink);
    const warnings: string[] = [];
    const report = await run([file], { annotator: createAnnotator(), maxLineBytes: 1 << 20, strict: false, output, warn: (message) => warnings.push(message) });
    await output.finish(true);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').slice(0, -1);
    return { report, warnings, lines };
  }

  const annotated = (values: readonly unknown[]) => values.map((value) => createAnnotator().annotateValue(value).text);

  it.each([
    ['compact', JSON.stringify(elements)],
    ['indented', JSON.stringify(elements, null, 2)],
  ])('%s: every element, as JSON.parse reads it, across read chunks', async (_name, text) => {
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 256 * 1024);
    const { report, warnings, lines } = await runArray(text);
    expect(warnings).toEqual([]);
    expect(report.failedInputs).toBe(0);
    expect(lines).toEqual(annotated(JSON.parse(text) as unknown[]));
  });

  it('keeps a character whose bytes the read chunks split', async () => {
    const head = '[{"status":200,"note":"';
    // 'é' takes two bytes: the first is the last byte of the first 256 KiB chunk.
    const text = `${head}${'a'.repeat(256 * 1024 - 1 - head.length)}é"},{"status":404}]`;
    expect(
      Buffer.from(text)
        .subarray(256 * 1024 - 1, 256 * 1024 + 1)
        .toString(),
    ).toBe('é');
    const { warnings, lines } = await runArray(text);
    expect(warnings).toEqual([]);
    expect(lines).toEqual(annotated(JSON.parse(text) as unknown[]));
  });

  it('keeps every element before a syntax error, wherever in a read chunk the error falls', async () => {
    const texts = elements.map((element) => JSON.stringify(element));
    for (const broken of [0, 1, 700, 1234, 2998]) {
      // An array by its first line, which goes on; the error after a comma, so that even after
      // the first element it comes once the array is known to be one.
      const text = `[\n${texts.slice(0, broken + 1).join(',')}, xx ,${texts.slice(broken + 1).join(',')}]`;
      const { report, warnings, lines } = await runArray(text);
      expect(report.failedInputs).toBe(1);
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`invalid JSON array after ${broken + 1} records: `))]);
      expect(report.unread).toEqual(warnings);
      expect(lines).toEqual(annotated(elements.slice(0, broken + 1).map((element) => JSON.parse(JSON.stringify(element)) as unknown)));
    }
  });

  it('reads a one-line array with a syntax error as NDJSON: one line, kept byte for byte, held across read chunks', async () => {
    const texts = elements.map((element) => JSON.stringify(element));
    const text = `[${texts.slice(0, 2).join(',')} xx ,${texts.slice(2).join(',')}]`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 256 * 1024);
    const { report, warnings, lines } = await runArray(text);
    // The line is not a record: said once (input-survey.ts), as for any input of unusable lines.
    expect(warnings).toEqual([
      expect.stringMatching(/: 1 of 1 lines are not records; they look like text with a JSON object in it: drop --input-format ndjson/),
    ]);
    expect(report.failedInputs).toBe(0);
    expect(lines).toEqual([text]);
  });
});
