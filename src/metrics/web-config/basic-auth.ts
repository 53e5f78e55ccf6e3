import { isUtf8 } from 'node:buffer';
import { BcryptThread } from './bcrypt-thread.js';
import { BcryptCache } from './cache.js';
import { addressKey } from '../client-address.js';
import { FailureLimiter } from './failure-limiter.js';

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

// Checks waiting for the bcrypt thread beyond this, in all or from one client, are answered 429
// at once: each takes it ~70 ms (cost 10). Credentials already checked never wait (they are cached).
const MAX_WAITING = 32;
const MAX_WAITING_PER_CLIENT = 2;

/** Whether `password` matches the bcrypt `hash`. */
export type Compare = (password: string, hash: string) => Promise<boolean>;

/** A check's answer: 'busy' when too many wait already, 'throttled' when the client's address has failed too often. */
export type Match = boolean | 'busy' | 'throttled';

interface Check {
  password: string;
  hash: string;
  key: string;
  /** The client's address, as addressKey has it. */
  client: string | undefined;
  settle: (match: Match) => void;
}

export interface PasswordCheckerOptions {
  /** Where bcrypt runs: by default a worker thread of its own. */
  compare?: Compare;
  limiter?: FailureLimiter;
}

/**
 * Checks passwords against bcrypt hashes, on a worker thread: one bcrypt at a time (as
 * exporter-toolkit does, so a flood of wrong passwords takes one core, not all), identical checks
 * sharing one run, and every verdict cached. Each client address has a budget of checks that
 * failures spend (FailureLimiter) and at most 2 checks waiting; checks from a client that failed
 * lately run after the others, and make room for them when 32 wait. Lives as long as the server,
 * across reloads of the configuration.
 */
export class PasswordChecker {
  private readonly running = new Map<string, Promise<Match>>();
  private readonly waiting: Check[] = [];
  private busy = false;
  private readonly thread: BcryptThread | undefined;
  private readonly compare: Compare;
  private readonly limiter: FailureLimiter;
  private readonly cache = new BcryptCache();

  constructor(options: PasswordCheckerOptions = {}) {
    this.thread = options.compare ? undefined : new BcryptThread();
    this.compare = options.compare ?? this.thread!.compare;
    this.limiter = options.limiter ?? new FailureLimiter();
  }

  /** Whether `password` matches `hash`, for a client at `address` (when known). */
  matches(user: string, hash: string, password: string, address?: string): Promise<Match> | Match {
    const key = this.cache.key(user, hash, password);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const running = this.running.get(key);
    if (running) return running;
    const client = address === undefined ? undefined : addressKey(address);
    if (client !== undefined && this.waiting.filter((check) => check.client === client).length >= MAX_WAITING_PER_CLIENT) return 'busy';
    if (client !== undefined && !this.limiter.take(client)) return 'throttled';
    if (this.running.size >= MAX_WAITING) {
      // A client in good standing takes the place of the last one waiting that failed lately, if any.
      const bumped = this.failedLately(client) ? -1 : this.waiting.findLastIndex((check) => this.failedLately(check.client));
      if (bumped < 0) {
        this.giveBack(client);
        return 'busy';
      }
      const [check] = this.waiting.splice(bumped, 1);
      this.running.delete(check!.key);
      this.giveBack(check!.client);
      check!.settle('busy');
    }
    const check = new Promise<Match>((settle) => this.waiting.push({ password, hash, key, client, settle }));
    this.running.set(key, check);
    this.next();
    return check;
  }

  /** Stops the bcrypt thread: checks waiting, and any later, are denied. */
  async close(): Promise<void> {
    await this.thread?.close();
  }

  private giveBack(client: string | undefined): void {
    if (client !== undefined) this.limiter.giveBack(client);
  }

  private failedLately(client: string | undefined): boolean {
    return client !== undefined && this.limiter.hasFailed(client);
  }

  private next(): void {
    if (this.busy || this.waiting.length === 0) return;
    // The first waiting from a client in good standing (as it is now), else the first of all.
    const index = Math.max(
      0,
      this.waiting.findIndex((check) => !this.failedLately(check.client)),
    );
    const [check] = this.waiting.splice(index, 1) as [Check];
    this.busy = true;
    const done = (verdict: boolean) => {
      this.running.delete(check.key);
      this.busy = false;
      check.settle(verdict);
      this.next();
    };
    this.compare(check.password, check.hash).then(
      (verdict) => {
        this.cache.set(check.key, verdict);
        if (verdict) this.giveBack(check.client);
        else if (check.client !== undefined) this.limiter.failed(check.client);
        done(verdict);
      },
      // The thread failed (it is started anew for the next check): denied, and not remembered.
      () => {
        this.giveBack(check.client);
        done(false);
      },
    );
  }
}

export type Verdict = 'allowed' | 'denied' | 'busy' | 'throttled';

/** The basic_auth_users of one configuration. */
export class BasicAuth {
  constructor(
    private readonly users: ReadonlyMap<string, string>,
    private readonly checker: PasswordChecker,
  ) {}

  /** `address`: the client's, for its budget of failures. */
  async check(authorization: string | undefined, address?: string): Promise<Verdict> {
    const credentials = parseBasicAuthorization(authorization);
    if (!credentials) return 'denied';
    const hash = this.users.get(credentials.user);
    const matches = await this.checker.matches(credentials.user, hash ?? UNKNOWN_USER_HASH, credentials.password, address);
    if (matches === 'busy' || matches === 'throttled') return matches;
    return matches && hash !== undefined ? 'allowed' : 'denied';
  }
}
