// A report's partial: everything a report is built from, as data (format `hidlog-partial`,
// version 1, documented in docs/report.md), so a report can be read per shard and the shards
// merged into the report one pass over all of them gives. Counts add up; first and last seen
// and time ranges take the extremes; timeline buckets are kept at the finest width the shard's
// range allowed and re-cut at merge; the --by sketches merge as Space-Saving summaries do.
import { CODE_KINDS, type CodeKind } from '../catalog/catalog.js';
import { OUTCOMES } from '../core/outcome.js';
import { OVERFLOW_VALUE } from '../count/capped-values.js';
import type { CodeSeries } from '../count/tally.js';
import { PARTIAL_MAX_CAUSES, PARTIAL_MAX_UNKNOWN_CODES, latencyOf, type CauseCounts, type ReportAggregator } from './aggregator.js';
import { formatDuration } from './duration.js';
import type { Span } from './seen.js';

export const PARTIAL_FORMAT = 'hidlog-partial';
export const PARTIAL_VERSION = 1;

/** An instant in milliseconds since the epoch, or null for none. */
type Time = number | null;

/** A code as counted: its number (or `other` past the cap), category, whether the catalog has it, count, first and last seen. */
export type PartialCode = [code: string, category: string, known: boolean, count: number, first: Time, last: Time];
/** A `--by` value: its count and possible overcount, its codes (first seen first) and the count of codes past those kept. */
export type PartialByValue = [
  value: string,
  count: number,
  error: number,
  codes: [kind: CodeKind, code: string, category: string, count: number][],
  otherCodes: number,
];

/** Durations as counted in the report's log-linear buckets: [bucket (µs, its upper bound), count], smallest first. */
export type PartialBuckets = [bucket: number, count: number][];

/** What decides what a report counts: partials merge only when these agree. */
export interface PartialSetup {
  timeZone: string;
  /** `--time-field`s as given (none: the built-in list). */
  timeFields: string[];
  by: string[];
  /** `--bucket` in milliseconds, or null. */
  bucket: number | null;
  /** An absolute `--since` / `--until`: as typed, and the instant. */
  since: { asked: string; at: number } | null;
  until: { asked: string; at: number } | null;
}

export interface Partial {
  format: typeof PARTIAL_FORMAT;
  version: typeof PARTIAL_VERSION;
  hidlog: string;
  setup: PartialSetup;
  input: {
    files: string[];
    unreadable: number;
    bytes: number;
    records: number;
    missingTime: number;
    unparseableTime: number;
    first: Time;
    last: Time;
    /** Bad lines by reason, `too_long` among them. */
    badLines: Record<string, number>;
  };
  /** The records counted (in the window, if there is one). */
  counted: { annotated: number; noCodes: number; first: Time; last: Time; outside: number; withoutTime: number };
  outcomes: Record<string, number>;
  /** Per kind, in the order the codes were first seen (which decides the codes outside the catalog that are listed by number). */
  codes: Record<CodeKind, PartialCode[]>;
  /** Buckets of `width` ms from a Monday midnight in wall time, each with its counts by outcome then failure category (trailing zeros left out). */
  timeline: { width: number; outcomes: string[]; failureCategories: string[]; buckets: [index: number, counts: number[]][] } | null;
  /** `sketch`: values each field's sketch held. */
  by: { path: string; sketch: number; missing: number; total: number; replacements: number; values: PartialByValue[] }[];
  /** Durations by outcome and by code (as in `codes`); absent when no record counted had a duration field. */
  latency?: { invalid: number; outcomes: Record<string, PartialBuckets>; codes: Record<CodeKind, [code: string, category: string, buckets: PartialBuckets][]> };
}

/** What a merge could not make exactly as one pass would: one line each. */
export type MergeNotes = Set<string>;

const time = (at: number | undefined): Time => (at === undefined ? null : at);

function withoutTrailingZeros(counts: number[]): number[] {
  let end = counts.length;
  while (end > 0 && counts[end - 1] === 0) end--;
  return counts.slice(0, end);
}

