// The report's observer: every line's facts feed the same MetricsTally `hidlog count` exposes
// (the counts of codes, outcomes and lines), and beside it what only the report keeps: the time
// range, a timeline, first and last seen per code, and the top values of each `--by` field.
import { Catalog, type CodeKind } from '../catalog/catalog.js';
import { UNKNOWN_CATEGORY } from '../catalog/categories.js';
import type { BadLineReason } from '../core/bad-lines.js';
import { OUTCOMES, type Outcome } from '../core/outcome.js';
import type { DurationReading } from '../core/duration.js';
import type { FoundCodes } from '../core/extract.js';
import { MetricsTally, type CodeSeries } from '../count/tally.js';
import type { LineEvent, Observer } from '../pipeline/events.js';
import { factsReader, forEachFacts, isTrouble, type ByValue, type EncodedFacts, type FactsSetup, type FactsSink } from './facts.js';
import { HeavyHitters } from './heavy-hitters.js';
import { HeldRecords } from './held.js';
import { LatencyCounts } from './latency.js';
import { SeenSpans, type Span } from './seen.js';
import { MISSING_TIME } from '../core/record-time.js';
import { NO_REASON, Timeline, failureSeriesOf } from './timeline.js';
import { TimeWindow, type WindowBounds } from './window.js';
import type { Zone } from './zone.js';

export interface AggregatorOptions {
  facts: FactsSetup;
  /** The table codes are counted by (default: the vendor's). */
  catalog?: Catalog | undefined;
  zone: Zone;
  window?: WindowBounds | undefined;
  /** `--bucket`, in milliseconds; without it the width is chosen from the range. */
  bucket?: number | undefined;
  /** How many values of each `--by` field the report lists: the sketch keeps many more. */
  top: number;
  /** For a partial (to merge later): keeps many more codes outside the catalog, and of each `--by` value, so a merge can cap them as one pass would. */
  partial?: boolean | undefined;
}

/** A record a relative window has not decided on yet: its facts, with a time. */
type HeldRecord = { time: number } & ({ codes: FoundCodes; outcome: Outcome; by: ByValue[]; duration: DurationReading | undefined } | { codes?: undefined });

type Counted = Partial<Record<CodeKind, CodeSeries>>;

/** The durations of the records counted: by outcome, by code (the tally's series), and those that were no duration. */
export interface Latency {
  outcomes: Map<Outcome, LatencyCounts>;
  codes: Map<CodeSeries, LatencyCounts>;
  invalid: number;
}

/** The codes that made a `--by` value's failures and errors, while it was tracked. */
export interface CauseCounts {
  codes: Map<CodeSeries, { kind: CodeKind; count: number }>;
  /** Records whose code did not fit in `codes`. */
  otherCodes: number;
}

export interface ByField {
  path: string;
  values: HeavyHitters<CauseCounts>;
  /** Failures and errors without a value. */
  missing: number;
}

// Codes outside the catalog listed under their own number, per kind (as --max-unknown-codes).
const MAX_UNKNOWN_CODES = 100;
// Distinct codes kept per `--by` value.
const MAX_CAUSES = 16;
/** What a partial keeps of both: a merge is exact while no shard has more (then it says so). */
export const PARTIAL_MAX_UNKNOWN_CODES = 10_000;
export const PARTIAL_MAX_CAUSES = 256;
/** Values each `--by` sketch tracks: at least this many, and ten times the values listed. */
export const MIN_BY_CAPACITY = 1000;

const widen = (span: Span | undefined, time: number): Span => {
  if (!span) return { first: time, last: time };
  if (time < span.first) span.first = time;
  if (time > span.last) span.last = time;
  return span;
};

/** The code that made a failure or an error: its reason if it has one, else its response code or HTTP status; with the series it was counted in. */
function causeOf(codes: FoundCodes, outcome: Outcome, counted: Counted): [CodeKind, CodeSeries] | undefined {
  const cause: CodeKind | undefined =
    outcome === 'failure'
      ? codes.failure !== undefined
        ? 'failure'
        : codes.response !== undefined
          ? 'response'
          : undefined
      : codes.error !== undefined
        ? 'error'
        : codes.http !== undefined
          ? 'http'
          : undefined;
  return cause && [cause, counted[cause]!];
}

