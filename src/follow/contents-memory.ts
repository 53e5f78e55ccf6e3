import type { FilePosition } from './checkpointer.js';
import type { Delivery } from './delivery.js';
import { startMatches, type Fingerprint } from './fingerprinter.js';
import type { FollowedFile } from './followed-file.js';

// Contents of files read and closed, remembered so that a file that comes back is read on from
// its offset; the oldest are forgotten first.
const REMEMBERED_CONTENTS = 1000;

/**
 * A file's content that no open file holds: a file read to its end and closed, a compressed
 * rotated file, a saved position not found yet, the unread rest of a truncated file.
 */
export interface Content {
  fingerprint: Fingerprint;
  /** Decompressed bytes, for a compressed file. */
  offset: number;
  path: string;
  /** Found by a pattern at the last full look: saved, so that a restart does not read it again. */
  seen: boolean;
  /** Looked for beside `path` (its directory and the directories in it) until then. */
  searchUntil?: number | undefined;
  lastSearch?: number;
  /** Files looked at by the search, and their stamp then: looked at again only when they change. */
  searched?: Map<string, string>;
  /** Bytes of the too-long line at `offset` already in the dead-letter file: the file was truncated in its middle. */
  deadLettered?: number | undefined;
}

/** A file a pattern finds that is not followed as text: compressed, unreadable, or a copy of a followed file. */
export interface Examined {
  stamp: string;
  /** What it holds, once known (a compressed file read, a copy of a file since closed). */
  content?: Content | undefined;
  /** A copy of this followed file (copytruncate's, or a compressed one): read from there. */
  copyOf?: FollowedFile | undefined;
}

/** What is read, and saved, by position: a followed file, or a content no open file holds. */
export type Read = FollowedFile | Content;

/**
 * What follow mode knows of what it read, as Vector's CheckpointsView: the contents no open file
 * holds (found again by their fingerprint, and read on from their offset), what the files a
 * pattern finds and that are not followed hold, and the one owner of positions: what the outputs
 * accepted of each followed file and content (Delivery, with a state file), re-keyed when what
 * was read of one goes on as another (a file closed into a content, a content found again in a
 * file, a truncated file's rest), the path each is saved under, and the positions a checkpoint
 * saves.
 */
export class ContentsMemory {
  private contents: Content[] = [];
  /** Files a pattern finds that are not followed as text, by identity. */
  readonly examined = new Map<string, Examined>();
  /** Files read from a copy found beside a content's path (see CopySearch), or rotated by kubelet: the path a pattern names, where they are saved. */
  private readonly namedAt = new Map<FollowedFile, string>();

  constructor(
    /** What the outputs accepted, per followed file and per content (only with a state file: it is what is saved). */
    private readonly delivery: Delivery<Read> | undefined,
    private readonly limit = REMEMBERED_CONTENTS,
  ) {}

  /** The saved positions this run reads on from: contents, until found. */
  load(positions: readonly FilePosition[]): void {
    this.contents = positions.map((position) => ({
      fingerprint: { hash: position.fingerprint, bytes: position.fingerprintBytes },
      offset: position.offset,
      path: position.path,
      seen: false,
    }));
  }

  /** The contents remembered now, oldest first. Iterated while searching: a content forgotten meanwhile is still met, one remembered meanwhile may be. */
  get all(): readonly Content[] {
    return this.contents;
  }

  /** The known content a file beginning with `start` holds: the one with the longest fingerprint that matches. */
  withStart(start: Buffer): Content | undefined {
    let best: Content | undefined;
    for (const content of this.contents) {
      if (best && content.fingerprint.bytes <= best.fingerprint.bytes) continue;
      if (startMatches(content.fingerprint, start)) best = content;
    }
    return best;
  }

  /** Remembers a content; past the limit, the oldest that need not be saved is forgotten, with its position. */
  remember(content: Content): void {
    this.contents.push(content);
    if (this.contents.length <= this.limit) return;
    const oldest = this.contents.findIndex((c) => !c.seen && c.searchUntil === undefined && !this.undelivered(c));
    if (oldest === -1) return;
    // Forgotten with or without a state file (a position to forget with it): the splice is not an argument of delivery?.forget.
    const [forgotten] = this.contents.splice(oldest, 1);
    this.delivery?.forget(forgotten!);
  }

