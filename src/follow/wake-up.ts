import { statSync, watch, type FSWatcher } from 'node:fs';
import { describeError } from '../pipeline/errors.js';

// A line appended to a followed file is in the output within this long (p99, README "Waking up").
const LATENCY_BOUND_MS = 100;
// A file that had new bytes at two looks this close together is busy: it is looked at this often
// instead of being watched, so a busy log costs eleven looks a second, not a wake-up per write
// (each costs about as much as a look). A line then waits at most this long; the rest of the
// bound is for the look itself and for a timer that fires late on a loaded machine.
export const BUSY_POLL_MS = LATENCY_BOUND_MS - 10;
// Where fs.watch works, a full look this often catches anything an event could not tell.
const RESCAN_MS = 10_000;

/**
 * A file that can be watched through its open descriptor, whatever its name becomes; one closed
 * for want of descriptors (parked) is watched at its path, which costs an inotify watch but no descriptor.
 */
export interface Watchable {
  readonly fd: number | undefined;
  readonly path: string;
}

/** What to look at. */
export interface Look<F> {
  /** Every pattern and every file. */
  full: boolean;
  /** Directories whose entries changed (a file created, renamed or deleted there). */
  directories: ReadonlySet<string>;
  /** Files that may have new bytes: the receiver's to add to. */
  files: Set<F>;
}

/** A directory's inode and times: they move when an entry is created, renamed or deleted there. */
interface DirectoryStamp {
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
}

const NO_DIRECTORIES: ReadonlySet<string> = new Set();
const MISSING: DirectoryStamp = { ino: -1, mtimeMs: 0, ctimeMs: 0 };

export interface WakeUpOptions {
  pollMs: number;
  /** Use fs.watch (inotify); without it every file and pattern is looked at every pollMs. */
  watch: boolean;
  stop: AbortSignal;
  /** Says, once, that files are polled because they cannot be watched. */
  warn?: ((message: string) => void) | undefined;
}

/**
 * Decides when the loop looks at what, so that an idle follower sleeps: each followed file is
 * watched through its descriptor (a rename or a delete does not lose the watch), a busy one is
 * polled instead until it goes quiet, the patterns' directories are looked at only when their
 * modification time changes (one stat each per pollMs), and everything once in a while.
 */
export class WakeUp<F extends Watchable> {
  private readonly watchers = new Map<F, FSWatcher>();
  private readonly busy = new Set<F>();
  /** When each file last had new bytes. */
  private readonly grew = new Map<F, number>();
  /** Files fs.watch could not watch (or --no-watch): looked at every pollMs. */
  private readonly unwatched = new Set<F>();
  private dirty = new Set<F>();
  /** Per directory, its stamp at the last look (undefined before the first). */
  private readonly stamps = new Map<string, DirectoryStamp | undefined>();
  private nextFull: number;
  private nextPoll: number;
  /**
   * While a file is busy: one interval, not a timer per look (Node keeps an interval's list and
   * object from one tick to the next). It is the only timer then: the rest is looked at on its ticks.
   */
  private busyPolls: NodeJS.Timeout | undefined;
  private busyDue = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private immediate: NodeJS.Immediate | undefined;
  private wake: (() => void) | undefined;
  private saidPolling = false;

