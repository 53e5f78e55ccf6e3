import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { CompressedFile } from '../../src/follow/compressed-file.js';
import { FINGERPRINT_BYTES } from '../../src/follow/fingerprinter.js';
import { LineWriter } from '../../src/sinks/line-writer.js';
import { PassThrough } from 'node:stream';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-compressed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const text = Array.from({ length: 200 }, (_, i) => `{"n":${i},"status":200}\n`).join('');
const gz = (name: string, bytes: Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

/** Reads `path` from `from` and returns the lines written and what the read came to. */
async function readLines(path: string, from: number, offsets: (number | undefined)[] = []) {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  const output = new LineWriter(sink, { collecting: true });
  const file = await CompressedFile.open(path);
  try {
    const result = await file.readFrom(
      from,
      { annotator: createAnnotator(), maxLineBytes: 1 << 20, strict: false, output },
      new AbortController().signal,
      async (_bytes, offset) => void offsets.push(offset),
    );
    output.flush();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, lines: Buffer.concat(chunks).toString().split('\n').filter(Boolean) };
  } finally {
    await file.close();
  }
}

describe('CompressedFile', () => {
  it('gives its decompressed start and its length from the trailer', async () => {
    const file = await CompressedFile.open(gz('a.log.1.gz', gzipSync(text)));
    try {
      expect(await file.start()).toEqual({ start: Buffer.from(text).subarray(0, FINGERPRINT_BYTES), settled: true });
      expect(await file.trailerLength()).toBe(Buffer.byteLength(text));
    } finally {
      await file.close();
    }
  });

  it('reads only the lines after an offset, to the end', async () => {
    const from = text.indexOf('{"n":150,');
    const { result, lines } = await readLines(gz('a.log.1.gz', gzipSync(text)), from);
    expect(result).toEqual({ offset: Buffer.byteLength(text), complete: true });
    expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i));
  });

  it('reads a file still being written as far as its last complete line, and says so', async () => {
    const whole = gzipSync(text, { level: 1 });
    const cut = gz('b.log.1.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const { result, lines } = await readLines(cut, 0);
    expect(result.complete).toBe(false);
    expect(lines.length).toBeGreaterThan(0);
    expect(result.offset).toBe(text.indexOf(`{"n":${lines.length},`));
    const short = await CompressedFile.open(gz('c.log.1.gz', whole.subarray(0, 20)));
    try {
      expect((await short.start()).settled).toBe(false);
    } finally {
      await short.close();
    }
  });

  it('a last line without a newline, written out at the end, is reported as reached with it', async () => {
    const unterminated = text.slice(0, -1);
    const offsets: (number | undefined)[] = [];
    const { result, lines } = await readLines(gz('d.log.1.gz', gzipSync(unterminated)), 0, offsets);
    expect(lines).toHaveLength(200);
    expect(result).toEqual({ offset: unterminated.length, complete: true });
    // The position after each chunk read covers only lines written out by then: the last one too.
    expect(offsets.at(-1)).toBe(unterminated.length);
  });
});
