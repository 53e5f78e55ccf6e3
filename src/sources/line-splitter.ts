import { isUtf8 } from 'node:buffer';

export interface RegionHandler {
  /**
   * Whole lines: each ends in `\n`, except a last line the input ended without one. The bytes
   * may be a view into the pushed chunk, valid only during the call.
   */
  region(bytes: Buffer, at: number): void;
  /** A piece of a line already known to be too long, as it streams past (for a dead-letter file). */
  tooLongPiece(piece: Buffer): void;
  /** The end of a too-long line, with its length in bytes. */
  tooLong(bytes: number): void;
}

export interface LineHandler extends Omit<RegionHandler, 'region'> {
  /** A complete line of valid UTF-8, `bytes[start, end)`, without its `\n` or `\r\n`. */
  line(bytes: Buffer, start: number, end: number): void;
  /** A complete line whose bytes are not valid UTF-8, untouched, without its terminator. */
  invalidUtf8(raw: Buffer): void;
  /**
   * Where the first byte of the whole lines the handler holds (the parts of a record) is, from
   * the input's first byte; undefined when it holds none. A reader that resumes later starts there.
   */
  heldFrom?(): number | undefined;
  /** The input ended: what the handler holds is handed on. */
  ended?(): void;
}

/**
 * Cuts a byte stream into regions of whole lines, chunk by chunk. A line over `maxLineBytes` is
 * never held whole: its bytes stream past as pieces, then it is reported once, so one runaway
 * line can neither exhaust memory nor be lost silently.
 */
export class RegionSplitter {
  private held: Buffer[] = [];
  private heldBytes = 0;
  private overflowBytes = -1; // -1: not inside a too-long line
  /** Bytes pushed so far: where the next chunk starts in the input. */
  private position = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly handler: RegionHandler,
  ) {}

  push(chunk: Buffer): void {
    const chunkAt = this.position;
    this.position += chunk.length;
    let start = 0;
    if (this.heldBytes > 0 || this.overflowBytes >= 0) {
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        this.hold(chunk);
        return;
      }
      const lineAt = chunkAt - this.pendingBytes;
      this.hold(chunk.subarray(0, newline));
      this.endHeld(lineAt);
      start = newline + 1;
    }
    const lastNewline = chunk.lastIndexOf(10);
    if (lastNewline >= start) {
      this.handler.region(chunk.subarray(start, lastNewline + 1), chunkAt + start);
      start = lastNewline + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /** The input ended: a last line without a newline is still a line. */
  end(): void {
    if (this.heldBytes > 0 || this.overflowBytes >= 0) this.endHeld(this.position - this.pendingBytes);
  }

  /** Bytes pushed so far. */
  get bytesPushed(): number {
    return this.position;
  }

  /** Whether pieces of a too-long line have gone to the handler and its end has not come yet. */
  get insideTooLongLine(): boolean {
    return this.overflowBytes >= 0;
  }

  /** Bytes of a line begun but not yet ended: a reader that resumes later starts that far back. */
  get pendingBytes(): number {
    return this.overflowBytes >= 0 ? this.overflowBytes : this.heldBytes;
  }

  /** Bytes held of a line begun and not ended, while it is not too long yet. */
  get heldLineBytes(): number {
    return this.heldBytes;
  }

  /** Bytes of the too-long line under way handed on as pieces so far; 0 outside one. */
  get tooLongBytesSoFar(): number {
    return Math.max(0, this.overflowBytes);
  }

  /** Forgets the line begun and not ended (not too long yet), as if its bytes had not been pushed; returns their count. */
  dropHeldLine(): number {
    const dropped = this.heldBytes;
    this.position -= dropped;
    this.held = [];
    this.heldBytes = 0;
    return dropped;
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.overflowBytes >= 0) {
      this.overflowBytes += piece.length;
      this.handler.tooLongPiece(piece);
      return;
    }
    // Copy: the chunk's memory may be reused by the source once we return.
    this.held.push(Buffer.from(piece));
    this.heldBytes += piece.length;
    if (this.heldBytes > this.maxLineBytes) {
      this.overflowBytes = this.heldBytes;
      for (const held of this.held) this.handler.tooLongPiece(held);
      this.held = [];
      this.heldBytes = 0;
    }
  }

  private endHeld(lineAt: number): void {
    if (this.overflowBytes >= 0) {
      this.handler.tooLong(this.overflowBytes);
      this.overflowBytes = -1;
      return;
    }
    const line = this.held.length === 1 ? this.held[0]! : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    this.handler.region(line, lineAt);
  }
}

