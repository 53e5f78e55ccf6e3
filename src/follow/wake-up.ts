import { statSync, watch, type FSWatcher } from 'node:fs';

// A file that had new bytes at two looks this close together is busy: it is looked at this often
// instead of being watched, so a busy log costs a dozen looks a second, not a wake-up per write
// (each costs about as much as a look); a line then waits at most this long.
const BUSY_POLL_MS = 75;
// Where fs.watch works, a full look this often catches anything an event could not tell.
const RESCAN_MS = 10_000;

/** A file that can be watched through its open descriptor, whatever its name becomes. */
export interface Watchable {
  readonly fd: number;
}

/** What to look at. */
export interface Look<F> {
  /** Every pattern and every file. */
  full: boolean;
  /** Directories whose entries changed (a file created, renamed or deleted there). */
  directories: Set<string>;
  /** Files that may have new bytes. */
  files: Set<F>;
}

export interface WakeUpOptions {
  pollMs: number;
  /** Use fs.watch (inotify); without it every file and pattern is looked at every pollMs. */
  watch: boolean;
  stop: AbortSignal;
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
  private readonly stamps = new Map<string, string>();
  private nextFull: number;
  private nextPoll: number;
  private nextBusy = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private immediate: NodeJS.Immediate | undefined;
  private wake: (() => void) | undefined;

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
    this.busy.delete(file);
    this.grew.delete(file);
    this.unwatched.delete(file);
    this.dirty.delete(file);
  }

  /** The directories whose entries matter (the patterns'); a change is noticed within pollMs. */
  directories(directories: Iterable<string>): void {
    const wanted = new Set(directories);
    for (const directory of this.stamps.keys()) if (!wanted.has(directory)) this.stamps.delete(directory);
    for (const directory of wanted) if (!this.stamps.has(directory)) this.stamps.set(directory, '');
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
      if (this.busy.size === 0) this.nextBusy = now + BUSY_POLL_MS;
      this.busy.add(file);
      return false;
    }
    if (!this.busy.delete(file)) return false;
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
      const look: Look<F> = { full: false, directories: new Set(), files: this.dirty };
      this.dirty = new Set();
      const now = Date.now();
      if (stop.aborted) return look;
      if (now >= this.nextFull) {
        look.full = true;
        this.nextFull = now + (watch ? RESCAN_MS : pollMs);
      }
      let polled = false;
      if (now >= this.nextPoll) {
        this.nextPoll = now + pollMs;
        polled = true;
        for (const file of this.unwatched) look.files.add(file);
        if (watch && !look.full) this.changedDirectories(look.directories);
      }
      if (this.busy.size > 0 && now >= this.nextBusy) {
        this.nextBusy = now + BUSY_POLL_MS;
        for (const file of this.busy) look.files.add(file);
      }
      if (look.full || look.files.size > 0 || look.directories.size > 0 || (polled && keepLooking)) return look;
      // While a file is busy, the directories are looked at on its wake-ups, not on wake-ups of their own.
      await this.sleepUntil(Math.min(this.nextFull, this.busy.size > 0 ? this.nextBusy : this.nextPoll));
    }
  }

  close(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
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
      const watcher = watch(`/proc/self/fd/${file.fd}`, () => {
        this.dirty.add(file);
        this.wakeSoon();
      });
      watcher.on('error', () => {
        watcher.close();
        this.watchers.delete(file);
        this.unwatched.add(file);
      });
      this.watchers.set(file, watcher);
    } catch {
      // No inotify, or no /proc: polled every pollMs instead.
      this.unwatched.add(file);
    }
  }

  /** One stat per directory: its modification time moves when an entry is created, renamed or deleted. */
  private changedDirectories(into: Set<string>): void {
    for (const [directory, before] of this.stamps) {
      let stamp: string;
      try {
        const { ino, mtimeMs, ctimeMs } = statSync(directory);
        stamp = `${ino}:${mtimeMs}:${ctimeMs}`;
      } catch {
        stamp = 'missing';
      }
      if (stamp === before) continue;
      this.stamps.set(directory, stamp);
      // The first stat only sets the baseline: the first look saw the directory as it was.
      if (before !== '') into.add(directory);
    }
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

  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
      // Events that came while the loop was busy are in `dirty` already.
      if (this.dirty.size > 0) this.wakeSoon();
      else this.wakeAt(at);
    });
  }
}
