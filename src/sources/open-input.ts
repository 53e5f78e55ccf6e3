import { createReadStream, fstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readCriLine } from '../envelopes/cri.js';
import type { EnvelopeReaders } from '../envelopes/formats.js';
import { createArrayProbe, type InputFormat } from './array-probe.js';

export type { InputFormat };

export interface OpenedInput {
  /** The input's bytes, decompressed, without a leading UTF-8 byte-order mark. */
  stream: Readable;
  format: InputFormat;
  /** The raw file or stdin stream, to destroy when reading stops early. */
  raw: Readable;
  /**
   * Whether a read may wait for the input's writer (stdin, a pipe, a FIFO, a terminal, a socket):
   * not a regular file, which is read to its end at the disk's pace.
   */
  live: boolean;
  /**
   * Whether one of its first lines is a CRI or docker line, whose records may come in parts: the
   * parts are joined in input order, so the input is read by one thread.
   */
  joinsLines: boolean;
}

export interface InputOptions {
  /** The size of a read. */
  chunkBytes?: number | undefined;
  /** The most of an input that starts with `[` held back while deciding whether it is a JSON array. */
  probeBytes: number;
  /** Stops waiting for more of a live input: what was read by then decides (SIGINT, SIGTERM). */
  stop?: AbortSignal | undefined;
  /** What the input is, when the user said (`--input-format`); undefined: told from its first bytes. */
  format?: InputFormat | undefined;
  /** The envelopes whose parts are joined: an input whose first line is one of them says so (`joinsLines`). */
  joins?: Pick<EnvelopeReaders, 'cri' | 'docker'> | undefined;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
// Leading whitespace worth waiting for before deciding what a document is.
const SNIFF_LIMIT = 64 * 1024;

/**
 * The start of a stream, read ahead and then given back: nothing read here is lost to the reader,
 * not even when the stream ends or fails while its bytes are held here.
 */
class Lookahead {
  private readonly pieces: Buffer[] = [];
  private held = 0;
  private ended = false;
  private failure: Error | undefined;
  private readonly onEnd = () => (this.ended = true);
  private readonly onError = (error: Error) => (this.failure ??= error);

  constructor(
    private readonly stream: Readable,
    private readonly stop: AbortSignal | undefined,
  ) {
    stream.once('end', this.onEnd).on('error', this.onError);
  }

  get bytes(): number {
    return this.held;
  }

  head(): Buffer {
    return this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
  }

  /**
   * Reads on until `enough(chunk)` is true of a chunk just read, the stream ends or fails, or
   * `stop` fires while it waits. A failure before any byte was read is thrown: the input cannot
   * be read at all.
   */
  async readUntil(enough: (chunk: Buffer) => boolean): Promise<void> {
    while (!this.ended && !this.failure) {
      const chunk: Buffer | null = this.stream.read();
      if (chunk === null) {
        if (this.stream.readableEnded) this.ended = true;
        else if (this.stop?.aborted) return;
        else await nextEvent(this.stream, this.stop);
        continue;
      }
      this.pieces.push(chunk);
      this.held += chunk.length;
      if (enough(chunk)) return;
    }
    if (this.failure && this.held === 0) throw this.failure;
  }

  /**
   * The stream from its first byte, less the first `skip`: the bytes put back; or, once it has
   * ended or failed (it takes nothing back then), a new stream of them in the pieces they were
   * read in, and then its failure.
   */
  giveBack(skip = 0): Readable {
    const pieces: Buffer[] = [];
    let skipped = 0;
    for (const piece of this.pieces) {
      const rest = piece.subarray(Math.min(skip - skipped, piece.length));
      skipped += piece.length - rest.length;
      if (rest.length > 0) pieces.push(rest);
    }
    this.stream.off('end', this.onEnd).off('error', this.onError);
    const { failure } = this;
    if (failure) {
      return Readable.from(
        (async function* () {
          yield* pieces;
          throw failure;
        })(),
        { objectMode: false },
      );
    }
    if (this.ended) return Readable.from(pieces, { objectMode: false });
    if (pieces.length > 0) this.stream.unshift(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
    return this.stream;
  }
}

/** Until the stream has more to read, ends or fails (the Lookahead keeps the failure), or `stop` fires. */
function nextEvent(stream: Readable, stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      stream.off('readable', settle).off('end', settle).off('error', settle);
      stop?.removeEventListener('abort', settle);
      resolve();
    };
    stream.on('readable', settle).on('end', settle).on('error', settle);
    stop?.addEventListener('abort', settle);
  });
}