export class ReportAggregator implements Observer<EncodedFacts>, FactsSink {
  readonly tally: MetricsTally;
  readonly timeline: Timeline;
  readonly by: ByField[];
  readonly window: TimeWindow | undefined;
  /** First and last seen, per code (the tally's series). */
  readonly seen = new SeenSpans();
  readonly latency: Latency = { outcomes: new Map(), codes: new Map(), invalid: 0 };

  // The whole input.
  /** Records read (JSON objects), in the window or not. */
  records = 0;
  missingTime = 0;
  unparseableTime = 0;
  /** The times of every record read. */
  range: Span | undefined;
  // The window.
  /** Records with a time outside the window. */
  outside = 0;
  /** Records left out of a window because they have no time. */
  outsideWithoutTime = 0;
  /** The times of the records counted in a window. */
  windowRange: Span | undefined;
  /** Distinct codes kept per `--by` value. */
  readonly maxCauses: number;
  /** Whether it is read into a partial (`partial` in the options), not shown as a report. */
  readonly forPartial: boolean;
  /** The failure categories the timeline counts apart, and where each counts. */
  readonly failureSeries: readonly string[];
  readonly failureIndex: ReadonlyMap<string, number>;

  private readonly read: (event: LineEvent, sink: FactsSink) => void;
  private readonly held = new HeldRecords<HeldRecord>();
  // The series the tally counted the current record's codes in.
  private readonly counted: Counted = { http: undefined, error: undefined, failure: undefined, response: undefined };

  constructor(options: AggregatorOptions) {
    const catalog = options.catalog ?? Catalog.vendor;
    this.forPartial = options.partial === true;
    this.maxCauses = options.partial ? PARTIAL_MAX_CAUSES : MAX_CAUSES;
    this.tally = new MetricsTally({ labels: [], maxUnknownCodes: options.partial ? PARTIAL_MAX_UNKNOWN_CODES : MAX_UNKNOWN_CODES, maxLabelValues: 0, catalog });
    this.read = factsReader(options.facts);
    this.failureSeries = failureSeriesOf(catalog);
    this.failureIndex = new Map(this.failureSeries.map((category, i) => [category, i]));
    this.timeline = new Timeline(options.zone, options.bucket, this.failureSeries);
    this.window = options.window && (options.window.since || options.window.until) ? new TimeWindow(options.window) : undefined;
    const capacity = Math.max(MIN_BY_CAPACITY, options.top * 10);
    this.by = options.facts.by.map((path) => ({
      path: path.join('.'),
      values: new HeavyHitters<CauseCounts>(capacity, () => ({ codes: new Map(), otherCodes: 0 })),
      missing: 0,
    }));
  }

  line(event: LineEvent): void {
    this.read(event, this);
  }

  bytes(count: number): void {
    this.tally.bytes(count);
  }

  apply(encoded: EncodedFacts): void {
    forEachFacts(encoded, this.by.length, this);
  }

  annotated(time: number, codes: FoundCodes, outcome: Outcome, by: ByValue[], duration: DurationReading | undefined): void {
    if (this.window) return this.seeInWindow({ time, codes, outcome, by, duration });
    this.see(time);
    this.countAnnotated(time, codes, outcome, by, duration);
  }

  noCodes(time: number): void {
    if (this.window) return this.seeInWindow({ time });
    this.see(time);
    this.tally.countLine('no_codes');
  }

  badLine(reason: BadLineReason): void {
    if (reason === 'too_long') this.tally.countLine('too_long');
    else this.tally.countLine('invalid', reason);
  }

  /** Decides on the records a relative window still held; call once the input has ended. */
  async finish(): Promise<void> {
    const window = this.window;
    if (!window || this.held.size === 0) return;
    const final = this.range?.last ?? 0;
    await this.held.drain((record) => {
      if (window.includes(record.time, final)) this.count(record);
      else this.outside++;
    });
  }

