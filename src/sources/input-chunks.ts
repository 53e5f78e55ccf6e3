import { finished, type Readable } from 'node:stream';

export interface ChunkOptions {
  /**
   * Awaited whenever the input has nothing more to give right now: nothing is buffered, and a
   * full turn of the event loop (its poll for I/O included) brought nothing, as when the writer of
   * a pipe pauses. Not called between chunks that follow one another.
   */
  paused?: (() => Promise<void> | void) | undefined;
  /** Ends the chunks when it fires, without waiting for the next one (SIGINT, SIGTERM). */
  stop?: AbortSignal | undefined;
}

/**
 * An input's chunks as they come (the stream's own async iterator, plus `paused` and `stop`).
 * Ending early (`stop`, or the caller breaking off) destroys the stream; an input that fails
 * throws its error.
 */
export async function* inputChunks(stream: Readable, options: ChunkOptions = {}): AsyncGenerator<Buffer, void> {
  const { paused, stop } = options;
  // undefined: going on; null: ended; an Error: failed (a premature close too).
  let outcome: Error | null | undefined;
  let wake: (() => void) | undefined;
  const rouse = () => wake?.();
  stream.on('readable', rouse);
  stop?.addEventListener('abort', rouse);
  const stopWatching = finished(stream, { writable: false }, (error) => {
    outcome = error ?? null;
    rouse();
  });
  /** Until the stream has something to say, or `stop`; with `patience`, false once that many turns of the event loop have passed in silence. */
  const next = (patience?: number) =>
    new Promise<boolean>((resolve) => {
      let immediate: NodeJS.Immediate | undefined;
      const turn = (left: number) => (immediate = setImmediate(() => (left > 1 ? turn(left - 1) : settle(false))));
      const settle = (woken: boolean) => {
        wake = undefined;
        clearImmediate(immediate);
        resolve(woken);
      };
      wake = () => settle(true);
      if (patience !== undefined) turn(patience);
    });
  // Whether the silence since the last chunk has been told to `paused`.
  let told = false;
  try {
    for (;;) {
      const chunk: Buffer | null = stream.destroyed ? null : stream.read();
      if (chunk !== null) {
        told = false;
        yield chunk;
        continue;
      }
      if (outcome) throw outcome;
      if (outcome === null || stop?.aborted) return;
      if (!paused || told) {
        await next();
      } else if (!(await next(2))) {
        // Two turns: the first immediate may run before the poll phase that brings the next read.
        told = true;
        await paused();
      }
    }
  } finally {
    stream.off('readable', rouse);
    stop?.removeEventListener('abort', rouse);
    stopWatching();
    if (outcome === undefined) stream.destroy();
  }
}
