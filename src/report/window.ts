// --since / --until: a time, or a duration before the latest record. The window is half-open,
// [since, until), so consecutive windows count each record once.
//
// In one pass the latest record is known only at the end, so a relative bound is decided late:
// the latest time seen so far only grows, which makes some verdicts certain early (a record more
// than `--since` before it can never be in the window; one more than `--until` before it always
// satisfies that bound), and leaves the rest pending until the input ends (HeldRecords).

/** An instant, or a duration before the latest record. */
export type Bound = { at: number } | { before: number };

export interface WindowBounds {
  since?: Bound | undefined;
  until?: Bound | undefined;
}

export type Verdict = 'in' | 'out' | 'pending';

/** A bound made absolute by the latest record's time. */
const instantOf = (bound: Bound, latest: number) => ('at' in bound ? bound.at : latest - bound.before);

export class TimeWindow {
  constructor(readonly bounds: WindowBounds) {}

  /** Whether any bound depends on the latest record. */
  get relative(): boolean {
    const { since, until } = this.bounds;
    return (since !== undefined && 'before' in since) || (until !== undefined && 'before' in until);
  }

  /** Where a record at `time` stands, while the latest record seen so far is at `latest`. */
  verdict(time: number, latest: number): Verdict {
    const { since, until } = this.bounds;
    let certain = true;
    if (since) {
      if (time < instantOf(since, latest)) return 'out';
      // The latest record may still move the start past this one.
      if ('before' in since) certain = false;
    }
    if (until) {
      const end = instantOf(until, latest);
      if (time >= end) {
        if ('at' in until) return 'out';
        certain = false;
      }
    }
    return certain ? 'in' : 'pending';
  }

  /** Whether a record at `time` is in the window, once the latest record of the whole input is known. */
  includes(time: number, latest: number): boolean {
    const { since, until } = this.bounds;
    return (!since || time >= instantOf(since, latest)) && (!until || time < instantOf(until, latest));
  }

  /** The window's bounds once the latest record of the whole input is known. */
  resolve(latest: number): { since?: number; until?: number } {
    const { since, until } = this.bounds;
    return {
      ...(since ? { since: instantOf(since, latest) } : {}),
      ...(until ? { until: instantOf(until, latest) } : {}),
    };
  }
}
