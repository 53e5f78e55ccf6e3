// A report's partial: everything a report is built from, as data (format `hidlog-partial`,
// version 2, documented in docs/report.md), so a report can be read per shard and the shards
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
import type { Timeline } from './timeline.js';
import { isObject, isCount } from '../common/json.js';

export const PARTIAL_FORMAT = 'hidlog-partial';
export const PARTIAL_VERSION = 2;

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
  /** What the `--catalog` file changes in how codes are counted (catalogFingerprint), null for the vendor's table as it is. */
  catalog: string | null;
}

/** The setup as asked on the command line: the catalog is known once it is loaded. */
export type AskedPartialSetup = Omit<PartialSetup, 'catalog'>;

export interface Partial {
  format: typeof PARTIAL_FORMAT;
  version: typeof PARTIAL_VERSION;
  hidlog: string;
  setup: PartialSetup;
  input: {
    files: string[];
    /** Each input not read whole, as hidlog said it (`cannot read FILE: …`). */
    unreadable: string[];
    /** `FILE:LINE: reason` where `--strict` stopped the read, or null. */
    stopped: string | null;
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

/** A partial that is whole JSON but not as hidlog writes it: the message says where, and what. */
export class DamagedPartial extends Error {}

/** The line that refuses a damaged partial. */
export const damagedText = (name: string, what: string) => `${name}: a damaged partial (${what})`;

function damaged(what: string): never {
  throw new DamagedPartial(what);
}
const shownValue = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};
/** `where: VALUE is not WHAT`, or `where: missing`. */
const notA = (where: string, value: unknown, what: string) => (value === undefined ? `${where}: missing` : `${where}: ${shownValue(value)} is not ${what}`);
/** The farthest instant from the epoch a Date holds, in milliseconds. */
const MAX_TIME = 8.64e15;
/** A non-negative safe integer: every count in a partial. */
const isTime = (value: unknown): value is Time => value === null || (typeof value === 'number' && Math.abs(value) <= MAX_TIME);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
const CODE_TEXT = /^-?\d+$/;
/** A code as a partial writes it: its number, or `other` past the cap. */
function codeOf(code: unknown, where: string): string {
  if (typeof code !== 'string' || (code !== OVERFLOW_VALUE && !CODE_TEXT.test(code))) damaged(`${where}: ${shownValue(code)} is not a code`);
  return code;
}

function countsAt(from: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const key of keys) if (!isCount(from[key])) damaged(notA(`${where}.${key}`, from[key], 'a count'));
}
function timesAt(from: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const key of keys) if (!isTime(from[key])) damaged(notA(`${where}.${key}`, from[key], 'a time'));
}
function countsByKey(from: unknown, where: string, keyIs?: (key: string) => boolean, what = 'a key'): void {
  if (!isObject(from)) damaged(notA(where, from, 'an object'));
  for (const key in from) {
    if (keyIs && !keyIs(key)) damaged(`${where}: ${shownValue(key)} is not ${what}`);
    if (!isCount(from[key])) damaged(notA(`${where}.${key}`, from[key], 'a count'));
  }
}
const isOutcome = (key: string) => (OUTCOMES as readonly string[]).includes(key);
const isWindowEdge = (value: unknown) => value === null || (isObject(value) && typeof value.asked === 'string' && value.at !== null && isTime(value.at));

/**
 * The parts of a partial (whose format, version and parts were found) a merge reads before
 * adding it: every count a count, every time a time, every part of its shape. The entries of its
 * codes, timeline, --by values and latency are checked as they are added (absorbPartial).
 */
