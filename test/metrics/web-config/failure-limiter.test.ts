import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../src/metrics/client-address.js';
import { FailureLimiter, RETRY_AFTER_SECONDS } from '../../../src/metrics/web-config/failure-limiter.js';

describe('FailureLimiter', () => {
  it('lets an address fail 10 checks in a row, then one more every 5 s', () => {
    let clock = 0;
    const limiter = new FailureLimiter(() => clock);
    const fail = (address: string) => {
      if (!limiter.take(address)) return false;
      limiter.failed(address);
      return true;
    };
    expect(Array.from({ length: 11 }, () => fail('203.0.113.7'))).toEqual([...Array(10).fill(true), false]);
    expect(fail('192.0.2.1')).toBe(true);
    clock += RETRY_AFTER_SECONDS * 1000 - 1;
    expect(fail('203.0.113.7')).toBe(false);
    clock += 1;
    expect([fail('203.0.113.7'), fail('203.0.113.7')]).toEqual([true, false]);
  });

  it('a check that succeeds costs nothing, and never marks the address', () => {
    const limiter = new FailureLimiter(() => 0);
    for (let i = 0; i < 100; i++) {
      expect(limiter.take('192.0.2.1')).toBe(true);
      limiter.giveBack('192.0.2.1');
    }
    expect(limiter.hasFailed('192.0.2.1')).toBe(false);
  });

  it('an address that failed is marked until its budget is full again', () => {
    let clock = 0;
    const limiter = new FailureLimiter(() => clock);
    limiter.take('203.0.113.7');
    expect(limiter.hasFailed('203.0.113.7')).toBe(false);
    limiter.failed('203.0.113.7');
    expect(limiter.hasFailed('203.0.113.7')).toBe(true);
    clock += RETRY_AFTER_SECONDS * 1000;
    expect(limiter.hasFailed('203.0.113.7')).toBe(false);
  });

  it('counts IPv4 per address (IPv4-mapped IPv6 too) and IPv6 per /64', () => {
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    const limiter = new FailureLimiter(() => 0);
    for (let i = 0; i < 10; i++) {
      limiter.take(`2001:db8:1:2::${i + 1}`);
      limiter.failed(`2001:db8:1:2::${i + 1}`);
    }
    expect(limiter.take('2001:db8:1:2:ffff::9')).toBe(false);
    expect(limiter.take('2001:db8:1:3::1')).toBe(true);
  });
});
