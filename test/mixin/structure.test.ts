import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CatalogReloads } from '../../src/catalog/reloader.js';
import { FollowStats } from '../../src/metrics/follow-stats.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { MetricsTally } from '../../src/count/tally.js';
import { OutputErrors } from '../../src/sinks/output-errors.js';
import { DEFAULT_CONFIG } from '../../src/mixin/config.js';
import { CODE_METRICS, DURATION_METRIC } from '../../src/contract/metrics.js';
import { RECORDED, anchorOf, type RuleGroups } from '../../src/mixin/rules.js';
import { ROOT } from '../helpers/cli.js';
import { documentedMetrics, metricNamesIn, selectorsIn } from '../helpers/promql.js';

// The committed dashboards and rules: what a user imports.
const DASHBOARDS = ['hidlog-overview.json', 'hidlog-code.json', 'hidlog-health.json'];
const read = (name: string) => readFileSync(join(ROOT, 'dashboards', name), 'utf8');

interface Target {
  expr: string;
  datasource: unknown;
}
interface Panel {
  type: string;
  title?: string;
  description?: string;
  fieldConfig?: { defaults: { unit?: string; thresholds?: { steps: { color: string; value: number | null }[] } } };
  targets?: Target[];
}
interface Variable {
  type: string;
  name: string;
  query?: string;
  datasource?: unknown;
  options?: { value: string }[];
}
interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  links: { type: string; tags: string[] }[];
  panels: Panel[];
  templating: { list: Variable[] };
  schemaVersion: number;
}

