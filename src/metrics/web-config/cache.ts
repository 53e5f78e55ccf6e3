import { createHmac, randomBytes } from 'node:crypto';

/** As exporter-toolkit: enough for a few scrapers and users, small enough to cost nothing. */
const CAPACITY = 100;

/**
 * bcrypt verdicts already reached, so that a scrape every second costs one bcrypt, not one a
 * scrape. Keyed, like exporter-toolkit's cache, on the user, the hash and the password together:
 * a new hash for the user (a reloaded file) or another password is a new key. Unlike it, the key
 * is an HMAC under a key made at start, so no password is kept in memory and a lookup's timing
 * says nothing about the credentials. The least recently used verdict makes room.
 */
export class BcryptCache {
  private readonly secret = randomBytes(32);
  private readonly verdicts = new Map<string, boolean>();

  constructor(private readonly capacity = CAPACITY) {}

  key(user: string, hash: string, password: string): string {
    return createHmac('sha256', this.secret).update(JSON.stringify([user, hash, password])).digest('base64');
  }

  get(key: string): boolean | undefined {
    const verdict = this.verdicts.get(key);
    if (verdict !== undefined) {
      this.verdicts.delete(key);
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  set(key: string, verdict: boolean): void {
    this.verdicts.delete(key);
    if (this.verdicts.size >= this.capacity) this.verdicts.delete(this.verdicts.keys().next().value!);
    this.verdicts.set(key, verdict);
  }

  get size(): number {
    return this.verdicts.size;
  }
}
