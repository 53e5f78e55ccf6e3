import { afterAll, describe, expect, it } from 'vitest';
// The built thread: it runs the built bcrypt-worker.js (`npm test` builds first).
import { BcryptThread } from '../../../dist/metrics/web-config/bcrypt-thread.js';
import { parseWebConfig } from '../../../src/metrics/web-config/config.js';
import { TESTDATA, readTestdata } from './testdata.js';

// Made with htpasswd -nBC 10; each user's password is NAME-password.
const users = parseWebConfig(readTestdata('users.good.yml'), TESTDATA).users;
const thread = new BcryptThread();
afterAll(() => thread.close());

describe('BcryptThread', () => {
  it('compares on a worker thread: htpasswd hashes match their password and nothing else; a hash it cannot read matches nothing', async () => {
    const checks = await Promise.all([
      thread.compare('alice-password', users.get('alice')!),
      thread.compare('bob-password', users.get('bob')!),
      thread.compare('alice-password', users.get('bob')!),
      thread.compare('', users.get('carol')!),
      thread.compare('x', 'not a hash'),
    ]);
    expect(checks).toEqual([true, true, false, false, false]);
  });

  it('leaves this thread free: its event loop keeps turning while a bcrypt runs', async () => {
    let done = false;
    const compared = thread.compare('alice-password', users.get('alice')!).finally(() => (done = true));
    let turns = 0;
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(await compared).toBe(true);
    // bcrypt on this thread would answer in 0 turns (or a few, in bcryptjs's async chunks).
    expect(turns).toBeGreaterThan(100);
  });

  it('after close, comparisons fail and no thread is started again', async () => {
    const closing = new BcryptThread();
    const held = closing.compare('carol-password', users.get('carol')!);
    await closing.close();
    await expect(held).rejects.toThrow(/exit code/);
    await expect(closing.compare('carol-password', users.get('carol')!)).rejects.toThrow('the bcrypt thread is closed');
  });
});
