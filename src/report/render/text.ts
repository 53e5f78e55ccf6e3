// What the human formats share: numbers, shares, times and sparklines as a person reads them.
import type { CodeKind } from '../../catalog/catalog.js';
import type { Report } from '../model.js';

export const KIND_TITLES: Record<CodeKind, string> = {
  http: 'HTTP status',
  error: 'hid_error',
  failure: 'hid_failure',
  response: 'HID response code',
};

export const count = (n: number) => n.toLocaleString('en-US');
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
    ...Object.entries(timeline.outcomes).map(([outcome, counts]) => ({ label: outcome, group: 'outcome' as const, name: outcome, counts, total: total(counts) })),
    ...timeline.failureCategories.map(({ category, counts }) => ({ label: `failure: ${category}`, group: 'failure' as const, name: category, counts, total: total(counts) })),
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
export const causeText = (cause: { kind: CodeKind; code: number | 'other'; label?: string }) => `${cause.kind} ${cause.code}${cause.label ? ` ${cause.label}` : ''}`;
