// `--format html`: one self-contained page (styles and charts inline, no script, nothing fetched)
// that opens offline and prints well.
import { CODE_KINDS, type CodeKind } from '../../catalog/catalog.js';
import type { Report } from '../model.js';
import { escapeXml as esc, shareBar, stackedBars } from './svg.js';
import {
  KIND_TITLES,
  badReasonsText,
  bucketLabel,
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
  summary,
  timeFormat,
  timelineRows,
  latencyNote,
  latencyRows,
} from './text.js';
import { durationText } from '../latency.js';

export const OUTCOME_COLOURS: Record<string, string> = { success: '#009e73', failure: '#e69f00', error: '#d55e00', unknown: '#999999' };
const CATEGORY_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#86bcb6',
  '#d37295',
  '#8cd17d',
  '#499894',
];
const KIND_COLOURS: Record<CodeKind, string> = { http: '#4e79a7', error: '#d55e00', failure: '#e69f00', response: '#59a14f' };
// HTTP statuses by class, as outcomes are coloured.
const HTTP_COLOURS: Record<string, string> = {
  informational: '#999999',
  success: '#009e73',
  redirection: '#56b4e9',
  client_error: '#e69f00',
  server_error: '#d55e00',
};

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub { color: var(--muted); margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; margin: 18px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--soft); }
.card b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
.card span { color: var(--muted); font-size: 12px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.n, th.n { text-align: right; white-space: nowrap; }
td.t { white-space: nowrap; color: var(--muted); }
td.bar { width: 22%; min-width: 90px; }
table.codes { table-layout: fixed; }
table.codes td.bar { width: auto; }
svg.share { width: 100%; height: 10px; display: block; margin-top: 5px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 11px; fill: var(--muted); }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .baseline { stroke: var(--muted); stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0 0; padding: 0; list-style: none; font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
.summary { margin: 0; padding-left: 20px; }
.summary li { margin: 3px 0; }
.note { padding: 10px 12px; border-left: 4px solid #e69f00; background: #fff8e6; }
.code { font-weight: 600; white-space: nowrap; }
.cat { color: var(--muted); font-size: 12px; white-space: nowrap; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  main { max-width: none; padding: 0; }
  section { break-inside: avoid; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

function legend(items: { name: string; colour: string }[]): string {
  return `<ul class="legend">${items.map((item) => `<li><i style="background:${item.colour}"></i>${esc(item.name)}</li>`).join('')}</ul>`;
}

export function renderHtml(report: Report): string {
  const time = timeFormat(report);
  const { input, records } = report;
  const title = `hidlog report: ${input.files.join(', ')}`;
  const body: string[] = [];
  body.push(`<header><h1>${esc(title)}</h1><p class="sub">${esc(rangeText(input.first, input.last, report.timeZone))}</p></header>`);
  const outcome = (name: string) => report.outcomes.find((o) => o.outcome === name)!;
  const cards: [string, string][] = [
    [count(input.lines), `lines (${bytes(input.bytes)})`],
    [count(records.annotated), 'records with codes'],
    [count(outcome('failure').count), `failures (${percent(outcome('failure').share)})`],
    [count(outcome('error').count), `errors (${percent(outcome('error').share)})`],
    [count(input.badLines), 'bad lines'],
    [count(input.missingTime + input.unparseableTime), 'records without a time'],
  ];
  body.push(`<div class="cards">${cards.map(([n, label]) => `<div class="card"><b>${esc(n)}</b><span>${esc(label)}</span></div>`).join('')}</div>`);
  if (report.window) {
    const { since, until, outside, withoutTime } = report.window;
    body.push(
      `<p class="sub">Window: ${since ? `from ${esc(time(since))} ` : ''}${until ? `until ${esc(time(until))}` : ''}; left out ${plural(outside, 'record')} outside it and ${count(withoutTime)} without a time.</p>`,
    );
  }
  const empty = emptyNote(report);
  if (empty) {
    body.push(`<section><p class="note" data-empty>${esc(empty)}</p></section>`);
  } else {
    body.push(
      `<section><h2>Summary</h2><ul class="summary">${summary(report, time)
        .map((line) => `<li>${esc(line)}</li>`)
        .join('')}</ul></section>`,
    );
    body.push(
      `<section><h2>Outcomes</h2><table><tr><th>outcome</th><th class="n">records</th><th class="n">share</th><th></th></tr>${report.outcomes
        .map(
          (o) =>
            `<tr><td>${esc(o.outcome)}</td><td class="n">${count(o.count)}</td><td class="n">${percent(o.share)}</td><td class="bar">${shareBar(o.share, OUTCOME_COLOURS[o.outcome]!, `${o.outcome}: ${percent(o.share)}`)}</td></tr>`,
        )
        .join('')}</table></section>`,
    );
    const timeline = report.timeline;
    if (timeline) {
      const labels = timeline.starts.map(bucketLabel(report));
      const rows = timelineRows(report);
      const outcomes = rows.filter((r) => r.group === 'outcome').map((r) => ({ name: r.name, colour: OUTCOME_COLOURS[r.name]!, counts: r.counts }));
      const note = `${timeline.starts.length} buckets of ${timeline.bucket}, ${report.timeZone}${timeline.widenedFrom ? ` (--bucket ${timeline.widenedFrom} made too many)` : ''}`;
      body.push(
        `<section><h2>Timeline by outcome</h2><p class="sub">${esc(note)}</p>${stackedBars({ chart: 'timeline-outcomes', title: 'Records by outcome over time', series: outcomes, labels })}${legend(outcomes)}</section>`,
      );
      const failures = rows
        .filter((r) => r.group === 'failure')
        .map((r, i) => ({ name: r.name, colour: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length]!, counts: r.counts }));
      if (failures.length > 0) {
        body.push(
          `<section><h2>Failures by category over time</h2>${stackedBars({ chart: 'timeline-failures', title: 'Failures by category over time', series: failures, labels })}${legend(failures)}</section>`,
        );
      }
    }
    for (const kind of CODE_KINDS) {
      const summary = report.kinds[kind];
      if (summary.records === 0) continue;
      const most = Math.max(...summary.codes.map((c) => c.count), summary.other?.count ?? 0);
      const rows = summary.codes.map((c) => {
        const description = descriptionOf(c);
        return `<tr><td><span class="code">${c.code}${c.label ? ` ${esc(c.label)}` : ''}</span><br><span class="cat">${esc(c.category)}</span></td><td>${esc(description)}</td><td class="n">${count(c.count)}<br><span class="cat">${percent(c.share)}</span></td><td class="bar">${shareBar(c.count / most, (kind === 'http' && HTTP_COLOURS[c.category]) || KIND_COLOURS[kind], `${kind} ${c.code}: ${count(c.count)}`)}</td><td class="t">${esc(time(c.firstSeen))}<br>${esc(time(c.lastSeen))}</td></tr>`;
      });
      if (summary.other)
        rows.push(
          `<tr><td><span class="code">other</span></td><td>${moreCodes(summary.other.codes)}</td><td class="n">${count(summary.other.count)}<br><span class="cat">${percent(summary.other.share)}</span></td><td class="bar"></td><td></td></tr>`,
        );
      body.push(
        `<section><h2>${esc(KIND_TITLES[kind])}: top codes</h2><p class="sub">${plural(summary.records, 'record')}</p><table class="codes" data-chart="codes-${kind}"><colgroup><col style="width:21%"><col style="width:43%"><col style="width:9%"><col style="width:16%"><col style="width:11%"></colgroup><tr><th>code</th><th>description</th><th class="n">count</th><th></th><th>first / last seen</th></tr>${rows.join('')}</table></section>`,
      );
    }
    if (report.latency) {
      const rows = latencyRows(report).map(
        (row) =>
          `<tr><td>${row.group === 'code' ? `<span class="code">${esc(row.label)}</span><br><span class="cat">${esc(row.name)}</span>` : esc(row.label)}</td><td class="n">${count(row.count)}</td><td class="n">${esc(durationText(row.p50))}</td><td class="n">${esc(durationText(row.p95))}</td><td class="n">${esc(durationText(row.p99))}</td></tr>`,
      );
      body.push(
        `<section><h2>Latency</h2><p class="sub">${esc(latencyNote(report.latency))}</p><table data-chart="latency"><tr><th></th><th class="n">records</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th></tr>${rows.join('')}</table></section>`,
      );
    }
    const categoryRows = CODE_KINDS.flatMap((kind) =>
      report.kinds[kind].categories.map(
        (c) => `<tr><td>${esc(kind)}</td><td>${esc(c.category)}</td><td class="n">${count(c.count)}</td><td class="n">${percent(c.share)}</td></tr>`,
      ),
    );
    body.push(
      `<section><h2>Categories</h2><table><tr><th>kind</th><th>category</th><th class="n">records</th><th class="n">share of kind</th></tr>${categoryRows.join('')}</table></section>`,
    );
    for (const by of report.by) {
      const rows = by.values.map(
        (v) =>
          `<tr><td class="code">${esc(v.value)}</td><td class="n">${count(v.count)}${v.error > 0 ? ` <span class="cat">(≥${count(v.count - v.error)})</span>` : ''}</td><td class="n">${percent(v.share)}</td><td>${esc(causesText(v.codes))}</td></tr>`,
      );
      if (by.other) rows.push(`<tr><td>other</td><td class="n">${count(by.other.count)}</td><td class="n">${percent(by.other.share)}</td><td></td></tr>`);
      if (by.missing > 0)
        rows.push(`<tr><td>(none)</td><td class="n">${count(by.missing)}</td><td class="n">${percent(by.missing / by.records)}</td><td></td></tr>`);

      body.push(
        `<section><h2>Failures and errors by ${esc(by.path)}</h2><p class="sub">${count(by.records)} failures and errors. ${esc(exactness(by))}</p><table><tr><th>value</th><th class="n">count</th><th class="n">share</th><th>top codes</th></tr>${rows.join('')}</table></section>`,
      );
    }
  }
  const reasons = badReasonsText(input);
  body.push(
    `<section><h2>Input</h2><table><tr><td>files</td><td>${input.files.map(esc).join('<br>')}</td></tr><tr><td>lines</td><td>${count(input.lines)} (${bytes(input.bytes)}), ${plural(input.records, 'record')}</td></tr><tr><td>bad lines</td><td>${count(input.badLines)}${reasons ? ` (${esc(reasons)})` : ''}</td></tr><tr><td>without a time</td><td>${count(input.missingTime)} with none, ${count(input.unparseableTime)} unparseable</td></tr>${input.unreadable > 0 ? `<tr><td>unreadable inputs</td><td>${input.unreadable}</td></tr>` : ''}</table></section>`,
  );
  body.push(`<footer>Made by hidlog ${esc(report.hidlog)}; times in ${esc(report.timeZone)}. Descriptions are HID Global's.</footer>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body.join('\n')}
</main></body>
</html>
`;
}
