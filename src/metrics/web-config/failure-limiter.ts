import { addressKey } from '../client-address.js';

// Each client address may fail this many password checks in a row, then one more every
// REFILL_MS: a flood of guesses from one address costs one bcrypt every 5 s, not one a request.
const BURST = 10;
const REFILL_MS = 5000;
/** What a client over its budget is told to wait, in seconds (Retry-After): one refill. */
export const RETRY_AFTER_SECONDS = REFILL_MS / 1000;
// Addresses remembered; beyond, the one least recently heard from is forgotten.
const MAX_ADDRESSES = 10_000;

interface Budget {
  tokens: number;
  at: number;
  /** A check failed since the budget was last full. */
  failed: boolean;
}

/**
 * Who may have a password checked: a budget of bcrypt checks per client address, spent by each
 * check and given back when it succeeds, so a failing client is slowed and a succeeding one never.
 * Clients are told apart by addressKey (IPv6 per /64).
 */
export class FailureLimiter {
  private readonly budgets = new Map<string, Budget>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Spends one check for `address`; false when its budget is spent (nothing is spent then). */
  take(address: string): boolean {
    const key = addressKey(address);
    const tokens = this.tokens(key);
    if (tokens < 1) return false;
    const failed = this.budgets.get(key)?.failed ?? false;
    this.budgets.delete(key);
    this.budgets.set(key, { tokens: tokens - 1, at: this.now(), failed });
    if (this.budgets.size > MAX_ADDRESSES) this.budgets.delete(this.budgets.keys().next().value!);
    return true;
  }

  /** Gives back a check taken that did not fail: its password matched, or it never ran. */
  giveBack(address: string): void {
    const budget = this.budgets.get(addressKey(address));
    if (budget) budget.tokens = Math.min(BURST, budget.tokens + 1);
  }

  /** Marks the check taken as failed: the address waits behind others until its budget is full again. */
  failed(address: string): void {
    const budget = this.budgets.get(addressKey(address));
    if (budget) budget.failed = true;
  }

  /** Whether a check from `address` failed lately. */
  hasFailed(address: string): boolean {
    const key = addressKey(address);
    this.tokens(key);
    return this.budgets.get(key)?.failed ?? false;
  }

  private tokens(key: string): number {
    const budget = this.budgets.get(key);
    if (!budget) return BURST;
    const tokens = Math.min(BURST, budget.tokens + (this.now() - budget.at) / REFILL_MS);
    if (tokens === BURST) this.budgets.delete(key);
    return tokens;
  }
}