export function checkPartial(data: Record<string, unknown>): Partial {
  const setup = data.setup as Record<string, unknown>;
  if (typeof setup.timeZone !== 'string') damaged(notA('setup.timeZone', setup.timeZone, 'a zone'));
  if (!isStrings(setup.timeFields)) damaged('setup.timeFields: not a list of fields');
  if (!isStrings(setup.by)) damaged('setup.by: not a list of fields');
  if (!(setup.bucket === null || (isCount(setup.bucket) && setup.bucket > 0))) damaged(notA('setup.bucket', setup.bucket, 'a width'));
  if (!isWindowEdge(setup.since)) damaged(notA('setup.since', setup.since, "a window's edge"));
  if (!isWindowEdge(setup.until)) damaged(notA('setup.until', setup.until, "a window's edge"));
  if (!(setup.catalog === null || typeof setup.catalog === 'string')) damaged(notA('setup.catalog', setup.catalog, "a catalog's fingerprint"));
  const input = data.input as Record<string, unknown>;
  if (!isStrings(input.files)) damaged('input.files: not a list of files');
  if (!isStrings(input.unreadable)) damaged('input.unreadable: not a list of what was not read');
  if (!(input.stopped === null || typeof input.stopped === 'string')) damaged(notA('input.stopped', input.stopped, 'where a read stopped'));
  countsAt(input, ['bytes', 'records', 'missingTime', 'unparseableTime'], 'input');
  timesAt(input, ['first', 'last'], 'input');
  countsByKey(input.badLines, 'input.badLines');
  const counted = data.counted as Record<string, unknown>;
  countsAt(counted, ['annotated', 'noCodes', 'outside', 'withoutTime'], 'counted');
  timesAt(counted, ['first', 'last'], 'counted');
  countsByKey(data.outcomes, 'outcomes', isOutcome, 'an outcome');
  const timeline = data.timeline;
  if (isObject(timeline)) {
    if (!isCount(timeline.width) || timeline.width === 0) damaged(notA('timeline.width', timeline.width, 'a width'));
    if (!isStrings(timeline.outcomes) || !timeline.outcomes.every(isOutcome)) damaged('timeline.outcomes: not a list of outcomes');
    if (!isStrings(timeline.failureCategories)) damaged('timeline.failureCategories: not a list of categories');
    const buckets = timeline.buckets;
    if (!Array.isArray(buckets) || buckets.length === 0) damaged('timeline.buckets: not a list of buckets');
    // The first and last are read before the buckets are added (absorbPartials); the others as they are.
    for (const b of [0, buckets.length - 1]) {
      const bucket: unknown = buckets[b];
      if (!Array.isArray(bucket) || !Number.isSafeInteger(bucket[0])) damaged(`timeline.buckets[${b}]: not a bucket's [index, counts]`);
    }
  }
  const by = data.by as unknown[];
  const fields = setup.by as string[];
  if (by.length !== fields.length) damaged(`by: ${by.length} fields, its setup has ${fields.length}`);
  by.forEach((field, i) => {
    if (!isObject(field) || field.path !== fields[i] || !Array.isArray(field.values)) damaged(`by[${i}]: not the --by ${fields[i]} of its setup`);
    countsAt(field, ['sketch', 'missing', 'total', 'replacements'], `by[${i}]`);
  });
  const latency = data.latency;
  if (latency !== undefined) {
    if (!isObject(latency) || !isObject(latency.outcomes) || !isObject(latency.codes)) damaged('latency: its parts are not all there');
    countsAt(latency, ['invalid'], 'latency');
    for (const outcome in latency.outcomes) {
      if (!isOutcome(outcome)) damaged(`latency.outcomes: ${shownValue(outcome)} is not an outcome`);
      checkBuckets(latency.outcomes[outcome], `latency.outcomes.${outcome}`);
    }
    const codes = latency.codes;
    if (!CODE_KINDS.every((kind) => Array.isArray(codes[kind]))) damaged('latency.codes: its kinds are not all there');
  }
  return data as unknown as Partial;
}

/**
 * Adds a partial's timeline bucket (the `b`th, after the one at `previous`) as the counts of
 * `series` series placed at `place`: its index, or NaN when the timeline cannot be cut as the
 * bucket's width needs.
 */
