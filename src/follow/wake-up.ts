import { statSync, watch, type FSWatcher } from 'node:fs';
import { describeError } from '../common/error-text.js';

// A line appended to a followed file is in the output within this long (p99, docs/follow.md, "Waking up").
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

/** A directory's stamp now; a missing one has MISSING's, so that its coming back is a change. */
function stampOf(directory: string): DirectoryStamp {
  try {
    const { ino, mtimeMs, ctimeMs } = statSync(directory);
    return { ino, mtimeMs, ctimeMs };
  } catch {
    return MISSING;
  }
}

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
 * polled instead until it goes quiet, the patterns' directories are watched for entries created,
 * renamed or deleted (where inotify cannot, or while files there are written to busily, they are
 * looked at when their modification time changes: one stat each per pollMs), and everything once
 * in a while.
 */
export class WakeUp<F extends Watchable> {
  private readonly watchers = new Map<F, FSWatcher>();
  private readonly busy = new Set<F>();
  /** When each file last had new bytes. */
  private readonly grew = new Map<F, number>();
  /** Files fs.watch could not watch (or --no-watch): looked at every pollMs. */
  private readonly unwatched = new Set<F>();
  private dirty = new Set<F>();
  /**
   * The directories watched through inotify, each with its inode then (one deleted and made again
   * is another) and when a file there was last written to.
   */
  private readonly watchedDirectories = new Map<string, { watcher: FSWatcher; ino: number; lastWrite: number }>();
  /** The other directories (inotify refused, missing, files there written to busily): their stamp at the last look. */
  private readonly stamps = new Map<string, DirectoryStamp>();
  /** Directories whose entries changed, as their watchers or directories() said, since the last look. */
  private changedEntries = new Set<string>();
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

