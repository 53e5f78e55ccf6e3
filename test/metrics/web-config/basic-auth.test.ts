import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BasicAuth, PasswordChecker, parseBasicAuthorization, type Compare } from '../../../src/metrics/web-config/basic-auth.js';
import { parseWebConfig } from '../../../src/metrics/web-config/config.js';
import { FailureLimiter } from '../../../src/metrics/web-config/failure-limiter.js';
import { TESTDATA, readTestdata } from './testdata.js';

const basic = (credentials: string | Buffer) => `Basic ${Buffer.from(credentials).toString('base64')}`;
// Made with htpasswd -nBC 10; each user's password is NAME-password.
const users = parseWebConfig(readTestdata('users.good.yml'), TESTDATA).users;

afterEach(() => {
  vi.restoreAllMocks();
});

/** bcryptjs on this thread, each comparison counted: the checker without its worker thread (tested on its own). */
function counted() {
  const compare = vi.fn<Compare>((password, hash) => bcrypt.compare(password, hash));
  return { compare, checker: new PasswordChecker({ compare }) };
}

describe('parseBasicAuthorization', () => {
  it('reads user and password as Go does: the scheme in any case, the password to the end', () => {
    expect(parseBasicAuthorization(basic('prometheus:se:cret'))).toEqual({ user: 'prometheus', password: 'se:cret' });
    expect(parseBasicAuthorization(basic('prometheus:').replace('Basic', 'bAsIc'))).toEqual({ user: 'prometheus', password: '' });
    expect(parseBasicAuthorization(basic('ünïcode:pässword'))).toEqual({ user: 'ünïcode', password: 'pässword' });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Bearer abc'],
    ['no colon', basic('prometheus')],
    ['not base64', 'Basic !!!!'],
    ['base64 without its padding', basic('prometheus:xy').replace(/=+$/, '')],
    ['bytes that are not UTF-8', basic(Buffer.from([0x61, 0x3a, 0xff, 0xfe]))],
  ])('%s: none', (_, header) => {
    expect(parseBasicAuthorization(header)).toBeUndefined();
  });
});

describe('BasicAuth against htpasswd hashes', () => {
  it('allows the right password for $2y$, $2a$ and $2b$ hashes, denies a wrong one, an unknown user and no credentials', async () => {
    const auth = new BasicAuth(users, counted().checker);
    for (const user of ['alice', 'bob', 'carol']) expect(await auth.check(basic(`${user}:${user}-password`))).toBe('allowed');
    expect(await auth.check(basic('alice:bob-password'))).toBe('denied');
    expect(await auth.check(basic('alice:'))).toBe('denied');
    expect(await auth.check(basic('mallory:alice-password'))).toBe('denied');
    expect(await auth.check(undefined)).toBe('denied');
  });

  it('runs bcrypt once per credentials: later checks, right or wrong, come from the cache', async () => {
    const { compare, checker } = counted();
    const auth = new BasicAuth(users, checker);
    for (let i = 0; i < 5; i++) {
      expect(await auth.check(basic('alice:alice-password'))).toBe('allowed');
      expect(await auth.check(basic('alice:wrong'))).toBe('denied');
    }
    expect(compare).toHaveBeenCalledTimes(2);
  });

  it('the cache outlives a reload, and a new hash for the user is checked anew', async () => {
    const { compare, checker } = counted();
    expect(await new BasicAuth(users, checker).check(basic('alice:alice-password'))).toBe('allowed');
    expect(await new BasicAuth(new Map(users), checker).check(basic('alice:alice-password'))).toBe('allowed');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(await new BasicAuth(new Map([['alice', users.get('bob')!]]), checker).check(basic('alice:alice-password'))).toBe('denied');
    expect(compare).toHaveBeenCalledTimes(2);
  });

  it('an unknown user costs a bcrypt like a known one, against a hash no password matches', async () => {
    const { compare, checker } = counted();
    const auth = new BasicAuth(users, checker);
    expect(await auth.check(basic('mallory:x'))).toBe('denied');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.calls[0]![1]).toMatch(/^\$2y\$10\$/);
  });

  it('identical checks at once share one bcrypt; beyond 32 waiting, the rest are told busy', async () => {
    const { compare, checker } = counted();
    const auth = new BasicAuth(users, checker);
    const same = await Promise.all(Array.from({ length: 5 }, () => auth.check(basic('alice:alice-password'))));
    expect(same).toEqual(Array(5).fill('allowed'));
    expect(compare).toHaveBeenCalledTimes(1);
    compare.mockImplementation(() => Promise.resolve(false));
    const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => auth.check(basic(`alice:guess${i}`))));
    expect(flood.filter((verdict) => verdict === 'denied')).toHaveLength(32);
    expect(flood.filter((verdict) => verdict === 'busy')).toHaveLength(8);
  });
});

