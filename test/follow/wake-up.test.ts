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

  it('lists a directory where files are written to busily once, as it turns to its stamp: an entry made meanwhile is found at once', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hidlog-wake-up-'));
    const stop = new AbortController();
    const wakeUp = new WakeUp<Watchable>({ pollMs: 20, watch: true, stop: stop.signal });
    try {
      for (const name of ['0.log', 'sidecar.log']) writeFileSync(join(directory, name), 'a\n');
      wakeUp.directories(new Set([directory]));
      expect((await wakeUp.next(false)).directories).toEqual(new Set([directory]));
      // All before an event is handled: writes to two files (the directory is busy; two writes to
      // one file would be one event), then a new file. The second write's event turns the directory
      // to its stamp, taken then: with the new file in it already.
      appendFileSync(join(directory, '0.log'), 'b\n');
      appendFileSync(join(directory, 'sidecar.log'), 'b\n');
      writeFileSync(join(directory, '1.log'), 'c\n');
      const started = Date.now();
      const look = await wakeUp.next(false);
      expect(look.directories).toEqual(new Set([directory]));
      // Not at the full look, 10 s after the start.
      expect(look.full).toBe(false);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      wakeUp.close();
      stop.abort();
      rmSync(directory, { recursive: true, force: true });
    }
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