function addBucket(timeline: Timeline, width: number, bucket: unknown, previous: number, place: number[], series: number, b: number): number {
  if (!Array.isArray(bucket) || bucket.length !== 2 || !Number.isSafeInteger(bucket[0]) || !Array.isArray(bucket[1]))
    damaged(`timeline.buckets[${b}]: not a bucket's [index, counts]`);
  const index = bucket[0] as number;
  const counts = bucket[1] as unknown[];
  if (b > 0 && index <= previous) damaged(`timeline.buckets[${b}]: not after the bucket before it`);
  if (Math.abs(index * width) > MAX_TIME) damaged(`timeline.buckets[${b}]: index ${index} is past the times a date holds`);
  if (counts.length > series) damaged(`timeline.buckets[${b}]: ${counts.length} counts, of ${series} series`);
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (typeof count !== 'number' || !(count >= 0 && count <= Number.MAX_SAFE_INTEGER) || count % 1 !== 0)
      damaged(`timeline.buckets[${b}]: its count ${shownValue(count)} is not a count`);
  }
  return timeline.addBucket(width, index, counts as number[], place) ? index : Number.NaN;
}

/** Latency buckets: [bucket (µs), count] pairs, smallest first. */
function checkBuckets(buckets: unknown, where: string): asserts buckets is PartialBuckets {
  if (!Array.isArray(buckets)) damaged(`${where}: not a list of buckets`);
  let previous = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < buckets.length; b++) {
    const pair: unknown = buckets[b];
    if (!Array.isArray(pair) || pair.length !== 2 || !Number.isSafeInteger(pair[0])) damaged(`${where}[${b}]: not a [bucket, count]`);
    if (pair[0] <= previous) damaged(`${where}[${b}]: not after the bucket before it`);
    if (!isCount(pair[1])) damaged(`${where}[${b}]: its count ${shownValue(pair[1])} is not a count`);
    previous = pair[0];
  }
}

const time = (at: number | undefined): Time => (at === undefined ? null : at);

function withoutTrailingZeros(counts: number[]): number[] {
  let end = counts.length;
  while (end > 0 && counts[end - 1] === 0) end--;
  return counts.slice(0, end);
}

