import type { CompressedRotations } from './compressed-rotations.js';
import { contentStampOf } from '../common/file-stamps.js';
import type { Content } from './contents-memory.js';
import type { CopySearch } from './copy-search.js';
import { isGone, type FollowContext } from './follow-context.js';
import { UnfollowableError, type FollowedFile } from './followed-file.js';
import { compressionOf, fingerprintOfStart } from './fingerprinter.js';

/** What a file turned out to be: followed, not known yet (its first line is not complete), or not followed (closed). */
export type Verdict = 'follow' | 'wait' | 'closed';

/**
 * A file a pattern finds that is not followed yet: opened (within the descriptor budget), and
 * decided once its first bytes tell what it is: a compressed file, a copy of a followed file, a
 * content seen before, or a new one.
 */
export class NewFiles {
  constructor(
    private readonly context: FollowContext,
    private readonly compressed: CompressedRotations,
    private readonly search: CopySearch,
    private readonly maxLineBytes: number,
  ) {}

  /** Opens a file a pattern found, and decides what it is if it can already. */
  async open(path: string): Promise<FollowedFile | undefined> {
    const { context } = this;
    let file: FollowedFile;
    try {
      file = await context.files.open(path, context.linesOf(path));
    } catch (error) {
      // Renamed or deleted since it was found (a rotation): looked for again next time.
      if (error instanceof UnfollowableError) context.notices.refuse(error);
      else if (!isGone(error)) context.notices.cannotRead(path, error);
      return undefined;
    }
    // The path may name another file by the time it is opened (a rotation in between):
    // the opened file's own identity is the key, and a file already followed is not opened twice.
    if (context.files.has(file.identity)) {
      await file.close();
      return undefined;
    }
    context.files.add(file);
    try {
      if (context.startsAtEnd(path)) file.endAtFirstStart = await file.endOfLastLine(this.maxLineBytes);
      return (await this.decide(file)) === 'closed' ? undefined : file;
    } catch (error) {
      context.notices.cannotRead(path, error);
      await context.drop(file);
      return undefined;
    }
  }

  /**
   * Looks at a file's first bytes, once they tell: a compressed file is read as such (and not
   * followed), a copy of a followed file is left to that file, a content seen before is read on
   * from its offset, and anything else is read from its start (or, present at the first start,
   * from its end with --start-at end). 'wait' while the first line is not complete.
   */
  async decide(file: FollowedFile): Promise<Verdict> {
    const { context } = this;
    const { memory } = context;
    if (file.decided) return 'follow';
    const start = await file.readStart();
    const compression = compressionOf(start);
    if (compression === 'too short' || (compression === undefined && !fingerprintOfStart(start))) return 'wait';
    if (compression !== undefined) {
      await context.drop(file);
      await this.compressed.read(file.path, compression);
      return 'closed';
    }
    const original = context.files.withStart(start, file);
    if (original) {
      original.copies.add(file.path);
      memory.examined.set(file.identity, { stamp: contentStampOf(file.stamp()), copyOf: original });
      await context.drop(file);
      return 'closed';
    }
    const content = memory.withStart(start);
    if (content && content.offset > file.size()) {
      this.shorterThanSaved(file, content);
      file.startAt(0);
      memory.start(file, 0);
    } else if (content) {
      memory.forget(content);
      file.startAt(content.offset, content.deadLettered);
      memory.continueAs(content, file, file.checkpointOffset);
    } else {
      file.startAt(file.endAtFirstStart ?? 0);
      memory.start(file, file.checkpointOffset);
    }
    file.endAtFirstStart = undefined;
    file.decided = true;
    return 'follow';
  }

  /**
   * A file begins as a known content but is shorter than the offset read of it: it was truncated
   * and written again (to a first line like the old one) while hidlog was not reading. Said once;
   * it is read from its start, and the old content's rest looked for beside it, as for a
   * truncation seen live.
   */
  private shorterThanSaved(file: FollowedFile, content: Content): void {
    this.context.events.truncated();
    this.context.warn(
      `${file.path} is shorter (${file.size()} bytes) than the position read of it (${content.offset}): truncated and written again meanwhile; read from its start`,
    );
    content.seen = false;
    this.search.lookFor(content);
  }
}
