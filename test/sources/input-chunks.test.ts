import { PassThrough, Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { inputChunks } from '../../src/sources/input-chunks.js';

async function drain(chunks: AsyncIterable<Buffer>, seen: string[]): Promise<void> {
  for await (const chunk of chunks) seen.push(chunk.toString());
}

describe('inputChunks', () => {
  it('tells each pause of a live writer once, and only after the chunks before it', async () => {
    const pipe = new PassThrough();
    const seen: string[] = [];
    const done = drain(inputChunks(pipe, { paused: () => void seen.push('(pause)') }), seen);
    pipe.write('a\n');
    await vi.waitFor(() => expect(seen).toEqual(['a\n', '(pause)']));
    // A pause goes on: it is not told again (a sleep, the point of the check).
    await sleep(30);
    expect(seen).toEqual(['a\n', '(pause)']);
    pipe.write('b\n');
    await vi.waitFor(() => expect(seen).toEqual(['a\n', '(pause)', 'b\n', '(pause)']));
    pipe.end('c\n');
    await done;
    expect(seen).toEqual(['a\n', '(pause)', 'b\n', '(pause)', 'c\n']);
  });

  it('does not call a stream that keeps coming paused', async () => {
    let paused = 0;
    const seen: string[] = [];
    await drain(inputChunks(Readable.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]), { paused: () => void paused++ }), seen);
    expect(seen.join('')).toBe('abc');
    expect(paused).toBe(0);
  });

  it('waits for what `paused` does before reading on', async () => {
    const pipe = new PassThrough();
    const seen: string[] = [];
    let pausing = false;
    const paused = async () => {
      pausing = true;
      // A sleep, a slow flush: the scenario.
      await sleep(30);
      seen.push('(flushed)');
    };
    const done = drain(inputChunks(pipe, { paused }), seen);
    pipe.write('a');
    await vi.waitFor(() => expect(pausing).toBe(true));
    pipe.end('b');
    await done;
    expect(seen).toEqual(['a', '(flushed)', 'b']);
  });

  it('ends while waiting when `stop` fires, and destroys the stream', async () => {
    const pipe = new PassThrough();
    const stop = new AbortController();
    const seen: string[] = [];
    const done = drain(inputChunks(pipe, { stop: stop.signal }), seen);
    pipe.write('a');
    await vi.waitFor(() => expect(seen).toEqual(['a']));
    stop.abort();
    await done;
    expect(seen).toEqual(['a']);
    expect(pipe.destroyed).toBe(true);
  });

  it('throws the stream’s error, after the chunks before it', async () => {
    const pipe = new PassThrough();
    const seen: string[] = [];
    const done = drain(inputChunks(pipe), seen);
    pipe.write('a');
    await vi.waitFor(() => expect(seen).toEqual(['a']));
    pipe.destroy(new Error('broken'));
    await expect(done).rejects.toThrow('broken');
  });
});
