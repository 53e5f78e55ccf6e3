import { statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { InputFormatOption } from '../envelopes/formats.js';
import { describeError } from '../common/error-text.js';
import { judgeInput } from '../pipeline/input-survey.js';
import type { Observer } from '../pipeline/events.js';
import type { LineOptions } from '../pipeline/line-processor.js';
import type { LineWriter } from '../sinks/line-writer.js';
import { Checkpointer, type FilePosition } from './checkpointer.js';
import { CompressedFile } from './compressed-file.js';
import { Delivery } from './delivery.js';
import { ContentsMemory, type Content, type Read } from './contents-memory.js';
import { DescriptorBudget } from './descriptor-budget.js';
import { FollowedFiles } from './followed-files.js';
import { Notices } from './notices.js';
import { FileOutputs, OutputLost } from './file-outputs.js';
import { FollowedFile, UnfollowableError, isOutOfDescriptors, unfollowable } from './followed-file.js';
import { compressionOf, fingerprintOfStart, identityOf, sameStart, startMatches, type Compression, type Fingerprint } from './fingerprinter.js';
import { expandPattern, isWithin, patternNames } from './paths-provider.js';
import { scopeOf } from './state-scope.js';
import { WakeUp, type Look } from './wake-up.js';
import type { FollowEvents } from './follow-events.js';

export type StartAt = 'beginning' | 'end';

// How long a file renamed away or deleted is still read after its last growth.
const ROTATED_QUIET_MS = 2000;
// How long the rest of a truncated file, or of a saved position no pattern finds, is looked for
// beside where it was (the copy copytruncate makes, a rotated file being compressed).
const SEARCH_MS = 30_000;
// At most this many files are looked at in one search.
const SEARCH_CANDIDATES = 1000;
// How long a checkpoint waits for the outputs to take what they were given; if they have not,
// it is not saved, and the last one stands (a full disk, a slow reader of stdout).
const CATCH_UP_MS = 100;

export interface FollowOptions {
  patterns: readonly string[];
  /** How lines are read; their observer counts their bytes too (hidlog_bytes_total), as in any run. */
  lines: LineOptions & { output?: LineWriter | undefined; observer?: Pick<Observer<unknown>, 'line' | 'bytes'> | undefined };
  /** The observer of the lines read from the file at a path (`--kubernetes-labels`); otherwise `lines.observer`. */
  observerOf?: ((path: string) => LineOptions['observer']) | undefined;
  /** What the outputs are called in messages (see Outputs.names). */
  outputNames: { output: string; deadLetter: string | undefined };
  startAt: StartAt;
  pollMs: number;
  /** Wake on fs.watch (inotify) events; without it, every file is looked at every pollMs. */
  watch: boolean;
  stateFile?: string | undefined;
  /** How often, at most, the state file is written while lines flow. */
  checkpointMs: number;
  /** And after how many bytes read, at most: a catch-up saves its progress as it goes. */
  checkpointBytes?: number | undefined;
  /** What happens, told to whoever counts it (metrics/follow-stats.ts). */
  events: FollowEvents;
  /** At shutdown, when the outputs stop being waited for: what they have not accepted by then is read again at the next start. */
  lastWrites: () => AbortSignal;
  warn: (message: string) => void;
  stop: AbortSignal;
  /** `--input-format`, for the notice on a file that is mostly not records. */
  inputFormat: InputFormatOption;
  /** How many followed files may be held open; measured from the process's limit if not given. */
  descriptors?: DescriptorBudget | undefined;
}

type Verdict = 'follow' | 'wait' | 'closed';

/**
 * Follows files like `tail -F`, knowing each by its content, not its path: a file renamed away
 * is read to its end through the handle still open on it, a copy of a followed file (copytruncate's,
 * a compressed rotated file) is recognised and not read twice, a truncated file's unread rest is
 * read from its copy before the file is read again from 0, and a file seen before is read on from
 * its offset.
 */
export class Follower {
  /** The files followed, and the descriptors they hold. */
  private readonly files: FollowedFiles;
  /** What is said once per path. */
  private readonly notices: Notices;
  /** The contents no open file holds, the files examined, and the positions of all that was read. */
  private readonly memory: ContentsMemory;
  /** Gzip files read only in part, or not yet, as they are still being written: looked at again when they change. */
  private readonly unfinished = new Map<string, string>();
  /** Files present at the first start, with --start-at end: where their last complete line ended then. */
  private readonly startOffsets = new Map<FollowedFile, number>();
  private readonly checkpointer: Checkpointer | undefined;
  private readonly wakeUp: WakeUp<FollowedFile>;
  /** Per pattern, the directories whose entries decide what it names (see expandPattern). */
  private readonly patternDirectories = new Map<string, Set<string>>();
  /** The outputs, in Delivery's order. */
  private readonly outputs: FileOutputs;
  /** Patterns whose files the state file knows: files they find at the first start are new ones, read from their start. */
  private knownPatterns: readonly string[] = [];
  private firstStart = false;
  private lastOutputCheck = Date.now();
  /** An output was deleted while written: the positions read since the last save are not saved (OutputLost). */
  private outputLost = false;
  private readSomething = false;

  constructor(private readonly options: FollowOptions) {
    const { stateFile, lines, checkpointMs, checkpointBytes, warn, pollMs, watch, stop, events, outputNames } = options;
    this.outputs = new FileOutputs(
      [
        ...(lines.output ? [{ name: 'output' as const, writer: lines.output, label: outputNames.output }] : []),
        ...(lines.deadLetter ? [{ name: 'dead_letter' as const, writer: lines.deadLetter, label: outputNames.deadLetter ?? 'dead-letter file' }] : []),
      ],
      warn,
    );
    if (stateFile) this.checkpointer = new Checkpointer({ path: stateFile, everyMs: checkpointMs, everyBytes: checkpointBytes, warn });
    this.memory = new ContentsMemory(stateFile ? new Delivery(this.outputs.all.map((output) => output.writer)) : undefined);
    this.wakeUp = new WakeUp({ pollMs, watch, stop, warn });
    this.files = new FollowedFiles(options.descriptors ?? new DescriptorBudget(), this.wakeUp, warn);
    this.notices = new Notices(warn, events, options.inputFormat);
    events.following(0, 0, this.files.limit);
    events.lagFrom(() => this.files.lag());
  }

  async run(): Promise<void> {
    const { options } = this;
    const saved = await this.checkpointer?.load();
    const { positions, known } = scopeOf(saved, options.patterns, options.stateFile ?? '', options.warn);
    this.knownPatterns = known;
    this.memory.load(positions);
    if (saved) await this.outputs.cutBack(saved.outputs);
    const failure = await this.saveAtStart(positions);
    if (failure) {
      this.wakeUp.close();
      throw new Error(failure);
    }
    this.firstStart = true;
    try {
      const named = await this.look({ full: true, directories: new Set(), files: new Set() });
      for (const pattern of options.patterns) if (!named.has(pattern)) options.warn(`${pattern}: no such file yet; waiting for it`);
      this.firstStart = false;
      // At once: where the first look started (--start-at end) is known from now on.
      await this.checkpoint();
      // Saved positions no pattern found: rotated away while hidlog was down. Look beside where they were.
      const now = Date.now();
      for (const content of this.memory.all) if (!content.seen) content.searchUntil = now + SEARCH_MS;
      await this.searchAll();
      while (!options.stop.aborted) {
        const look = await this.wakeUp.next(this.keepLooking());
        // Before reading: after a quiet while, what the look writes goes to the file at the output's path.
        if (Date.now() - this.lastOutputCheck >= options.checkpointMs) await this.checkOutputs();
        await this.look(look);
        if (this.checkpointer?.due) await this.checkpoint();
      }
    } finally {
      this.wakeUp.close();
      for (const file of this.files.values()) this.notices.judge(file, true);
      await this.memory.close(options.lastWrites);
      await this.checkpoint();
      for (const file of this.files.values()) await file.close();
    }
  }

  /** One look: find what changed, notice rotations and truncations, read what is new. Returns the patterns that named an existing file. */
  private async look(look: Look<FollowedFile>): Promise<ReadonlySet<string>> {
    const { options } = this;
    const toRead = look.files;
    let named: ReadonlySet<string> = new Set();
    if (look.full) named = await this.lookAtPaths(undefined, toRead);
    else if (look.directories.size > 0) named = await this.lookAtPaths(look.directories, toRead);
    if (this.unfinished.size > 0) await this.lookAtUnfinished();
    // A file renamed away or deleted first, so its last lines come out before those of the file that replaced it.
    const rotated = [...this.files.values()].filter((file) => file.rotatedAway);
    for (const file of rotated.length > 0 ? new Set([...rotated, ...toRead]) : toRead) {
      if (options.stop.aborted) break;
      if (this.files.get(file.identity) === file) await this.readFile(file);
    }
    if (rotated.length > 0) await this.closeQuietRotated();
    if (this.searching()) await this.searchAll();
    options.events.following(this.files.size, this.files.openCount(), this.files.limit);
    if (this.readSomething) {
      this.readSomething = false;
      // A tail writes what it read now, not when a chunk fills: latency over throughput.
      options.lines.output?.flush();
      options.lines.deadLetter?.flush();
    }
    return named;
  }

  /** Gzip files still being written: read on if they changed. */
  private async lookAtUnfinished(): Promise<void> {
    for (const [path, stamp] of this.unfinished) {
      try {
        if (stampOf(await stat(path)) === stamp) continue;
      } catch {
        this.unfinished.delete(path);
        continue;
      }
      await this.readCompressed(path, 'gzip');
    }
  }

  /**
   * Finds the files the patterns name now: all of them, or (`changed`) what lies below the
   * directories whose entries changed. A followed file a pattern named there and finds no more
   * was renamed away or deleted: it is read on until it has been quiet a while (a writer may not
   * have reopened its log yet), then closed. Returns the patterns that named an existing file.
   */
  private async lookAtPaths(changed: ReadonlySet<string> | undefined, toRead: Set<FollowedFile>): Promise<ReadonlySet<string>> {
    const { options } = this;
    const found = new Map<string, { path: string; stamp: string }>();
    const named = new Set<string>();
    /** Where this look expanded each pattern from: a followed file it named there and did not find is gone from there. */
    const looked: { pattern: string; from: string }[] = [];
    for (const pattern of options.patterns) {
      let directories = this.patternDirectories.get(pattern);
      const froms = changed ? outermost([...changed].filter((directory) => directories?.has(directory))) : [undefined];
      for (const from of froms) {
        const expansion = await expandPattern(pattern, from);
        if (from === undefined || !directories) directories = new Set();
        else {
          for (const directory of directories) if (isWithin(directory, from)) directories.delete(directory);
          looked.push({ pattern, from });
        }
        for (const directory of expansion.directories) directories.add(directory);
        this.patternDirectories.set(pattern, directories);
        for (const path of expansion.files) {
          try {
            // At once, not through the thread pool: a full look stats every followed path (measured, a tenth of the CPU).
            const stats = statSync(path);
            named.add(pattern);
            const kind = unfollowable(stats);
            if (kind) {
              this.notices.refuse(new UnfollowableError(path, kind));
              continue;
            }
            const { dev, ino, size, mtimeMs } = stats;
            const identity = identityOf({ dev, ino });
            if (!found.has(identity)) found.set(identity, { path, stamp: `${size}:${mtimeMs}` });
          } catch {
            // Not there (yet, or between a delete and a create): looked for again next time.
          }
        }
      }
    }
    this.wakeUp.directories(new Set([...this.patternDirectories.values()].flatMap((directories) => [...directories])));
    const lookedAt = (path: string) => !changed || looked.some(({ pattern, from }) => isWithin(path, from) && patternNames(pattern, path));
    for (const [identity, file] of this.files.entries()) {
      if (found.has(identity) || !lookedAt(file.path)) continue;
      if (!file.rotatedAway) {
        file.rotatedAway = true;
        options.events.rotated();
      }
    }
    if (!changed) {
      for (const identity of this.memory.examined.keys()) if (!found.has(identity)) this.memory.examined.delete(identity);
      this.memory.unseeAll();
    }
    for (const [identity, { path, stamp }] of found) {
      if (options.stop.aborted) return named;
      const file = this.files.get(identity);
      if (file) {
        if (file.rotatedAway)
          file.rotatedAway = false; // back under a pattern (a rename to a matching name)
        else if (file.path !== path) options.events.rotated(); // renamed, and still found by a pattern
        file.path = path;
        toRead.add(file);
        continue;
      }
      const examined = this.memory.examined.get(identity);
      if (examined?.stamp === stamp) {
        if (examined.content) examined.content.seen = true;
        continue;
      }
      const opened = await this.open(path);
      if (opened) toRead.add(opened);
    }
    return named;
  }

  /** Opens a file a pattern found, and decides what it is if it can already. */
  private async open(path: string): Promise<FollowedFile | undefined> {
    const { options } = this;
    let file: FollowedFile;
    try {
      file = await this.files.open(path, this.linesOf(path));
    } catch (error) {
      // Renamed or deleted since it was found (a rotation): looked for again next time.
      if (error instanceof UnfollowableError) this.notices.refuse(error);
      else if (!isGone(error)) this.notices.cannotRead(path, error);
      return undefined;
    }
    // The path may name another file by the time it is opened (a rotation in between):
    // the opened file's own identity is the key, and a file already followed is not opened twice.
    if (this.files.has(file.identity)) {
      await file.close();
      return undefined;
    }
    this.files.add(file);
    try {
      if (this.startsAtEnd(path)) this.startOffsets.set(file, await file.endOfLastLine(options.lines.maxLineBytes));
      return (await this.decide(file)) === 'closed' ? undefined : file;
    } catch (error) {
      this.notices.cannotRead(path, error);
      await this.drop(file);
      return undefined;
    }
  }

  /**
   * Looks at a file's first bytes, once they tell: a compressed file is read as such (and not
   * followed), a copy of a followed file is left to that file, a content seen before is read on
   * from its offset, and anything else is read from its start (or, present at the first start,
   * from its end with --start-at end). 'wait' while the first line is not complete.
   */
  private async decide(file: FollowedFile): Promise<Verdict> {
    if (file.decided) return 'follow';
    const start = await file.readStart();
    const compression = compressionOf(start);
    if (compression === 'too short' || (compression === undefined && !fingerprintOfStart(start))) return 'wait';
    if (compression !== undefined) {
      await this.drop(file);
      await this.readCompressed(file.path, compression);
      return 'closed';
    }
    const original = this.files.withStart(start, file);
    if (original) {
      original.copies.add(file.path);
      this.memory.examined.set(file.identity, { stamp: stampOf(file.stamp()), copyOf: original });
      await this.drop(file);
      return 'closed';
    }
    const content = this.memory.withStart(start);
    if (content && content.offset > file.size()) {
      this.shorterThanSaved(file, content);
      file.startAt(0);
      this.memory.start(file, 0);
    } else if (content) {
      this.memory.forget(content);
      file.startAt(content.offset, content.deadLettered);
      this.memory.continueAs(content, file, file.checkpointOffset);
    } else {
      file.startAt(this.startOffsets.get(file) ?? 0);
      this.memory.start(file, file.checkpointOffset);
    }
    this.startOffsets.delete(file);
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
    this.options.events.truncated();
    this.options.warn(
      `${file.path} is shorter (${file.size()} bytes) than the position read of it (${content.offset}): truncated and written again meanwhile; read from its start`,
    );
    content.seen = false;
    content.searchUntil = Date.now() + SEARCH_MS;
  }

  private async readFile(file: FollowedFile): Promise<void> {
    const { reading } = this.files;
    if (reading.has(file)) return this.readOpenFile(file);
    reading.add(file);
    try {
      if (file.parked && !(file.changedWhileParked() && (await this.files.unpark(file)))) return;
      await this.readOpenFile(file);
    } finally {
      reading.delete(file);
    }
  }

  private async readOpenFile(file: FollowedFile): Promise<void> {
    const { options } = this;
    let read: number | 'truncated';
    try {
      // Decided, and with a whole fingerprint, a file costs no more than its read on every look.
      if (!file.decided && (await this.decide(file)) !== 'follow') return;
      read = await file.read(options.stop, (bytes, more) => this.afterChunk(bytes, file, file.deliveredOffset, more));
      if (read !== 'truncated' && read > 0 && !file.startComplete && !(await file.growFingerprint())) read = 'truncated';
    } catch (error) {
      // Unreadable after all (a directory, an I/O error): reported once, let go, tried again next time.
      this.notices.cannotRead(file.path, error);
      await this.drop(file);
      return;
    }
    if (read === 'truncated') {
      await this.truncated(file);
      await this.readOpenFile(file);
      return;
    }
    if (read > 0) {
      this.notices.readAgain(file.path);
      options.events.linesRead();
      this.readSomething = true;
      this.notices.judge(file, false);
    }
    if (this.wakeUp.afterRead(file, read > 0)) await this.readOpenFile(file);
  }

  /**
   * Reading `read` has reached `offset`: its lines so far are with the outputs, which may hold
   * reading back (then it returns what to wait for). With `more` to read in a followed file (a
   * catch-up), it returns what to wait for before the next chunk: see betweenChunks.
   */
  private afterChunk(bytes: number, read: Read, offset: number | undefined, more = false): Promise<void> | undefined {
    const { options } = this;
    options.lines.observer?.bytes(bytes);
    this.checkpointer?.advanced(bytes);
    // Inside a too-long line no position is reached: see FollowedFile.deliveredOffset.
    if (offset !== undefined) this.memory.reached(read, offset);
    this.readSomething = true;
    const waiting = outputsReady(options.lines.output, options.lines.deadLetter);
    return more ? this.betweenChunks(waiting) : waiting;
  }

  /**
   * Between two chunks of a catch-up, however long the backlog: the event loop turns (SIGTERM,
   * /healthz and /metrics are answered), and the positions are saved when due, by time or by
   * bytes read, so that a SIGKILL costs at most one checkpoint's worth of lines read again.
   * Only from a followed file's reading: a full look may be half done during a compressed file's.
   */
  private async betweenChunks(waiting: Promise<void> | undefined): Promise<void> {
    if (waiting) await waiting;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.checkpointer?.due && !this.options.stop.aborted) await this.checkpoint();
  }

  /**
   * The file was truncated in place (copytruncate): the lines between the offset read and the
   * truncation are in the copy, if one is found beside it; then the file is read again from 0.
   */
  private async truncated(file: FollowedFile): Promise<void> {
    this.options.events.truncated();
    const { fingerprint } = file;
    const offset = file.checkpointOffset;
    const copies = [...file.copies];
    const deadLettered = file.deadLetteredSoFar;
    this.memory.forgetCopiesOf(file);
    file.restart();
    const rest: Content | undefined =
      fingerprint && offset > 0 ? { fingerprint, offset, path: file.path, seen: false, searchUntil: Date.now() + SEARCH_MS, deadLettered } : undefined;
    // What was read of the old content, and may still be on its way to the outputs, is the rest's.
    if (rest) this.memory.continueAs(file, rest, offset);
    this.memory.start(file, 0);
    if (rest) {
      this.memory.remember(rest);
      await this.search(rest, copies);
    }
    // Truncated in the middle of a too-long line and no copy to read its rest from: what was read of it ends there.
    if (deadLettered > 0 && (!rest || this.memory.remembers(rest))) {
      this.options.lines.deadLetter?.writeBytes(NEWLINE);
      if (rest) rest.deadLettered = undefined;
    }
  }

  /**
   * A compressed file a pattern found, or a copy found by a search: a gzip file is read from the
   * offset of what was read of its content already (nothing, if it is all read); another
   * compression is named once and left alone.
   */
  private async readCompressed(path: string, compression: Compression): Promise<void> {
    const { options } = this;
    let file: CompressedFile;
    try {
      file = await CompressedFile.open(path);
    } catch (error) {
      this.unfinished.delete(path);
      if (!isGone(error)) this.notices.cannotRead(path, error);
      return;
    }
    const stamp = stampOf(file);
    try {
      if (compression !== 'gzip') {
        this.notices.notRead(path, compression);
        this.memory.examined.set(file.identity, { stamp });
        return;
      }
      const found = await this.compressedContent(file);
      if (found === undefined) {
        this.unfinished.set(path, stamp);
        return;
      }
      if (found instanceof FollowedFile) {
        this.unfinished.delete(path);
        this.memory.examined.set(file.identity, { stamp, copyOf: found });
        return;
      }
      const trailer = await file.trailerLength();
      if (trailer === undefined || found.offset % 2 ** 32 !== trailer) {
        this.memory.startIfNew(found, found.offset);
        const result = await file.readFrom(found.offset, this.linesOf(path), options.stop, (bytes, offset) => this.afterChunk(bytes, found, offset));
        found.offset = result.offset;
        if (!result.complete) {
          if (!options.stop.aborted) this.unfinished.set(path, stamp);
          return;
        }
      }
      this.unfinished.delete(path);
      this.memory.examined.set(file.identity, { stamp, content: found });
    } catch (error) {
      this.unfinished.delete(path);
      this.notices.cannotRead(path, error);
      this.memory.examined.set(file.identity, { stamp });
    } finally {
      await file.close();
    }
  }

  /**
   * Which content a gzip file holds: a known one (its path and `seen` updated), a followed
   * file's (a copy, read through that file), a new one (read from 0, or recorded as read at the
   * first start with --start-at end), or undefined while its start is still being written.
   */
  private async compressedContent(file: CompressedFile): Promise<Content | FollowedFile | undefined> {
    const { options } = this;
    const { start, settled } = await file.start();
    const fingerprint = fingerprintOfStart(start);
    if (!settled || !fingerprint) return undefined;
    const original = this.files.withStart(start);
    if (original) return original;
    let content = this.memory.withStart(start);
    if (!content) {
      const offset = this.startsAtEnd(file.path) ? ((await file.trailerLength()) ?? 0) : 0;
      content = { fingerprint, offset, path: file.path, seen: true };
      this.memory.remember(content);
    }
    if (this.named(file.path)) content.path = file.path;
    content.seen = true;
    content.searchUntil = undefined;
    return content;
  }

  /** Rotated files quiet for a while are done: their content is remembered, the handle closed. */
  private async closeQuietRotated(): Promise<void> {
    const now = Date.now();
    for (const file of [...this.files.values()]) {
      if (!file.rotatedAway || now - file.lastGrowth < ROTATED_QUIET_MS) continue;
      file.finish();
      this.memory.closedInto(file);
      await this.drop(file);
    }
  }

  private async drop(file: FollowedFile): Promise<void> {
    this.files.delete(file);
    this.memory.forgetFile(file);
    this.startOffsets.delete(file);
    await file.close();
  }

  private async searchAll(): Promise<void> {
    const now = Date.now();
    for (const content of this.memory.all) {
      if (content.searchUntil === undefined || this.options.stop.aborted) continue;
      if (now > content.searchUntil) {
        content.searchUntil = undefined;
        this.options.warn(
          `${content.path}: the rest of the file after byte ${content.offset} was not found beside it (rotated elsewhere, or gone); those lines are not read`,
        );
        continue;
      }
      if (now - (content.lastSearch ?? 0) >= this.options.pollMs) await this.search(content, []);
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
      if (content.searchUntil === undefined || this.options.stop.aborted) return;
      let identity: string;
      let stamp: string;
      try {
        const found = await stat(path);
        if (!found.isFile()) continue;
        identity = identityOf(found);
        stamp = `${found.size}:${found.mtimeMs}`;
      } catch {
        continue;
      }
      if (this.files.has(identity) || content.searched.get(identity) === stamp) continue;
      content.searched.set(identity, stamp);
      await this.readFromCopy(content, path);
    }
  }

  /** If the file at `path` holds `content`, reads it on from the content's offset. */
  private async readFromCopy(content: Content, path: string): Promise<void> {
    let file: FollowedFile;
    try {
      file = await this.files.open(path, this.linesOf(path));
    } catch {
      return;
    }
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
        await this.readCompressed(path, compression);
        await this.readLaterRotations(log, path);
        return;
      }
      if (compression !== undefined || !startMatches(content.fingerprint, start) || this.files.has(file.identity)) {
        await file.close();
        return;
      }
    } catch {
      await file.close();
      return;
    }
    this.memory.forget(content);
    content.searchUntil = undefined;
    // Saved under the path a pattern names, where a restart looks for it: not a file no pattern names.
    if (this.named(content.path)) this.memory.saveUnder(file, content.path);
    const from = Math.min(content.offset, file.size());
    file.startAt(from, from === content.offset ? content.deadLettered : 0);
    this.memory.continueAs(content, file, file.checkpointOffset);
    await this.followFound(file, !this.options.patterns.some((pattern) => patternNames(pattern, path)));
    await this.readLaterRotations(content.path, path);
  }

  /**
   * A position found in a file kubelet rotated while hidlog was down: the files it rotated after
   * that one hold what the container wrote since, and the pattern that names the log does not name
   * them (`0.log.20261201-100000`, later `.gz`). Those hidlog knows are left to their own search;
   * the others are read from their start, oldest first (the log itself is a new file).
   */
  private async readLaterRotations(log: string, foundAt: string): Promise<void> {
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
        return at !== undefined && at > rotatedAt && !this.named(path);
      });
    for (const path of later.sort()) await this.readRotatedLater(log, path);
  }

  /** One of those files: a gzip one read as a pattern's would be, a known content left to its search, a new one followed from its start until quiet. */
  private async readRotatedLater(log: string, path: string): Promise<void> {
    let file: FollowedFile;
    try {
      file = await this.files.open(path, this.linesOf(path));
    } catch {
      return;
    }
    let start: Buffer;
    try {
      start = await file.readStart();
    } catch {
      await file.close();
      return;
    }
    const compression = compressionOf(start);
    const known = compression === undefined ? this.memory.withStart(start) : undefined;
    const isNew = compression === undefined && !known && fingerprintOfStart(start) && !this.files.has(file.identity) && !this.files.withStart(start, file);
    if (!isNew) {
      await file.close();
      if (compression === 'gzip') await this.readCompressed(path, compression);
      if (known?.searchUntil !== undefined) await this.readFromCopy(known, path);
      return;
    }
    // Saved under the log's path: a restart that finds this file there reads on after it too.
    if (this.named(log)) this.memory.saveUnder(file, log);
    file.startAt(0);
    this.memory.start(file, file.checkpointOffset);
    await this.followFound(file, true);
  }

  /** A file found outside a look (a copy, a later rotation), its start decided: followed from here, and read now. */
  private async followFound(file: FollowedFile, rotatedAway: boolean): Promise<void> {
    file.decided = true;
    file.rotatedAway = rotatedAway;
    this.files.add(file);
    await this.readFile(file);
  }

  /** Whether to look again soon even if nothing wakes the loop. */
  private keepLooking(): boolean {
    if (this.unfinished.size > 0) return true;
    for (const file of this.files.values()) if (file.rotatedAway) return true;
    return this.searching();
  }

  /** Whether a content is being looked for (the rest of a truncated file, a saved position not found yet). */
  private searching(): boolean {
    return this.memory.searching();
  }

  /** How the lines of the file at `path` are read: counted as its path says, with --kubernetes-labels. */
  private linesOf(path: string): LineOptions {
    const { lines, observerOf } = this.options;
    return observerOf ? { ...lines, observer: observerOf(path) } : lines;
  }

  /**
   * Saves the delivered positions (see Delivery): when the checkpointer is due, at the start, and at
   * shutdown; with them each file output's identity and size, synced to disk first, so that a
   * restart cuts off what was written after them. Not saved while an output holds more than the
   * delivered positions cover (a write under way, failing, or held): the last save stands.
   */
  private async checkpoint(): Promise<void> {
    const { checkpointer, memory, options } = this;
    if (!checkpointer || this.outputLost) return;
    await this.outputs.flushed(AbortSignal.any([options.stop, AbortSignal.timeout(CATCH_UP_MS)]));
    const outputs = await this.outputs.marks((i) => memory.holdsExactly(i));
    if (!outputs) return;
    const positions = memory.positions(this.files.values());
    await checkpointer.save({ patterns: [...options.patterns], files: positions, outputs }, () => this.outputs.sync(outputs));
    options.events.stateSaved(checkpointer.failures, checkpointer.failure);
  }

  /**
   * Before anything is read: the positions loaded, and the file outputs as they are (cut back).
   * From here on a restart after a kill cuts the outputs back to at least this point, and a state
   * file that cannot be written stops hidlog (returned) before it reads, not after a restart that
   * skips lines.
   */
  private async saveAtStart(positions: FilePosition[]): Promise<string | undefined> {
    if (!this.checkpointer) return undefined;
    const outputs = (await this.outputs.marks()) ?? [];
    return this.checkpointer.save({ patterns: [...this.options.patterns], files: positions, outputs }, () => this.outputs.sync(outputs), true);
  }

  /**
   * Whether a file found at the first look starts at its end (--start-at end): unless a pattern the
   * state file knows finds it, as such a file appeared while hidlog was down.
   */
  private startsAtEnd(path: string): boolean {
    return this.firstStart && this.options.startAt === 'end' && !this.knownPatterns.some((pattern) => patternNames(pattern, path));
  }

  private named(path: string): boolean {
    return this.options.patterns.some((pattern) => patternNames(pattern, path));
  }

  /** A file output deleted or moved away while written (FileOutputs.check); a deleted one stops hidlog if there is a state file. */
  private async checkOutputs(): Promise<void> {
    this.lastOutputCheck = Date.now();
    try {
      await this.outputs.check(this.checkpointer !== undefined);
    } catch (error) {
      if (error instanceof OutputLost) this.outputLost = true;
      throw error;
    }
  }
}

