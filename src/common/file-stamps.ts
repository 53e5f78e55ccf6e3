// Has this file changed? Told from its stat alone, without reading it: its identity (device,
// inode), its size and its modification and change times. An edit, a truncation, a touch, a
// rename over it and a symlink pointed elsewhere all give a new stamp; a file left alone keeps
// its stamp. A caller that must tell a touch from a change reads the file once the stamp moved.
import { stat } from 'node:fs/promises';
import type { BigIntStats, Stats } from 'node:fs';

/** What a file's stat says about it, compared with `===`: the same stamp, the same file unchanged. */
export type FileStamp = string;

/** The stamp of a stat: identity, size, and modification and change times (nanoseconds from a bigint stat). */
export const stampOf = (s: Stats | BigIntStats): FileStamp =>
  typeof s.dev === 'bigint'
    ? `${s.dev}:${s.ino}:${s.size}:${(s as BigIntStats).mtimeNs}:${(s as BigIntStats).ctimeNs}`
    : `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;

/**
 * The stamp of a content whose identity is known already (a followed file): its size and
 * modification time. Follow mode compares these where the file's identity is its key.
 */
export const contentStampOf = ({ size, mtimeMs }: { size: number; mtimeMs: number }): FileStamp => `${size}:${mtimeMs}`;

/** A file's stamp now (a path that cannot be stat'ed has one too: its error's code). */
export async function fileStamp(path: string): Promise<FileStamp> {
  try {
    return stampOf(await stat(path, { bigint: true }));
  } catch (error) {
    return `error ${(error as { code?: string }).code}`;
  }
}

/** One stamp for several files: it moves when any of them changes. */
export async function filesStamp(paths: readonly string[]): Promise<FileStamp> {
  return (await Promise.all(paths.map(fileStamp))).join('|');
}