  constructor(private readonly options: WakeUpOptions) {
    const now = Date.now();
    this.nextFull = now + (options.watch ? RESCAN_MS : options.pollMs);
    this.nextPoll = now + options.pollMs;
    options.stop.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  /** Starts waking for a file's changes. */
  follow(file: F): void {
    if (this.watchers.has(file) || this.busy.has(file) || this.unwatched.has(file)) return;
    this.watch(file);
  }

  /** Stops waking for a file (it was closed). */
  forget(file: F): void {
    this.watchers.get(file)?.close();
    this.watchers.delete(file);
    if (this.busy.delete(file)) this.quietened();
    this.grew.delete(file);
    this.unwatched.delete(file);
    this.dirty.delete(file);
  }

  /** The file was closed (parked) or opened again: watched anew, at its path or through its descriptor; a change already seen is kept. */
  rewatch(file: F): void {
    if (this.busy.has(file)) return; // polled while busy: watched again when it quietens
    this.watchers.get(file)?.close();
    this.watchers.delete(file);
    this.unwatched.delete(file);
    this.watch(file);
  }

  /** The directories whose entries matter (the patterns'); a change is noticed within pollMs. */
  directories(directories: Iterable<string>): void {
    const wanted = new Set(directories);
    for (const directory of this.stamps.keys()) if (!wanted.has(directory)) this.stamps.delete(directory);
    for (const directory of wanted) if (!this.stamps.has(directory)) this.stamps.set(directory, undefined);
  }

  /**
   * After a file was read: one that had new bytes twice within BUSY_POLL_MS is polled instead of
   * watched while it stays busy; a busy one that had none is watched again. Returns true when it
   * must be read once more now: its watcher was just set up again, and bytes written before that
   * would wake nobody.
   */
  afterRead(file: F, hadBytes: boolean): boolean {
    if (!this.options.watch || this.unwatched.has(file)) return false;
    if (hadBytes) {
      const now = Date.now();
      const before = this.grew.get(file);
      this.grew.set(file, now);
      if (this.busy.has(file) || before === undefined || now - before >= BUSY_POLL_MS) return false;
      this.watchers.get(file)?.close();
      this.watchers.delete(file);
      this.busy.add(file);
      if (this.busy.size === 1) this.startBusyPolls();
      return false;
    }
    if (!this.busy.delete(file)) return false;
    this.quietened();
    this.watch(file);
    return true;
  }

  /**
   * Waits for the next look. `keepLooking` (files rotated away and still read, a copy still
   * searched for) makes one at least every pollMs even when nothing changed.
   */
  async next(keepLooking: boolean): Promise<Look<F>> {
    const { stop, pollMs, watch } = this.options;
    for (;;) {
      if (stop.aborted) return this.take(false, NO_DIRECTORIES);
      const now = Date.now();
      const full = now >= this.nextFull;
      if (full) this.nextFull = now + (watch ? RESCAN_MS : pollMs);
      const polled = now >= this.nextPoll;
      let directories = NO_DIRECTORIES;
      if (polled) {
        this.nextPoll = now + pollMs;
        for (const file of this.unwatched) this.dirty.add(file);
        if (watch && !full) directories = this.changedDirectories();
      }
      if (this.busyDue) {
        this.busyDue = false;
        for (const file of this.busy) this.dirty.add(file);
      }
      if (full || this.dirty.size > 0 || directories.size > 0 || (polled && keepLooking)) return this.take(full, directories);
      // While a file is busy, the directories are looked at on its ticks, not on wake-ups of their own.
      await this.sleepUntil(this.busyPolls ? undefined : Math.min(this.nextFull, this.nextPoll));
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    clearInterval(this.busyPolls);
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.wake?.();
  }

  private watch(file: F): void {
    if (!this.options.watch) {
      this.unwatched.add(file);
      return;
    }
    try {
      // Through the descriptor: the watch stays on the file the loop reads, under any name or none.
      const watcher = watch(file.fd === undefined ? file.path : `/proc/self/fd/${file.fd}`, () => {
        this.dirty.add(file);
        this.wakeSoon();
      });
      watcher.on('error', (error) => {
        watcher.close();
        this.watchers.delete(file);
        this.polled(file, error);
      });
      this.watchers.set(file, watcher);
    } catch (error) {
      // No inotify, no /proc, or no inotify watch left: polled every pollMs instead.
      this.polled(file, error);
    }
  }

  /** A file that cannot be watched is looked at every pollMs; the first time, that is said. */
  private polled(file: F, error: unknown): void {
    this.unwatched.add(file);
    if (this.saidPolling || !this.options.warn) return;
    this.saidPolling = true;
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOSPC'
        ? 'the inotify watch limit is reached (sysctl fs.inotify.max_user_watches)'
        : `cannot watch ${file.path} (${describeError(error)})`;
    this.options.warn(`${why}: files that cannot be watched are looked at every ${this.options.pollMs} ms instead, so lines may come up to that much later`);
  }

  /** The look: what is dirty, handed over. */
  private take(full: boolean, directories: ReadonlySet<string>): Look<F> {
    const files = this.dirty;
    this.dirty = new Set();
    return { full, directories, files };
  }

  private startBusyPolls(): void {
    // A timer set for a quiet follower is not needed any more: the ticks look at everything.
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.busyPolls = setInterval(() => {
      this.busyDue = true;
      this.wake?.();
    }, BUSY_POLL_MS);
  }

  /** A file stopped being busy. */
  private quietened(): void {
    if (this.busy.size > 0) return;
    clearInterval(this.busyPolls);
    this.busyPolls = undefined;
    this.busyDue = false;
  }

  /** One stat per directory: its modification time moves when an entry is created, renamed or deleted. */
  private changedDirectories(): ReadonlySet<string> {
    let changed: Set<string> | undefined;
    for (const [directory, before] of this.stamps) {
      let stamp = MISSING;
      try {
        stamp = statSync(directory);
      } catch {
        // Missing: a change when it comes back.
      }
      if (before && stamp.ino === before.ino && stamp.mtimeMs === before.mtimeMs && stamp.ctimeMs === before.ctimeMs) continue;
      this.stamps.set(directory, { ino: stamp.ino, mtimeMs: stamp.mtimeMs, ctimeMs: stamp.ctimeMs });
      // The first stat only sets the baseline: the first look saw the directory as it was.
      if (before) (changed ??= new Set()).add(directory);
    }
    return changed ?? NO_DIRECTORIES;
  }

  private wakeAt(at: number): void {
    if (this.timer !== undefined && at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.wake?.();
    }, Math.max(0, at - Date.now()));
  }

  /**
   * Looks once the events that came together have all been taken: in the same turn of the event
   * loop, so an event costs no timer of its own, and writes that came at once make one look.
   */
  private wakeSoon(): void {
    if (this.immediate || !this.wake) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.wake?.();
    });
  }

  /** Sleeps until an event, a tick of the busy polls, or `at` if given. */
  private sleepUntil(at: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
      // Events that came while the loop was busy are in `dirty` already.
      if (this.dirty.size > 0) this.wakeSoon();
      else if (at !== undefined) this.wakeAt(at);
    });
  }
}
