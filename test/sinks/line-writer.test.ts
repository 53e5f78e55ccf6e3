import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, ChunkPool, LineWriter } from '../../src/sinks/line-writer.js';

/** A stream that takes its time: it reads each chunk only when it finishes writing it, as a slow pipe would. */
function slowStream(received: Buffer[]): Writable {
  return new Writable({
    highWaterMark: 4 * CHUNK_BYTES,
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        received.push(Buffer.from(chunk));
        callback();
      }, 2);
    },
  });
}

const lines = Array.from({ length: 40_000 }, (_, i) => `{"n":${i},"msg":"${'é'.repeat(i % 50)}"}`);
const expected = lines.join('\n') + '\n';

describe('LineWriter', () => {
  it('uses a chunk again only once the stream has written it', async () => {
    const received: Buffer[] = [];
    const writer = new LineWriter(slowStream(received));
    const source = Buffer.from(lines.join('\n'));
    let start = 0;
    for (const [i, line] of lines.entries()) {
      const end = start + Buffer.byteLength(line);
      if (i % 3 === 0) writer.writeLine(line);
      else if (i % 3 === 1) writer.writeSpan(source, start, end);
      else writer.writeSpliced(source, start, end - 1, Buffer.from('}'));
      start = end + 1;
      if (i % 1000 === 0) await writer.ready();
    }
    await writer.flushed();
    expect(Buffer.concat(received).toString()).toBe(expected);
  });

  it('collecting: every chunk handed on is a whole buffer of its own, bytes written by copy', () => {
    const collected: Buffer[] = [];
    const collector = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        collected.push(chunk);
        callback();
      },
    });
    const writer = new LineWriter(collector, { pool: new ChunkPool(), collecting: true });
    const region = Buffer.from(expected);
    writer.writeBytes(region.subarray(0, 100));
    writer.writeBytes(region.subarray(100));
    writer.flush();
    expect(Buffer.concat(collected).toString()).toBe(expected);
    for (const chunk of collected) {
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.buffer).not.toBe(region.buffer);
    }
  });
});
