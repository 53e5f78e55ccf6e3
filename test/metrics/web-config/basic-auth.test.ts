import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BasicAuth, PasswordChecker, parseBasicAuthorization } from '../../../src/metrics/web-config/basic-auth.js';
import { parseWebConfig } from '../../../src/metrics/web-config/config.js';
import { TESTDATA, readTestdata } from './testdata.js';

const basic = (credentials: string | Buffer) => `Basic ${Buffer.from(credentials).toString('base64')}`;
// Made with htpasswd -nBC 10; each user's password is NAME-password.
const users = parseWebConfig(readTestdata('users.good.yml'), TESTDATA).users;

afterEach(() => {
  vi.restoreAllMocks();
});

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
    const auth = new BasicAuth(users, new PasswordChecker());
    for (const user of ['alice', 'bob', 'carol']) expect(await auth.check(basic(`${user}:${user}-password`))).toBe('allowed');
    expect(await auth.check(basic('alice:bob-password'))).toBe('denied');
    expect(await auth.check(basic('alice:'))).toBe('denied');
    expect(await auth.check(basic('mallory:alice-password'))).toBe('denied');
    expect(await auth.check(undefined)).toBe('denied');
  });

  it('runs bcrypt once per credentials: later checks, right or wrong, come from the cache', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const auth = new BasicAuth(users, new PasswordChecker());
    for (let i = 0; i < 5; i++) {
      expect(await auth.check(basic('alice:alice-password'))).toBe('allowed');
      expect(await auth.check(basic('alice:wrong'))).toBe('denied');
    }
    expect(compare).toHaveBeenCalledTimes(2);
  });

  it('the cache outlives a reload, and a new hash for the user is checked anew', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const checker = new PasswordChecker();
    expect(await new BasicAuth(users, checker).check(basic('alice:alice-password'))).toBe('allowed');
    expect(await new BasicAuth(new Map(users), checker).check(basic('alice:alice-password'))).toBe('allowed');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(await new BasicAuth(new Map([['alice', users.get('bob')!]]), checker).check(basic('alice:alice-password'))).toBe('denied');
    expect(compare).toHaveBeenCalledTimes(2);
  });

  it('an unknown user costs a bcrypt like a known one, against a hash no password matches', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const auth = new BasicAuth(users, new PasswordChecker());
    expect(await auth.check(basic('mallory:x'))).toBe('denied');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.calls[0]![1]).toMatch(/^\$2y\$10\$/);
  });

  it('identical checks at once share one bcrypt; beyond 32 waiting, the rest are told busy', async () => {
    const compare = vi.spyOn(bcrypt, 'compare');
    const auth = new BasicAuth(users, new PasswordChecker());
    const same = await Promise.all(Array.from({ length: 5 }, () => auth.check(basic('alice:alice-password'))));
    expect(same).toEqual(Array(5).fill('allowed'));
    expect(compare).toHaveBeenCalledTimes(1);
    compare.mockImplementation(() => Promise.resolve(false));
    const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => auth.check(basic(`alice:guess${i}`))));
    expect(flood.filter((verdict) => verdict === 'denied')).toHaveLength(32);
    expect(flood.filter((verdict) => verdict === 'busy')).toHaveLength(8);
  });
});
