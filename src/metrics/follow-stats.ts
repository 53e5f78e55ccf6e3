import type { FollowEvents } from '../follow/follow-events.js';

/** Follow mode's numbers, as its events (follow/follow-events.ts) leave them: what an operator watches on /metrics (registry.ts). */
export class FollowStats implements FollowEvents {
  files = 0;
  /** Followed files held open now: fewer than `files` when the descriptor budget binds. */
  openFiles = 0;
  /** Followed files held open at most (follow/descriptor-budget.ts); Infinity without a known limit. */
  openFilesLimit = Infinity;
  rotations = 0;
  truncations = 0;
  lastLineSeconds = 0;
  readErrors = 0;
  /** State file saves that failed; `stateFailure` says why the last one did, until one succeeds. */
  stateSaveErrors = 0;
  stateFailure: string | undefined;
  /** Bytes written to the followed files and not read yet, asked of the follower at each scrape. */
  private lag: () => number = () => 0;

  get lagBytes(): number {
    return this.lag();
  }

  lagFrom(lag: () => number): void {
    this.lag = lag;
  }

  following(files: number, open: number, openLimit: number): void {
    this.files = files;
    this.openFiles = open;
    this.openFilesLimit = openLimit;
  }

  rotated(): void {
    this.rotations++;
  }

  truncated(): void {
    this.truncations++;
  }

  linesRead(): void {
    this.lastLineSeconds = Date.now() / 1000;
  }

  readFailed(): void {
    this.readErrors++;
  }

  stateSaved(failures: number, failure: string | undefined): void {
    this.stateSaveErrors = failures;
    this.stateFailure = failure;
  }
}