/**
 * Splits regions of whole lines into lines. UTF-8 is checked once a region; a line of invalid
 * UTF-8 (in a region that has one) is handed on untouched, and no line is decoded here.
 */
export class RegionLines {
  constructor(
    private readonly maxLineBytes: number,
    private readonly handler: LineHandler,
  ) {}

  /** Where the region being split starts in the input, and its bytes: a line's place in the input is told from them. */
  private regionAt = 0;
  private region: Buffer = Buffer.alloc(0);

  split(region: Buffer, at = 0): void {
    this.regionAt = at;
    this.region = region;
    const valid = isUtf8(region);
    let start = 0;
    for (let newline = region.indexOf(10); newline !== -1; newline = region.indexOf(10, start)) {
      this.emit(region, start, newline, valid);
      start = newline + 1;
    }
    if (start < region.length) this.emit(region, start, region.length, valid);
  }

  /** Where a line of the region being split (its bytes, or a view of them) starts in the input. */
  positionOf(line: Buffer, start = 0): number {
    return this.regionAt + (line === this.region ? start : line.byteOffset - this.region.byteOffset);
  }

  private emit(region: Buffer, start: number, end: number, valid: boolean): void {
    if (end > start && region[end - 1] === 13) end--;
    if (end - start > this.maxLineBytes) {
      this.handler.tooLongPiece(region.subarray(start, end));
      this.handler.tooLong(end - start);
    } else if (valid || isUtf8(region.subarray(start, end))) {
      this.handler.line(region, start, end);
    } else {
      this.handler.invalidUtf8(region.subarray(start, end));
    }
  }
}

/** Splits a byte stream into lines: RegionSplitter then RegionLines. */
export class LineSplitter {
  private readonly regions: RegionSplitter;
  private readonly lines: RegionLines;

  constructor(
    maxLineBytes: number,
    private readonly handler: LineHandler,
  ) {
    const lines = new RegionLines(maxLineBytes, handler);
    this.lines = lines;
    this.regions = new RegionSplitter(maxLineBytes, {
      region: (bytes, at) => lines.split(bytes, at),
      tooLongPiece: (piece) => handler.tooLongPiece(piece),
      tooLong: (bytes) => handler.tooLong(bytes),
    });
  }

  push(chunk: Buffer): void {
    this.regions.push(chunk);
  }

  end(): void {
    this.regions.end();
    this.handler.ended?.();
  }

  /** Whether pieces of a too-long line have gone to the handler and its end has not come yet. */
  get insideTooLongLine(): boolean {
    return this.regions.insideTooLongLine;
  }

  /** Bytes held of a line begun and not ended, while it is not too long yet. */
  get heldLineBytes(): number {
    return this.regions.heldLineBytes;
  }

  /** Bytes of the too-long line under way handed on as pieces so far; 0 outside one. */
  get tooLongBytesSoFar(): number {
    return this.regions.tooLongBytesSoFar;
  }

  /** Forgets the line begun and not ended (not too long yet), so that a reader can push it again later; returns its bytes so far. */
  dropHeldLine(): number {
    return this.regions.dropHeldLine();
  }

  /** Bytes of the input not yet handed on as whole lines, or held by the handler: a reader that resumes later starts that far back. */
  get pendingBytes(): number {
    const heldFrom = this.handler.heldFrom?.();
    return heldFrom === undefined ? this.regions.pendingBytes : this.regions.bytesPushed - heldFrom;
  }

  /** Where a line handed on now (`bytes` as given to the handler, from `start`) starts in the input. */
  positionOf(bytes: Buffer, start = 0): number {
    return this.lines.positionOf(bytes, start);
  }
}
