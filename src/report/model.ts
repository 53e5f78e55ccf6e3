// The report as data: what every format shows, and, as it is, the JSON format (schema version 1,
// documented in docs/report.md). Counts come from the tally `hidlog count` exposes.
import { CODE_KINDS, type Catalog, type CodeKind } from '../catalog/catalog.js';
import { OUTCOMES, type Outcome } from '../core/outcome.js';
import { OVERFLOW_VALUE } from '../count/capped-values.js';
import type { CodeSeries } from '../count/tally.js';
import type { ReportAggregator } from './aggregator.js';
import type { SeenSpans } from './seen.js';
import { formatDuration } from './duration.js';
import { latencyRow, type LatencyRow } from './latency.js';
import { byNumber, byText, topN } from './top.js';
import { isoIn, type Zone } from './zone.js';

export const REPORT_SCHEMA = 'hidlog-report';
export const REPORT_VERSION = 1;

export interface CodeRow {
  code: number;
  /** HTTP statuses only: `UNAUTHORIZED`. */
  label?: string;
  description: string;
  category: string;
  /** false for a code the catalog does not have. */
  known: boolean;
  count: number;
  /** Of the records that have a code of this kind. */
  share: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface KindSummary {
  /** Records with a code of this kind. */
  records: number;
  /** The top codes, most first (ties by code). */
  codes: CodeRow[];
  /** The codes past the top, summed; null when there are none. */
  other: { codes: number; count: number; share: number } | null;
  categories: { category: string; count: number; share: number }[];
}

export interface ByValueRow {
  value: string;
  /** Failures and errors with this value: exact when `error` is 0, else at most `error` too many. */
  count: number;
  error: number;
  /** Of the failures and errors counted for this field. */
  share: number;
  /** The codes behind them (a failure's reason, an error's code or HTTP status), most first. */
  codes: { kind: CodeKind; code: number | 'other'; label?: string; category: string; count: number }[];
}

export interface ByReport {
  path: string;
  /** Failures and errors counted. */
  records: number;
  /** Of those, without a value. */
  missing: number;
  /** Whether every count is exact (fewer distinct values than the sketch holds). */
  exact: boolean;
  /** Distinct values, when exact; else null (more than the sketch holds). */
  distinct: number | null;
  values: ByValueRow[];
  other: { count: number; share: number } | null;
}

export interface TimelineSummary {
  /** `5m`, `1h`, `1d`. */
  bucket: string;
  bucketSeconds: number;
  /** The `--bucket` asked for when the range needed a wider one; else null. */
  widenedFrom: string | null;
  /** Each bucket's start. */
  starts: string[];
  /** The end of the last bucket. */
  end: string;
  outcomes: Record<Outcome, number[]>;
  failureCategories: { category: string; counts: number[] }[];
}

/** A top code's latency (a row of its kind's top codes that had durations). */
export interface LatencyCodeRow extends LatencyRow {
  kind: CodeKind;
  code: number;
  label?: string;
  category: string;
}

export interface LatencyReport {
  /** Records counted with a duration. */
  records: number;
  /** Records whose duration field held no duration (not a finite number, 0 or more). */
  invalid: number;
  outcomes: ({ outcome: Outcome } & LatencyRow)[];
  /** Each kind's top codes, in the order of `kinds`. */
  codes: LatencyCodeRow[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  hidlog: string;
  timeZone: string;
  input: {
    files: string[];
    /** Inputs that could not be read (each said on stderr). */
    unreadable: number;
    lines: number;
    bytes: number;
    /** Lines that are JSON objects. */
    records: number;
    first: string | null;
    last: string | null;
    missingTime: number;
    unparseableTime: number;
    badLines: number;
    badLinesByReason: { reason: string; count: number }[];
  };
  window: {
    since: string | null;
    until: string | null;
    asked: { since: string | null; until: string | null };
    /** Records with a time outside the window. */
    outside: number;
    /** Records left out because they have no time. */
    withoutTime: number;
  } | null;
  /** The records counted (in the window, if one was asked for). */
  records: { total: number; annotated: number; noCodes: number; first: string | null; last: string | null };
  outcomes: { outcome: Outcome; count: number; share: number }[];
  kinds: Record<CodeKind, KindSummary>;
  timeline: TimelineSummary | null;
  by: ByReport[];
  /** Durations' percentiles (seconds); absent when no record counted had a duration field. */
  latency?: LatencyReport;
}

export interface ReportContext {
  files: string[];
  unreadable: number;
  zone: Zone;
  top: number;
  version: string;
  asked: { since?: string | undefined; until?: string | undefined };
}

const share = (count: number, total: number) => (total === 0 ? 0 : Math.round((count / total) * 10_000) / 10_000);
const sum = (values: Iterable<number>) => {
  let total = 0;
  for (const value of values) total += value;
  return total;
};

function kindSummary(kind: CodeKind, series: Iterable<CodeSeries>, seen: SeenSpans, context: ReportContext, catalog: Catalog): KindSummary {
  const counted = [...series].filter((s) => s.count > 0);
  const records = sum(counted.map((s) => s.count));
  const own = counted.filter((s) => s.code !== OVERFLOW_VALUE);
  const overflow = counted.find((s) => s.code === OVERFLOW_VALUE);
  const { top, rest } = topN(
    own,
    context.top,
    (s) => s.count,
    (a, b) => byNumber(Number(a.code), Number(b.code)),
  );
  const time = (at: number | undefined) => (at === undefined ? null : isoIn(context.zone, at));
  const codes = top.map((s): CodeRow => {
    const entry = catalog.lookup(kind, Number(s.code));
    const span = seen.of(s);
    return {
      code: entry.code,
      ...(entry.label !== undefined ? { label: entry.label } : {}),
      description: entry.description,
      category: s.category,
      known: entry.known,
      count: s.count,
      share: share(s.count, records),
      firstSeen: time(span?.first),
      lastSeen: time(span?.last),
    };
  });
  const others = overflow ? [...rest, overflow] : rest;
  const otherCount = sum(others.map((s) => s.count));
  const byCategory = new Map<string, number>();
  for (const s of counted) byCategory.set(s.category, (byCategory.get(s.category) ?? 0) + s.count);
  const categories = topN(
    byCategory,
    byCategory.size,
    ([, n]) => n,
    ([a], [b]) => byText(a, b),
  ).top.map(([category, count]) => ({ category, count, share: share(count, records) }));
  return { records, codes, other: others.length > 0 ? { codes: others.length, count: otherCount, share: share(otherCount, records) } : null, categories };
}

function byReport(field: ReportAggregator['by'][number], context: ReportContext, catalog: Catalog): ByReport {
  const { values } = field;
  const records = values.total + field.missing;
  const { top, rest } = topN(
    values.hitters(),
    context.top,
    (h) => h.count,
    (a, b) => byText(a.value, b.value),
  );
  const rows = top.map((hitter): ByValueRow => {
    const causes = topN(
      hitter.payload.codes.entries(),
      3,
      ([, c]) => c.count,
      ([a], [b]) => byNumber(Number(a.code), Number(b.code)) || byText(a.category, b.category),
    );
    const codes: ByValueRow['codes'] = causes.top.map(([series, cause]) => {
      const code = series.code === OVERFLOW_VALUE ? OVERFLOW_VALUE : Number(series.code);
      const label = code === OVERFLOW_VALUE ? undefined : catalog.lookup(cause.kind, code).label;
      return { kind: cause.kind, code, ...(label !== undefined ? { label } : {}), category: series.category, count: cause.count };
    });
    return { value: hitter.value, count: hitter.count, error: hitter.error, share: share(hitter.count, records), codes };
  });
  const otherCount = values.total - sum(top.map((h) => h.count));
  const exact = values.replacements === 0;
  return {
    path: field.path,
    records,
    missing: field.missing,
    exact,
    distinct: exact ? values.hitters().length : null,
    values: rows,
    other: rest.length > 0 || !exact ? { count: otherCount, share: share(otherCount, records) } : null,
  };
}

function latencyReport(aggregator: ReportAggregator, kinds: Record<CodeKind, KindSummary>): LatencyReport | undefined {
  const { latency, tally } = aggregator;
  const outcomes = OUTCOMES.flatMap((outcome) => {
    const counts = latency.outcomes.get(outcome);
    return counts ? [{ outcome, ...latencyRow(counts) }] : [];
  });
  if (outcomes.length === 0 && latency.invalid === 0) return undefined;
  const codes = CODE_KINDS.flatMap((kind) => {
    const bySeries = new Map([...tally.series[kind].values()].map((series) => [`${series.code}\u0000${series.category}`, latency.codes.get(series)]));
    return kinds[kind].codes.flatMap((row): LatencyCodeRow[] => {
      const counts = bySeries.get(`${row.code}\u0000${row.category}`);
      return counts ? [{ kind, code: row.code, ...(row.label !== undefined ? { label: row.label } : {}), category: row.category, ...latencyRow(counts) }] : [];
    });
  });
  return { records: outcomes.reduce((total, row) => total + row.count, 0), invalid: latency.invalid, outcomes, codes };
}

/** The report of a finished run (after `aggregator.finish()`). */
export function buildReport(aggregator: ReportAggregator, context: ReportContext): Report {
  const { tally, window } = aggregator;
  const zone = context.zone;
  const time = (at: number | undefined) => (at === undefined ? null : isoIn(zone, at));
  const annotated = tally.lines.annotated;
  const badLines = tally.lines.invalid + tally.lines.too_long;
  const badLinesByReason = topN(
    [...tally.invalidReasons, ...(tally.lines.too_long > 0 ? ([['too_long', tally.lines.too_long]] as const) : [])],
    Number.POSITIVE_INFINITY,
    ([, n]) => n,
    ([a], [b]) => byText(a, b),
  ).top.map(([reason, count]) => ({ reason, count }));
  const resolved = window && aggregator.range ? window.resolve(aggregator.range.last) : {};
  const timeline = aggregator.timeline.data();
  const kinds = Object.fromEntries(
    CODE_KINDS.map((kind) => [kind, kindSummary(kind, tally.series[kind].values(), aggregator.seen, context, tally.catalog)]),
  ) as Record<CodeKind, KindSummary>;
  const latency = latencyReport(aggregator, kinds);
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    hidlog: context.version,
    timeZone: zone.name,
    input: {
      files: context.files,
      unreadable: context.unreadable,
      lines: aggregator.records + badLines,
      bytes: tally.bytesRead,
      records: aggregator.records,
      first: time(aggregator.range?.first),
      last: time(aggregator.range?.last),
      missingTime: aggregator.missingTime,
      unparseableTime: aggregator.unparseableTime,
      badLines,
      badLinesByReason,
    },
    window: window
      ? {
          since: time(resolved.since),
          until: time(resolved.until),
          asked: { since: context.asked.since ?? null, until: context.asked.until ?? null },
          outside: aggregator.outside,
          withoutTime: aggregator.outsideWithoutTime,
        }
      : null,
    records: {
      total: annotated + tally.lines.no_codes,
      annotated,
      noCodes: tally.lines.no_codes,
      first: time(aggregator.countedRange?.first),
      last: time(aggregator.countedRange?.last),
    },
    outcomes: OUTCOMES.map((outcome) => {
      const count = tally.outcomes.get(outcome) ?? 0;
      return { outcome, count, share: share(count, annotated) };
    }),
    kinds,
    timeline: timeline
      ? {
          bucket: formatDuration(timeline.bucket),
          bucketSeconds: timeline.bucket / 1000,
          widenedFrom: timeline.widened === undefined ? null : formatDuration(timeline.widened),
          starts: timeline.starts.map((at) => isoIn(zone, at)),
          end: isoIn(zone, timeline.starts[timeline.starts.length - 1]! + timeline.bucket),
          outcomes: timeline.outcomes,
          failureCategories: timeline.failureCategories,
        }
      : null,
    by: aggregator.by.map((field) => byReport(field, context, tally.catalog)),
    ...(latency ? { latency } : {}),
  };
}