/** The partial of a finished run (after `aggregator.finish()`). */
export function partialOf(aggregator: ReportAggregator, setup: PartialSetup, context: { files: string[]; unreadable: number; version: string }): Partial {
  const { tally } = aggregator;
  const badLines: Record<string, number> = Object.fromEntries(tally.invalidReasons);
  if (tally.lines.too_long > 0) badLines.too_long = tally.lines.too_long;
  const codeOf = (kind: CodeKind, series: CodeSeries): PartialCode => {
    const span = aggregator.seen.of(series);
    const known = series.code !== OVERFLOW_VALUE && tally.catalog.lookup(kind, Number(series.code)).known;
    return [series.code, series.category, known, series.count, time(span?.first), time(span?.last)];
  };
  const kept = aggregator.timeline.kept();
  const counted = aggregator.countedRange;
  const { latency } = aggregator;
  const hasLatency = latency.outcomes.size > 0 || latency.invalid > 0;
  return {
    format: PARTIAL_FORMAT,
    version: PARTIAL_VERSION,
    hidlog: context.version,
    setup,
    input: {
      files: context.files,
      unreadable: context.unreadable,
      bytes: tally.bytesRead,
      records: aggregator.records,
      missingTime: aggregator.missingTime,
      unparseableTime: aggregator.unparseableTime,
      first: time(aggregator.range?.first),
      last: time(aggregator.range?.last),
      badLines,
    },
    counted: {
      annotated: tally.lines.annotated,
      noCodes: tally.lines.no_codes,
      first: time(counted?.first),
      last: time(counted?.last),
      outside: aggregator.outside,
      withoutTime: aggregator.outsideWithoutTime,
    },
    outcomes: Object.fromEntries(tally.outcomes),
    codes: Object.fromEntries(
      CODE_KINDS.map((kind) => [kind, [...tally.series[kind].values()].filter((s) => s.count > 0).map((s) => codeOf(kind, s))]),
    ) as Record<CodeKind, PartialCode[]>,
    timeline:
      kept.buckets.length === 0
        ? null
        : {
            width: kept.width,
            outcomes: [...OUTCOMES],
            failureCategories: [...aggregator.failureSeries],
            buckets: kept.buckets.map(([index, counts]) => [index, withoutTrailingZeros(counts)]),
          },
    by: aggregator.by.map((field) => ({
      path: field.path,
      sketch: field.values.capacity,
      missing: field.missing,
      total: field.values.total,
      replacements: field.values.replacements,
      values: field.values
        .hitters()
        .map(
          (h): PartialByValue => [
            h.value,
            h.count,
            h.error,
            [...h.payload.codes].map(([series, cause]) => [cause.kind, series.code, series.category, cause.count]),
            h.payload.otherCodes,
          ],
        ),
    })),
    ...(hasLatency
      ? {
          latency: {
            invalid: latency.invalid,
            outcomes: Object.fromEntries(
              OUTCOMES.flatMap((outcome) => (latency.outcomes.has(outcome) ? [[outcome, latency.outcomes.get(outcome)!.pairs()]] : [])),
            ),
            codes: Object.fromEntries(
              CODE_KINDS.map((kind) => [
                kind,
                [...tally.series[kind].values()].flatMap((s) =>
                  latency.codes.has(s) ? [[s.code, s.category, latency.codes.get(s)!.pairs()] as [string, string, PartialBuckets]] : [],
                ),
              ]),
            ) as Record<CodeKind, [string, string, PartialBuckets][]>,
          },
        }
      : {}),
  };
}

const widen = (span: Span | undefined, first: Time, last: Time): Span | undefined => {
  if (first === null || last === null) return span;
  if (!span) return { first, last };
  return { first: Math.min(span.first, first), last: Math.max(span.last, last) };
};

/**
 * Adds partials, in order, to an aggregator made with their setup, as if their inputs were read
 * one after another. Throws (one line) when a timeline cannot be cut as the aggregator's is; what
 * can be added only approximately is said in `notes`.
 */
export function absorbPartials(aggregator: ReportAggregator, partials: { partial: Partial; name: string; leftOut?: boolean }[], notes: MergeNotes): void {
  const counted = partials.filter((p) => !p.leftOut);
  // The timeline widens once, to what all of them need (and, for a report, to what it shows).
  const spans: { width: number; first: number; last: number }[] = [];
  for (const { partial, name } of counted) {
    const timeline = partial.timeline;
    if (!timeline) continue;
    const span = { width: timeline.width, first: timeline.buckets[0]![0], last: timeline.buckets[timeline.buckets.length - 1]![0] };
    if (!aggregator.timeline.reserve(span.width, span.first, span.last)) throw new Error(timelineMismatch(name, timeline.width));
    spans.push(span);
  }
  if (!aggregator.forPartial) aggregator.timeline.settle(spans);
  for (const { partial, name, leftOut } of partials) {
    if (leftOut) absorbLeftOut(aggregator, partial);
    else absorbPartial(aggregator, partial, name, notes);
  }
}

/** What a partial's input adds whether its records are counted or not. */
function absorbInput(aggregator: ReportAggregator, { input }: Partial): void {
  const { tally } = aggregator;
  aggregator.records += input.records;
  aggregator.missingTime += input.missingTime;
  aggregator.unparseableTime += input.unparseableTime;
  aggregator.range = widen(aggregator.range, input.first, input.last);
  tally.bytes(input.bytes);
  for (const [reason, count] of Object.entries(input.badLines)) {
    if (reason === 'too_long') tally.lines.too_long += count;
    else {
      tally.lines.invalid += count;
      tally.invalidReasons.set(reason, (tally.invalidReasons.get(reason) ?? 0) + count);
    }
  }
}

/** A partial a window applied at the merge leaves out whole: its records are outside it, or without a time. */
function absorbLeftOut(aggregator: ReportAggregator, partial: Partial): void {
  absorbInput(aggregator, partial);
  const untimed = partial.input.missingTime + partial.input.unparseableTime;
  aggregator.outside += partial.input.records - untimed;
  aggregator.outsideWithoutTime += untimed;
}