  /**
   * The directories whose entries matter (the patterns', as just listed). One that is no longer
   * among them is let go. A new one is looked at once more at the next look: an entry made after
   * it was listed and before it was watched is found then.
   */
  directories(wanted: ReadonlySet<string>): void {
    if (!this.options.watch) return;
    for (const directory of this.stamps.keys()) if (!wanted.has(directory)) this.stamps.delete(directory);
    for (const directory of this.watchedDirectories.keys()) if (!wanted.has(directory)) this.unwatchDirectory(directory);
    for (const directory of wanted) {
      if (this.stamps.has(directory) || this.watchedDirectories.has(directory)) continue;
      this.watchDirectory(directory);
      this.changedEntries.add(directory);
    }
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
      if (full) {
        this.nextFull = now + (watch ? RESCAN_MS : pollMs);
        if (watch) this.watchDirectoriesAgain();
      }
      const polled = now >= this.nextPoll;
      let directories = NO_DIRECTORIES;
      if (polled) {
        this.nextPoll = now + pollMs;
        for (const file of this.unwatched) this.dirty.add(file);
        if (watch && !full) directories = this.changedDirectories();
      }
      if (this.changedEntries.size > 0) {
        if (!full) directories = directories.size === 0 ? this.changedEntries : new Set([...directories, ...this.changedEntries]);
        this.changedEntries = new Set();
      }
      if (this.busyDue) {
        this.busyDue = false;
        for (const file of this.busy) this.dirty.add(file);
      }
      if (full || this.dirty.size > 0 || directories.size > 0 || (polled && keepLooking)) return this.take(full, directories);
      // While a file is busy, the directories are looked at on its ticks, not on wake-ups of their own;
      // with nothing to poll (every file and directory watched), only the full look wakes the loop.
      const polling = !watch || keepLooking || this.unwatched.size > 0 || this.stamps.size > 0;
      await this.sleepUntil(this.busyPolls ? undefined : polling ? Math.min(this.nextFull, this.nextPoll) : this.nextFull);
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    for (const directory of [...this.watchedDirectories.keys()]) this.unwatchDirectory(directory);
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
    // A watcher that failed while the loop slept: the loop wakes to poll it from now on.
    this.wakeSoon();
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

  /**
   * One stat per directory not watched: its modification time moves when an entry is created,
   * renamed or deleted. One that changed is watched from now on if it can be (it came back).
   */
  private changedDirectories(): ReadonlySet<string> {
    let changed: Set<string> | undefined;
    for (const [directory, before] of this.stamps) {
      const stamp = stampOf(directory);
      if (stamp.ino === before.ino && stamp.mtimeMs === before.mtimeMs && stamp.ctimeMs === before.ctimeMs) continue;
      this.stamps.set(directory, stamp);
      (changed ??= new Set()).add(directory);
      if (stamp !== MISSING) {
        this.stamps.delete(directory);
        this.watchDirectory(directory);
      }
    }
    return changed ?? NO_DIRECTORIES;
  }

  /**
   * At a full look (which lists every directory anyway): the directories looked at by their stamp
   * are watched again if they can be, and one replaced without its watcher telling is watched anew.
   */
  private watchDirectoriesAgain(): void {
    for (const directory of [...this.stamps.keys()]) {
      this.stamps.delete(directory);
      this.watchDirectory(directory);
    }
    for (const [directory, { ino }] of [...this.watchedDirectories]) this.watchAgainIfReplaced(directory, ino);
  }

  /**
   * Watches a directory for entries created, renamed or deleted; one that cannot be watched
   * (missing, no inotify watch left) gets a stamp instead.
   */
  private watchDirectory(directory: string): void {
    const stamp = stampOf(directory);
    if (stamp !== MISSING) {
      try {
        const watcher = watch(directory, (event) => (event === 'rename' ? this.entriesChanged(directory) : this.written(directory)));
        watcher.on('error', () => this.entriesChanged(directory, true));
        this.watchedDirectories.set(directory, { watcher, ino: stamp.ino, lastWrite: 0 });
        return;
      } catch {
        // Looked at by its stamp instead.
      }
    }
    this.stamps.set(directory, stamp);
  }

  /**
   * A file in a watched directory was written to: its own watcher, if it is followed, tells. Where
   * files are written to busily (two writes within BUSY_POLL_MS), each write would wake hidlog:
   * the directory is looked at by its stamp instead, until the next full look.
   */
  private written(directory: string): void {
    const watched = this.watchedDirectories.get(directory);
    if (!watched) return;
    const now = Date.now();
    if (now - watched.lastWrite >= BUSY_POLL_MS) {
      watched.lastWrite = now;
      return;
    }
    // The stamp first: an entry made before the watcher is gone is then a change at the next stat.
    this.stamps.set(directory, stampOf(directory));
    this.unwatchDirectory(directory);
    // This event may have been read well after the write (events come in batches): entries made
    // since, whose events the closed watcher drops, are in the stamp already. One listing now finds them.
    this.changedEntries.add(directory);
    this.wakeSoon();
  }

  private unwatchDirectory(directory: string): void {
    this.watchedDirectories.get(directory)?.watcher.close();
    this.watchedDirectories.delete(directory);
  }

  /**
   * An entry of a watched directory changed. A directory deleted has a watcher that watches what
   * is gone: the one made again in its place is watched instead, or, while there is none (or the
   * watcher failed), it is looked at by its stamp.
   */
  private entriesChanged(directory: string, failed = false): void {
    const watched = this.watchedDirectories.get(directory);
    if (!watched) return;
    if (failed) {
      this.unwatchDirectory(directory);
      this.stamps.set(directory, stampOf(directory));
    } else this.watchAgainIfReplaced(directory, watched.ino);
    this.changedEntries.add(directory);
    this.wakeSoon();
  }

  /** Watches the directory now at the path if it is not the one watched (`ino`). */
  private watchAgainIfReplaced(directory: string, ino: number): void {
    if (stampOf(directory).ino === ino) return;
    this.unwatchDirectory(directory);
    this.watchDirectory(directory);
  }

  private wakeAt(at: number): void {
    if (this.timer !== undefined && at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.wake?.();
      },
      Math.max(0, at - Date.now()),
    );
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
