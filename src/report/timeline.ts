// Counts per time bucket, per outcome and per failure category. The bucket width is chosen
// from the time range, which one pass knows only at the end: counts are kept in fine buckets
// that merge into wider ones whenever the range grows past a bound, so memory stays bounded.
import { Catalog } from '../catalog/catalog.js';
import { UNKNOWN_CATEGORY } from '../catalog/categories.js';
import { OUTCOMES, type Outcome } from '../core/outcome.js';
import type { Zone } from './zone.js';

/** The category of a failure that has no `hid_failure` reason (a response code 2 alone). */
export const NO_REASON = 'no_reason';
/** The failure categories a timeline counts apart: the catalog's (a site's own included), then unknown and no reason. */
export const failureSeriesOf = (catalog: Catalog): readonly string[] => [...Object.keys(catalog.categories('failure')), UNKNOWN_CATEGORY, NO_REASON];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The widths a report chooses from, each a multiple of the one before (so buckets merge exactly). */
export const BUCKET_LADDER = [
  SECOND,
  5 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  7 * DAY,
];
/** The most buckets a chosen width gives (a sparkline fits a terminal line). */
export const MAX_CHOSEN_BUCKETS = 60;
// The most buckets kept while reading; weeks between 2000 and 2100 (the times accepted) fit.
// The buckets kept are never this many apart, so each has a slot of its own at its index modulo this.
const MAX_KEPT_BUCKETS = 8192;
// Buckets are counted in wall-clock time from a Monday midnight: days start at midnight and
// weeks on Monday in the report's zone.
const ORIGIN = Date.UTC(1999, 11, 27);

const emptySlots = (): (Float64Array | undefined)[] => new Array<Float64Array | undefined>(MAX_KEPT_BUCKETS).fill(undefined);

/** The smallest width in `ladder` (from `from`) that covers wall times [first, last] in at most `most` buckets. */
export function chooseWidth(first: number, last: number, ladder: readonly number[] = BUCKET_LADDER, most = MAX_CHOSEN_BUCKETS): number {
  const count = (width: number) => Math.floor((last - ORIGIN) / width) - Math.floor((first - ORIGIN) / width) + 1;
  return ladder.find((width) => count(width) <= most) ?? ladder[ladder.length - 1]!;
}

/** The start of the bucket of `width` that holds wall time `wall`. */
export const bucketStart = (wall: number, width: number) => ORIGIN + Math.floor((wall - ORIGIN) / width) * width;

export interface TimelineData {
  /** The bucket width in milliseconds. */
  bucket: number;
  /** Each bucket's start, an instant. */
  starts: number[];
  outcomes: Record<Outcome, number[]>;
  /** Failures by category, the categories that have any, most first. */
  failureCategories: { category: string; counts: number[] }[];
  /** The `--bucket` asked for, when the range was too long for it and a wider one was used. */
  widened?: number;
}

export class Timeline {
  private readonly ladder: number[];
  private width: number;
  // Each bucket's counts, at its slot; `first` and `last` are the indexes of the buckets kept.
  private slots: (Float64Array | undefined)[] = emptySlots();
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private lastIndex = Number.NaN;
  private lastCell: Float64Array = new Float64Array(0);

  private readonly seriesCount: number;

  /** `asked`: the `--bucket` width; without it the width is chosen from the range at the end. */
  constructor(
    private readonly zone: Zone,
    private readonly asked?: number,
    private readonly failureSeries: readonly string[] = failureSeriesOf(Catalog.vendor),
  ) {
    this.seriesCount = OUTCOMES.length + failureSeries.length;
    this.ladder = asked === undefined ? BUCKET_LADDER : Array.from({ length: 40 }, (_, i) => asked * 2 ** i);
    this.width = this.ladder[0]!;
  }

