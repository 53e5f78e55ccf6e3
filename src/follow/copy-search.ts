import { readdir, stat } from 'node:fs/promises';
import { contentStampOf } from '../common/file-stamps.js';
import { dirname, join } from 'node:path';
import type { LineWriter } from '../sinks/line-writer.js';
import type { CompressedRotations } from './compressed-rotations.js';
import type { Content } from './contents-memory.js';
import { type FollowContext, openFound } from './follow-context.js';
import type { FollowedFile } from './followed-file.js';
import { compressionOf, identityOf, startMatches } from './fingerprinter.js';
import { CompressedFile } from './compressed-file.js';

// How long the rest of a truncated file, or of a saved position no pattern finds, is looked for
// beside where it was (the copy copytruncate makes, a rotated file being compressed).
const SEARCH_MS = 30_000;
// At most this many files are looked at in one search.
const SEARCH_CANDIDATES = 1000;
const NEWLINE = Buffer.from('\n');

/**
 * Looks for a content no pattern finds beside where it was: a truncated file's unread rest (in
 * the copy copytruncate made), a saved position rotated away while hidlog was down (in the
 * rotated file, maybe compressed, maybe in logrotate's olddir). A file found holding it is read on
 * from its offset, then the files kubelet rotated after it (see KubeletRotations).
 */
export class CopySearch {
  constructor(
    private readonly context: FollowContext,
    private readonly compressed: CompressedRotations,
    /** Reads the files kubelet rotated after the one at `foundAt`, a rotation of `log` (KubeletRotations.readLater). */
    private readonly readLaterRotations: (log: string, foundAt: string) => Promise<void>,
    private readonly pollMs: number,
    private readonly deadLetter: LineWriter | undefined,
  ) {}

  /** Looks for `content` beside its path from now on, for a while. */
  lookFor(content: Content): void {
    content.searchUntil = Date.now() + SEARCH_MS;
  }

  /** After the first look: the saved positions no pattern found were rotated away while hidlog was down. Looked for beside where they were. */
  lookForUnseen(): void {
    const now = Date.now();
    for (const content of this.context.memory.all) if (!content.seen) content.searchUntil = now + SEARCH_MS;
  }

  /** Each content looked for, at most once per poll, until it is found or its time is up (said once). */
  async searchAll(): Promise<void> {
    const { context } = this;
    const now = Date.now();
    for (const content of context.memory.all) {
      if (content.searchUntil === undefined || context.stop.aborted) continue;
      if (now > content.searchUntil) {
        content.searchUntil = undefined;
        context.warn(
          `${content.path}: the rest of the file after byte ${content.offset} was not found beside it (rotated elsewhere, or gone); those lines are not read`,
        );
        continue;
      }
      if (now - (content.lastSearch ?? 0) >= this.pollMs) await this.search(content, []);
    }
  }

  /**
   * The file was truncated in place (copytruncate): the lines between the offset read and the
   * truncation are in the copy, if one is found beside it; then the file is read again from 0.
   */
  async truncated(file: FollowedFile): Promise<void> {
    const { memory } = this.context;
    const { fingerprint } = file;
    const offset = file.checkpointOffset;
    const copies = [...file.copies];
    const deadLettered = file.deadLetteredSoFar;
    memory.forgetCopiesOf(file);
    file.restart();
    const rest: Content | undefined =
      fingerprint && offset > 0 ? { fingerprint, offset, path: file.path, seen: false, searchUntil: Date.now() + SEARCH_MS, deadLettered } : undefined;
    // What was read of the old content, and may still be on its way to the outputs, is the rest's.
    if (rest) memory.continueAs(file, rest, offset);
    memory.start(file, 0);
    if (rest) {
      memory.remember(rest);
      await this.search(rest, copies);
    }
    // Truncated in the middle of a too-long line and no copy to read its rest from: what was read of it ends there.
    if (deadLettered > 0 && (!rest || memory.remembers(rest))) {
      this.deadLetter?.writeBytes(NEWLINE);
      if (rest) rest.deadLettered = undefined;
    }
  }

  /**
   * Looks for a file holding `content` among `candidates`, then in the directory it was in and
   * the directories in that one (logrotate's olddir), and reads on from its offset there.
   */
  private async search(content: Content, candidates: string[]): Promise<void> {
    content.lastSearch = Date.now();
    content.searched ??= new Map();
    const directory = dirname(content.path);
    const paths = [...candidates, ...(await filesIn(directory))];
    for (const path of paths) {
      if (content.searchUntil === undefined || this.context.stop.aborted) return;
      let identity: string;
      let stamp: string;
      try {
        const found = await stat(path);
        if (!found.isFile()) continue;
        identity = identityOf(found);
        stamp = contentStampOf(found);
      } catch {
        continue;
      }
      if (this.context.files.has(identity) || content.searched.get(identity) === stamp) continue;
      content.searched.set(identity, stamp);
      await this.readFromCopy(content, path);
    }
  }

  /** If the file at `path` holds `content`, reads it on from the content's offset. */
  async readFromCopy(content: Content, path: string): Promise<void> {
    const { context } = this;
    const file = await openFound(context, path);
    if (!file) return;
    try {
      const start = await file.readStart();
      const compression = compressionOf(start);
      if (compression === 'gzip') {
        await file.close();
        const compressed = await CompressedFile.open(path);
        let matches: boolean;
        try {
          matches = startMatches(content.fingerprint, (await compressed.start()).start);
        } finally {
          await compressed.close();
        }
        if (!matches) return;
        const log = content.path;
        await this.compressed.read(path, compression);
        await this.readLaterRotations(log, path);
        return;
      }
      if (compression !== undefined || !startMatches(content.fingerprint, start) || context.files.has(file.identity)) {
        await file.close();
        return;
      }
    } catch {
      await file.close();
      return;
    }
    context.memory.forget(content);
    content.searchUntil = undefined;
    // Saved under the path a pattern names, where a restart looks for it: not a file no pattern names.
    if (context.named(content.path)) context.memory.saveUnder(file, content.path);
    const from = Math.min(content.offset, file.size());
    file.startAt(from, from === content.offset ? content.deadLettered : 0);
    context.memory.continueAs(content, file, file.checkpointOffset);
    await context.followFound(file, !context.named(path));
    await this.readLaterRotations(content.path, path);
  }
}

/** The files in a directory and in the directories in it, up to SEARCH_CANDIDATES. */
async function filesIn(directory: string): Promise<string[]> {
  const paths: string[] = [];
  const list = async (path: string, deeper: boolean) => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (paths.length >= SEARCH_CANDIDATES) return;
      if (entry.isFile()) paths.push(join(path, entry.name));
      else if (deeper && entry.isDirectory()) await list(join(path, entry.name), false);
    }
  };
  await list(directory, true);
  return paths;
}
