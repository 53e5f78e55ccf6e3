import { close, constants, fstat, fstatSync, fsync, ftruncate, open, stat, statfs, statSync, write, writeSync, writev, writevSync } from 'node:fs';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';

const openFd = promisify(open);
const closeFd = promisify(close);
const statFd = promisify(fstat);
const statPath = promisify(stat);
const statFs = promisify(statfs);
const syncFd = promisify(fsync);
const truncateFd = promisify(ftruncate);
const writeFd = promisify(write);
const writevFd = promisify(writev);

// Pauses between attempts at a failed write: soon enough that freed space is used within
// seconds, seldom enough that a long outage costs nothing.
const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 2000;

// Several chunks may be queued while one is written: reading and annotating go on meanwhile.
const HIGH_WATER_MARK = 1024 * 1024;

/** What a sink does when a write fails; the CLI says it to the user and counts it. */
export interface WriteFaults {
  /** Whether this error is waited out (the write tried again after a pause) rather than ending the output. */
  retries(error: NodeJS.ErrnoException): boolean;
  /** Every failed attempt; `retrying` says whether it will be tried again. */
  failed(error: NodeJS.ErrnoException, retrying: boolean): void;
  /** A write went through after `failures` failed attempts. */
  recovered(failures: number): void;
  /** Ends the waiting: a write being retried fails with its last error. */
  stop?: AbortSignal | undefined;
}

export const NO_RETRIES: WriteFaults = { retries: () => false, failed: () => undefined, recovered: () => undefined };

/**
 * 'pool': through libuv's thread pool, so that reading and annotating go on while a large chunk
 * is written (batch). 'at once': on the calling thread, for a follower's small writes to a
 * regular file: a write of a few kilobytes to the page cache costs less than the two thread
 * switches and the extra wake-up of the event loop a pooled write takes (measured). A device or
 * a FIFO is always written through the pool, as it may block.
 */
export type WriteMode = 'pool' | 'at once';

/**
 * Which file a sink writes, and how long it is. An inode number is soon given to a new file once
 * the old one is deleted: its birth time (statx; 0 where the filesystem keeps none) tells them apart.
 */
export interface FileMark {
  dev: number;
  ino: number;
  born: number;
  size: number;
}

/**
 * Where the file a sink writes stands: still at its path, renamed away (its lines are in the file
 * under its new name; the path names another file or none), or deleted (what is written is lost).
 */
export type FileCondition = 'at its path' | 'moved' | 'deleted';

/**
 * A file written through its own descriptor, unlike fs.WriteStream, which destroys itself at the
 * first error and leaves a short write's bytes behind. A chunk is acknowledged only once every
 * byte of it is in the file. A failed write is either tried again until it succeeds, the stream
 * holding its later chunks meanwhile (backpressure), or it ends the stream in error; either way a
 * line the failure cut in half is first cut off the file (files hidlog opened itself, for
 * appending), so a reader of the file never sees a torn line and a retry resumes at a line's start.
 */
export class FileSink extends Writable {
  /** Bytes of chunks written whole: the stream's acknowledged bytes. */
  private whole = 0;
  /** Bytes of the chunks being written that are in the file already. */
  private partial = 0;
  /** Bytes this sink has put in the file now open: as far back as it may cut. */
  private inFile = 0;
  private reopened: number | undefined;
  private abandoned = false;
  private writing: Promise<unknown> = Promise.resolve();
  private wake: (() => void) | undefined;
  /** writeNow's attempt that did not take its chunk whole, handed to the stream's write of that chunk (writeWhole). */
  private attempted: { written: number; failed: { error: unknown } | undefined } | undefined;

