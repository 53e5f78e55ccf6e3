import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
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

  it('counts the bytes it was given and those the output accepted; a failed write is not accepted, and breaks the writer', async () => {
    let failing = false;
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        setTimeout(() => callback(failing ? Object.assign(new Error('no space'), { code: 'ENOSPC' }) : null), 1);
      },
    });
    const writer = new LineWriter(stream);
    writer.writeLine('{"a":1}');
    expect([writer.bytesWritten, writer.bytesAccepted]).toEqual([8, 0]);
    await writer.flushed();
    expect(writer.bytesAccepted).toBe(8);
    failing = true;
    writer.writeLine('{"b":2}');
    await writer.flushed();
    expect([writer.bytesWritten, writer.bytesAccepted]).toEqual([16, 8]);
    expect(writer.error?.code).toBe('ENOSPC');
    expect(writer.broken.aborted).toBe(true);
  });

  it('stops waiting for an output that takes nothing when stop fires, and when flushed is given up', async () => {
    const stuck = new Writable({ highWaterMark: 1, write: () => undefined }); // never calls back
    const stop = new AbortController();
    const writer = new LineWriter(stuck, { stop: stop.signal });
    writer.writeLine('{"a":1}');
    writer.flush();
    const ready = writer.ready();
    setTimeout(() => stop.abort(), 20);
    await ready;
    for (let i = 0; i < 3; i++) await writer.flushed(AbortSignal.timeout(20));
    expect(writer.bytesAccepted).toBe(0);
    // Each wait given up let go of the stream.
    expect([stuck.listenerCount('close'), stuck.listenerCount('error')]).toEqual([0, 1]);
  });
  it('is flushed as the write calls back, without waiting on a timer', async () => {
    const callbacks: (() => void)[] = [];
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callbacks.push(() => callback());
      },
    });
    const writer = new LineWriter(stream);
    vi.useFakeTimers();
    try {
      writer.writeLine('{"a":1}');
      let flushed = false;
      const waiting = writer.flushed().then(() => {
        flushed = true;
      });
      await Promise.resolve();
      expect([flushed, callbacks.length]).toEqual([false, 1]);
      callbacks.shift()!();
      // No timer runs (they are fake): only the write's callback can end the wait.
      await waiting;
      expect(writer.bytesAccepted).toBe(8);
    } finally {
      vi.useRealTimers();
    }
  });
});
