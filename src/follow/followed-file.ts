import { constants, fstatSync, readSync, statSync, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { contentStampOf, type FileStamp } from '../common/file-stamps.js';
import { open } from 'node:fs/promises';
import { MIN_JUDGED, type SurveyCounts } from '../pipeline/input-survey.js';
import { LineProcessor, type LineOptions } from '../pipeline/line-processor.js';
import type { LineSplitter } from '../sources/line-splitter.js';
import type { FilePosition } from './checkpointer.js';
import { FINGERPRINT_BYTES, fingerprintOfStart, identityOf, startMatches, type Fingerprint } from './fingerprinter.js';

/** What FollowedFile.read read: bytes, or 'truncated'. */
export type ReadResult = number | 'truncated';

// A read that fills this much looks again with a larger buffer; most reads of a tail are small.
const FIRST_READ_BYTES = 16 * 1024;
const READ_BYTES = 256 * 1024;
// First reads land here, and only the bytes that came are copied out: most looks find few or none,
// and a buffer each would be garbage (a full look reads every followed file).
const firstRead = Buffer.allocUnsafe(FIRST_READ_BYTES + 1);
const startAgain = Buffer.allocUnsafe(FINGERPRINT_BYTES);

/**
 * What a path names when it is not a file that can be followed (a FIFO blocks its reader, a
 * device may give bytes without end); undefined for a file, and for a directory (reported as
 * unreadable, and retried).
 */
export function unfollowable(stat: Pick<Stats, 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'>): string | undefined {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return undefined;
}

/** Thrown by FollowedFile.open for a path that names no file to follow. */
export class UnfollowableError extends Error {
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is ${kind}: not followed (hidlog follows regular files)`);
  }
}

/**
 * One text file being followed, held open: after a rename or a delete it is still read, through
 * its handle, to its end. Lines go through the same LineProcessor as any input. When there are
 * more files than descriptors to hold them, an idle one is parked: its handle closed, its
 * position and its unfinished line kept, and opened again at its path when it changes there.
 */
export class FollowedFile {
  private processor: LineProcessor;
  private splitter: LineSplitter;
  private readOffset = 0;
  /** The byte before readOffset, as read: a truncated file rewritten past the offset has another one there. */
  private lastByte: number | undefined;
  /** No pattern finds the file any more: it was renamed away or deleted. */
  rotatedAway = false;
  /** When the file last had new bytes (or was opened). */
  lastGrowth = Date.now();
  /** Its first bytes (up to FINGERPRINT_BYTES) as last read, and their fingerprint. */
  private startBytes = Buffer.alloc(0);
  private startFingerprint: Fingerprint | undefined;
  /** Whether the first bytes were looked at (is it text, a compressed file, a copy of one already read?). */
  decided = false;
  /** Present at the first start, with --start-at end, and not decided yet: where its last complete line ended then (new-files.ts). */
  endAtFirstStart: number | undefined;
  /** Where copies of this content were seen (copytruncate's, compressed ones): read from if it is truncated. */
  readonly copies = new Set<string>();
  /** While parked: its size and modification time then, to tell whether it changed since. */
  private parkedStamp: FileStamp | undefined;
  /**
   * A too-long line the file does not hold the end of yet: reading waits at its start (readOffset)
   * and looks only for its newline, from `scannedTo` on, so the line goes to the outputs in one read.
   */
  private unendedLine: { scannedTo: number } | undefined;
  /** How far bytes read were counted: a line read again after waiting for its end is not counted twice. */
  private countedTo = 0;
  private identityText: string | undefined;

  private constructor(
    public path: string,
    private handle: FileHandle | undefined,
    readonly dev: number,
    readonly ino: number,
    private readonly options: LineOptions,
  ) {
    this.processor = new LineProcessor(options, path);
    this.splitter = this.processor.splitter();
  }

  /**
   * Opens a file to be read from its first byte (see startAt). Without blocking: a FIFO put where
   * a file was would hold the open until a writer came. It is refused (UnfollowableError), as is a device.
   */
  static async open(path: string, options: LineOptions): Promise<FollowedFile> {
    const { handle, stat } = await openFollowable(path);
    return new FollowedFile(path, handle, stat.dev, stat.ino, options);
  }

  /** Its descriptor; none while parked. */
  get fd(): number | undefined {
    return this.handle?.fd;
  }

  get parked(): boolean {
    return this.handle === undefined;
  }

  /** Closes its handle, keeping all else: it is opened again at its path (unpark) when it changes there. */
  async park(): Promise<void> {
    const handle = this.opened;
    this.parkedStamp = contentStampOf(this.stamp());
    this.handle = undefined;
    await handle.close();
  }

  /**
   * Whether, parked, it has something to read: its path still names it (the same device and
   * inode) and it changed since it was parked, or it holds bytes not read yet. A path that names
   * another file now, or none, is not opened again here: that is a rotation, seen at the next look
   * at its directory (then the file is closed, as a quiet rotated file is).
   */
  changedWhileParked(): boolean {
    try {
      const now = statSync(this.path);
      if (now.dev !== this.dev || now.ino !== this.ino) return false;
      return contentStampOf(now) !== this.parkedStamp || (this.decided && now.size !== (this.unendedLine?.scannedTo ?? this.readOffset));
    } catch {
      return false;
    }
  }

  /** Opens it again at its path; false (and still parked) if the path names another file by now, or none. */
  async unpark(): Promise<boolean> {
    let opened: { handle: FileHandle; stat: Stats };
    try {
      opened = await openFollowable(this.path);
    } catch (error) {
      if (isOutOfDescriptors(error)) throw error;
      return false;
    }
    if (opened.stat.dev !== this.dev || opened.stat.ino !== this.ino) {
      await opened.handle.close();
      return false;
    }
    this.handle = opened.handle;
    this.parkedStamp = undefined;
    return true;
  }

  private get opened(): FileHandle {
    if (!this.handle) throw new Error(`${this.path} is parked`);
    return this.handle;
  }

  /** `dev:ino`, made once: it is looked up at every read. */
  get identity(): string {
    return (this.identityText ??= identityOf(this));
  }

  /** Reading begins at this offset (a saved position, or the end). */
  startAt(offset: number, deadLettered = 0): void {
    if (deadLettered > 0) this.processor.continueDeadLetter(deadLettered);
    this.readOffset = offset;
    this.countedTo = offset;
    this.lastByte = undefined;
    this.unendedLine = undefined;
  }

  /**
   * The end of the last complete line, looking back at most `limit` bytes: following "from the
   * end" starts there, so a line still being written is read whole once it is complete.
   */
  async endOfLastLine(limit: number): Promise<number> {
    const size = this.size();
    const from = Math.max(0, size - limit);
    const buffer = Buffer.alloc(size - from);
    const { bytesRead } = await this.opened.read(buffer, 0, buffer.length, from);
    const newline = buffer.subarray(0, bytesRead).lastIndexOf(10);
    return newline === -1 ? (from === 0 ? 0 : size) : from + newline + 1;
  }

  /** Reads the file's first bytes (up to FINGERPRINT_BYTES) again, and keeps them. */
  async readStart(): Promise<Buffer> {
    const buffer = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await this.opened.read(buffer, 0, FINGERPRINT_BYTES, 0);
    this.startBytes = buffer.subarray(0, bytesRead);
    this.startFingerprint = fingerprintOfStart(this.startBytes);
    return this.startBytes;
  }

  /** The first bytes as last read. */
  get start(): Buffer {
    return this.startBytes;
  }

  /** Of its first bytes as last read; none until its first line is complete. */
  get fingerprint(): Fingerprint | undefined {
    return this.startFingerprint;
  }

  /** Whether the first bytes kept are all the fingerprint will ever cover. */
  get startComplete(): boolean {
    return this.startBytes.length >= FINGERPRINT_BYTES;
  }

  /**
   * While the first bytes kept are fewer than FINGERPRINT_BYTES and the file has grown, reads
   * them again, so the fingerprint covers more. `false` if the file no longer begins as it did:
   * it was truncated and written again.
   */
  async growFingerprint(): Promise<boolean> {
    if (this.startComplete || this.size() <= this.startBytes.length) return true;
    const before = this.fingerprint;
    const start = await this.readStart();
    return !before || startMatches(before, start);
  }

  /** Bytes of a too-long line under way already written to the dead-letter file (it is read in one go: see read). */
  get deadLetteredSoFar(): number {
    return this.splitter.tooLongBytesSoFar;
  }

  /** Where a restart should begin: before any line begun but not yet ended. */
  get checkpointOffset(): number {
    return this.readOffset - this.splitter.pendingBytes;
  }

  /**
   * A position whose lines the outputs hold exactly, or undefined while a too-long line is being
   * dead-lettered piece by piece: the outputs then hold part of a line that begins before
   * checkpointOffset, and a restart cut back to them would glue the line's retry to that part.
   */
  get deliveredOffset(): number | undefined {
    return this.splitter.insideTooLongLine ? undefined : this.checkpointOffset;
  }

  size(): number {
    return fstatSync(this.opened.fd).size;
  }

  /**
   * Reads what was appended since the last call, as far as the file reached at the call's first read
   * or until `stop`; returns the bytes read, or 'truncated' when the file no longer holds what was
   * read (copytruncate): it is shorter than the offset or than its first bytes as read, the byte
   * before the offset, read again with the new ones, changed, or (when there are new bytes) its
   * first bytes did. Each chunk gets a
   * buffer of its own: the output may still hold the last one. `afterChunk` is told whether more is
   * to be read now (a catch-up): the caller lets the event loop turn there, and the bytes read for
   * the first time. Returned at once, not as a promise, when nothing had to be waited for.
   *
   * A too-long line streams to the dead-letter file in pieces. It does so only within one read that
   * reaches its end: one that the file does not hold the end of yet waits (unendedLine). Pieces
   * left in the file between two reads would be glued to whatever another file wrote there next,
   * or to the line read again from a copytruncate's copy.
   */
  read(stop: AbortSignal, afterChunk: (bytes: number, more: boolean) => Promise<void> | undefined): ReadResult | Promise<ReadResult> {
    // Never past the size it has now: a file written faster than it is read is read on at the next
    // look, and nothing that gives bytes without end is read on for ever. The size is the end of
    // the first read when that read is short, as a tail's is: no fstat then (one a look, and a
    // Stats object with four Dates). A first read that fills its buffer asks for the size.
    let end: number | undefined;
    if (this.unendedLine) {
      end = this.size();
      if (end < this.startBytes.length) return 'truncated';
      if (!this.unendedLineEnds(end)) return 0;
    }
    return this.readOn(stop, afterChunk, end, 0, true);
  }

  /**
   * read's loop, from `total` bytes read so far. It returns what it read when nothing had to be
   * waited for, as a tail's read (one short read, outputs that take it at once): a look then makes
   * no promise. Otherwise it goes on once what afterChunk gave is done, and returns that promise.
   */
  private readOn(
    stop: AbortSignal,
    afterChunk: (bytes: number, more: boolean) => Promise<void> | undefined,
    end: number | undefined,
    total: number,
    first: boolean,
  ): ReadResult | Promise<ReadResult> {
    // A too-long line under way is read to its end (the file holds it) even after a stop: its pieces are in the dead-letter file.
    while (!stop.aborted || this.splitter.insideTooLongLine) {
      const overlap = this.readOffset > 0 ? 1 : 0;
      const from = this.readOffset - overlap;
      const buffer = first ? firstRead.subarray(0, FIRST_READ_BYTES + overlap) : Buffer.allocUnsafe(READ_BYTES + overlap);
      const length = end === undefined ? buffer.length : Math.max(0, Math.min(buffer.length, end - from));
      // A read of a tail is a few kilobytes from the page cache: done at once, it costs a fifth of
      // the CPU of a read through the thread pool (measured), and a follower makes many.
      const bytesRead = length === 0 ? 0 : readSync(this.opened.fd, buffer, 0, length, from);
      if (end === undefined) {
        end = bytesRead < length ? from + bytesRead : Math.max(from + bytesRead, this.size());
        // Shorter than its first bytes as read: truncated, even with nothing read of it yet (its lines
        // are in the copy, which a glob finds and would otherwise take for a copy of this file).
        if (end < this.startBytes.length) return 'truncated';
      }
      if (overlap === 1 && (bytesRead === 0 || (this.lastByte !== undefined && buffer[0] !== this.lastByte))) return 'truncated';
      const fresh = bytesRead - overlap;
      if (fresh <= 0) break;
      if (first && !this.beginsAsItDid()) return 'truncated';
      const chunk = first ? Buffer.from(buffer.subarray(overlap, bytesRead)) : buffer.subarray(overlap, bytesRead);
      this.readOffset += fresh;
      this.lastByte = chunk[fresh - 1];
      total += fresh;
      this.lastGrowth = Date.now();
      const pushed = this.pushUpToUnendedLine(chunk, end);
      // A short read is the end of the file as it is now.
      const more = pushed === chunk.length && bytesRead === buffer.length && this.readOffset < end;
      const waiting = afterChunk(this.countRead(), more);
      if (waiting) {
        const readTo = end;
        const readSoFar = total;
        return waiting.then(() => (more ? this.readOn(stop, afterChunk, readTo, readSoFar, false) : readSoFar));
      }
      if (!more) break;
      first = false;
    }
    return total;
  }

  /**
   * Pushes the chunk just read to the splitter, unless a line in it becomes too long and the file
   * (up to `end`) does not hold its end: then only the lines before it, and reading is set back to
   * its start, to wait for its end. Returns the bytes of the chunk pushed.
   */
  private pushUpToUnendedLine(chunk: Buffer, end: number): number {
    const { splitter } = this;
    if (!splitter.insideTooLongLine) {
      const lastNewline = chunk.lastIndexOf(10);
      const unfinished = lastNewline === -1 ? splitter.heldLineBytes + chunk.length : chunk.length - lastNewline - 1;
      if (unfinished > this.options.maxLineBytes && !this.newlineBetween(this.readOffset, end)) {
        const whole = lastNewline + 1;
        if (whole > 0) splitter.push(chunk.subarray(0, whole));
        this.readOffset -= chunk.length - whole + splitter.dropHeldLine();
        this.lastByte = this.readOffset > 0 ? 10 : undefined;
        this.unendedLine = { scannedTo: end };
        return whole;
      }
    }
    splitter.push(chunk);
    return chunk.length;
  }

  /**
   * Whether the too-long line reading waits at now ends in the file (up to `end`): then it is read,
   * from its start. Also when the file may have been truncated meanwhile: reading finds out.
   */
  private unendedLineEnds(end: number): boolean {
    const waiting = this.unendedLine!;
    const ends = end < waiting.scannedTo || !this.beginsAsItDid() || this.newlineBetween(waiting.scannedTo, end);
    if (ends) this.unendedLine = undefined;
    else waiting.scannedTo = end;
    return ends;
  }

  /** Whether the file holds a newline in [from, to). */
  private newlineBetween(from: number, to: number): boolean {
    const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(0, to - from)));
    for (let at = from; at < to; ) {
      const bytesRead = readSync(this.opened.fd, buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) return false;
      if (buffer.subarray(0, bytesRead).includes(10)) return true;
      at += bytesRead;
    }
    return false;
  }

  /** Bytes read past the furthest point read before, counted from now on. */
  private countRead(): number {
    const fresh = Math.max(0, this.readOffset - this.countedTo);
    this.countedTo = Math.max(this.countedTo, this.readOffset);
    return fresh;
  }

  /**
   * Whether the file still begins with the first bytes kept. A file truncated and written again
   * past the offset while hidlog was not reading (a full output holding it back) may well have
   * the same byte before the offset; it does not have the same first line.
   */
  private beginsAsItDid(): boolean {
    const kept = this.startBytes;
    if (kept.length === 0) return true;
    const now = startAgain.subarray(0, kept.length);
    return readSync(this.opened.fd, now, 0, kept.length, 0) === kept.length && now.equals(kept);
  }

  /** Bytes written to the file and not read yet. */
  lag(): number {
    if (this.handle) return Math.max(0, this.size() - this.readOffset);
    try {
      const { dev, ino, size } = statSync(this.path);
      return dev === this.dev && ino === this.ino ? Math.max(0, size - this.readOffset) : 0;
    } catch {
      return 0;
    }
  }

  get offset(): number {
    return this.readOffset;
  }

  /** The file was truncated in place (copytruncate): it holds new content, read from its first byte. */
  restart(): void {
    this.readOffset = 0;
    this.countedTo = 0;
    this.unendedLine = undefined;
    this.lastByte = undefined;
    this.startBytes = Buffer.alloc(0);
    this.startFingerprint = undefined;
    this.decided = false;
    this.copies.clear();
    this.processor = new LineProcessor(this.options, this.path);
    this.splitter = this.processor.splitter();
  }

  /**
   * What its notice is judged on (input-survey.ts), once: when MIN_JUDGED lines were read, or
   * with what there is when it is `final` (shutdown); from then on its lines are not surveyed.
   */
  takeSurvey(final: boolean): SurveyCounts | undefined {
    const lines = this.processor.surveyedLines;
    if (lines === undefined || (!final && lines < MIN_JUDGED)) return undefined;
    return this.processor.endSurvey();
  }

  /** No more bytes will come (the file was rotated away): a last line without a newline is a line. */
  finish(): void {
    this.splitter.end();
  }

  /** Where a restart should resume this content; none while nothing of it was written out. */
  position(): FilePosition | undefined {
    const offset = this.checkpointOffset;
    const { fingerprint } = this;
    if (!this.decided || !fingerprint || offset === 0) return undefined;
    return { path: this.path, fingerprint: fingerprint.hash, fingerprintBytes: fingerprint.bytes, offset };
  }

  /** Size and modification time, to tell whether the file changed since it was looked at. */
  stamp(): { size: number; mtimeMs: number } {
    const { size, mtimeMs } = fstatSync(this.opened.fd);
    return { size, mtimeMs };
  }

  async close(): Promise<void> {
    const { handle } = this;
    this.handle = undefined;
    await handle?.close();
  }
}

/** Opens a path to follow without blocking (a FIFO put where a file was would hold the open until a writer came); refuses a FIFO or a device. */
async function openFollowable(path: string): Promise<{ handle: FileHandle; stat: Stats }> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    const kind = unfollowable(stat);
    if (kind) throw new UnfollowableError(path, kind);
    return { handle, stat };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** An open that failed for want of a descriptor (the process's limit, or the system's). */
export const isOutOfDescriptors = (error: unknown) => ['EMFILE', 'ENFILE'].includes((error as NodeJS.ErrnoException).code ?? '');
