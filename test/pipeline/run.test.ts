import { statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
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
    expect(report).toEqual({ failedInputs: 0, outputClosed: false });
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