  /** The times of the records counted. */
  get countedRange(): Span | undefined {
    return this.window ? this.windowRange : this.range;
  }

  /** Stops, without deciding on what is held (the run was interrupted before it could be). */
  discard(): void {
    this.held.discard();
  }

  /** A record read, in the window or not: its time. */
  private see(time: number): void {
    this.records++;
    if (time >= 0) this.range = widen(this.range, time);
    else if (time === MISSING_TIME) this.missingTime++;
    else this.unparseableTime++;
  }

  private seeInWindow(record: HeldRecord): void {
    const latest = this.range?.last;
    this.see(record.time);
    const { time } = record;
    if (time < 0) {
      this.outsideWithoutTime++;
      return;
    }
    const window = this.window!;
    const now = this.range!.last;
    const verdict = window.verdict(time, now);
    // A record that is in waits behind held ones, so records are counted in input order.
    if (verdict === 'in' && this.held.size === 0) this.count(record);
    else if (verdict === 'out') this.outside++;
    else this.held.push(record);
    if (latest !== undefined && time > latest && this.held.size > 0) {
      this.held.settle(
        (held) => window.verdict(held.time, now),
        (held) => this.count(held),
        () => this.outside++,
      );
    }
  }

  /** A record in the window. */
  private count(record: HeldRecord): void {
    this.windowRange = widen(this.windowRange, record.time);
    if (record.codes === undefined) this.tally.countLine('no_codes');
    else this.countAnnotated(record.time, record.codes, record.outcome, record.by, record.duration);
  }

  private countAnnotated(time: number, codes: FoundCodes, outcome: Outcome, by: ByValue[], duration: DurationReading | undefined): void {
    const counted = this.counted;
    this.tally.countRecord(codes, outcome, undefined, counted);
    if (duration !== undefined) this.countDuration(outcome, duration);
    if (time >= 0) {
      const { seen } = this;
      if (counted.http) seen.widen(counted.http, time);
      if (counted.error) seen.widen(counted.error, time);
      if (counted.failure) seen.widen(counted.failure, time);
      if (counted.response) seen.widen(counted.response, time);
      const failureSeries =
        outcome === 'failure'
          ? (this.failureIndex.get(counted.failure ? counted.failure.category : NO_REASON) ?? this.failureIndex.get(UNKNOWN_CATEGORY)!)
          : -1;
      this.timeline.add(time, OUTCOMES.indexOf(outcome), failureSeries);
    }
    if (this.by.length > 0 && isTrouble(outcome)) this.countBy(by, causeOf(codes, outcome, counted));
  }

  /** A record's duration, under its outcome and each code it was counted under (this.counted). */
  private countDuration(outcome: Outcome, duration: DurationReading): void {
    const { latency } = this;
    if (duration === 'invalid') {
      latency.invalid++;
      return;
    }
    latencyOf(latency.outcomes, outcome).observe(duration);
    for (const series of [this.counted.http, this.counted.error, this.counted.failure, this.counted.response])
      if (series) latencyOf(latency.codes, series).observe(duration);
  }

  private countBy(values: ByValue[], cause: [CodeKind, CodeSeries] | undefined): void {
    this.by.forEach((field, i) => {
      const value = values[i];
      if (value === null || value === undefined) {
        field.missing++;
        return;
      }
      const causes = field.values.add(value).payload;
      if (!cause) return;
      const [kind, series] = cause;
      const known = causes.codes.get(series);
      if (known) known.count++;
      else if (causes.codes.size < this.maxCauses) causes.codes.set(series, { kind, count: 1 });
      else causes.otherCodes++;
    });
  }
}

/** The durations counted under `key`, made empty on first use. */
export function latencyOf<K>(counts: Map<K, LatencyCounts>, key: K): LatencyCounts {
  let latency = counts.get(key);
  if (latency === undefined) counts.set(key, (latency = new LatencyCounts()));
  return latency;
}
