// What the human formats share: numbers, shares, times and sparklines as a person reads them.
import type { CodeKind } from '../../catalog/catalog.js';
import type { ByValueRow, CodeRow, Report } from '../model.js';

export const KIND_TITLES: Record<CodeKind, string> = {
  http: 'HTTP status',
  error: 'hid_error',
  failure: 'hid_failure',
  response: 'HID response code',
};

/**
 * `1,234,567`: a number as `toLocaleString('en-US')` writes it. A whole number is grouped here:
 * the first call into ICU's number formatting costs ~10 ms of CPU, a tenth of a whole merge.
 */
export function count(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let text = digits.slice(0, digits.length % 3 || 3);
  for (let at = text.length; at < digits.length; at += 3) text += `,${digits.slice(at, at + 3)}`;
  return n < 0 ? `-${text}` : text;
}
/** `1 record`, `2 records` (`word` with an s). */
export const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;
/** What an `other` row of codes stands for. */
export const moreCodes = (n: number) => `${plural(n, 'more code')}`;

/** What a `--by` field's counts promise. */
export function exactness(by: Report['by'][number]): string {
  return by.exact
    ? `${plural(by.distinct!, 'distinct value')}; every count is exact.`
    : 'More distinct values than the sketch holds: a count marked ≥ is an upper bound, with the least it can be.';
}
export const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character a bucket: blank for none, ▁ to █ up to the row's highest. */
export function sparkline(counts: readonly number[]): string {
  const most = Math.max(0, ...counts);
  return counts.map((n) => (n === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.ceil((n / most) * BARS.length) - 1)])).join('');
}

/** `2026-11-28T10:00:00.000+01:00` (a report time, already in its zone) as `2026-11-28 10:00:00`. */
export const wall = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;

/**
 * How the report's times are shown: without the date when every time is on one day (the day
 * is then said once, with the range).
 */
export function timeFormat(report: Report): (iso: string | null) => string {
  const { first, last } = report.input;
  const oneDay = first !== null && last !== null && first.slice(0, 10) === last.slice(0, 10);
  return (iso) => (iso === null ? '-' : oneDay ? iso.slice(11, 19) : wall(iso));
}

/** `2026-11-28 09:00:00 → 09:02:00 UTC (2m)`, or `no times`. */
export function rangeText(first: string | null, last: string | null, zone: string): string {
  if (first === null || last === null) return 'no times';
  const sameDay = first.slice(0, 10) === last.slice(0, 10);
  const span = Date.parse(last) - Date.parse(first);
  return `${wall(first)} → ${sameDay ? last.slice(11, 19) : wall(last)} ${zone} (${spanText(span)})`;
}

function spanText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

export interface TimelineRow {
  label: string;
  group: 'outcome' | 'failure';
  name: string;
  counts: number[];
  total: number;
}

/** A timeline's rows that have any record: each outcome, then each failure category. */
export function timelineRows(report: Report): TimelineRow[] {
  const timeline = report.timeline;
  if (!timeline) return [];
  const total = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
  return [
    ...Object.entries(timeline.outcomes).map(([outcome, counts]) => ({
      label: outcome,
      group: 'outcome' as const,
      name: outcome,
      counts,
      total: total(counts),
    })),
    ...timeline.failureCategories.map(({ category, counts }) => ({
      label: `failure: ${category}`,
      group: 'failure' as const,
      name: category,
      counts,
      total: total(counts),
    })),
  ].filter((row) => row.total > 0);
}

/** A bucket's start as short as the timeline allows: `09:05`, `09:05:30`, `11-28 09:05`, `2026-11-28`. */
export function bucketLabel(report: Report): (iso: string) => string {
  const timeline = report.timeline!;
  const oneDay = timeline.starts[0]!.slice(0, 10) === timeline.end.slice(0, 10) || timeline.end.slice(11, 19) === '00:00:00';
  return (iso) => {
    if (timeline.bucketSeconds >= 86_400) return iso.slice(0, 10);
    const clock = timeline.bucketSeconds < 60 ? iso.slice(11, 19) : iso.slice(11, 16);
    return oneDay ? clock : `${iso.slice(5, 10)} ${clock}`;
  };
}

/** Under a sparkline of `width` characters: the first bucket's start at the left, the end at the right. */
export function sparklineAxis(report: Report, width: number): string {
  const label = bucketLabel(report);
  const timeline = report.timeline!;
  const from = label(timeline.starts[0]!);
  const to = label(timeline.end);
  return width >= from.length + to.length + 2 ? `${from}${' '.repeat(width - from.length - to.length)}${to}` : from;
}

/** What the report says when there is nothing to count. */
export function emptyNote(report: Report): string | undefined {
  const { input, records } = report;
  if (input.lines === 0) return 'The input is empty: no lines were read.';
  if (input.records === 0) return `No records: all ${count(input.lines)} lines are bad (not JSON objects, or too long).`;
  if (records.total === 0 && report.window) return 'No records in the window.';
  if (records.annotated === 0) return 'No record carries an HTTP status or an HID code.';
  return undefined;
}

/** A failure's or error's code as a person reads it: `failure 13`, `http 500`. */
export const causeText = (cause: { kind: CodeKind; code: number | 'other'; label?: string }) =>
  `${cause.kind} ${cause.code}${cause.label ? ` ${cause.label}` : ''}`;
