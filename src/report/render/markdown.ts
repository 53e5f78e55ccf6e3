// `--format markdown`: to paste into an incident ticket.
import { CODE_KINDS } from '../../catalog/catalog.js';
import type { Report } from '../model.js';
import {
  KIND_TITLES,
  askedText,
  badReasonsText,
  bytes,
  causesText,
  count,
  descriptionOf,
  emptyNote,
  exactness,
  moreCodes,
  percent,
  plural,
  rangeText,
  sparkline,
  summary,
  timeFormat,
  timelineRows,
  latencyNote,
  latencyRows,
} from './text.js';
import { durationText } from '../latency.js';

/** Text safe inside a table cell. */
const cell = (text: string) => text.replace(/\s+/g, ' ').replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
}

export function renderMarkdown(report: Report): string {
  const time = timeFormat(report);
  const { input, records } = report;
  const out: string[] = [`# hidlog report: ${input.files.map((f) => `\`${f}\``).join(', ')}`, ''];
  const withoutTime = input.missingTime + input.unparseableTime;
  out.push(`- **Lines:** ${count(input.lines)} (${bytes(input.bytes)}), ${plural(input.records, 'record')}`);
  out.push(`- **Bad lines:** ${count(input.badLines)}${input.badLines > 0 ? ` (${badReasonsText(input)})` : ''}`);
  out.push(`- **Time range:** ${rangeText(input.first, input.last, report.timeZone)}`);
  out.push(
    `- **Without a time:** ${count(withoutTime)}${withoutTime > 0 ? ` (${count(input.missingTime)} with none, ${count(input.unparseableTime)} unparseable)` : ''}`,
  );
  if (input.unreadable > 0) out.push(`- **Unreadable inputs:** ${input.unreadable}`);
  if (report.window) {
    const { since, until, asked, outside, withoutTime: untimed } = report.window;
    out.push(
      `- **Window:** ${since ? `from ${time(since)}` : ''}${since && until ? ' ' : ''}${until ? `until ${time(until)}` : ''} (\`${askedText(asked)}\`); left out: ${count(outside)} outside, ${count(untimed)} without a time`,
    );
  }
  const empty = emptyNote(report);
  if (empty) return [...out, '', `**${empty}**`, ''].join('\n');

  out.push('', '## Summary', '', ...summary(report, time).map((line) => `- ${line}`));
  out.push(
    '',
    `## Outcomes`,
    '',
    ...table(
      ['outcome', 'records', 'share'],
      ['l', 'r', 'r'],
      report.outcomes.map((o) => [o.outcome, count(o.count), percent(o.share)]),
    ),
  );
  if (records.noCodes > 0) out.push('', `${plural(records.noCodes, 'record')} without a code.`);

  for (const kind of CODE_KINDS) {
    const summary = report.kinds[kind];
    if (summary.records === 0) continue;
    const rows = summary.codes.map((row) => [
      `${row.code}${row.label ? ` ${row.label}` : ''}`,
      count(row.count),
      percent(row.share),
      row.category,
      descriptionOf(row),
      time(row.firstSeen),
      time(row.lastSeen),
    ]);
    if (summary.other) rows.push(['other', count(summary.other.count), percent(summary.other.share), '', `${moreCodes(summary.other.codes)}`, '', '']);
    out.push(
      '',
      `## ${KIND_TITLES[kind]} (${plural(summary.records, 'record')})`,
      '',
      ...table(['code', 'count', 'share', 'category', 'description', 'first seen', 'last seen'], ['l', 'r', 'r', 'l', 'l', 'l', 'l'], rows),
    );
  }

  if (report.latency) {
    const rows = latencyRows(report).map((row) => [
      row.label,
      count(row.count),
      durationText(row.p50),
      durationText(row.p95),
      durationText(row.p99),
      row.group === 'code' ? row.name : '',
    ]);
    out.push(
      '',
      '## Latency',
      '',
      ...table(['', 'records', 'p50', 'p95', 'p99', 'category'], ['l', 'r', 'r', 'r', 'r', 'l'], rows),
      '',
      latencyNote(report.latency),
    );
  }

  const categoryRows = CODE_KINDS.flatMap((kind) => report.kinds[kind].categories.map((c) => [kind, c.category, count(c.count), percent(c.share)]));
  out.push('', '## Categories', '', ...table(['kind', 'category', 'count', 'share'], ['l', 'l', 'r', 'r'], categoryRows));

  const timeline = report.timeline;
  if (timeline) {
    out.push(
      '',
      `## Timeline`,
      '',
      `${timeline.starts.length} buckets of ${timeline.bucket} from ${time(timeline.starts[0]!)} to ${time(timeline.end)} ${report.timeZone}${timeline.widenedFrom ? ` (--bucket ${timeline.widenedFrom} would make too many)` : ''}.`,
      '',
    );
    out.push(
      ...table(
        ['series', 'over time', 'total'],
        ['l', 'l', 'r'],
        timelineRows(report).map((row) => [row.label, `\`${sparkline(row.counts)}\``, count(row.total)]),
      ),
    );
  }

  for (const by of report.by) {
    const rows = by.values.map((v) => [
      v.value,
      `${count(v.count)}${v.error > 0 ? ` (≥${count(v.count - v.error)})` : ''}`,
      percent(v.share),
      causesText(v.codes),
    ]);
    if (by.other) rows.push(['other', count(by.other.count), percent(by.other.share), '']);
    if (by.missing > 0) rows.push(['(none)', count(by.missing), percent(by.missing / by.records), '']);
    out.push(
      '',
      `## Failures and errors by \`${by.path}\` (${count(by.records)})`,
      '',
      ...table(['value', 'count', 'share', 'top codes'], ['l', 'r', 'r', 'l'], rows),
    );
    out.push('', exactness(by));
  }
  out.push('');
  return out.join('\n');
}
