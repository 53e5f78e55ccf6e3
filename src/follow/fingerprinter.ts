import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** How many first bytes of a file tell it apart from another that got the same inode. */
export const FINGERPRINT_BYTES = 1024;

export const identityOf = (stat: { dev: number; ino: number }) => `${stat.dev}:${stat.ino}`;

/** A SHA-256 of the first `bytes` bytes of the file (fewer if it is shorter). */
export async function fingerprintOf(handle: FileHandle, bytes: number): Promise<string> {
  const buffer = Buffer.alloc(bytes);
  const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
  return createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
}
