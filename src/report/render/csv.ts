// `--format csv`: the whole report as one long table (one fact a row), for spreadsheets and
// pivot tables. Columns: section, kind, name, code, category, time, count, share, error,
// first_seen, last_seen, description.
import { CODE_KINDS } from '../../catalog/catalog.js';
import type { Report } from '../model.js';
import { askedText, descriptionOf } from './text.js';

const COLUMNS = ['section', 'kind', 'name', 'code', 'category', 'time', 'count', 'share', 'error', 'first_seen', 'last_seen', 'description'] as const;
// Only a report with durations has them: a report of logs without durations keeps its columns.
const LATENCY_COLUMNS = ['p50_seconds', 'p95_seconds', 'p99_seconds'] as const;
type Row = Partial<Record<(typeof COLUMNS)[number] | (typeof LATENCY_COLUMNS)[number], string | number | null>>;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
function field(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(report: Report): string {
  const rows: Row[] = [];
  const { input } = report;
  for (const [name, value] of [
    ['lines', input.lines],
    ['bytes', input.bytes],
    ['records', input.records],
    ['bad_lines', input.badLines],
    ['missing_time', input.missingTime],
    ['unparseable_time', input.unparseableTime],
    ['unreadable_inputs', input.unreadable],
  ] as const) {
    rows.push({ section: 'input', name, count: value });
  }
  rows.push({ section: 'input', name: 'time_range', first_seen: input.first, last_seen: input.last });
  for (const file of input.files) rows.push({ section: 'input', name: 'file', description: file });
  for (const { reason, count } of input.badLinesByReason) rows.push({ section: 'bad_lines', name: reason, count });
  if (report.window) {
    const w = report.window;
    rows.push({ section: 'window', name: 'window', first_seen: w.since, last_seen: w.until, description: askedText(w.asked) });
    rows.push({ section: 'window', name: 'outside', count: w.outside }, { section: 'window', name: 'without_time', count: w.withoutTime });
  }
  rows.push({ section: 'records', name: 'counted', count: report.records.total, first_seen: report.records.first, last_seen: report.records.last });
  rows.push({ section: 'records', name: 'no_codes', count: report.records.noCodes });
  for (const o of report.outcomes) rows.push({ section: 'outcome', name: o.outcome, count: o.count, share: o.share });
  for (const kind of CODE_KINDS) {
    const summary = report.kinds[kind];
    for (const c of summary.codes) {
      rows.push({
        section: 'code',
        kind,
        name: c.label ?? null,
        code: c.code,
        category: c.category,
        count: c.count,
        share: c.share,
        first_seen: c.firstSeen,
        last_seen: c.lastSeen,
        description: descriptionOf(c),
      });
    }
    if (summary.other)
      rows.push({
        section: 'code',
        kind,
        name: 'other',
        count: summary.other.count,
        share: summary.other.share,
        description: `${summary.other.codes} more codes`,
      });
    for (const c of summary.categories) rows.push({ section: 'category', kind, category: c.category, count: c.count, share: c.share });
  }
  const timeline = report.timeline;
  if (timeline) {
    const series = [
      ...Object.entries(timeline.outcomes).map(([name, counts]) => ({ kind: 'outcome', name, counts })),
      ...timeline.failureCategories.map(({ category, counts }) => ({ kind: 'failure_category', name: category, counts })),
    ];
    for (const { kind, name, counts } of series)
      counts.forEach((n, i) => rows.push({ section: 'timeline', kind, name, time: timeline.starts[i]!, count: n, description: timeline.bucket }));
  }
  for (const by of report.by) {
    for (const v of by.values) {
      rows.push({ section: 'by', kind: by.path, name: v.value, count: v.count, share: v.share, error: v.error });
      for (const c of v.codes)
        rows.push({ section: 'by_code', kind: by.path, name: v.value, code: `${c.kind} ${c.code}`, category: c.category, count: c.count });
    }
    if (by.other) rows.push({ section: 'by', kind: by.path, name: 'other', count: by.other.count, share: by.other.share });
    if (by.missing > 0) rows.push({ section: 'by', kind: by.path, name: '(none)', count: by.missing });
  }
  const latency = report.latency;
  if (latency) {
    const seconds = (row: { p50: number; p95: number; p99: number }) => ({ p50_seconds: row.p50, p95_seconds: row.p95, p99_seconds: row.p99 });
    for (const o of latency.outcomes) rows.push({ section: 'latency', kind: 'outcome', name: o.outcome, count: o.count, ...seconds(o) });
    for (const c of latency.codes)
      rows.push({ section: 'latency', kind: c.kind, name: c.label ?? null, code: c.code, category: c.category, count: c.count, ...seconds(c) });
    rows.push({ section: 'latency', name: 'invalid', count: latency.invalid });
  }
  const columns = latency ? [...COLUMNS, ...LATENCY_COLUMNS] : COLUMNS;
  return [columns.join(','), ...rows.map((row) => columns.map((column) => field(row[column])).join(','))].join('\r\n') + '\r\n';
}
