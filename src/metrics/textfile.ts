import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes the exposition where node_exporter's textfile collector reads it: to a temporary file
 * beside the target, synced, then renamed over it, so the collector never sees half a file.
 */
export async function writeTextfile(path: string, body: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(body);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