  /** One record at `time`: its outcome, and for a failure its category's index in the failure series (else -1). */
  add(time: number, outcome: number, failureSeries: number): void {
    const wall = time + this.zone.offsetAt(time) - ORIGIN;
    let index = Math.floor(wall / this.width);
    // Records in a row mostly fall in one bucket: the last one is tried first.
    let cell = this.lastCell;
    if (index !== this.lastIndex) {
      if (Math.max(this.last, index) - Math.min(this.first, index) >= MAX_KEPT_BUCKETS) {
        this.widen(Math.min(this.first, index), Math.max(this.last, index));
        index = Math.floor(wall / this.width);
      }
      cell = this.cellAt(index);
      this.lastIndex = index;
      this.lastCell = cell;
    }
    cell[outcome]!++;
    if (failureSeries >= 0) cell[OUTCOMES.length + failureSeries]!++;
  }

  /** The buckets kept: their width and, for each, its index (from the origin, in wall time) and counts (outcomes, then the failure series). */
  kept(): { width: number; buckets: [number, number[]][] } {
    return { width: this.width, buckets: [...this.cells()].map(([index, counts]) => [index, [...counts]]) };
  }

  /**
   * Widens at once to what buckets of `width` from index `first` to `last` (another timeline's,
   * see addBucket) need, so adding them widens no more: merging many timelines then re-cuts the
   * buckets kept once, not at each. False if the ladder has no multiple of `width`.
   */
  reserve(width: number, first: number, last: number): boolean {
    let target = this.ladder.find((w) => w >= this.width && w % width === 0);
    if (target === undefined) return false;
    const empty = this.first > this.last;
    const fits = (to: number) => {
      const at = (index: number, from: number) => Math.floor((index * from) / to);
      const low = empty ? at(first, width) : Math.min(at(first, width), at(this.first, this.width));
      const high = empty ? at(last, width) : Math.max(at(last, width), at(this.last, this.width));
      return high - low < MAX_KEPT_BUCKETS;
    };
    while (!fits(target)) {
      target = this.ladder[this.ladder.indexOf(target) + 1];
      if (target === undefined) return false;
    }
    if (target !== this.width) this.widenTo(target);
    return true;
  }

  /**
   * For a timeline that is only shown (a merge's report, not a partial) with its width chosen from
   * the range (no --bucket): widens at once to the width data() will choose for buckets of `width`
   * from `first` to `last` (every timeline a merge adds, as in reserve), and the buckets kept so
   * far. That width is a multiple of every one of theirs, and no finer one covers their range in
   * the buckets a report shows, so the report is the same; adding their buckets then fills the few
   * shown instead of the thousands kept, and data() re-cuts nothing.
   */
  settle(spans: readonly { width: number; first: number; last: number }[]): void {
    if (this.asked !== undefined || spans.length === 0) return;
    const kept = this.first <= this.last;
    let finest = this.width;
    let firstWall = kept ? ORIGIN + this.first * this.width : Number.POSITIVE_INFINITY;
    let lastWall = kept ? ORIGIN + this.last * this.width : Number.NEGATIVE_INFINITY;
    for (const { width, first, last } of spans) {
      finest = Math.max(finest, width);
      firstWall = Math.min(firstWall, ORIGIN + first * width);
      lastWall = Math.max(lastWall, ORIGIN + last * width);
    }
    const width = chooseWidth(
      firstWall,
      lastWall,
      BUCKET_LADDER.filter((w) => w >= finest),
    );
    if (width > this.width && width % this.width === 0) this.widenTo(width);
  }

  /**
   * Adds a bucket another timeline kept (a report's partial, cut in this zone): `index` in
   * buckets of `width`, counts in this timeline's series. The buckets kept widen to a multiple of
   * `width` first, so the result is what one timeline of both inputs keeps; false if the ladder
   * has no multiple of `width` (buckets finer than the partial's cannot be made). `place`: where
   * each of `counts` counts among this timeline's series, when they are not in its order.
   */
  addBucket(width: number, index: number, counts: ArrayLike<number>, place?: ArrayLike<number>): boolean {
    if (this.width % width !== 0) {
      const wider = this.ladder.find((w) => w >= this.width && w % width === 0);
      if (wider === undefined) return false;
      this.widenTo(wider);
    }
    let at = Math.floor((index * width) / this.width);
    if (Math.max(this.last, at) - Math.min(this.first, at) >= MAX_KEPT_BUCKETS) {
      this.widen(Math.min(this.first, at), Math.max(this.last, at));
      at = Math.floor((index * width) / this.width);
    }
    const cell = this.cellAt(at);
    if (place === undefined) for (let i = 0; i < this.seriesCount; i++) cell[i]! += counts[i]!;
    else for (let i = 0; i < counts.length; i++) cell[place[i]!]! += counts[i]!;
    this.lastIndex = Number.NaN;
    return true;
  }