/** A `--by` value's codes: `hid_failure 13 ×40, hid_error 1200 ×2`. */
export const causesText = (codes: ByValueRow['codes']) => codes.map((c) => `${causeText(c)} ×${count(c.count)}`).join(', ');
/** Bad lines by reason: `invalid_json 2, blank 1`. */
export const badReasonsText = (input: Report['input']) => input.badLinesByReason.map((r) => `${r.reason} ${count(r.count)}`).join(', ');
/** The options a window was asked with: `--since 2h --until 1h`. */
export const askedText = ({ since, until }: NonNullable<Report['window']>['asked']) =>
  [since && `--since ${since}`, until && `--until ${until}`].filter(Boolean).join(' ');
/** A code's description, or what stands for it when the catalog does not have the code. */
export const descriptionOf = (row: CodeRow) => (row.known ? row.description : '(not in the catalog)');

/** Sums of two timelines' rows, bucket by bucket. */
const plus = (a: readonly number[], b: readonly number[]) => a.map((n, i) => n + (b[i] ?? 0));

/**
 * The report in a few sentences, as an incident summary reads: how much failed, what, since when
 * and until when, when it peaked, and whom it hit most.
 */
export function summary(report: Report, time: (iso: string | null) => string): string[] {
  const { outcomes, records, kinds, timeline } = report;
  const of = (name: string) => outcomes.find((o) => o.outcome === name)!;
  const failure = of('failure');
  const error = of('error');
  const lines = [
    `${plural(failure.count, 'failure')} (${percent(failure.share)}) and ${plural(error.count, 'error')} (${percent(error.share)}) among ${plural(records.annotated, 'record')} with codes.`,
  ];
  for (const [kind, what] of [
    ['failure', 'failure reason'],
    ['error', 'error'],
  ] as const) {
    const top = kinds[kind].codes[0];
    if (top)
      lines.push(
        `Most frequent ${what}: ${KIND_TITLES[kind]} ${top.code}, ${top.known ? `"${top.description.replace(/\s+/g, ' ')}"` : 'not in the catalog'} (${count(top.count)}, ${percent(top.share)}).`,
      );
  }
  const first = records.first === null ? Number.NaN : Date.parse(records.first);
  const span = records.last === null ? Number.NaN : Date.parse(records.last) - first;
  if (span > 0) {
    // Codes of trouble that began well after the records do, or ended well before: an incident's edges.
    const bounded: string[] = [];
    for (const kind of ['failure', 'error'] as const) {
      for (const code of kinds[kind].codes) {
        if (code.firstSeen === null || code.lastSeen === null) continue;
        const starts = Date.parse(code.firstSeen) - first > span * 0.1;
        const ends = first + span - Date.parse(code.lastSeen) > span * 0.1;
        if (starts || ends)
          bounded.push(
            `${KIND_TITLES[kind]} ${code.code} ${starts ? `from ${time(code.firstSeen)}` : ''}${starts && ends ? ' ' : ''}${ends ? `until ${time(code.lastSeen)}` : ''} (${count(code.count)})`,
          );
      }
    }
    if (bounded.length > 0) lines.push(`Not there all along: ${bounded.join('; ')}.`);
  }
  if (timeline && timeline.starts.length > 2) {
    const trouble = plus(timeline.outcomes.failure, timeline.outcomes.error);
    const peak = trouble.indexOf(Math.max(...trouble));
    const sorted = [...trouble].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    if (trouble[peak]! > 0)
      lines.push(
        `Failures and errors peaked at ${time(timeline.starts[peak]!)}: ${count(trouble[peak]!)} in ${timeline.bucket}, against a median of ${count(median)}.`,
      );
  }
  for (const by of report.by) {
    const top = by.values[0];
    if (top)
      lines.push(
        `Hit most by ${by.path}: ${top.value} (${count(top.count)}${top.error > 0 ? ' at most' : ''}, ${percent(top.share)} of failures and errors${top.codes[0] ? `, mostly ${causeText(top.codes[0])}` : ''}).`,
      );
  }
  return lines;
}

export interface LatencyTableRow {
  /** An outcome, or a code as its kind's table names it (`failure 13`, `http 401 UNAUTHORIZED`). */
  label: string;
  group: 'outcome' | 'code';
  /** The outcome, or the code's category. */
  name: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** The latency section's rows: each outcome, then each kind's top codes. */
export function latencyRows(report: Report): LatencyTableRow[] {
  const latency = report.latency;
  if (!latency) return [];
  return [
    ...latency.outcomes.map(({ outcome, ...row }) => ({ label: outcome, group: 'outcome' as const, name: outcome, ...row })),
    ...latency.codes.map(({ kind, code, label, category, ...row }) => ({
      label: `${kind} ${code}${label ? ` ${label}` : ''}`,
      group: 'code' as const,
      name: category,
      ...row,
    })),
  ];
}

/** Under the latency table: how many records had a duration, how many held none, and how exact the figures are. */
export function latencyNote(latency: NonNullable<Report['latency']>): string {
  const invalid = latency.invalid > 0 ? `; ${plural(latency.invalid, 'record')} whose duration field held no duration` : '';
  return `${plural(latency.records, 'record')} with a duration${invalid}. Percentiles are read to two significant digits (at most 10% high).`;
}
