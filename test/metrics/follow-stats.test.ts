import { describe, expect, it } from 'vitest';
import type { FollowEvents } from '../../src/follow/follow-events.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { FollowStats } from '../../src/metrics/follow-stats.js';
import { MetricsTally } from '../../src/count/tally.js';

/** The value of one unlabelled series in an exposition. */
const valueOf = (body: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1]);

describe('FollowStats', () => {
  it("shows follow mode's events on /metrics", async () => {
    const stats = new FollowStats();
    const events: FollowEvents = stats;
    events.lagFrom(() => 123);
    events.following(5, 3, 8);
    events.rotated();
    events.rotated();
    events.truncated();
    events.readFailed();
    const before = Date.now() / 1000;
    events.linesRead();
    events.stateSaved(2, 'cannot write state.json: ENOSPC');
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 1, maxLabelValues: 1 });
    const exposition = new Exposition(tally, false, { follow: stats });
    const { body } = await exposition.render();
    expect(valueOf(body, 'hidlog_follow_files')).toBe(5);
    expect(valueOf(body, 'hidlog_follow_open_files')).toBe(3);
    expect(valueOf(body, 'hidlog_follow_open_files_limit')).toBe(8);
    expect(valueOf(body, 'hidlog_follow_rotations_total')).toBe(2);
    expect(valueOf(body, 'hidlog_follow_truncations_total')).toBe(1);
    expect(valueOf(body, 'hidlog_follow_read_errors_total')).toBe(1);
    expect(valueOf(body, 'hidlog_follow_lag_bytes')).toBe(123);
    expect(valueOf(body, 'hidlog_follow_last_read_timestamp_seconds')).toBeGreaterThanOrEqual(before);
    expect(valueOf(body, 'hidlog_follow_state_save_errors_total')).toBe(2);
    expect(valueOf(body, 'hidlog_follow_state_last_save_successful')).toBe(0);
    expect(exposition.problem).toBe('state file not saved');
    events.stateSaved(2, undefined);
    expect(exposition.problem).toBeUndefined();
  });
});
