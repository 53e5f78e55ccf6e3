import type { InputFormatOption } from '../envelopes/formats.js';
import type { Observer } from '../pipeline/events.js';
import type { LineOptions } from '../pipeline/line-processor.js';
import type { LineWriter } from '../sinks/line-writer.js';
import { Checkpoints } from './checkpoints.js';
import { CompressedRotations } from './compressed-rotations.js';
import { ContentsMemory, type Read } from './contents-memory.js';
import { CopySearch } from './copy-search.js';
import { Delivery } from './delivery.js';
import { DescriptorBudget } from './descriptor-budget.js';
import { FileOutputs } from './file-outputs.js';
import type { FollowContext } from './follow-context.js';
import type { FollowEvents } from './follow-events.js';
import type { FollowedFile, ReadResult } from './followed-file.js';
import { FollowedFiles } from './followed-files.js';
import { KubeletRotations } from './kubelet-rotations.js';
import { NewFiles } from './new-files.js';
import { Notices } from './notices.js';
import { patternNames } from './paths-provider.js';
import { PatternPaths } from './pattern-paths.js';
import { scopeOf } from './state-scope.js';
import { WakeUp, type Look } from './wake-up.js';

export type StartAt = 'beginning' | 'end';

const NONE_NAMED: ReadonlySet<string> = new Set();

// How long a file renamed away or deleted is still read after its last growth.
const ROTATED_QUIET_MS = 2000;

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

/**
 * Follows files like `tail -F`, knowing each by its content, not its path: a file renamed away
 * is read to its end through the handle still open on it, a copy of a followed file (copytruncate's,
 * a compressed rotated file) is recognised and not read twice, a truncated file's unread rest is
 * read from its copy before the file is read again from 0, and a file seen before is read on from
 * its offset.
 *
 * This is the loop: wake, look at the paths, read what is new, save the positions. What it reads
 * with lives in rooms of their own (docs/design.md): the followed files and their descriptors
 * (followed-files.ts), the contents memory and its positions (contents-memory.ts), what a new file
 * is (new-files.ts), compressed rotations, the copy search, kubelet's rotations, the patterns'
 * paths, the checkpoints, and what is said once (notices.ts).
 */
export class Follower {
  private readonly files: FollowedFiles;
  private readonly memory: ContentsMemory;
  private readonly notices: Notices;
  private readonly wakeUp: WakeUp<FollowedFile>;
  private readonly paths: PatternPaths;
  private readonly newFiles: NewFiles;
  private readonly compressed: CompressedRotations;
  private readonly search: CopySearch;
  private readonly checkpoints: Checkpoints;
  /** Patterns whose files the state file knows: files they find at the first start are new ones, read from their start. */
  private knownPatterns: readonly string[] = [];
  private firstStart = false;
  private readSomething = false;

  constructor(private readonly options: FollowOptions) {
    const { stateFile, lines, warn, pollMs, watch, stop, events, outputNames, patterns } = options;
    const outputs = new FileOutputs(
      [
        ...(lines.output ? [{ name: 'output' as const, writer: lines.output, label: outputNames.output }] : []),
        ...(lines.deadLetter ? [{ name: 'dead_letter' as const, writer: lines.deadLetter, label: outputNames.deadLetter ?? 'dead-letter file' }] : []),
      ],
      warn,
    );
    this.memory = new ContentsMemory(stateFile ? new Delivery(outputs.all.map((output) => output.writer)) : undefined);
    this.wakeUp = new WakeUp({ pollMs, watch, stop, warn });
    this.files = new FollowedFiles(options.descriptors ?? new DescriptorBudget(), this.wakeUp, warn);
    this.notices = new Notices(warn, events, options.inputFormat);
    this.paths = new PatternPaths(patterns, (directories) => this.wakeUp.directories(directories), this.notices);
    const context: FollowContext = {
      files: this.files,
      memory: this.memory,
      notices: this.notices,
      events,
      stop,
      warn,
      named: (path) => this.paths.named(path),
      startsAtEnd: (path) => this.startsAtEnd(path),
      linesOf: (path) => this.linesOf(path),
      afterChunk: (bytes, read, offset) => this.afterChunk(bytes, read, offset),
      followFound: (file, rotatedAway) => this.followFound(file, rotatedAway),
      drop: (file) => this.drop(file),
    };
    this.compressed = new CompressedRotations(context);
    const kubelet = new KubeletRotations(context, this.compressed, (content, path) => this.search.readFromCopy(content, path));
    this.search = new CopySearch(context, this.compressed, (log, foundAt) => kubelet.readLater(log, foundAt), pollMs, lines.deadLetter);
    this.newFiles = new NewFiles(context, this.compressed, this.search, lines.maxLineBytes);
    this.checkpoints = new Checkpoints(options, outputs, context);
    events.following(0, 0, this.files.limit);
    events.lagFrom(() => this.files.lag());
  }

