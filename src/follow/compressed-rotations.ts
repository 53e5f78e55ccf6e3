import { stat } from 'node:fs/promises';
import { CompressedFile } from './compressed-file.js';
import { contentStampOf } from '../common/file-stamps.js';
import type { Content } from './contents-memory.js';
import { isGone, type FollowContext } from './follow-context.js';
import { FollowedFile } from './followed-file.js';
import { fingerprintOfStart, type Compression } from './fingerprinter.js';

/**
 * Compressed files: a rotated file a pattern finds compressed (logrotate's `compress`), or a copy
 * a search finds. A gzip file is read from the offset of what was read of its content already
 * (nothing, if it is all read), and again as it grows while it is still being written; another
 * compression is named once and left alone. What each holds is the contents memory's.
 */
export class CompressedRotations {
  /** Gzip files read only in part, or not yet, as they are still being written: looked at again when they change. */
  private readonly unfinished = new Map<string, string>();

  constructor(private readonly context: FollowContext) {}

  /** Whether a gzip file is still being written: to be looked at again soon. */
  get pending(): boolean {
    return this.unfinished.size > 0;
  }

  /** Gzip files still being written: read on if they changed. */
  async lookAtUnfinished(): Promise<void> {
    for (const [path, stamp] of this.unfinished) {
      try {
        if (contentStampOf(await stat(path)) === stamp) continue;
      } catch {
        this.unfinished.delete(path);
        continue;
      }
      await this.read(path, 'gzip');
    }
  }

  /**
   * A compressed file a pattern found, or a copy found by a search: a gzip file is read from the
   * offset of what was read of its content already (nothing, if it is all read); another
   * compression is named once and left alone.
   */
  async read(path: string, compression: Compression): Promise<void> {
    const { context } = this;
    const { memory } = context;
    let file: CompressedFile;
    try {
      file = await CompressedFile.open(path);
    } catch (error) {
      this.unfinished.delete(path);
      if (!isGone(error)) context.notices.cannotRead(path, error);
      return;
    }
    const stamp = contentStampOf(file);
    try {
      if (compression !== 'gzip') {
        context.notices.notRead(path, compression);
        memory.examined.set(file.identity, { stamp });
        return;
      }
      const found = await this.contentOf(file);
      if (found === undefined) {
        this.unfinished.set(path, stamp);
        return;
      }
      if (found instanceof FollowedFile) {
        this.unfinished.delete(path);
        memory.examined.set(file.identity, { stamp, copyOf: found });
        return;
      }
      const trailer = await file.trailerLength();
      if (trailer === undefined || found.offset % 2 ** 32 !== trailer) {
        memory.startIfNew(found, found.offset);
        const result = await file.readFrom(found.offset, context.linesOf(path), context.stop, (bytes, offset) => context.afterChunk(bytes, found, offset));
        found.offset = result.offset;
        if (!result.complete) {
          if (!context.stop.aborted) this.unfinished.set(path, stamp);
          return;
        }
      }
      this.unfinished.delete(path);
      memory.examined.set(file.identity, { stamp, content: found });
    } catch (error) {
      this.unfinished.delete(path);
      context.notices.cannotRead(path, error);
      memory.examined.set(file.identity, { stamp });
    } finally {
      await file.close();
    }
  }

  /**
   * Which content a gzip file holds: a known one (its path and `seen` updated), a followed
   * file's (a copy, read through that file), a new one (read from 0, or recorded as read at the
   * first start with --start-at end), or undefined while its start is still being written.
   */
  private async contentOf(file: CompressedFile): Promise<Content | FollowedFile | undefined> {
    const { context } = this;
    const { start, settled } = await file.start();
    const fingerprint = fingerprintOfStart(start);
    if (!settled || !fingerprint) return undefined;
    const original = context.files.withStart(start);
    if (original) return original;
    let content = context.memory.withStart(start);
    if (!content) {
      const offset = context.startsAtEnd(file.path) ? ((await file.trailerLength()) ?? 0) : 0;
      content = { fingerprint, offset, path: file.path, seen: true };
      context.memory.remember(content);
    }
    if (context.named(file.path)) content.path = file.path;
    content.seen = true;
    content.searchUntil = undefined;
    return content;
  }
}