describe('PasswordChecker under a flood of wrong passwords', () => {
  /** A bcrypt that answers only when the test says, to look at what waits. */
  function held() {
    const pending: { password: string; answer: (matches: boolean) => void }[] = [];
    const compare = vi.fn<Compare>((password) => new Promise((answer) => pending.push({ password, answer })));
    const limiter = new FailureLimiter(() => 0);
    return { pending, compare, limiter, checker: new PasswordChecker({ compare, limiter }) };
  }
  const HASH = '$2y$10$hash';
  const settleAll = async (pending: { answer: (matches: boolean) => void }[], matches = false) => {
    while (pending.length > 0) {
      pending.shift()!.answer(matches);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  it('a verified credential is answered at once, from the cache, while checks wait; failures never push it out', async () => {
    const { pending, checker } = held();
    const first = checker.matches('prometheus', HASH, 'right', '192.0.2.1');
    pending.shift()!.answer(true);
    expect(await first).toBe(true);
    const flood = Array.from({ length: 200 }, (_, i) => checker.matches('prometheus', HASH, `guess${i}`, `198.51.100.${i % 250}`));
    // Not a promise: no wait at all, not even a turn of the event loop.
    expect(checker.matches('prometheus', HASH, 'right', '192.0.2.1')).toBe(true);
    await settleAll(pending);
    await Promise.all(flood);
    expect(checker.matches('prometheus', HASH, 'right', '192.0.2.1')).toBe(true);
  });

  it('an address that failed 10 times is told to wait (throttled) without a bcrypt; others, and its cached verdicts, are not', async () => {
    const { pending, compare, checker } = held();
    const verdicts: unknown[] = [];
    for (let i = 0; i < 12; i++) {
      const verdict = checker.matches('prometheus', HASH, `guess${i}`, '203.0.113.7');
      await settleAll(pending);
      verdicts.push(await verdict);
    }
    expect(verdicts).toEqual([...Array(10).fill(false), 'throttled', 'throttled']);
    expect(compare).toHaveBeenCalledTimes(10);
    expect(checker.matches('prometheus', HASH, 'guess3', '203.0.113.7')).toBe(false);
    const other = checker.matches('prometheus', HASH, 'right', '192.0.2.1');
    await settleAll(pending, true);
    expect(await other).toBe(true);
  });

  it('checks from an address in good standing go before those from addresses that failed lately', async () => {
    const { pending, checker } = held();
    const failing = '203.0.113.7';
    const started = checker.matches('prometheus', HASH, 'guess0', failing);
    pending.shift()!.answer(false);
    await started;
    const guesses = Array.from({ length: 3 }, (_, i) => checker.matches('prometheus', HASH, `guess${i + 1}`, failing));
    const scraper = checker.matches('prometheus', HASH, 'right', '192.0.2.1');
    expect(pending.map((check) => check.password)).toEqual(['guess1']);
    pending.shift()!.answer(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending.map((check) => check.password)).toEqual(['right']);
    pending.shift()!.answer(true);
    expect(await scraper).toBe(true);
    await settleAll(pending);
    expect(await Promise.all(guesses)).toEqual([false, false, false]);
  });

  it('with 32 waiting, a client in good standing takes the place of the last one that failed lately', async () => {
    const { pending, checker } = held();
    // 32 addresses, each with one failure on record, then one more guess from each.
    for (let i = 0; i < 32; i++) {
      const guess = checker.matches('prometheus', HASH, `first${i}`, `198.51.100.${i}`);
      await settleAll(pending);
      await guess;
    }
    const guesses = Array.from({ length: 32 }, (_, i) => checker.matches('prometheus', HASH, `second${i}`, `198.51.100.${i}`));
    expect(await checker.matches('prometheus', HASH, 'third0', '198.51.100.0')).toBe('busy');
    const scraper = checker.matches('prometheus', HASH, 'right', '192.0.2.1');
    expect(await guesses[31]).toBe('busy');
    pending.shift()!.answer(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending.map((check) => check.password)).toEqual(['right']);
    pending.shift()!.answer(true);
    expect(await scraper).toBe(true);
    await settleAll(pending);
  });

  it('one client has at most 2 checks waiting; beyond, busy', async () => {
    const { pending, checker } = held();
    const checks = Array.from({ length: 4 }, (_, i) => checker.matches('prometheus', HASH, `guess${i}`, '203.0.113.7'));
    expect(await checks[3]).toBe('busy');
    expect(pending.map((check) => check.password)).toEqual(['guess0']);
    const other = checker.matches('prometheus', HASH, 'right', '192.0.2.1');
    await settleAll(pending, false);
    expect(await Promise.all([...checks.slice(0, 3), other])).toEqual([false, false, false, false]);
  });

  it('a check queued before its client failed runs after those of clients in good standing', async () => {
    const { pending, checker } = held();
    const running = checker.matches('prometheus', HASH, 'guess0', '203.0.113.7');
    const queued = checker.matches('prometheus', HASH, 'guess1', '203.0.113.7');
    const scraper = checker.matches('prometheus', HASH, 'right', '192.0.2.1');
    pending.shift()!.answer(false);
    await running;
    await new Promise((resolve) => setImmediate(resolve));
    expect(pending.map((check) => check.password)).toEqual(['right']);
    await settleAll(pending, true);
    expect([await scraper, await queued]).toEqual([true, true]);
  });

  it('a bcrypt that fails (its thread stopped) denies, and is not remembered', async () => {
    const compare = vi.fn<Compare>().mockRejectedValueOnce(new Error('the bcrypt thread stopped')).mockResolvedValue(true);
    const checker = new PasswordChecker({ compare });
    expect(await checker.matches('prometheus', HASH, 'right', '192.0.2.1')).toBe(false);
    expect(await checker.matches('prometheus', HASH, 'right', '192.0.2.1')).toBe(true);
    expect(compare).toHaveBeenCalledTimes(2);
  });
});
