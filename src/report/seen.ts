// First and last seen, per series of a tally: in arrays by the series' id, so a record costs
// two loads and at most two stores, and no look-up or allocation.
import type { CodeSeries } from '../count/tally.js';

export interface Span {
  first: number;
  last: number;
}

export class SeenSpans {
  // NaN where a series was never seen with a time.
  private first = new Float64Array(256).fill(Number.NaN);
  private last = new Float64Array(256).fill(Number.NaN);

  /** Widens the span of `series` to `time`. */
  widen(series: CodeSeries, time: number): void {
    const { id } = series;
    if (id >= this.first.length) this.grow(id);
    // Written so that NaN (not seen yet) gives way.
    if (!(this.first[id]! <= time)) this.first[id] = time;
    if (!(this.last[id]! >= time)) this.last[id] = time;
  }

  /** When `series` was first and last seen; undefined if never with a time. */
  of(series: CodeSeries): Span | undefined {
    const first = this.first[series.id];
    return first === undefined || Number.isNaN(first) ? undefined : { first, last: this.last[series.id]! };
  }

  private grow(id: number): void {
    const grown = (from: Float64Array) => {
      const to = new Float64Array(Math.max(from.length * 2, id + 1)).fill(Number.NaN);
      to.set(from);
      return to;
    };
    this.first = grown(this.first);
    this.last = grown(this.last);
  }
}