  private constructor(
    private fd: number,
    private readonly options: { path: string | undefined; cuttable: boolean; ownsFd: boolean; faults: WriteFaults; atOnce: boolean },
  ) {
    // Not destroyed by its own error: a shutdown may still cut the file back (truncateTo).
    super({ highWaterMark: HIGH_WATER_MARK, autoDestroy: false });
    options.faults.stop?.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  /** Opens `path` for appending ('a') or afresh ('w'); rejects with the open's error. */
  static async open(path: string, flags: 'w' | 'a', faults: WriteFaults, mode: WriteMode = 'pool'): Promise<FileSink> {
    const fd = await openFd(path, openFlags(flags));
    try {
      const cuttable = (await statFd(fd)).isFile();
      return new FileSink(fd, { path, cuttable, ownsFd: true, faults, atOnce: cuttable && mode === 'at once' });
    } catch (error) {
      await closeFd(fd);
      throw error;
    }
  }

  /**
   * Writes to a descriptor hidlog was given (stdout redirected to a file). It is never cut: without
   * O_APPEND, its write position would stay where it was, leaving a hole after the cut.
   */
  static onDescriptor(fd: number, faults: WriteFaults, mode: WriteMode = 'pool'): FileSink {
    const atOnce = mode === 'at once' && fstatSync(fd).isFile();
    return new FileSink(fd, { path: undefined, cuttable: false, ownsFd: false, faults, atOnce });
  }

  /** Writes go on in a new file at the same path (logrotate moved the old one away); a write being retried moves there too. */
  async reopen(): Promise<void> {
    const { path } = this.options;
    if (path === undefined) return;
    const fd = await openFd(path, openFlags('a'));
    if (this.reopened !== undefined) await closeFd(this.reopened);
    this.reopened = fd;
    this.wake?.();
    // Idle: nothing is written now, so the new file can be taken at once.
    if (this.writableLength === 0) await this.writing.then(() => this.takeReopened());
  }

  /** The file being written and its size; undefined for a file it may not cut (see onDescriptor). */
  async mark(): Promise<FileMark | undefined> {
    if (!this.options.cuttable) return undefined;
    const { dev, ino, birthtimeMs, size } = await statFd(this.fd);
    return { dev, ino, born: birthtimeMs, size };
  }

  /** Waits until what is in the file is on the disk (fsync). */
  async sync(): Promise<void> {
    await syncFd(this.fd);
  }

  /**
   * Before anything is written: cuts the file back to `mark.size` if it is the file marked and
   * longer (what a killed hidlog wrote after its last checkpoint, a torn line included). Says
   * what it found: 'cut', 'as marked', 'shorter' (something else cut it), or 'another file'.
   */
  async cutBackTo(mark: FileMark): Promise<'cut' | 'as marked' | 'shorter' | 'another file'> {
    const { dev, ino, birthtimeMs, size } = await statFd(this.fd);
    const reborn = mark.born !== 0 && birthtimeMs !== 0 && birthtimeMs !== mark.born;
    if (!this.options.cuttable || dev !== mark.dev || ino !== mark.ino || reborn) return 'another file';
    if (size < mark.size) return 'shorter';
    if (size === mark.size) return 'as marked';
    await truncateFd(this.fd, mark.size);
    return 'cut';
  }

  /** Whether the file being written is still the one at its path (see FileCondition). */
  async condition(): Promise<FileCondition> {
    const { path, atOnce } = this.options;
    if (path === undefined || this.reopened !== undefined) return 'at its path';
    // Asked every second by a follower: written at once, the file is stat'd at once too (two thread
    // switches and a wake-up of the event loop less each; both stats are of a file written here).
    const open = atOnce ? fstatSync(this.fd) : await statFd(this.fd);
    if (open.nlink === 0) return 'deleted';
    try {
      const atPath = atOnce ? statSync(path) : await statPath(path);
      return atPath.dev === open.dev && atPath.ino === open.ino ? 'at its path' : 'moved';
    } catch {
      return 'moved';
    }
  }

  /**
   * Writes `chunk` on the calling thread, past the stream's machinery, when the sink writes at once
   * and holds nothing (no write under way or queued, none being retried, no file waiting to be
   * taken): true when it is in the file whole, acknowledged (counted) already. Otherwise the chunk
   * goes through the stream, as `write` sends it: false, and `callback` is called as `write` calls
   * it. A follower's look writes one small chunk: the stream's bookkeeping for it (its state, a
   * tick for the callback) cost more than the write(2) itself (measured, docs/performance.md).
   */
  writeNow(chunk: Buffer, callback: (error?: Error | null) => void): boolean {
    if (!this.idle()) {
      this.write(chunk, callback);
      return false;
    }
    let written = 0;
    let failed: { error: unknown } | undefined;
    try {
      written = writeSync(this.fd, chunk);
    } catch (error) {
      failed = { error };
    }
    this.inFile += written;
    if (written === chunk.length) {
      this.whole += written;
      return true;
    }
    // Short or failed: the stream takes the chunk from there, as a write of its own would (writeWhole, writeAll).
    this.attempted = { written, failed };
    this.write(chunk, callback);
    return false;
  }

  /** Written at once, and no chunk cut short, reopened file or abandonment in the way of a first write(2). */
  private writesAtOnce(): boolean {
    return this.options.atOnce && this.partial === 0 && this.reopened === undefined && !this.abandoned;
  }

  /** Written at once, and nothing written, queued or waited for: a chunk written now keeps its order. */
  private idle(): boolean {
    return this.writesAtOnce() && this.writableLength === 0 && this.writableCorked === 0 && !this.writableEnded && !this.destroyed && this.errored === null;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeWhole([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeWhole(
      chunks.map((entry) => entry.chunk),
      callback,
    );
  }

  private writeWhole(buffers: Buffer[], callback: (error?: Error | null) => void): void {
    const total = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    let failed: { error: unknown } | undefined;
    const { attempted } = this;
    if (attempted) {
      // writeNow made the first attempt, and the stream was idle: this is its chunk.
      this.attempted = undefined;
      this.partial = attempted.written;
      failed = attempted.failed;
    } else if (this.writesAtOnce()) {
      // At once, as a follower writes: the first write(2) here, and a chunk it takes whole is
      // acknowledged now, without a promise and its turn of the microtask queue. A short or failed
      // write goes on as any other (writeAll), the failure counted and said there.
      try {
        const written = writeFromAtOnce(this.fd, buffers, 0);
        this.partial = written;
        this.inFile += written;
      } catch (error) {
        failed = { error };
      }
      if (this.partial === total) {
        this.whole += total;
        this.partial = 0;
        callback();
        return;
      }
    }
    this.writing = this.writeAll(buffers, total, failed).then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  /** Writes `buffers` whole (`total` bytes), from `partial` on; `failed`: the first attempt, made by writeWhole, failed so. */
  private async writeAll(buffers: Buffer[], total: number, failed?: { error: unknown }): Promise<void> {
    const { faults } = this.options;
    let failures = 0;
    let pause = FIRST_PAUSE_MS;
    let atLineStart = this.partial === 0;
    let diskFull: NodeJS.ErrnoException | undefined;
    while (this.partial < total) {
      if (this.abandoned) throw abandonedError();
      // A new file starts at a line's start: at a chunk's start, or where a failure was cut back to.
      if (atLineStart && this.reopened !== undefined) await this.takeReopened();
      try {
        if (failed) {
          const { error } = failed;
          failed = undefined;
          throw error;
        }
        const limit = diskFull ? await this.room(buffers, total) : undefined;
        if (limit === 0) throw diskFull;
        const written = this.options.atOnce ? writeFromAtOnce(this.fd, buffers, this.partial, limit) : await writeFrom(this.fd, buffers, this.partial, limit);
        this.partial += written;
        this.inFile += written;
        atLineStart = false;
      } catch (error) {
        const fault = error as NodeJS.ErrnoException;
        if (fault.code === 'ENOSPC') diskFull = fault;
        failures++;
        const retrying = faults.retries(fault) && !faults.stop?.aborted && !this.abandoned;
        // Cut first: by the time the failure is said, the file ends with a whole line.
        atLineStart = await this.cutTornLine(buffers);
        faults.failed(fault, retrying);
        if (!retrying) throw fault;
        await this.sleep(pause);
        pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
        if (faults.stop?.aborted) throw fault;
      }
    }
    this.whole += total;
    this.partial = 0;
    if (failures > 0) faults.recovered(failures);
  }

  /**
   * Once the disk was full: how many bytes from `partial` on to write now, the whole lines that
   * fit in the space its filesystem has free (0: none, the attempt fails as the write would), or
   * undefined where that is not known or does not matter (the write is tried whole: not a file). Trying the whole write would
   * fill the slack of the file's last block with a torn line, there until the next write fails
   * and it is cut: every retry of an outage would show readers of the file a torn line.
   */
  private async room(buffers: Buffer[], total: number): Promise<number | undefined> {
    const { path, cuttable } = this.options;
    if (path === undefined || !cuttable) return undefined;
    let free: number;
    try {
      const { bsize, blocks, bfree, bavail } = await statFs(path);
      // A filesystem that tells no size (blocks 0) does not say what fits. Root may use the blocks kept back for it;
      // one block is left for the filesystem's own bookkeeping.
      if (blocks === 0) return undefined;
      free = Math.max(0, (process.getuid?.() === 0 ? bfree : bavail) - 1) * bsize;
    } catch {
      return undefined;
    }
    return Math.max(0, endOfLastLine(buffers, Math.min(total, this.partial + free)) - this.partial);
  }

  /**
   * After a failed write: cuts the bytes after the last newline this write put in the file, so
   * that the file ends with a whole line and the retry begins that line again. Returns whether
   * the file now ends where a line ends (or where this write began).
   */
  private async cutTornLine(buffers: Buffer[]): Promise<boolean> {
    const keep = endOfLastLine(buffers, this.partial);
    const torn = this.partial - keep;
    if (torn === 0) return true;
    // If it cannot, the file keeps the torn bytes; the retry goes on after them.
    if (!this.options.cuttable || !(await this.cutEnd(torn))) return false;
    this.partial = keep;
    this.inFile -= torn;
    return true;
  }

  /**
   * Stops writing (a write under way may finish), then cuts the file back to where it ended after
   * the first `bytes` bytes this sink was given. False if it cannot: not a file hidlog opened, or
   * those bytes went to a file it has since reopened.
   */
  async truncateTo(bytes: number): Promise<boolean> {
    this.abandoned = true;
    this.wake?.();
    await this.writing;
    const excess = this.whole + this.partial - bytes;
    if (excess <= 0) return true;
    if (!this.options.cuttable || excess > this.inFile || !(await this.cutEnd(excess))) return false;
    this.inFile -= excess;
    this.partial = 0;
    this.whole = bytes;
    return true;
  }

  /** Cuts `bytes` off the file's end; false if the file is shorter (someone else cut it meanwhile: copytruncate) or the cut fails. */
  private async cutEnd(bytes: number): Promise<boolean> {
    try {
      const { size } = await statFd(this.fd);
      if (size < bytes) return false;
      await truncateFd(this.fd, size - bytes);
      return true;
    } catch {
      return false;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const close = async () => {
      await this.writing;
      if (this.reopened !== undefined) await closeFd(this.reopened);
      if (this.options.ownsFd) await closeFd(this.fd);
    };
    close().then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }

  private async takeReopened(): Promise<void> {
    if (this.reopened === undefined) return;
    const previous = this.fd;
    this.fd = this.reopened;
    this.reopened = undefined;
    this.inFile = 0;
    await closeFd(previous);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function openFlags(flags: 'w' | 'a'): number {
  // O_APPEND in both: after a cut, the next write lands at the file's new end.
  const { O_WRONLY, O_CREAT, O_APPEND, O_TRUNC } = constants;
  return O_WRONLY | O_CREAT | O_APPEND | (flags === 'w' ? O_TRUNC : 0);
}

/** Writes the bytes of `buffers` from `offset` on (at most `limit` of them), as far as one write(2) or writev(2) goes; returns how many. */
async function writeFrom(fd: number, buffers: Buffer[], offset: number, limit?: number): Promise<number> {
  const rest = unwritten(buffers, offset, limit);
  return rest.length === 1 ? (await writeFd(fd, rest[0]!)).bytesWritten : (await writevFd(fd, rest)).bytesWritten;
}

/** writeFrom on the calling thread. */
function writeFromAtOnce(fd: number, buffers: Buffer[], offset: number, limit?: number): number {
  const rest = unwritten(buffers, offset, limit);
  return rest.length === 1 ? writeSync(fd, rest[0]!) : writevSync(fd, rest);
}

/** The bytes of `buffers` from `offset` on, at most `limit` of them. */
function unwritten(buffers: Buffer[], offset: number, limit = Infinity): Buffer[] {
  let skip = offset;
  let first = 0;
  while (skip >= buffers[first]!.length) skip -= buffers[first++]!.length;
  if (first === 0 && skip === 0 && limit === Infinity) return buffers;
  const rest = buffers.slice(first);
  rest[0] = rest[0]!.subarray(skip);
  if (limit === Infinity) return rest;
  let left = limit;
  const within: Buffer[] = [];
  for (const buffer of rest) {
    if (left === 0) break;
    within.push(buffer.subarray(0, left));
    left -= Math.min(left, buffer.length);
  }
  return within;
}

/** Where the last line ends among the first `count` bytes of `buffers` (just after its newline; 0: no newline). */
function endOfLastLine(buffers: Buffer[], count: number): number {
  let end = 0;
  let start = 0;
  for (const buffer of buffers) {
    if (start >= count) break;
    const newline = buffer.lastIndexOf(10, Math.min(buffer.length, count - start) - 1);
    if (newline !== -1) end = start + newline + 1;
    start += buffer.length;
  }
  return end;
}

function abandonedError(): NodeJS.ErrnoException {
  return Object.assign(new Error('output abandoned at shutdown'), { code: 'ERR_ABANDONED' });
}
