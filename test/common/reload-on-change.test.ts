import { describe, expect, it } from 'vitest';
import { ReloadOnChange } from '../../src/common/reload-on-change.js';
import { waitFor } from '../helpers/tools.js';

/** A stamp the test sets, and the reloads made. */
function watched(settleMs: number) {
  const state = { stamp: 'a', reloads: [] as string[] };
  const changes = new ReloadOnChange(
    {
      stamp: async () => state.stamp,
      reload: async (stamp) => {
        state.reloads.push(stamp);
      },
      settleMs,
    },
    'a',
  );
  return { state, changes };
}

describe('ReloadOnChange', () => {
  it('takes a change at the second look that sees it, with settleMs 0 (a poll apart)', async () => {
    const { state, changes } = watched(0);
    await changes.look();
    expect(state.reloads).toEqual([]);
    state.stamp = 'b';
    await changes.look();
    expect(state.reloads).toEqual([]);
    await changes.look();
    expect(state.reloads).toEqual(['b']);
    await changes.look();
    expect(state.reloads).toEqual(['b']);
  });

  it('takes only a stamp that held: one that moved again starts over', async () => {
    const { state, changes } = watched(0);
    state.stamp = 'b';
    await changes.look();
    state.stamp = 'c';
    await changes.look();
    expect(state.reloads).toEqual([]);
    await changes.look();
    expect(state.reloads).toEqual(['c']);
    // A move, and back to what is in force before it held: nothing to take.
    state.stamp = 'd';
    await changes.look();
    state.stamp = 'c';
    await changes.look();
    await changes.look();
    expect(state.reloads).toEqual(['c']);
  });

  it('looks again settleMs after a look saw a move, and not sooner however often it is told', async () => {
    const { state, changes } = watched(200);
    try {
      state.stamp = 'b';
      const seen = Date.now();
      changes.changed();
      // Events in a row, as fs.watch sends them for one write: none of them takes the change early.
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        changes.changed();
      }
      expect(state.reloads).toEqual([]);
      await waitFor('the reload', async () => (state.reloads.length > 0 ? true : undefined), 5000);
      expect(Date.now() - seen).toBeGreaterThanOrEqual(200);
      expect(state.reloads).toEqual(['b']);
    } finally {
      changes.close();
    }
  });

  it('polls when started, and stops when closed', async () => {
    const { state, changes } = watched(0);
    changes.start({ pollMs: 20 });
    state.stamp = 'b';
    await waitFor('the reload', async () => (state.reloads.length > 0 ? true : undefined), 5000);
    changes.close();
    state.stamp = 'c';
    await changes.look();
    await changes.look();
    expect(state.reloads).toEqual(['b']);
  });
});
