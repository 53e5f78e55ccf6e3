import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export type InputFormat = 'ndjson' | 'json-array';

export interface OpenedInput {
  /** The input's bytes, decompressed, without a leading UTF-8 byte-order mark. */
  stream: Readable;
  format: InputFormat;
  /** The raw file or stdin stream, to destroy when reading stops early. */
  raw: Readable;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const UTF8_BOM = [0xef, 0xbb, 0xbf];
// Leading whitespace worth waiting for before deciding what a document is.
const SNIFF_LIMIT = 64 * 1024;

/**
 * Reads from the stream until `enough(head)` or its end, then puts the bytes back, so the
 * stream is unchanged for whoever reads it next.
 */
async function peek(stream: Readable, enough: (head: Buffer) => boolean): Promise<Buffer> {
  const pieces: Buffer[] = [];
  let head = Buffer.alloc(0);
  let ended = false;
  const onEnd = () => (ended = true);
  stream.once('end', onEnd);
  try {
    while (!enough(head) && !ended && !stream.readableEnded) {
      const chunk: Buffer | null = stream.read();
      if (chunk === null) {
        await Promise.race([once(stream, 'readable'), once(stream, 'end')]);
        continue;
      }
      pieces.push(chunk);
      head = Buffer.concat(pieces);
    }
  } finally {
    stream.off('end', onEnd);
  }
  if (head.length > 0) stream.unshift(head);
  return head;
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

/** Opens a file (or stdin for `-`): gzip is recognised by its magic bytes, a JSON array by its `[`. */
export async function openInput(path: string, chunkBytes = 256 * 1024): Promise<OpenedInput> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: chunkBytes });
  let stream = raw;
  const head = await peek(raw, (h) => h.length >= GZIP_MAGIC.length);
  if (startsWith(head, GZIP_MAGIC)) {
    const gunzip = createGunzip({ chunkSize: chunkBytes });
    raw.on('error', (error) => gunzip.destroy(error));
    stream = raw.pipe(gunzip);
  }
  const text = await peek(stream, (h) => firstSignificantByte(h) !== undefined || h.length >= SNIFF_LIMIT);
  if (startsWith(text, UTF8_BOM)) {
    stream.read(UTF8_BOM.length);
  }
  const format: InputFormat = firstSignificantByte(text) === 0x5b /* [ */ ? 'json-array' : 'ndjson';
  return { stream, format, raw };
}