const dashboards = DASHBOARDS.map((name) => ({ name, board: JSON.parse(read(name)) as Dashboard }));
const rules = parse(read('hidlog-rules.yml')) as RuleGroups;
const dataPanels = (board: Dashboard) => board.panels.filter((panel) => panel.type !== 'row');
/** Every query of a dashboard, with the variables it cannot use: a variable's own and the later ones. */
const expressions = (board: Dashboard) => [
  ...dataPanels(board).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ where: `${board.title} / ${panel.title}`, expr: target.expr, excused: new Set<string>() })),
  ),
  ...board.templating.list.flatMap((v, i, all) =>
    v.type === 'query' ? [{ where: `${board.title} / $${v.name}`, expr: v.query!, excused: new Set(all.slice(i).map((later) => later.name)) }] : [],
  ),
];
/** The PromQL inside the alerts' templates, with the alert's own labels as plain strings. */
const templateQueries = (text: string) => [...text.matchAll(/printf `([^`]*)`/g)].map((m) => m[1]!.replace(/%\[\d\]q/g, '"x"').replace(/%%/g, '%'));
const alerts = rules.groups[1].rules;

/** Every metric name hidlog exposes on /metrics (follow mode, output errors, catalog reloads and process metrics included). */
/** The metric families hidlog exposes, by name: their type. */
async function exposedMetrics(): Promise<Map<string, string>> {
  const tally = new MetricsTally({ labels: [], maxUnknownCodes: 1, maxLabelValues: 1 });
  const { body } = await new Exposition(tally, true, {
    follow: new FollowStats(),
    outputErrors: new OutputErrors(['output']),
    catalogReloads: new CatalogReloads(),
  }).render();
  return new Map([...body.matchAll(/^# TYPE (\S+) (\S+)/gm)].map((match) => [match[1]!, match[2]!]));
}

/** The family a series name belongs to: a histogram's series are its name with _bucket, _sum or _count. */
function familyOf(name: string, exposed: Map<string, string>): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && exposed.get(base) === 'histogram' ? base : name;
}

describe('the dashboards', () => {
  it('parse, and each has its own uid, a title, the hidlog tag and a link to the others', () => {
    const uids = dashboards.map(({ board }) => board.uid);
    expect(new Set(uids).size).toBe(DASHBOARDS.length);
    for (const { name, board } of dashboards) {
      expect(board.uid, name).toMatch(/^hidlog-[a-z]+$/);
      expect(board.title, name).not.toBe('');
      expect(board.tags, name).toContain('hidlog');
      expect(board.links, name).toContainEqual(expect.objectContaining({ type: 'dashboards', tags: ['hidlog'] }));
      expect(board.schemaVersion, name).toBe(38);
    }
  });

  it('read only the data source the datasource variable picks', () => {
    for (const { name, board } of dashboards) {
      const variable = board.templating.list.find((v) => v.name === 'datasource');
      expect(variable, name).toMatchObject({ type: 'datasource', query: 'prometheus' });
      const refs: unknown[] = [];
      JSON.stringify(board, (key, value: unknown) => {
        if (key === 'datasource') refs.push(value);
        return value;
      });
      expect(refs.length, name).toBeGreaterThan(10);
      for (const ref of refs) expect(ref, name).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('give every panel a title, a unit, thresholds and a description that says what red means', () => {
    for (const { board } of dashboards) {
      for (const panel of dataPanels(board)) {
        const where = `${board.title} / ${panel.title}`;
        expect(panel.title, where).toBeTruthy();
        expect(panel.fieldConfig?.defaults.unit, where).toBeTruthy();
        const steps = panel.fieldConfig!.defaults.thresholds!.steps;
        expect(steps[0]?.value, where).toBeNull();
        expect(panel.description!.length, where).toBeGreaterThan(60);
        const alarming = steps.some((step) => step.color === 'red' || step.color === 'orange');
        // A red step says in the description what it means and what to do; no red step says so.
        expect(panel.description, where).toMatch(alarming ? /(Red|Orange) (above|from|at|when)/ : /Nothing here turns red/);
        expect((panel.targets ?? []).length, where).toBeGreaterThan(0);
      }
    }
  });

  it("link each top-code table's codes to the drill-down, with a kind it knows", () => {
    const drill = dashboards.find(({ name }) => name === 'hidlog-code.json')!.board;
    const kinds = drill.templating.list.find((v) => v.name === 'kind')!.options!.map((o) => o.value);
    const urls = [...read('hidlog-overview.json').matchAll(/"url": "([^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(2);
    for (const url of urls) {
      expect(url).toMatch(new RegExp(`^/d/${drill.uid}\\?var-kind=(${kinds.join('|')})&var-code=\\$\\{__data\\.fields\\.code\\}&`));
      for (const name of ['datasource', 'job', 'instance', ...DEFAULT_CONFIG.labels]) expect(url).toContain(`\${${name}:queryparam}`);
    }
  });

  it('have the variables datasource, job, instance (multi, All) and one per --label that matches a missing label', () => {
    for (const { name, board } of dashboards) {
      const variables = board.templating.list;
      expect(
        variables.slice(0, 3 + DEFAULT_CONFIG.labels.length).map((v) => v.name),
        name,
      ).toEqual(['datasource', 'job', 'instance', ...DEFAULT_CONFIG.labels]);
      for (const variable of variables.slice(1, 3 + DEFAULT_CONFIG.labels.length)) {
        expect(variable, `${name} $${variable.name}`).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
      }
    }
  });

  it('filter every query by job and instance, the code counters by each --label, and put $__rate_interval in every rate()', () => {
    const counters = new Set(['', '${kind}', ...Object.values(CODE_METRICS)]);
    const recorded = new Set<string>(Object.values(RECORDED));
    // A recording rule keeps the labels of its level (job_instance: job and instance); the rest keep all.
    const filtersOf = (metric: string) =>
      recorded.has(metric)
        ? metric
            .split(':')[0]!
            .split('_')
            .filter((label) => label !== 'category')
        : ['job', 'instance', ...(counters.has(metric) ? DEFAULT_CONFIG.labels : [])];
    let checked = 0;
    for (const { board } of dashboards) {
      for (const { where, expr, excused } of expressions(board)) {
        for (const { metric, matchers } of selectorsIn(expr)) {
          checked++;
          // The recorded series too: another setup's, in the same Prometheus, have the same names.
          expect(matchers, `${where}: ${metric}`).toContain(DEFAULT_CONFIG.selector);
          for (const label of filtersOf(metric).filter((name) => !excused.has(name)))
            expect(matchers, `${where}: ${metric}`).toContain(`${label}=~"$${label}"`);
        }
        for (const [, window] of expr.matchAll(/\brate\([^[]*\[([^\]]+)\]/g)) expect(window, where).toBe('$__rate_interval');
        for (const [, window] of expr.matchAll(/\[([^\]]+)\]/g)) expect(['$__rate_interval', '$__range', '$__interval'], where).toContain(window);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('name only metrics that hidlog documents and exposes, or the recording rules', async () => {
    const documented = documentedMetrics();
    const exposed = await exposedMetrics();
    const recorded = new Set(rules.groups[0].rules.map((rule) => rule.record));
    const queries = [
      ...dashboards.flatMap(({ board }) => expressions(board)),
      ...rules.groups[0].rules.map((rule) => ({ where: rule.record, expr: rule.expr })),
      ...alerts.flatMap((rule) => [rule.expr, ...templateQueries(rule.annotations.description)].map((expr) => ({ where: rule.alert, expr }))),
    ];
    const named = new Set<string>();
    for (const { where, expr } of queries) {
      for (const series of metricNamesIn(expr)) {
        const name = familyOf(series, exposed);
        named.add(name);
        if (recorded.has(name) || name === 'up') continue;
        const isDocumented = documented.names.has(name) || documented.prefixes.some((prefix) => name.startsWith(prefix));
        expect(isDocumented, `${where}: ${name} is not in docs/metrics.md's tables`).toBe(true);
        expect(exposed.has(name), `${where}: hidlog does not expose ${name}`).toBe(true);
      }
    }
    expect(named.size).toBeGreaterThan(20);
    for (const name of Object.values(CODE_METRICS)) expect(named).toContain(name);
    expect(named).toContain(DURATION_METRIC);
  });
});

describe('the rules', () => {
  it("name recording rules level:metric:operations, from hidlog's metrics", () => {
    for (const rule of rules.groups[0].rules) expect(rule.record).toMatch(/^[a-z_]+:[a-z_0-9]+:[a-z_0-9]+$/);
  });

  it('give every alert a severity, a summary, a description and a runbook section in docs/alerts.md', () => {
    const runbook = readFileSync(join(ROOT, 'docs/alerts.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#{2,6} (.+)$/gm)].map((m) => anchorOf(m[1]!)));
    expect(alerts.length).toBe(14);
    for (const rule of alerts) {
      expect(['critical', 'warning'], rule.alert).toContain(rule.labels.severity);
      expect(rule.annotations.summary, rule.alert).toBeTruthy();
      expect(rule.annotations.description.length, rule.alert).toBeGreaterThan(80);
      const [base, anchor] = rule.annotations.runbook_url.split('#');
      expect(base, rule.alert).toBe(DEFAULT_CONFIG.runbookUrl);
      expect(anchors, `${rule.alert}: docs/alerts.md has no section #${anchor}`).toContain(anchor);
    }
  });
});
