import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInput } from '../../src/sources/open-input.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(stream: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('openInput', () => {
  // A writer that has not finished, as a live pipe is: the verdict must not wait for its next line.
  it.each([
    ['a text banner', '[2026-11-28 10:00:00,123] INFO auth service starting\n', 'ndjson'],
    ['a pretty-printed array', '[\n  {"status": 401},\n', 'json-array'],
    ['an NDJSON record', '{"status": 401}\n', 'ndjson'],
  ] as const)('decides on %s as soon as what it read settles it, and gives back every byte', async (_name, first, format) => {
    const fifo = join(dir, `fifo-${format}-${first.length}`);
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    writer.write(first);
    const opened = await openInput(fifo, { probeBytes: 1 << 20 });
    expect(opened.format).toBe(format);
    const rest = format === 'json-array' ? '  {"status": 200}\n]\n' : '{"status":200}\n';
    writer.end(rest);
    expect(await readAll(opened.stream)).toBe(first + rest);
  });

  it('tells a live input (a FIFO) from a regular file, which never waits for a writer', async () => {
    const file = join(dir, 'regular.ndjson');
    writeFileSync(file, '{"status": 401}\n');
    const fromFile = await openInput(file, { probeBytes: 1 << 20 });
    expect(fromFile.live).toBe(false);
    expect(await readAll(fromFile.stream)).toBe('{"status": 401}\n');
    const fifo = join(dir, 'fifo-live');
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    writer.write('{"status": 401}\n');
    const fromFifo = await openInput(fifo, { probeBytes: 1 << 20 });
    expect(fromFifo.live).toBe(true);
    writer.end();
    expect(await readAll(fromFifo.stream)).toBe('{"status": 401}\n');
  });

  it('stops waiting for a live input when `stop` fires, and gives back what it read', async () => {
    const fifo = join(dir, 'fifo-stop');
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    writer.write('[\n  {"status": 401}');
    const stop = new AbortController();
    const opening = openInput(fifo, { probeBytes: 1 << 20, stop: stop.signal });
    setTimeout(() => stop.abort(), 100);
    const opened = await opening;
    writer.end();
    expect(await readAll(opened.stream)).toBe('[\n  {"status": 401}');
  });
});
