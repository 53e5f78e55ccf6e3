import { createHash } from 'node:crypto';

/**
 * Says which file a path is, by content: the first bytes of a log file, up to 1 KiB, tell it
 * apart from any other (a first record carries a timestamp). A rename, a copy (copytruncate's)
 * and a compressed copy all begin with the same bytes as the file they came from.
 */
export const FINGERPRINT_BYTES = 1024;

/** A SHA-256 of a file's first `bytes` bytes. */
export interface Fingerprint {
  hash: string;
  bytes: number;
}

export const identityOf = (stat: { dev: number; ino: number }) => `${stat.dev}:${stat.ino}`;

const hashOf = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The fingerprint of a file that begins with `start` (its first bytes, up to FINGERPRINT_BYTES):
 * its complete lines within them, or all of them if the first line is longer. None until the first
 * line is complete: such a file has nothing to read yet, so nothing to tell apart.
 */
export function fingerprintOfStart(start: Buffer): Fingerprint | undefined {
  const bytes = fingerprintLength(start);
  return bytes === 0 ? undefined : { hash: hashOf(start.subarray(0, bytes)), bytes };
}

/** How many of a file's first bytes its fingerprint covers (0: none yet). */
function fingerprintLength(start: Buffer): number {
  const window = start.subarray(0, FINGERPRINT_BYTES);
  const lineEnd = window.lastIndexOf(10) + 1;
  return lineEnd > 0 ? lineEnd : window.length === FINGERPRINT_BYTES ? FINGERPRINT_BYTES : 0;
}

/** Whether a file that begins with `start` is the one `fingerprint` was taken of (as far as its first bytes tell). */
export function startMatches(fingerprint: Fingerprint, start: Buffer): boolean {
  return start.length >= fingerprint.bytes && hashOf(start.subarray(0, fingerprint.bytes)) === fingerprint.hash;
}

/**
 * Whether two files that begin with `a` and `b` are one content: alike over the shorter of their
 * fingerprints. Compared in place, without hashing: a new file is compared with every followed one.
 */
export function sameStart(a: Buffer, b: Buffer): boolean {
  const bytes = Math.min(fingerprintLength(a), fingerprintLength(b));
  return bytes > 0 && a.compare(b, 0, bytes, 0, bytes) === 0;
}

export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: [Compression, Buffer][] = [
  ['gzip', Buffer.from([0x1f, 0x8b])],
  ['bzip2', Buffer.from('BZh')],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
];

/**
 * The compression a file's first bytes announce (its magic bytes, never its name); `undefined`
 * for a text file, `'too short'` while the bytes so far could still begin a compressed file.
 */
export function compressionOf(start: Buffer): Compression | 'too short' | undefined {
  for (const [name, magic] of MAGIC) {
    const length = Math.min(start.length, magic.length);
    if (start.subarray(0, length).equals(magic.subarray(0, length))) return length === magic.length ? name : 'too short';
  }
  return undefined;
}
