import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../pipeline/errors.js';
import type { LineOptions } from '../pipeline/line-processor.js';
import type { LineWriter } from '../sinks/line-writer.js';
import { Checkpointer, type FilePosition } from './checkpointer.js';
import { Delivery } from './delivery.js';
import { FollowedFile } from './followed-file.js';
import { identityOf } from './fingerprinter.js';
import { pathsNow } from './paths-provider.js';
import { WakeUp } from './wake-up.js';

export type StartAt = 'beginning' | 'end';

// How long a file renamed away or deleted is still read after its last growth.
const ROTATED_QUIET_MS = 2000;

/** What an operator watches on /metrics: no label per file, by design. */
export class FollowStats {
  files = 0;
  rotations = 0;
  truncations = 0;
  lagBytes = 0;
  lastLineSeconds = 0;
  readErrors = 0;
}

export interface FollowOptions {
  patterns: readonly string[];
  lines: LineOptions & { output?: LineWriter | undefined };
  startAt: StartAt;
  pollMs: number;
  stateFile?: string | undefined;
  /** How often, at most, the state file is written while lines flow. */
  checkpointMs: number;
  stats: FollowStats;
  /** At shutdown, when the outputs stop being waited for: what they have not accepted by then is read again at the next start. */
  lastWrites: () => AbortSignal;
  bytes: (count: number) => void;
  warn: (message: string) => void;
  stop: AbortSignal;
}

/**
 * Follows files like `tail -F`, by identity (device and inode) rather than by path: a file
 * renamed away is read to its end through the handle still open on it, a new file at the path
 * is read from its start, a file that shrank was truncated in place and is read again from 0.
 */
export class Follower {
  private readonly files = new Map<string, FollowedFile>();
  private readonly reported = new Set<string>();
  private readonly checkpointer: Checkpointer | undefined;
  private readonly delivery: Delivery<FollowedFile> | undefined;

  constructor(private readonly options: FollowOptions) {
    const { stateFile, lines, checkpointMs, warn } = options;
    if (stateFile) {
      this.checkpointer = new Checkpointer({ path: stateFile, everyMs: checkpointMs, warn });
      this.delivery = new Delivery([lines.output, lines.deadLetter].filter((output) => output !== undefined));
    }
  }

  async run(): Promise<void> {
    const { options } = this;
    const saved = await this.checkpointer?.load();
    const wakeUp = new WakeUp(new Set(options.patterns.map((pattern) => dirname(pattern))), options.pollMs, options.stop);
    try {
      await this.poll(saved ?? [], saved === undefined);
      while (!options.stop.aborted) {
        await wakeUp.next();
        await this.poll([], false);
        await this.checkpoint(false);
      }
    } finally {
      wakeUp.close();
      await this.delivery?.close(options.lastWrites());
      await this.checkpoint(true);
      for (const file of this.files.values()) await file.close();
    }
  }

  /** One pass: find the files, notice rotations and truncations, read what is new. */
  private async poll(saved: FilePosition[], firstStart: boolean): Promise<void> {
    const { options } = this;
    const found = new Map<string, string>(); // identity -> path
    for (const path of await pathsNow(options.patterns)) {
      try {
        const identity = identityOf(await stat(path));
        if (!found.has(identity)) found.set(identity, path);
      } catch {
        // Not there (yet, or between a delete and a create): looked for again next time.
      }
    }
    // A file no pattern finds any more was renamed away or deleted: read it first, so its last
    // lines come out before those of the file that replaced it, and keep reading it until it
    // has been quiet a while (a writer may not have reopened its log yet); then it is done.
    for (const [identity, file] of this.files) {
      if (found.has(identity) || options.stop.aborted) continue;
      if (!file.rotatedAway) {
        file.rotatedAway = true;
        options.stats.rotations++;
      }
      await this.read(file);
      if (options.stop.aborted) return;
      if (Date.now() - file.lastGrowth < ROTATED_QUIET_MS) continue;
      file.finish();
      this.delivery?.reached(file, file.checkpointOffset);
      this.delivery?.forget(file);
      await file.close();
      this.files.delete(identity);
    }
    for (const [identity, path] of found) {
      if (options.stop.aborted) return;
      let file = this.files.get(identity);
      if (file?.rotatedAway) file.rotatedAway = false; // back under a pattern (a rename to a matching name)
      if (!file) {
        file = await this.openFile(path, saved, firstStart);
        if (!file) continue;
        // The path may name another file by the time it is opened (a rotation in between):
        // the opened file's own identity is the key, and a file already followed is not opened twice.
        if (this.files.has(file.identity)) {
          await file.close();
          continue;
        }
        this.files.set(file.identity, file);
      } else if (file.path !== path) {
        options.stats.rotations++; // renamed, and still found by a pattern
        file.path = path;
      }
      if ((await file.size()) < file.offset) {
        options.stats.truncations++;
        file.restart();
        this.delivery?.reached(file, 0);
      }
      await this.read(file);
    }
    options.stats.files = this.files.size;
    let lag = 0;
    for (const file of this.files.values()) lag += await file.lag();
    options.stats.lagBytes = lag;
  }

  private async openFile(path: string, saved: FilePosition[], firstStart: boolean): Promise<FollowedFile | undefined> {
    const { options } = this;
    let file: FollowedFile;
    try {
      file = await FollowedFile.open(path, options.lines);
    } catch (error) {
      this.reportOnce(path, error);
      return undefined;
    }
    const resumed = await this.savedPositionOf(file, saved);
    if (resumed !== undefined) file.startAt((await file.size()) < resumed ? 0 : resumed);
    else if (firstStart && options.startAt === 'end') file.startAt(await file.endOfLastLine(options.lines.maxLineBytes));
    this.delivery?.start(file, file.checkpointOffset);
    return file;
  }

  private reportOnce(path: string, error: unknown): void {
    if (this.reported.has(path)) return;
    this.reported.add(path);
    this.options.stats.readErrors++;
    this.options.warn(`cannot read ${path}: ${describeError(error)} (will retry)`);
  }

  private async savedPositionOf(file: FollowedFile, saved: FilePosition[]): Promise<number | undefined> {
    for (const position of saved) if (await file.matches(position)) return position.offset;
    return undefined;
  }

  private async read(file: FollowedFile): Promise<void> {
    const { options } = this;
    let read: number;
    try {
      read = await file.readAvailable(options.stop, async (bytes) => {
        options.bytes(bytes);
        this.delivery?.reached(file, file.checkpointOffset);
        await options.lines.output?.ready();
        await options.lines.deadLetter?.ready();
      });
    } catch (error) {
      // Unreadable after all (a directory, an I/O error): reported once, let go, tried again next time.
      this.reportOnce(file.path, error);
      this.delivery?.forget(file);
      await file.close();
      this.files.delete(file.identity);
      return;
    }
    if (read > 0) {
      this.reported.delete(file.path);
      options.stats.lastLineSeconds = Date.now() / 1000;
      // A tail writes what it read now, not when a chunk fills: latency over throughput.
      options.lines.output?.flush();
      options.lines.deadLetter?.flush();
    }
  }

  /** Saves the delivered positions (see Delivery): at most every checkpointMs unless forced. */
  private async checkpoint(force: boolean): Promise<void> {
    const { checkpointer, delivery } = this;
    if (!checkpointer || !delivery || (!force && !checkpointer.due)) return;
    const positions = await Promise.all([...this.files.values()].map(async (file) => ({ ...(await file.position()), offset: delivery.offsetOf(file) ?? file.checkpointOffset })));
    await checkpointer.save(positions);
  }
}