const startsWith = (head: Buffer, magic: number[]) => magic.every((byte, i) => head[i] === byte);

function firstSignificantByte(head: Buffer): number | undefined {
  const from = startsWith(head, UTF8_BOM) ? UTF8_BOM.length : 0;
  for (let i = from; i < head.length; i++) {
    const byte = head[i]!;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  }
  return undefined;
}

/**
 * Reads an input that starts with `[` until the probe can tell whether it is a JSON array. It
 * holds at most `probeBytes` and one read more: that read may be the end of the input.
 */
async function probeArray(start: Lookahead, probeBytes: number): Promise<InputFormat> {
  const probe = await createArrayProbe();
  const decoder = new TextDecoder();
  let verdict = probe.read(decoder.decode(start.head(), { stream: true }));
  if (verdict !== undefined) return verdict;
  await start.readUntil((chunk) => {
    const heldBefore = start.bytes - chunk.length;
    verdict ??= probe.read(decoder.decode(chunk, { stream: true }));
    if (verdict === undefined && heldBefore >= probeBytes) verdict = probe.atLimit();
    return verdict !== undefined;
  });
  return verdict ?? probe.read(decoder.decode()) ?? probe.end();
}

/**
 * Opens a file (or stdin for `-`): gzip is recognised by its magic bytes, a JSON array by its `[`
 * and what follows (ArrayProbe). What was read to decide is given back, so both paths read the
 * input from its first byte.
 */
export async function openInput(path: string, options: InputOptions): Promise<OpenedInput> {
  const chunkBytes = options.chunkBytes ?? 256 * 1024;
  // Asked first: an await between giving the stream back and its reader would leave a gzip error unheard.
  const live = !(await isRegularFile(path));
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: chunkBytes });
  let start = new Lookahead(raw, options.stop);
  await start.readUntil(() => start.bytes >= GZIP_MAGIC.length);
  if (startsWith(start.head(), GZIP_MAGIC)) {
    const gunzip = createGunzip({ chunkSize: chunkBytes });
    raw.on('error', (error) => gunzip.destroy(error));
    start = new Lookahead(start.giveBack().pipe(gunzip), options.stop);
  }
  if (firstSignificantByte(start.head()) === undefined) {
    await start.readUntil(() => firstSignificantByte(start.head()) !== undefined || start.bytes >= SNIFF_LIMIT);
  }
  const head = start.head();
  const format = options.format ?? (firstSignificantByte(head) === 0x5b /* [ */ ? await probeArray(start, options.probeBytes) : 'ndjson');
  const joinsLines = format === 'ndjson' && options.joins !== undefined && startsWithJoinedLine(start.head(), options.joins);
  return { stream: start.giveBack(startsWith(head, UTF8_BOM) ? UTF8_BOM.length : 0), format, raw, live, joinsLines };
}

const DOCKER_START = Buffer.from('{"log":"');

// Lines of the head looked at: a CRI or docker line among them makes the input one whose parts are joined.
const SNIFFED_LINES = 16;

/** Whether one of the first lines of `head` is one whose records may come in parts: CRI, or a docker entry. */
function startsWithJoinedLine(head: Buffer, joins: Pick<EnvelopeReaders, 'cri' | 'docker'>): boolean {
  let from = startsWith(head, UTF8_BOM) ? UTF8_BOM.length : 0;
  for (let line = 0; line < SNIFFED_LINES && from < head.length; line++) {
    const newline = head.indexOf(10, from);
    const end = newline < 0 ? head.length : newline;
    if (joins.docker && head.subarray(from, from + DOCKER_START.length).equals(DOCKER_START)) return true;
    if (joins.cri && readCriLine(head, from, end) !== undefined) return true;
    from = end + 1;
  }
  return false;
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (path === '-' ? fstatSync(0) : await stat(path)).isFile();
  } catch {
    return false;
  }
}