/** The partial of a finished run (after `aggregator.finish()`). */
export function partialOf(
  aggregator: ReportAggregator,
  setup: PartialSetup,
  context: { files: string[]; unreadable: string[]; stopped: string | null; version: string },
): Partial {
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
      stopped: context.stopped,
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
    try {
      if (leftOut) absorbLeftOut(aggregator, partial);
      else absorbPartial(aggregator, partial, name, notes);
    } catch (error) {
      throw error instanceof DamagedPartial ? new Error(damagedText(name, error.message)) : error;
    }
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
    const seenCodes = new Set<string>();
    for (let c = 0; c < codes.length; c++) {
      const entry: unknown = codes[c];
      if (!Array.isArray(entry) || entry.length !== 6) damaged(`codes.${kind}[${c}]: not a code's [code, category, known, count, first, last]`);
      // Checked here, not by calls: a function called per code would be compiled, at a cost a merge does not win back.
      const code: unknown = entry[0];
      const category: unknown = entry[1];
      const count: unknown = entry[3];
      const first: unknown = entry[4];
      const last: unknown = entry[5];
      if (typeof code !== 'string' || (code !== OVERFLOW_VALUE && !CODE_TEXT.test(code))) damaged(`codes.${kind}[${c}]: ${shownValue(code)} is not a code`);
      if (
        typeof category !== 'string' ||
        typeof entry[2] !== 'boolean' ||
        (first !== null && !(typeof first === 'number' && Math.abs(first) <= MAX_TIME)) ||
        (last !== null && !(typeof last === 'number' && Math.abs(last) <= MAX_TIME))
      )
        damaged(`codes.${kind}[${c}]: not a code's [code, category, known, count, first, last]`);
      if (typeof count !== 'number' || !(count >= 0 && count <= Number.MAX_SAFE_INTEGER) || count % 1 !== 0)
        damaged(`codes.${kind}[${c}]: its count ${shownValue(count)} is not a count`);
      if (seenCodes.has(code)) damaged(`codes.${kind}[${c}]: code ${code} (${category}) a second time`);
      seenCodes.add(code);
      if (code === OVERFLOW_VALUE)
        notes.add(
          `${name}: more than ${PARTIAL_MAX_UNKNOWN_CODES.toLocaleString('en-US')} ${kind} codes outside the catalog: their counts may differ from one pass's`,
        );
      const series = tally.countSeries(kind, code, { known: entry[2], category }, count);
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
    const series = place.length;
    const { timeline } = aggregator;
    // A plain loop: a merge runs this once, before it is compiled, over thousands of buckets. What
    // is done per bucket is a function of its own: compiled after a few calls, where a loop in this
    // long function would be compiled whole (on another thread, but CPU time all the same).
    let previous = 0;
    for (let b = 0; b < buckets.length; b++) {
      previous = addBucket(timeline, width, buckets[b], previous, place, series, b);
      if (Number.isNaN(previous)) throw new Error(timelineMismatch(name, width));
    }
  }

  if (partial.latency) {
    const { latency } = aggregator;
    latency.invalid += partial.latency.invalid;
    for (const [outcome, buckets] of Object.entries(partial.latency.outcomes))
      addBuckets(latencyOf(latency.outcomes, outcome as (typeof OUTCOMES)[number]), buckets);
    for (const kind of CODE_KINDS) {
      const codes = partial.latency.codes[kind];
      const seenCodes = new Set<string>();
      for (let c = 0; c < codes.length; c++) {
        const entry: unknown = codes[c];
        const where = `latency.codes.${kind}[${c}]`;
        if (!Array.isArray(entry) || entry.length !== 3) damaged(`${where}: not a code's [code, category, buckets]`);
        const code = codeOf(entry[0], where);
        const category: unknown = entry[1];
        if (typeof category !== 'string') damaged(`${where}: ${shownValue(category)} is not a category`);
        if (seenCodes.has(code)) damaged(`${where}: code ${code} (${category}) a second time`);
        seenCodes.add(code);
        checkBuckets(entry[2], where);
        const series = seriesOf.get(key(kind, code, category)) ?? tally.countSeries(kind, code, { known: false, category }, 0);
        addBuckets(latencyOf(latency.codes, series), entry[2]);
      }
    }
  }

  partial.by.forEach((field, i) => {
    const into = aggregator.by[i]!;
    into.missing += field.missing;
    const seenValues = new Set<string>();
    const hitters = field.values.map((entry: unknown, v) => {
      const where = `by[${i}].values[${v}]`;
      if (!Array.isArray(entry) || entry.length !== 5 || !Array.isArray(entry[3]))
        damaged(`${where}: not a value's [value, count, possible overcount, codes, codes past those kept]`);
      const [value, count, error, codes, otherCodes] = entry as PartialByValue;
      if (typeof value !== 'string') damaged(`${where}: ${shownValue(value)} is not a value`);
      if (seenValues.has(value)) damaged(`${where}: ${shownValue(value)} a second time`);
      seenValues.add(value);
      if (!isCount(count)) damaged(`${where}: its count ${shownValue(count)} is not a count`);
      if (!isCount(error) || error > count) damaged(`${where}: its possible overcount ${shownValue(error)} is not a count up to its count`);
      if (!isCount(otherCodes)) damaged(`${where}: its codes past those kept ${shownValue(otherCodes)} is not a count`);
      const payload: CauseCounts = { codes: new Map(), otherCodes };
      for (let c = 0; c < codes.length; c++) {
        const entry: unknown = codes[c];
        if (!Array.isArray(entry) || entry.length !== 4 || !(CODE_KINDS as readonly unknown[]).includes(entry[0]) || typeof entry[2] !== 'string')
          damaged(`${where}: its codes[${c}] is not a code's [kind, code, category, count]`);
        const kind = entry[0] as CodeKind;
        const code = codeOf(entry[1], `${where}: its codes[${c}]`);
        const category = entry[2] as string;
        const times: unknown = entry[3];
        if (!isCount(times)) damaged(`${where}: its codes[${c}] count ${shownValue(times)} is not a count`);
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
