// `--format table`: aligned plain text for a terminal (coloured only there) or a text file.
import { CODE_KINDS } from '../../catalog/catalog.js';
import type { Report } from '../model.js';
import {
  KIND_TITLES,
  askedText,
  badReasonsText,
  bytes,
  causesText,
  count,
  emptyNote,
  exactness,
  moreCodes,
  percent,
  plural,
  rangeText,
  sparkline,
  sparklineAxis,
  summary,
  timeFormat,
  timelineRows,
  latencyNote,
  latencyRows,
} from './text.js';
import { durationText } from '../latency.js';

export interface TableOptions {
  colour: boolean;
  /** Terminal columns: descriptions are cut to fit. Undefined: nothing is cut. */
  width?: number | undefined;
}

const STYLES = { bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', reset: '\x1b[0m' } as const;
type Style = Exclude<keyof typeof STYLES, 'reset'>;
const OUTCOME_STYLE: Record<string, Style> = { success: 'green', failure: 'yellow', error: 'red', unknown: 'dim' };

type Align = 'left' | 'right';
interface Cell {
  text: string;
  style?: Style | undefined;
}

/** Rows padded to their columns' widths; the last column is cut to `width` if given. */
function grid(rows: (string | Cell)[][], align: Align[], paint: (cell: Cell) => string, width?: number): string[] {
  const cells = rows.map((row) => row.map((cell) => (typeof cell === 'string' ? { text: cell } : cell)));
  const widths = align.map((_, i) => Math.max(0, ...cells.map((row) => row[i]?.text.length ?? 0)));
  return cells.map((row) => {
    let used = 2;
    const parts = row.map((cell, i) => {
      const last = i === row.length - 1;
      let text = cell.text;
      if (last && width !== undefined && used + text.length > width) text = text.slice(0, Math.max(8, width - used - 1)) + '…';
      const padded = last && align[i] === 'left' ? text : align[i] === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
      used += widths[i]! + 2;
      return paint({ text: padded, style: cell.style });
    });
    return `  ${parts.join('  ')}`.trimEnd();
  });
}

export function renderTable(report: Report, options: TableOptions): string {
  const paint = (cell: Cell) => (options.colour && cell.style ? `${STYLES[cell.style]}${cell.text}${STYLES.reset}` : cell.text);
  const heading = (text: string) => paint({ text, style: 'bold' });
  const time = timeFormat(report);
  const zone = report.timeZone;
  const { input } = report;
  const out: string[] = [];
  const section = (title: string, lines: string[]) => out.push('', heading(title), ...lines);

  out.push(heading(`hidlog report: ${input.files.join(', ')}`));
  const badReasons = badReasonsText(input);
  const withoutTime = input.missingTime + input.unparseableTime;
  section(
    'Input',
    grid(
      [
        ['lines', `${count(input.lines)} (${bytes(input.bytes)})${input.unreadable > 0 ? `; ${plural(input.unreadable, 'input')} could not be read` : ''}`],
        ['records', plural(input.records, 'JSON object')],
        ['bad lines', input.badLines === 0 ? '0' : `${count(input.badLines)}: ${badReasons}`],
        ['time range', rangeText(input.first, input.last, zone)],
        [
          'without a time',
          withoutTime === 0 ? '0' : `${count(withoutTime)} (${count(input.missingTime)} with none, ${count(input.unparseableTime)} unparseable)`,
        ],
        ...(report.window
          ? [
              [
                'window',
                `${report.window.since ? `from ${time(report.window.since)}` : ''}${report.window.since && report.window.until ? ' ' : ''}${report.window.until ? `until ${time(report.window.until)}` : ''} (asked: ${askedText(report.window.asked)})`,
              ],
              ['left out', `${plural(report.window.outside, 'record')} outside the window, ${count(report.window.withoutTime)} without a time`],
            ]
          : []),
      ],
      ['left', 'left'],
      paint,
    ),
  );

  const empty = emptyNote(report);
  if (empty) {
    out.push('', empty, '');
    return out.join('\n');
  }

  section(
    'Summary',
    summary(report, time).map((line) => `  ${line}`),
  );

  const { records } = report;
  section(
    `Outcomes (${plural(records.annotated, 'record')} with codes${records.noCodes > 0 ? `; ${count(records.noCodes)} without` : ''})`,
    grid(
      report.outcomes.map((o) => [{ text: o.outcome, style: OUTCOME_STYLE[o.outcome] }, count(o.count), percent(o.share)]),
      ['left', 'right', 'right'],
      paint,
    ),
  );

  for (const kind of CODE_KINDS) {
    const summary = report.kinds[kind];
    if (summary.records === 0) continue;
    const rows: (string | Cell)[][] = [
      [
        { text: 'code', style: 'dim' },
        { text: 'count', style: 'dim' },
        { text: 'share', style: 'dim' },
        { text: 'first', style: 'dim' },
        { text: 'last', style: 'dim' },
        { text: 'category', style: 'dim' },
        { text: 'description', style: 'dim' },
      ],
    ];
    for (const row of summary.codes) {
      const description = row.known
        ? row.label && row.label !== row.description.toUpperCase()
          ? `${row.label}: ${row.description}`
          : row.description
        : '(not in the catalog)';
      rows.push([
        String(row.code),
        count(row.count),
        percent(row.share),
        time(row.firstSeen),
        time(row.lastSeen),
        row.category,
        description.replace(/\s+/g, ' '),
      ]);
    }
    if (summary.other) rows.push([`other`, count(summary.other.count), percent(summary.other.share), '', '', '', `${moreCodes(summary.other.codes)}`]);
    section(
      `${KIND_TITLES[kind]} (${plural(summary.records, 'record')})`,
      grid(rows, ['left', 'right', 'right', 'left', 'left', 'left', 'left'], paint, options.width),
    );
  }

  if (report.latency) {
    const rows: (string | Cell)[][] = [
      [
        { text: '', style: 'dim' },
        { text: 'records', style: 'dim' },
        { text: 'p50', style: 'dim' },
        { text: 'p95', style: 'dim' },
        { text: 'p99', style: 'dim' },
        { text: 'category', style: 'dim' },
      ],
    ];
    for (const row of latencyRows(report)) {
      rows.push([
        { text: row.label, style: row.group === 'outcome' ? OUTCOME_STYLE[row.name] : undefined },
        count(row.count),
        durationText(row.p50),
        durationText(row.p95),
        durationText(row.p99),
        row.group === 'code' ? row.name : '',
      ]);
    }
    section('Latency', [...grid(rows, ['left', 'right', 'right', 'right', 'right', 'left'], paint, options.width), `  ${latencyNote(report.latency)}`]);
  }

  const categoryRows: string[][] = [];
  for (const kind of CODE_KINDS) {
    report.kinds[kind].categories.forEach((c, i) => categoryRows.push([i === 0 ? kind : '', c.category, count(c.count), percent(c.share)]));
  }
  section('Categories', grid(categoryRows, ['left', 'left', 'right', 'right'], paint));

  const timeline = report.timeline;
  if (timeline) {
    const widened = timeline.widenedFrom ? `; --bucket ${timeline.widenedFrom} would make too many` : '';
    const rows: (string | Cell)[][] = timelineRows(report).map((row) => [
      { text: row.label, style: row.group === 'outcome' ? OUTCOME_STYLE[row.name] : undefined },
      sparkline(row.counts),
      count(row.total),
    ]);
    rows.push(['', { text: sparklineAxis(report, timeline.starts.length), style: 'dim' }, '']);
    section(
      `Timeline: ${timeline.starts.length} buckets of ${timeline.bucket} from ${time(timeline.starts[0]!)} to ${time(timeline.end)} ${zone}${widened}`,
      grid(rows, ['left', 'left', 'right'], paint),
    );
  }

  for (const by of report.by) {
    const rows: (string | Cell)[][] = [
      [
        { text: 'value', style: 'dim' },
        { text: 'count', style: 'dim' },
        { text: 'share', style: 'dim' },
        { text: 'top codes', style: 'dim' },
      ],
    ];
    for (const value of by.values) {
      const bound = value.error > 0 ? ` (≥${count(value.count - value.error)})` : '';
      rows.push([value.value, `${count(value.count)}${bound}`, percent(value.share), causesText(value.codes)]);
    }
    if (by.other)
      rows.push([
        'other',
        count(by.other.count),
        percent(by.other.share),
        by.distinct === null ? 'more values than the sketch holds' : plural(by.distinct - by.values.length, 'more value'),
      ]);
    if (by.missing > 0) rows.push([{ text: '(none)', style: 'dim' }, count(by.missing), percent(by.missing / by.records), 'no value']);
    section(`Failures and errors by ${by.path}: ${count(by.records)}`, [
      ...grid(rows, ['left', 'right', 'right', 'left'], paint, options.width),
      `  ${exactness(by)}`,
    ]);
  }
  out.push('');
  return out.join('\n');
}