const timelineMismatch = (name: string, width: number) =>
  `${name}: keeps timeline buckets of ${formatDuration(width)}, which the timeline's bucket is not a multiple of`;

function absorbPartial(aggregator: ReportAggregator, partial: Partial, name: string, notes: MergeNotes): void {
  const { tally, seen } = aggregator;
  const { counted } = partial;
  absorbInput(aggregator, partial);
  aggregator.outside += counted.outside;
  aggregator.outsideWithoutTime += counted.withoutTime;
  aggregator.windowRange = widen(aggregator.windowRange, counted.first, counted.last);
  tally.lines.annotated += counted.annotated;
  tally.lines.no_codes += counted.noCodes;
  for (const [outcome, count] of Object.entries(partial.outcomes)) tally.outcomes.set(outcome, (tally.outcomes.get(outcome) ?? 0) + count);

  // Codes first, in the order the shard first saw them: codes outside the catalog are capped as one pass would.
  const seriesOf = new Map<string, CodeSeries>();
  // Latency and --by name their codes' series: only they need them found by code.
  const linked = partial.latency !== undefined || partial.by.length > 0;
  const key = (kind: string, code: string, category: string) => `${kind}\u0000${code}\u0000${category}`;
  for (const kind of CODE_KINDS) {
    // Indexed, not destructured: run once, before it is compiled, destructuring walks an iterator per entry.
    const codes = partial.codes[kind];
    for (let c = 0; c < codes.length; c++) {
      const entry = codes[c]!;
      const code = entry[0];
      const category = entry[1];
      const first = entry[4];
      const last = entry[5];
      if (code === OVERFLOW_VALUE)
        notes.add(
          `${name}: more than ${PARTIAL_MAX_UNKNOWN_CODES.toLocaleString('en-US')} ${kind} codes outside the catalog: their counts may differ from one pass's`,
        );
      const series = tally.countSeries(kind, code, { known: entry[2], category }, entry[3]);
      if (linked) seriesOf.set(key(kind, code, category), series);
      if (first !== null) seen.widen(series, first);
      if (last !== null) seen.widen(series, last);
    }
  }

  if (partial.timeline) {
    const { width, outcomes, failureCategories, buckets } = partial.timeline;
    const place = [
      ...outcomes.map((outcome) => OUTCOMES.indexOf(outcome as (typeof OUTCOMES)[number])),
      ...failureCategories.map((category) => {
        const at = aggregator.failureIndex.get(category);
        return at === undefined ? -1 : OUTCOMES.length + at;
      }),
    ];
    const missing = place.findIndex((at) => at < 0);
    if (missing >= 0)
      throw new Error(
        `${name}: counted with another catalog (it has the category ${[...outcomes, ...failureCategories][missing]}): merge with the --catalog the partials were made with`,
      );
    // A plain loop: a merge runs this once, before it is compiled, over thousands of buckets.
    for (let b = 0; b < buckets.length; b++) {
      const bucket = buckets[b]!;
      if (!aggregator.timeline.addBucket(width, bucket[0], bucket[1], place)) throw new Error(timelineMismatch(name, width));
    }
  }

  if (partial.latency) {
    const { latency } = aggregator;
    latency.invalid += partial.latency.invalid;
    for (const [outcome, buckets] of Object.entries(partial.latency.outcomes))
      addBuckets(latencyOf(latency.outcomes, outcome as (typeof OUTCOMES)[number]), buckets);
    for (const kind of CODE_KINDS) {
      for (const [code, category, buckets] of partial.latency.codes[kind]) {
        const series = seriesOf.get(key(kind, code, category)) ?? tally.countSeries(kind, code, { known: false, category }, 0);
        addBuckets(latencyOf(latency.codes, series), buckets);
      }
    }
  }

  partial.by.forEach((field, i) => {
    const into = aggregator.by[i]!;
    into.missing += field.missing;
    const hitters = field.values.map(([value, count, error, codes, otherCodes]) => {
      const payload: CauseCounts = { codes: new Map(), otherCodes };
      for (const [kind, code, category, times] of codes) {
        const series = seriesOf.get(key(kind, code, category)) ?? tally.countSeries(kind, code, { known: false, category }, 0);
        const cause = payload.codes.get(series);
        if (cause) cause.count += times;
        else payload.codes.set(series, { kind, count: times });
      }
      if (otherCodes > 0)
        notes.add(`${name}: a --by ${field.path} value has more than ${PARTIAL_MAX_CAUSES} distinct codes: its top codes may differ from one pass's`);
      return { value, count, error, payload };
    });
    into.values.merge({ total: field.total, replacements: field.replacements, hitters }, (to, from) => {
      to.otherCodes += from.otherCodes;
      for (const [series, cause] of from.codes) {
        const known = to.codes.get(series);
        if (known) known.count += cause.count;
        else if (to.codes.size < aggregator.maxCauses) to.codes.set(series, { ...cause });
        else to.otherCodes += cause.count;
      }
    });
  });
}

function addBuckets(into: { add(bucket: number, times: number): void }, buckets: PartialBuckets): void {
  for (const [bucket, times] of buckets) into.add(bucket, times);
}
