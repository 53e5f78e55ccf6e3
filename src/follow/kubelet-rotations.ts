import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { CompressedRotations } from './compressed-rotations.js';
import type { Content } from './contents-memory.js';
import { type FollowContext, openFound } from './follow-context.js';
import { compressionOf, fingerprintOfStart } from './fingerprinter.js';

// kubelet's name for a container log it rotated: the log's, a timestamp, and `.gz` once compressed
// (pkg/kubelet/logs/container_log_manager.go).
const KUBELET_ROTATION = /^\.(\d{8}-\d{6})(?:\.gz)?$/;

/** When kubelet rotated the file at `path` away from `log` (`0.log.20261201-100000[.gz]`, by its name), or undefined for another name. */
export function kubeletRotation(log: string, path: string): string | undefined {
  if (dirname(path) !== dirname(log) || !basename(path).startsWith(basename(log))) return undefined;
  return KUBELET_ROTATION.exec(basename(path).slice(basename(log).length))?.[1];
}

/**
 * A position found in a file kubelet rotated while hidlog was down: the files it rotated after
 * that one hold what the container wrote since, and the pattern that names the log does not name
 * them (`0.log.20261201-100000`, later `.gz`). Those hidlog knows are left to their own search;
 * the others are read from their start, oldest first (the log itself is a new file).
 */
export class KubeletRotations {
  constructor(
    private readonly context: FollowContext,
    private readonly compressed: CompressedRotations,
    /** Reads `content` on from the file at `path` if it holds it (CopySearch.readFromCopy). */
    private readonly readFromCopy: (content: Content, path: string) => Promise<void>,
  ) {}

  /** The files kubelet rotated from `log` after the one at `foundAt`, if that is one of its rotations: each read, oldest first. */
  async readLater(log: string, foundAt: string): Promise<void> {
    const rotatedAt = kubeletRotation(log, foundAt);
    if (rotatedAt === undefined) return;
    let names: string[];
    try {
      names = await readdir(dirname(log));
    } catch {
      return;
    }
    const later = names
      .map((name) => join(dirname(log), name))
      .filter((path) => {
        const at = kubeletRotation(log, path);
        return at !== undefined && at > rotatedAt && !this.context.named(path);
      });
    for (const path of later.sort()) await this.readRotatedLater(log, path);
  }

  /** One of those files: a gzip one read as a pattern's would be, a known content left to its search, a new one followed from its start until quiet. */
  private async readRotatedLater(log: string, path: string): Promise<void> {
    const { context } = this;
    const file = await openFound(context, path);
    if (!file) return;
    let start: Buffer;
    try {
      start = await file.readStart();
    } catch {
      await file.close();
      return;
    }
    const compression = compressionOf(start);
    const known = compression === undefined ? context.memory.withStart(start) : undefined;
    const isNew =
      compression === undefined && !known && fingerprintOfStart(start) && !context.files.has(file.identity) && !context.files.withStart(start, file);
    if (!isNew) {
      await file.close();
      if (compression === 'gzip') await this.compressed.read(path, compression);
      if (known?.searchUntil !== undefined) await this.readFromCopy(known, path);
      return;
    }
    // Saved under the log's path: a restart that finds this file there reads on after it too.
    if (context.named(log)) context.memory.saveUnder(file, log);
    file.startAt(0);
    context.memory.start(file, file.checkpointOffset);
    await context.followFound(file, true);
  }
}
