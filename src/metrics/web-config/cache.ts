import { createHmac, randomBytes } from 'node:crypto';

/** As exporter-toolkit: enough for a few scrapers and users, small enough to cost nothing. */
const CAPACITY = 100;

/**
 * bcrypt verdicts already reached, so that a scrape every second costs one bcrypt, not one a
 * scrape. Keyed, like exporter-toolkit's cache, on the user, the hash and the password together:
 * a new hash for the user (a reloaded file) or another password is a new key. Unlike it, the key
 * is an HMAC under a key made at start, so no password is kept in memory and a lookup's timing
 * says nothing about the credentials; and matches and mismatches are kept apart, `capacity` of
 * each, so that a flood of wrong passwords never pushes out a scraper's verified credentials.
 * In each, the least recently used verdict makes room.
 */
export class BcryptCache {
  private readonly secret = randomBytes(32);
  private readonly matched = new Set<string>();
  private readonly mismatched = new Set<string>();

  constructor(private readonly capacity = CAPACITY) {}

  key(user: string, hash: string, password: string): string {
    return createHmac('sha256', this.secret)
      .update(JSON.stringify([user, hash, password]))
      .digest('base64');
  }

  get(key: string): boolean | undefined {
    for (const verdict of [true, false]) {
      const keys = this.keysOf(verdict);
      if (keys.delete(key)) {
        keys.add(key);
        return verdict;
      }
    }
    return undefined;
  }

  set(key: string, verdict: boolean): void {
    this.matched.delete(key);
    this.mismatched.delete(key);
    const keys = this.keysOf(verdict);
    if (keys.size >= this.capacity) keys.delete(keys.values().next().value!);
    keys.add(key);
  }

  get size(): number {
    return this.matched.size + this.mismatched.size;
  }

  private keysOf(verdict: boolean): Set<string> {
    return verdict ? this.matched : this.mismatched;
  }
}
