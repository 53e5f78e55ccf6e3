import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p`. Node's own `mkdir(path, { recursive: true })` never returns where a parent exists but
 * cannot hold the child (under /proc, or through a dangling symlink): it takes ENOENT for a missing
 * parent, finds the parent there (EEXIST) and tries again, forever. Here a child still not found
 * once its parent is there is an error.
 */
export async function makeDirectories(path: string): Promise<void> {
  const missingParent = await makeDirectory(path);
  if (!missingParent) return;
  if (dirname(path) === path) throw missingParent;
  await makeDirectories(dirname(path));
  const stillMissing = await makeDirectory(path);
  if (stillMissing) throw stillMissing;
}

/** Makes one directory (fine if it is there already); returns the error when its parent is not found. */
async function makeDirectory(path: string): Promise<NodeJS.ErrnoException | undefined> {
  try {
    await mkdir(path);
    return undefined;
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT') return error as NodeJS.ErrnoException;
    if (code === 'EEXIST' && (await stat(path).catch(() => undefined))?.isDirectory()) return undefined;
    if (code === 'EEXIST') throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' });
    throw error;
  }
}