  async run(): Promise<void> {
    const { options } = this;
    const saved = await this.checkpoints.load();
    const { positions, known } = scopeOf(saved, options.patterns, options.stateFile ?? '', options.warn);
    this.knownPatterns = known;
    this.memory.load(positions);
    const failure = await this.checkpoints.start(saved, positions);
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
      await this.checkpoints.save();
      // Saved positions no pattern found: rotated away while hidlog was down. Look beside where they were.
      this.search.lookForUnseen();
      await this.search.searchAll();
      // A busy file's look waits for nothing, as a rule: each step returns a promise only when
      // there is something to wait for (a pending promise per step cost more than the step).
      while (!options.stop.aborted) {
        const look = await this.wakeUp.next(this.keepLooking());
        // Before reading: after a quiet while, what the look writes goes to the file at the output's path.
        const checking = this.checkpoints.checkOutputsWhenDue();
        if (checking) await checking;
        const looking = look.full || look.directories.size > 0 ? this.look(look) : this.readLooked(look.files);
        if (looking) await looking;
        if (this.checkpoints.due) await this.checkpoints.save();
      }
    } finally {
      this.wakeUp.close();
      for (const file of this.files.values()) this.notices.judge(file, true);
      await this.memory.close(options.lastWrites);
      await this.checkpoints.save();
      for (const file of this.files.values()) await file.close();
    }
  }

  /** One look: find what changed, notice rotations and truncations, read what is new. Returns the patterns that named an existing file. */
  private async look(look: Look<FollowedFile>): Promise<ReadonlySet<string>> {
    const toRead = look.files;
    let named: ReadonlySet<string> = NONE_NAMED;
    if (look.full) named = await this.lookAtPaths(undefined, toRead);
    else if (look.directories.size > 0) named = await this.lookAtPaths(look.directories, toRead);
    await this.readLooked(toRead);
    return named;
  }

  /**
   * The rest of a look, once the paths were looked at: reads the files that may have new bytes,
   * and what else is pending. Returns a promise only when something had to be waited for.
   */
  private readLooked(toRead: Set<FollowedFile>): Promise<void> | undefined {
    if (this.compressed.pending) return this.compressed.lookAtUnfinished().then(() => this.readFiles(toRead));
    return this.readFiles(toRead);
  }

  private readFiles(toRead: Set<FollowedFile>): Promise<void> | undefined {
    // A file renamed away or deleted first, so its last lines come out before those of the file that replaced it.
    let rotated: FollowedFile[] | undefined;
    for (const file of this.files.values()) if (file.rotatedAway) (rotated ??= []).push(file);
    const files = rotated ? new Set([...rotated, ...toRead]) : toRead;
    // One iterator, taken on after a wait: the files are read in turn, as a loop of awaits would.
    const each = files.values();
    const reading = this.readEach(each);
    if (reading) return reading.then(() => this.readEachOn(each, rotated !== undefined));
    return this.endLook(rotated !== undefined);
  }

  /** Reads the files `each` has left until one has to be waited for: that one's promise, or undefined when all were read. */
  private readEach(each: IterableIterator<FollowedFile>): Promise<void> | undefined {
    for (const file of each) {
      if (this.options.stop.aborted) return undefined;
      if (this.files.get(file.identity) !== file) continue;
      const reading = this.readFile(file);
      if (reading) return reading;
    }
    return undefined;
  }

  private async readEachOn(each: IterableIterator<FollowedFile>, rotated: boolean): Promise<void> {
    for (let reading = this.readEach(each); reading; reading = this.readEach(each)) await reading;
    await this.endLook(rotated);
  }

  /** What a look does once its files were read: quiet rotated files closed, copies searched for, what was read written now. */
  private endLook(rotated: boolean): Promise<void> | undefined {
    if (rotated || this.memory.searching()) return this.endLookWaiting(rotated);
    this.lookDone();
    return undefined;
  }

  private async endLookWaiting(rotated: boolean): Promise<void> {
    if (rotated) await this.closeQuietRotated();
    if (this.memory.searching()) await this.search.searchAll();
    this.lookDone();
  }

  private lookDone(): void {
    const { options } = this;
    options.events.following(this.files.size, this.files.openCount(), this.files.limit);
    if (this.readSomething) {
      this.readSomething = false;
      // A tail writes what it read now, not when a chunk fills: latency over throughput.
      options.lines.output?.flush();
      options.lines.deadLetter?.flush();
    }
  }

  /**
   * What the patterns name now (all, or below the directories whose entries `changed`): a followed
   * file a pattern named there and finds no more was renamed away or deleted: it is read on until
   * it has been quiet a while (a writer may not have reopened its log yet), then closed. A file
   * not followed yet is opened, unless it is one examined already and unchanged. Returns the
   * patterns that named an existing file.
   */
  private async lookAtPaths(changed: ReadonlySet<string> | undefined, toRead: Set<FollowedFile>): Promise<ReadonlySet<string>> {
    const { options, memory } = this;
    const found = await this.paths.look(changed);
    for (const [identity, file] of this.files.entries()) {
      if (found.files.has(identity) || !found.lookedAt(file.path)) continue;
      if (!file.rotatedAway) {
        file.rotatedAway = true;
        options.events.rotated();
      }
    }
    if (!changed) {
      for (const identity of memory.examined.keys()) if (!found.files.has(identity)) memory.examined.delete(identity);
      memory.unseeAll();
    }
    for (const [identity, { path, stamp }] of found.files) {
      if (options.stop.aborted) return found.named;
      const file = this.files.get(identity);
      if (file) {
        if (file.rotatedAway)
          file.rotatedAway = false; // back under a pattern (a rename to a matching name)
        else if (file.path !== path) options.events.rotated(); // renamed, and still found by a pattern
        file.path = path;
        toRead.add(file);
        continue;
      }
      const examined = memory.examined.get(identity);
      if (examined?.stamp === stamp) {
        if (examined.content) examined.content.seen = true;
        continue;
      }
      const opened = await this.newFiles.open(path);
      if (opened) toRead.add(opened);
    }
    return found.named;
  }

  /** Reads a followed file; a promise only when something had to be waited for (see readOpenFile). */
  private readFile(file: FollowedFile): Promise<void> | undefined {
    const { reading } = this.files;
    if (reading.has(file)) return this.readOpenFile(file);
    if (file.parked) return this.readParked(file);
    reading.add(file);
    let pending: Promise<void> | undefined;
    try {
      pending = this.readOpenFile(file);
    } finally {
      if (!pending) reading.delete(file);
    }
    return pending?.finally(() => reading.delete(file));
  }

  private async readParked(file: FollowedFile): Promise<void> {
    const { reading } = this.files;
    reading.add(file);
    try {
      if (!(file.changedWhileParked() && (await this.files.unpark(file)))) return;
      await this.readOpenFile(file);
    } finally {
      reading.delete(file);
    }
  }

  /**
   * Reads what is new in an open file. A decided file with a whole fingerprint costs no more than
   * its read on every look, and when the read waited for nothing (a tail's: one short read, outputs
   * that take it at once) this returns undefined, not a promise.
   */
  private readOpenFile(file: FollowedFile): Promise<void> | undefined {
    if (!file.decided || !file.startComplete) return this.readUndecided(file);
    let read: ReadResult | Promise<ReadResult>;
    try {
      read = file.read(this.options.stop, (bytes, more) => this.afterChunk(bytes, file, file.deliveredOffset, more));
    } catch (error) {
      return this.unreadable(file, error);
    }
    if (typeof read === 'object')
      return read.then(
        (result) => this.afterRead(file, result),
        (error: unknown) => this.unreadable(file, error),
      );
    return this.afterRead(file, read);
  }

  /** readOpenFile for a file whose first bytes are still to be decided on, or to be read again as it grows. */
  private async readUndecided(file: FollowedFile): Promise<void> {
    let read: ReadResult;
    try {
      if (!file.decided && (await this.newFiles.decide(file)) !== 'follow') return;
      read = await file.read(this.options.stop, (bytes, more) => this.afterChunk(bytes, file, file.deliveredOffset, more));
      if (read !== 'truncated' && read > 0 && !file.startComplete && !(await file.growFingerprint())) read = 'truncated';
    } catch (error) {
      return this.unreadable(file, error);
    }
    await this.afterRead(file, read);
  }

  /** Unreadable after all (a directory, an I/O error): reported once, let go, tried again next time. */
  private unreadable(file: FollowedFile, error: unknown): Promise<void> {
    this.notices.cannotRead(file.path, error);
    return this.drop(file);
  }

  /** After a read of `file`: a truncated file's rest is looked for and it is read again from its start; lines read are said. */
  private afterRead(file: FollowedFile, read: ReadResult): Promise<void> | undefined {
    const { options } = this;
    if (read === 'truncated') {
      options.events.truncated();
      return this.search.truncated(file).then(() => this.readOpenFile(file));
    }
    if (read > 0) {
      this.notices.readAgain(file.path);
      options.events.linesRead();
      this.readSomething = true;
      this.notices.judge(file, false);
    }
    if (this.wakeUp.afterRead(file, read > 0)) return this.readOpenFile(file);
    return undefined;
  }

  /**
   * Reading `read` has reached `offset`: its lines so far are with the outputs, which may hold
   * reading back (then it returns what to wait for). With `more` to read in a followed file (a
   * catch-up), it returns what to wait for before the next chunk: see betweenChunks.
   */
  private afterChunk(bytes: number, read: Read, offset: number | undefined, more = false): Promise<void> | undefined {
    const { options } = this;
    options.lines.observer?.bytes(bytes);
    this.checkpoints.advanced(bytes);
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
    if (this.checkpoints.due && !this.options.stop.aborted) await this.checkpoints.save();
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
    await file.close();
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
    if (this.compressed.pending) return true;
    for (const file of this.files.values()) if (file.rotatedAway) return true;
    return this.memory.searching();
  }

  /** How the lines of the file at `path` are read: counted as its path says, with --kubernetes-labels. */
  private linesOf(path: string): LineOptions {
    const { lines, observerOf } = this.options;
    return observerOf ? { ...lines, observer: observerOf(path) } : lines;
  }

  /**
   * Whether a file found at the first look starts at its end (--start-at end): unless a pattern the
   * state file knows finds it, as such a file appeared while hidlog was down.
   */
  private startsAtEnd(path: string): boolean {
    return this.firstStart && this.options.startAt === 'end' && !this.knownPatterns.some((pattern) => patternNames(pattern, path));
  }
}

/** What to wait for before reading on: undefined when both outputs can take more now. */
function outputsReady(output: LineWriter | undefined, deadLetter: LineWriter | undefined): Promise<void> | undefined {
  const outputWaits = output?.ready();
  const deadLetterWaits = deadLetter?.ready();
  if (!outputWaits && !deadLetterWaits) return undefined;
  return Promise.all([outputWaits, deadLetterWaits]).then(() => undefined);
}
