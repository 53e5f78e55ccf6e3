// Reload on change: what a long run reads from files (the site's catalog, the --web-config file
// and the files it names) is looked at now and then, by a poll and by fs.watch events on the
// files' directories, and its stamp (file-stamps.ts) compared with the one in force. A change is
// taken once it holds still: two looks at least `settleMs` apart see the same new stamp, so a file
// still being written, or a certificate written before its key, is not read half-done.
import { watch, type FSWatcher } from 'node:fs';
import type { FileStamp } from './file-stamps.js';

export interface ReloadOnChangeOptions {
  /** The stamp of what is watched, now. */
  stamp(): Promise<FileStamp>;
  /** Takes a change that held still; may give the stamp to hold from now on (default: the one it was given). */
  reload(stamp: FileStamp): Promise<FileStamp | undefined | void>;
  /**
   * How long a new stamp must hold before it is taken. With 0, the next look takes it (a poll's
   * interval apart); past 0, one more look is made `settleMs` after a look saw the stamp move.
   */
  settleMs: number;
}

/**
 * Looks at what is watched, one look at a time; `look` is one look (a poll, an event, a test),
 * `start` makes them come by a poll every `pollMs` and by fs.watch events on `directories`
 * (editors and ConfigMaps replace a file by rename, which a watch on the file itself would miss;
 * some filesystems send no events, which the poll covers).
 */
export class ReloadOnChange {
  private pending: FileStamp | undefined;
  private pendingSince = 0;
  private looking = false;
  private lookAgain = false;
  private closed = false;
  private poller: NodeJS.Timeout | undefined;
  private settler: NodeJS.Timeout | undefined;
  private readonly watchers: FSWatcher[] = [];

  /** `settled`: the stamp of what is in force now. */
  constructor(
    private readonly options: ReloadOnChangeOptions,
    private settled: FileStamp,
  ) {}

  start(when: { pollMs: number; directories?: readonly string[] | undefined }): void {
    for (const directory of when.directories ?? []) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.changed());
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // No fs.watch here (or no directory): the poll still notices.
      }
    }
    this.poller ??= setInterval(() => this.changed(), when.pollMs).unref();
  }

  close(): void {
    this.closed = true;
    for (const watcher of this.watchers) watcher.close();
    clearInterval(this.poller);
    clearTimeout(this.settler);
  }

  /** Something may have changed: look (an event during a look makes one more look after it). */
  changed(): void {
    if (this.closed) return;
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    void this.look().finally(() => {
      if (this.lookAgain) {
        this.lookAgain = false;
        this.changed();
      }
    });
  }

  /** One look; reloads when the stamp moved and has held since a look at least settleMs before. Returns at once if a look is under way. */
  async look(): Promise<void> {
    if (this.looking || this.closed) return;
    this.looking = true;
    try {
      const now = await this.options.stamp();
      if (this.closed) return;
      if (now === this.settled) {
        this.pending = undefined;
        return;
      }
      const { settleMs } = this.options;
      if (now !== this.pending) {
        this.pending = now;
        this.pendingSince = Date.now();
        if (settleMs > 0) {
          clearTimeout(this.settler);
          this.settler = setTimeout(() => this.changed(), settleMs).unref();
        }
        return;
      }
      // Too soon after the look that saw it move (an event brought this one): look again when settleMs is up.
      const waited = Date.now() - this.pendingSince;
      if (waited < settleMs) {
        clearTimeout(this.settler);
        this.settler = setTimeout(() => this.changed(), settleMs - waited).unref();
        return;
      }
      this.pending = undefined;
      this.settled = (await this.options.reload(now)) ?? now;
    } finally {
      this.looking = false;
    }
  }
}