  /** Whether the outputs have not yet accepted all that was read of `content`: a restart must read the rest again, so it is saved. */
  private undelivered(content: Content): boolean {
    const delivered = this.delivery?.offsetOf(content);
    return delivered !== undefined && delivered < content.offset;
  }

  /** A content found in a file (followed from here on): no longer remembered as such. */
  forget(content: Content): void {
    this.contents = this.contents.filter((c) => c !== content);
  }

  remembers(content: Content): boolean {
    return this.contents.includes(content);
  }

  /** Whether a content is being looked for (the rest of a truncated file, a saved position not found yet). */
  searching(): boolean {
    return this.contents.some((content) => content.searchUntil !== undefined);
  }

  /** A full look begins: a content counts as seen again only if a pattern finds it in this look. */
  unseeAll(): void {
    for (const content of this.contents) content.seen = false;
  }

  /** The files examined that were copies of `file`: forgotten (it was truncated; they hold its old content). */
  forgetCopiesOf(file: FollowedFile): void {
    for (const [identity, examined] of this.examined) if (examined.copyOf === file) this.examined.delete(identity);
  }

  /**
   * A followed file rotated away and read to its end (see FollowedFile.finish): what was read of
   * it goes on as a remembered content, which its copies a pattern finds (a compressed rotated
   * file) hold from now on.
   */
  closedInto(file: FollowedFile): void {
    this.delivery?.reached(file, file.checkpointOffset);
    const { fingerprint } = file;
    if (!file.decided || !fingerprint) return;
    const content: Content = { fingerprint, offset: file.checkpointOffset, path: this.namedAt.get(file) ?? file.path, seen: false };
    this.delivery?.continueAs(file, content, content.offset);
    this.remember(content);
    for (const examined of this.examined.values()) {
      if (examined.copyOf !== file) continue;
      examined.copyOf = undefined;
      examined.content = content;
      content.seen = true;
    }
  }

  /** Reading `key` starts at `offset`: what was read of it before no longer counts (Delivery.start). */
  start(key: Read, offset: number): void {
    this.delivery?.start(key, offset);
  }

  /** As start, for a content whose position is not known yet. */
  startIfNew(content: Content, offset: number): void {
    this.delivery?.startIfNew(content, offset);
  }

  /** What was read of `from` goes on as `to`, from `offset`: the position re-keyed (Delivery.continueAs). */
  continueAs(from: Read, to: Read, offset: number): void {
    this.delivery?.continueAs(from, to, offset);
  }

  /** Reading `key` has reached `offset`; its lines so far are in what the outputs were given. */
  reached(key: Read, offset: number): void {
    this.delivery?.reached(key, offset);
  }

  /** Saves `file`'s position under `path`, where a restart looks for it: a path a pattern names. */
  saveUnder(file: FollowedFile, path: string): void {
    this.namedAt.set(file, path);
  }

  /** `file` is no longer followed: its position goes with it. */
  forgetFile(file: FollowedFile): void {
    this.namedAt.delete(file);
    this.delivery?.forget(file);
  }

  /**
   * The positions a checkpoint saves: each followed file's and each content's that must be (seen
   * by a pattern, looked for, or not all accepted by the outputs), at what the outputs accepted.
   */
  positions(files: Iterable<FollowedFile>): FilePosition[] {
    const { delivery } = this;
    const positions: FilePosition[] = [];
    for (const file of files) {
      const position = file.position();
      if (position) positions.push({ ...position, path: this.namedAt.get(file) ?? position.path, offset: delivery?.offsetOf(file) ?? position.offset });
    }
    for (const content of this.contents) {
      const delivered = delivery?.offsetOf(content);
      const undelivered = delivered !== undefined && delivered < content.offset;
      if (!content.seen && content.searchUntil === undefined && !undelivered) continue;
      positions.push({
        path: content.path,
        fingerprint: content.fingerprint.hash,
        fingerprintBytes: content.fingerprint.bytes,
        offset: delivered ?? content.offset,
      });
    }
    return positions;
  }

  /** Whether output `i` holds exactly what the positions cover (Delivery.holdsExactly); never without a state file. */
  holdsExactly(i: number): boolean {
    return this.delivery?.holdsExactly(i) ?? false;
  }

  /** Shutdown: the outputs get until `deadline` to accept what they were given (Delivery.close); asked for only with a state file. */
  async close(deadline: () => AbortSignal): Promise<void> {
    await this.delivery?.close(deadline());
  }
}
