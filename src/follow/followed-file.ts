import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { LineProcessor, type LineOptions } from '../pipeline/line-processor.js';
import type { LineSplitter } from '../sources/line-splitter.js';
import type { FilePosition } from './checkpointer.js';
import { FINGERPRINT_BYTES, fingerprintOf, identityOf } from './fingerprinter.js';

const READ_BYTES = 256 * 1024;

/**
 * One file being followed, held open: after a rename or a delete it is still read, through
 * its handle, to its end. Lines go through the same LineProcessor as any input.
 */
export class FollowedFile {
  private processor: LineProcessor;
  private splitter: LineSplitter;
  /** No pattern finds the file any more: it was renamed away or deleted. */
  rotatedAway = false;
  /** When the file last had new bytes (or was opened). */
  lastGrowth = Date.now();

  private constructor(
    public path: string,
    private readonly handle: FileHandle,
    readonly dev: number,
    readonly ino: number,
    private readOffset: number,
    private readonly options: LineOptions,
  ) {
    this.processor = new LineProcessor(options, path);
    this.splitter = this.processor.splitter();
  }

  /** Opens a file to be read from its first byte (see startAt). */
  static async open(path: string, options: LineOptions): Promise<FollowedFile> {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      return new FollowedFile(path, handle, stat.dev, stat.ino, 0, options);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Reading begins at this offset (a saved position, or the end). */
  startAt(offset: number): void {
    this.readOffset = offset;
  }

  /**
   * The end of the last complete line, looking back at most `limit` bytes: following "from the
   * end" starts there, so a line still being written is read whole once it is complete.
   */
  async endOfLastLine(limit: number): Promise<number> {
    const size = await this.size();
    const from = Math.max(0, size - limit);
    const buffer = Buffer.alloc(size - from);
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, from);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(10);
    return newline === -1 ? (from === 0 ? 0 : size) : from + newline + 1;
  }

  get identity(): string {
    return identityOf(this);
  }

  /** Where a restart should begin: before any line begun but not yet ended. */
  get checkpointOffset(): number {
    return this.readOffset - this.splitter.pendingBytes;
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  /**
   * Reads what was appended since the last call, as far as the end or until `stop`; returns
   * the bytes read. Each chunk gets a buffer of its own: the output may still hold the last one.
   */
  async readAvailable(stop: AbortSignal, afterChunk: (bytes: number) => Promise<void>): Promise<number> {
    let total = 0;
    while (!stop.aborted) {
      const buffer = Buffer.allocUnsafe(READ_BYTES);
      const { bytesRead } = await this.handle.read(buffer, 0, READ_BYTES, this.readOffset);
      if (bytesRead === 0) break;
      this.readOffset += bytesRead;
      total += bytesRead;
      this.lastGrowth = Date.now();
      this.splitter.push(buffer.subarray(0, bytesRead));
      await afterChunk(bytesRead);
    }
    return total;
  }

  /** Bytes written to the file and not read yet. */
  async lag(): Promise<number> {
    return Math.max(0, (await this.size()) - this.readOffset);
  }

  get offset(): number {
    return this.readOffset;
  }

  /** The file was truncated in place (copytruncate): start again from its first byte. */
  restart(): void {
    this.readOffset = 0;
    this.processor = new LineProcessor(this.options, this.path);
    this.splitter = this.processor.splitter();
  }

  /** No more bytes will come (the file was rotated away): a last line without a newline is a line. */
  finish(): void {
    this.splitter.end();
  }

  async position(): Promise<FilePosition> {
    const size = await this.size();
    const fingerprintBytes = Math.min(size, FINGERPRINT_BYTES);
    return { path: this.path, dev: this.dev, ino: this.ino, fingerprint: await fingerprintOf(this.handle, fingerprintBytes), fingerprintBytes, offset: this.checkpointOffset };
  }

  /** Whether a saved position is this file's: same device, inode and first bytes. */
  async matches(saved: FilePosition): Promise<boolean> {
    if (saved.dev !== this.dev || saved.ino !== this.ino) return false;
    return (await fingerprintOf(this.handle, saved.fingerprintBytes)) === saved.fingerprint;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
