import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../sinks/atomic-file.js';

/** How many first bytes of a file tell it apart from another that got the same inode. */
export const FINGERPRINT_BYTES = 1024;

/** Where reading a file stopped: its identity (device, inode, first bytes) and the offset. */
export interface FilePosition {
  path: string;
  dev: number;
  ino: number;
  fingerprint: string;
  fingerprintBytes: number;
  offset: number;
}

export async function fingerprintOf(handle: FileHandle, bytes: number): Promise<string> {
  const buffer = Buffer.alloc(bytes);
  const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
  return createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex');
}

export async function loadState(path: string): Promise<FilePosition[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = JSON.parse(text) as { version?: number; files?: FilePosition[] };
  if (state.version !== 1 || !Array.isArray(state.files)) throw new Error(`${path} is not a hidlog state file`);
  return state.files;
}

/** Saves the positions atomically (see writeFileAtomically). */
export async function saveState(path: string, files: FilePosition[]): Promise<void> {
  await writeFileAtomically(path, JSON.stringify({ version: 1, files }, null, 1) + '\n');
}