  /** The counts of the bucket at `index`, which is less than MAX_KEPT_BUCKETS from every bucket kept. */
  private cellAt(index: number): Float64Array {
    const slot = index % MAX_KEPT_BUCKETS;
    let cell = this.slots[slot];
    if (cell === undefined) {
      cell = this.slots[slot] = new Float64Array(this.seriesCount);
      if (index < this.first) this.first = index;
      if (index > this.last) this.last = index;
    }
    return cell;
  }

  /** The buckets kept, in order, with their indexes. */
  private *cells(): Generator<[number, Float64Array]> {
    for (let index = this.first; index <= this.last; index++) {
      const cell = this.slots[index % MAX_KEPT_BUCKETS];
      if (cell) yield [index, cell];
    }
  }

  /** Merges the buckets into the next wider width, and wider, until `first` to `last` (in buckets of the current width) fit. */
  private widen(first: number, last: number): void {
    const from = this.width;
    let width = from;
    const at = (index: number, to: number) => Math.floor((index * from) / to);
    while (at(last, width) - at(first, width) >= MAX_KEPT_BUCKETS) width = this.ladder[this.ladder.indexOf(width) + 1]!;
    this.widenTo(width);
  }

  /** Merges the buckets kept into buckets of `width`, a multiple of the current one. */
  private widenTo(width: number): void {
    const from = this.width;
    const at = (index: number, to: number) => Math.floor((index * from) / to);
    const kept = [...this.cells()];
    this.slots = emptySlots();
    this.width = width;
    this.first = Number.POSITIVE_INFINITY;
    this.last = Number.NEGATIVE_INFINITY;
    this.lastIndex = Number.NaN;
    for (const [index, counts] of kept) {
      const into = this.cellAt(at(index, width));
      for (let i = 0; i < this.seriesCount; i++) into[i]! += counts[i]!;
    }
  }

  /** The buckets to show: at the asked width (or wider if the range needed it), else one chosen from the range. */
  data(): TimelineData | undefined {
    if (this.first > this.last) return undefined;
    const firstWall = ORIGIN + this.first * this.width;
    const lastWall = ORIGIN + this.last * this.width;
    const width =
      this.asked === undefined
        ? chooseWidth(
            firstWall,
            lastWall,
            BUCKET_LADDER.filter((w) => w >= this.width),
          )
        : this.width;
    const start = bucketStart(firstWall, width);
    const count = (bucketStart(lastWall, width) - start) / width + 1;
    const sums = Array.from({ length: this.seriesCount }, () => new Array<number>(count).fill(0));
    for (const [index, counts] of this.cells()) {
      const bucket = (bucketStart(ORIGIN + index * this.width, width) - start) / width;
      for (let i = 0; i < this.seriesCount; i++) sums[i]![bucket]! += counts[i]!;
    }
    const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    const failureCategories = this.failureSeries
      .map((category, i) => ({ category, counts: sums[OUTCOMES.length + i]! }))
      .filter((series) => total(series.counts) > 0)
      .sort((a, b) => total(b.counts) - total(a.counts) || (a.category < b.category ? -1 : 1));
    return {
      bucket: width,
      starts: Array.from({ length: count }, (_, i) => this.zone.instantOf(start + i * width)),
      outcomes: Object.fromEntries(OUTCOMES.map((outcome, i) => [outcome, sums[i]!])) as Record<Outcome, number[]>,
      failureCategories,
      ...(this.asked !== undefined && width !== this.asked ? { widened: this.asked } : {}),
    };
  }
}
