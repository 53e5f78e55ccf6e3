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
});
