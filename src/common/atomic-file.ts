import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes `text` to a temporary file beside `path`, syncs it, then renames it over `path`: a
 * reader (node_exporter's textfile collector, hidlog after a crash) never sees half a file.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    // The first error is the one to tell (a directory in the way fails the clean-up too).
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
