import { describe, expect, it } from 'vitest';
import { UnfollowableError } from '../../src/follow/followed-file.js';
import { Notices } from '../../src/follow/notices.js';
import { FollowStats } from '../../src/metrics/follow-stats.js';

function notices() {
  const said: string[] = [];
  const stats = new FollowStats();
  return { notices: new Notices((message) => said.push(message), stats, 'auto'), said, stats };
}

describe('Notices', () => {
  it('says a file cannot be read once, counted once, and again only after a read of it worked', () => {
    const { notices: n, said, stats } = notices();
    const error = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    n.cannotRead('/var/log/a.log', error);
    n.cannotRead('/var/log/a.log', error);
    n.cannotRead('/var/log/b.log', error);
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^cannot read \/var\/log\/a\.log: .* \(will retry\)$/);
    expect(stats.readErrors).toBe(2);
    n.readAgain('/var/log/a.log');
    n.cannotRead('/var/log/a.log', error);
    expect(said).toHaveLength(3);
    expect(stats.readErrors).toBe(3);
  });

  it('refuses a FIFO, and names a compression it does not read, once per path', () => {
    const { notices: n, said, stats } = notices();
    n.refuse(new UnfollowableError('/var/log/pipe', 'a FIFO'));
    n.refuse(new UnfollowableError('/var/log/pipe', 'a FIFO'));
    n.notRead('/var/log/a.log.xz', 'xz');
    n.notRead('/var/log/a.log.xz', 'xz');
    expect(said).toEqual([
      '/var/log/pipe is a FIFO: not followed (hidlog follows regular files)',
      '/var/log/a.log.xz is xz-compressed: not read (hidlog reads gzip only)',
    ]);
    expect(stats.readErrors).toBe(0);
  });
});
