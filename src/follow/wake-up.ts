import { watch, type FSWatcher } from 'node:fs';

/**
 * When the loop looks at the files again: at once when fs.watch reports a change in a watched
 * directory, else after the poll interval (filesystems where fs.watch misses events).
 */
export class WakeUp {
  private readonly watchers: FSWatcher[] = [];
  private wake: (() => void) | undefined;

  constructor(
    directories: Iterable<string>,
    private readonly pollMs: number,
    private readonly stop: AbortSignal,
  ) {
    for (const directory of directories) {
      try {
        const watcher = watch(directory, () => this.wake?.());
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // Not watchable (missing, or a filesystem without inotify): polling alone.
      }
    }
  }

  /** Resolves at the next change, poll or stop. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stop.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
      this.stop.addEventListener('abort', done);
    });
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
  }
}
