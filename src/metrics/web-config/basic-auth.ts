import { isUtf8 } from 'node:buffer';
import bcrypt from 'bcryptjs';
import { BcryptCache } from './cache.js';

export interface Credentials {
  user: string;
  password: string;
}

/** `Authorization: Basic base64(user:password)`, as Go's Request.BasicAuth reads it; undefined if it is not that. */
export function parseBasicAuthorization(header: string | undefined): Credentials | undefined {
  const match = /^basic (.*)$/is.exec(header ?? '');
  const encoded = match?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, 'base64');
  // bcryptjs hashes a string's UTF-8; other bytes could only match by being replaced.
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

// Checked for a user that does not exist, so that such a request costs what a real user's does
// and its timing does not tell which users exist. No password matches it.
const UNKNOWN_USER_HASH = '$2y$10$k5jBhKIa85EQnJhiWE9sT.2aDBs.eZU82Z80kZxfUKhJ4aFzJbD9u';

// Requests waiting for a bcrypt beyond this are answered 429 at once: each bcrypt takes a core
// for ~70 ms (cost 10), and credentials already checked never wait (they are cached).
const MAX_WAITING = 32;

/**
 * Checks passwords against bcrypt hashes: one bcrypt at a time (as exporter-toolkit does, so a
 * flood of wrong passwords takes one core, not all), identical checks sharing one run, and every
 * verdict cached. Lives as long as the server, across reloads of the configuration.
 */
export class PasswordChecker {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(private readonly cache = new BcryptCache()) {}

  /** Whether `password` matches `hash`; 'busy' when too many checks are waiting already. */
  matches(user: string, hash: string, password: string): Promise<boolean | 'busy'> | boolean | 'busy' {
    const key = this.cache.key(user, hash, password);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const running = this.running.get(key);
    if (running) return running;
    if (this.running.size >= MAX_WAITING) return 'busy';
    const check = this.queue
      .then(() => bcrypt.compare(password, hash))
      .then(
        (verdict) => {
          this.cache.set(key, verdict);
          return verdict;
        },
        () => false,
      )
      .finally(() => this.running.delete(key));
    this.queue = check;
    this.running.set(key, check);
    return check;
  }
}

export type Verdict = 'allowed' | 'denied' | 'busy';

/** The basic_auth_users of one configuration. */
export class BasicAuth {
  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly checker: PasswordChecker,
  ) {}

  async check(authorization: string | undefined): Promise<Verdict> {
    const credentials = parseBasicAuthorization(authorization);
    if (!credentials) return 'denied';
    const hash = this.users.get(credentials.user);
    const matches = await this.checker.matches(credentials.user, hash ?? UNKNOWN_USER_HASH, credentials.password);
    if (matches === 'busy') return 'busy';
    return matches && hash !== undefined ? 'allowed' : 'denied';
  }
}
