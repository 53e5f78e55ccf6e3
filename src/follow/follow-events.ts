/**
 * What happens while files are followed, told as it happens: the one seam between follow mode
 * and whoever counts it (the metrics side implements it: metrics/follow-stats.ts), as Vector's
 * file source tells its internal_events. No path in any of them: what an operator watches has no
 * label per file, by design. The lines read, and their bytes, go to the lines' own observer
 * (pipeline/events.ts), as in any run.
 */
export interface FollowEvents {
  /** Asked, whenever wanted, for the bytes written to the followed files and not read yet. */
  lagFrom(lag: () => number): void;
  /** After each look: the files followed, those of them held open, and how many may be held open (Infinity without a known limit). */
  following(files: number, open: number, openLimit: number): void;
  /** A followed file was renamed or deleted (it is read to its end), or renamed and still found by a pattern. */
  rotated(): void;
  /** A followed file was truncated in place (copytruncate), or found shorter than its saved position: read again from its start. */
  truncated(): void;
  /** Lines were read from a followed file, now. */
  linesRead(): void;
  /** A file could not be read or opened: said once, and retried. */
  readFailed(): void;
  /** A save of the state file was tried: the saves that failed so far, and why the last one did (undefined once one succeeds). */
  stateSaved(failures: number, failure: string | undefined): void;
}
