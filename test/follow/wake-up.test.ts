import { appendFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WakeUp, type Watchable } from '../../src/follow/wake-up.js';

describe('WakeUp', () => {
  it('polls a file it cannot watch, and says so once however many there are', async () => {
    const said: string[] = [];
    const stop = new AbortController();
    const wakeUp = new WakeUp<Watchable>({ pollMs: 20, watch: true, stop: stop.signal, warn: (message) => said.push(message) });
    // Parked files are watched at their path: one that is gone cannot be.
    const gone: Watchable[] = [1, 2, 3].map((i) => ({ fd: undefined, path: `/nonexistent/hidlog-wake-up-${i}.log` }));
    for (const file of gone) wakeUp.follow(file);
    expect(said).toEqual([
      `cannot watch ${gone[0]!.path} (no such file): files that cannot be watched are looked at every 20 ms instead, so lines may come up to that much later`,
    ]);
    let look = await wakeUp.next(false);
    while (look.files.size === 0) look = await wakeUp.next(false);
    expect([...look.files]).toEqual(gone);
    wakeUp.close();
    stop.abort();
  });

  // Found by the model test (follower.model.test.ts): two writes, the log deleted and made again
  // at once. The second write's event turns the directory over to its stamp, taken after the new
  // log was made; the events of the delete and the create went with the watcher.
  it('looks at a directory turned over to its stamp, for entries whose events went with the watcher', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hidlog-wake-up-'));
    const log = join(dir, 'app.log');
    const other = join(dir, 'other.log');
    writeFileSync(log, '');
    writeFileSync(other, '');
    const stop = new AbortController();
    const wakeUp = new WakeUp<Watchable>({ pollMs: 20, watch: true, stop: stop.signal });
    try {
      wakeUp.directories(new Set([dir]));
      await wakeUp.next(false); // the directory, looked at once as it is watched from now on
      // Two files, so that inotify does not merge the two writes' events into one.
      appendFileSync(log, 'a\n');
      appendFileSync(other, 'b\n');
      unlinkSync(log);
      writeFileSync(log, 'c\n');
      // Well before the next full look (RESCAN_MS, 10 s), which would find the new log anyway.
      const deadline = Date.now() + 2000;
      let look = await wakeUp.next(true);
      while (!look.directories.has(dir) && Date.now() < deadline) look = await wakeUp.next(true);
      expect(look.full).toBe(false);
      expect([...look.directories]).toEqual([dir]);
    } finally {
      wakeUp.close();
      stop.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
