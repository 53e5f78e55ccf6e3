import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LineProcessor, type LineOptions } from '../pipeline/line-processor.js';
import { FINGERPRINT_BYTES, identityOf } from './fingerprinter.js';

const READ_BYTES = 64 * 1024;

/** What reading a compressed file's lines came to. */
export interface CompressedRead {
  /** The decompressed offset after the last complete line written out. */
  offset: number;
  /** Whether the stream was read to its end; if not, it is still being written (or was cut short), and is read on from `offset` later. */
  complete: boolean;
}

/**
 * A rotated file compressed with gzip: never followed as text (its bytes are not lines), but
 * read once, decompressed, from the offset of what was already read of the file it came from.
 */
export class CompressedFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly identity: string,
    readonly size: number,
    readonly mtimeMs: number,
  ) {}

  static async open(path: string): Promise<CompressedFile> {
    // Without blocking, should a FIFO have taken the file's place: its reads fail instead.
    const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const stat = await handle.stat();
      return new CompressedFile(path, handle, identityOf(stat), stat.size, stat.mtimeMs);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * The first decompressed bytes, up to FINGERPRINT_BYTES; `settled` unless the stream was cut
   * short before that many (the file is still being written): then the start may say more later.
   */
  async start(): Promise<{ start: Buffer; settled: boolean }> {
    const pieces: Buffer[] = [];
    let length = 0;
    try {
      for await (const piece of this.decompressed()) {
        pieces.push(piece);
        length += piece.length;
        if (length >= FINGERPRINT_BYTES) break;
      }
    } catch (error) {
      if (!isCutShort(error)) throw error;
      return { start: Buffer.concat(pieces).subarray(0, FINGERPRINT_BYTES), settled: length >= FINGERPRINT_BYTES };
    }
    return { start: Buffer.concat(pieces).subarray(0, FINGERPRINT_BYTES), settled: true };
  }

  /**
   * The decompressed length as the gzip trailer gives it (modulo 2^32): exact for logrotate's
   * files (one gzip member, under 4 GiB), so a file already read to that length is not decompressed again.
   */
  async trailerLength(): Promise<number | undefined> {
    if (this.size < 18) return undefined;
    const trailer = Buffer.alloc(4);
    await this.handle.read(trailer, 0, 4, this.size - 4);
    return trailer.readUInt32LE(0);
  }

  /** Reads the decompressed lines from `from` to the end (or until `stop`) through a LineProcessor of its own. */
  async readFrom(
    from: number,
    options: LineOptions,
    stop: AbortSignal,
    afterChunk: (bytes: number, offset: number | undefined) => Promise<void> | undefined,
  ): Promise<CompressedRead> {
    const splitter = new LineProcessor(options, this.path).splitter();
    let position = 0;
    try {
      for await (const piece of this.decompressed()) {
        const skip = Math.min(piece.length, Math.max(0, from - position));
        position += piece.length;
        if (skip === piece.length) continue;
        splitter.push(skip === 0 ? piece : piece.subarray(skip));
        // Inside a too-long line the outputs hold part of it: no position to deliver (see FollowedFile.deliveredOffset).
        await afterChunk(piece.length - skip, splitter.insideTooLongLine ? undefined : position - splitter.pendingBytes);
        if (stop.aborted) return { offset: position - splitter.pendingBytes, complete: false };
      }
    } catch (error) {
      if (!isCutShort(error)) throw error;
      return { offset: Math.max(from, position - splitter.pendingBytes), complete: false };
    }
    // The end of a rotated file: a last line without a newline is still a line, and is reached now.
    const unterminated = splitter.pendingBytes > 0;
    splitter.end();
    if (unterminated) await afterChunk(0, position);
    return { offset: Math.max(from, position), complete: true };
  }

  /** The decompressed bytes, read through the handle (a stream of the handle's own would close it when destroyed). */
  private decompressed(): AsyncIterable<Buffer> {
    const { handle } = this;
    async function* compressed() {
      for (let position = 0; ; ) {
        const buffer = Buffer.allocUnsafe(READ_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, position);
        if (bytesRead === 0) return;
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    }
    const source = Readable.from(compressed());
    const gunzip = createGunzip();
    source.on('error', (error) => gunzip.destroy(error));
    gunzip.on('close', () => source.destroy());
    return source.pipe(gunzip);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A gzip stream that ends early: the file is still being written, or was cut. */
const isCutShort = (error: unknown) => (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR';