const NEWLINE = Buffer.from('\n');
const isGone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** What to wait for before reading on: undefined when both outputs can take more now. */
function outputsReady(output: LineWriter | undefined, deadLetter: LineWriter | undefined): Promise<void> | undefined {
  const outputWaits = output?.ready();
  const deadLetterWaits = deadLetter?.ready();
  if (!outputWaits && !deadLetterWaits) return undefined;
  return Promise.all([outputWaits, deadLetterWaits]).then(() => undefined);
}

/** The directories not within another of them: looking below those covers the rest. */
function outermost(directories: string[]): string[] {
  const all = new Set(directories);
  return directories.filter((directory) => {
    for (let below = directory, up = dirname(directory); up !== below; below = up, up = dirname(up)) if (all.has(up)) return false;
    return true;
  });
}

// kubelet's name for a container log it rotated: the log's, a timestamp, and `.gz` once compressed
// (pkg/kubelet/logs/container_log_manager.go).
const KUBELET_ROTATION = /^\.(\d{8}-\d{6})(?:\.gz)?$/;

/** When kubelet rotated the file at `path` away from `log` (`0.log.20261201-100000[.gz]`, by its name), or undefined for another name. */
function kubeletRotation(log: string, path: string): string | undefined {
  if (dirname(path) !== dirname(log) || !basename(path).startsWith(basename(log))) return undefined;
  return KUBELET_ROTATION.exec(basename(path).slice(basename(log).length))?.[1];
}

const stampOf = ({ size, mtimeMs }: { size: number; mtimeMs: number }) => `${size}:${mtimeMs}`;

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
