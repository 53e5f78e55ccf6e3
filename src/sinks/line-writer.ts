import { once } from 'node:events';
import type { Writable } from 'node:stream';

const DEFAULT_CHUNK_BYTES = 128 * 1024;

/**
 * Writes lines in large chunks and reports backpressure. A closed reader (EPIPE) is not an
 * error: the writer turns `closed` and the caller stops reading. Any other write error is kept
 * in `error` for the caller to report.
 */
export class LineWriter {
  private pending = '';
  private blocked = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.closed = true;
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') this.error ??= error;
    });
  }

  writeLine(line: string): void {
    this.pending += line + '\n';
    if (this.pending.length >= this.chunkBytes) this.flush();
  }

  /** Bytes that must reach the output exactly as they were (a line that is not valid UTF-8). */
  writeBytes(bytes: Buffer): void {
    this.flush();
    this.send(bytes);
  }

  writeLineBytes(bytes: Buffer): void {
    this.writeBytes(bytes);
    this.pending = '\n';
  }

  /** Resolves when the output can take more; the caller awaits it between input chunks. */
  async ready(): Promise<void> {
    if (!this.blocked || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
    this.blocked = false;
  }

  flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.send(text);
  }

  /** Flushes what is left and finishes the output; `end` closes it (not for stdout). */
  async finish(end: boolean): Promise<void> {
    this.flush();
    if (this.closed) return;
    if (end) {
      this.stream.end();
      await once(this.stream, 'finish').catch(() => undefined);
    } else {
      await this.ready();
    }
  }

  private send(data: string | Buffer): void {
    if (this.closed) return;
    if (!this.stream.write(data)) this.blocked = true;
  }
}
