// The dashboards and rules against real parts: three real hidlog processes (two batch runs
// served with --linger, one following a file), fed a corpus whose truth is known, scraped by a
// real Prometheus that loads the rules and remote-writes to a second one. The follower also has a
// --catalog file (one code the corpus does not use), so it exposes the catalog reload metrics.
// Every query of every dashboard runs as Grafana would send it; the key panels are held to the truth.
//
// Why the truth can be compared exactly: the counts over the dashboard's range add the first
// value of each series that appears within it (src/mixin/promql.ts, grownOver). Here every
// series appears already counted: Prometheus starts after each hidlog has read its part, so a
// plain increase() would see no change at all and show 0, and rate() panels show 0 (a batch
// run has no timeline). The counts are then exact integers, with no extrapolation.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CODE_KINDS, Catalog, lookup, type CodeKind } from '../../src/catalog/catalog.js';
import { ROOT, collect, startCli } from '../helpers/cli.js';
import { parseExposition } from '../helpers/exposition.js';
import {
  intervals,
  interpolate,
  labelValues,
  runTarget,
  type GrafanaPanel,
  type GrafanaVariable,
  type QueryResult,
  type Selection,
  type TimeRange,
} from '../helpers/grafana.js';
import { Prometheus } from '../helpers/prometheus.js';
import { freePort, hasTool, waitFor } from '../helpers/tools.js';
import { corpus, inCategory, together, type Part, type Truth } from './corpus.js';

const SCRAPE_SECONDS = 1;
// The follower's site catalog: a code none of the corpus' records has, so the truth stays the vendor's.
const SITE_CATALOG =
  "entries:\n  - kind: error\n    code: 7777\n    description: A technical error has occurred in the site's API gateway\n    category: technical\n";
const DASHBOARDS = ['hidlog-overview.json', 'hidlog-code.json', 'hidlog-health.json'];

interface Dashboard {
  title: string;
  time: { from: string };
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
}
const dashboards = Object.fromEntries(DASHBOARDS.map((name) => [name, JSON.parse(readFileSync(join(ROOT, 'dashboards', name), 'utf8')) as Dashboard]));
const overview = dashboards['hidlog-overview.json']!;

const prometheusInstalled = hasTool('prometheus');
const dir = mkdtempSync(join(tmpdir(), 'hidlog-dashboards-'));
const parts = corpus();
const hidlogs: { child: ChildProcess; done: Promise<unknown> }[] = [];
let instances: string[] = [];
let central: Prometheus | undefined;
let remote: Prometheus | undefined;
let range: TimeRange;

async function exposedLines(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return parseExposition(text)
    .filter((s) => s.name === 'hidlog_lines_total')
    .reduce((sum, s) => sum + s.value, 0);
}

function startHidlog(args: string[]): void {
  const child = startCli(['annotate', '--linger', '--label', 'tenant=tenant', '-o', '/dev/null', ...args]);
  hidlogs.push({ child, done: collect(child) });
}

beforeAll(async () => {
  if (!prometheusInstalled) return;
  const ports = await Promise.all(parts.map(() => freePort()));
  instances = ports.map((port) => `127.0.0.1:${port}`);
  const [a, b, c] = parts;
  writeFileSync(join(dir, 'a.ndjson'), a.text);
  writeFileSync(join(dir, 'b.ndjson'), b.text);
  writeFileSync(join(dir, 'c.log'), '');
  writeFileSync(join(dir, 'catalog.yaml'), SITE_CATALOG);
  startHidlog(['--metrics-listen', instances[0]!, join(dir, 'a.ndjson')]);
  startHidlog(['--metrics-listen', instances[1]!, '--max-label-values', '2', join(dir, 'b.ndjson')]);
  startHidlog(['--metrics-listen', instances[2]!, '--follow', '--poll-interval', '50', '--catalog', join(dir, 'catalog.yaml'), join(dir, 'c.log')]);

  // The third hidlog follows its file as the service writes it, in three bursts.
  // Once it follows the (empty) file: appended before its first look, a burst would be taken for
  // what was there at the start, and skipped (--start-at end).
  await waitFor('the follower to follow its file', async () => {
    const response = await fetch(`http://${instances[2]}/metrics`).catch(() => undefined);
    return response?.ok && /^hidlog_follow_files 1$/m.test(await response.text()) ? true : undefined;
  });
  const cLines = c.text.split(/(?<=\n)/);
  for (let i = 0; i < 3; i++) {
    appendFileSync(join(dir, 'c.log'), cLines.slice((i * cLines.length) / 3, ((i + 1) * cLines.length) / 3).join(''));
    // A sleep, the writer's pace: the log grows in three parts.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  for (const [i, port] of ports.entries()) {
    await waitFor(`hidlog ${i} to read its part`, async () => ((await exposedLines(port)) === parts[i]!.truth.lines ? true : undefined));
  }

  // The second hop, where Thanos or Mimir would be: a Prometheus that receives remote writes.
  remote = await Prometheus.start(dir, 'remote', { global: {} }, ['--web.enable-remote-write-receiver']);
  // The shipped Prometheus snippet, with this test's targets and a 1 s scrape.
  const config = parse(readFileSync(join(ROOT, 'dashboards', 'prometheus.yml'), 'utf8')) as {
    rule_files: string[];
    scrape_configs: { scrape_interval: string; static_configs: { targets: string[] }[] }[];
  };
  config.rule_files = config.rule_files.map((file) => join(ROOT, 'dashboards', file));
  config.scrape_configs[0]!.scrape_interval = `${SCRAPE_SECONDS}s`;
  config.scrape_configs[0]!.static_configs[0]!.targets = instances;
  central = await Prometheus.start(dir, 'central', {
    global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
    ...config,
    remote_write: [{ url: `${remote.url}/api/v1/write`, queue_config: { batch_send_deadline: '1s' } }],
  });
  const prometheus = central;
  await waitFor(
    'eight scrapes of every hidlog',
    async () => (((await prometheus.scalar('min(count_over_time(up{job="hidlog"}[1m]))')) ?? 0) >= 8 ? true : undefined),
    60_000,
  );
  await waitFor('the recording rules', async () => ((await prometheus.scalar('count(job:hid_failures:rate5m)')) === 1 ? true : undefined));
  const hop = remote;
  const total = together(parts).lines;
  await waitFor('the remote write', async () => ((await hop.scalar('sum(hidlog_lines_total)')) === total ? true : undefined), 60_000);
  // The dashboards' default time range, "now-1h": it covers the whole run.
  const to = Math.floor(Date.now() / 1000);
  range = { from: to - 3600, to };
  expect(overview.time.from).toBe('now-1h');
}, 180_000);

afterAll(async () => {
  for (const { child } of hidlogs) child.kill('SIGTERM');
  await Promise.all(hidlogs.map(({ done }) => done));
  await central?.stop();
  await remote?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const builtins = () => intervals(range, SCRAPE_SECONDS);

/** The variables' values as Grafana finds them: each query variable from its label_values(). */
async function variableOptions(prometheus: Prometheus, board: Dashboard, selection: Selection): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const variable of board.templating.list.filter((v) => v.type === 'query')) {
    const query = interpolate(variable.query!, board.templating.list, selection, builtins());
    found[variable.name] = await labelValues(prometheus, query, range, variable.sort);
  }
  return found;
}

/** Every query of a panel, as Grafana sends it for this selection. */
function panelQueries(board: Dashboard, title: string, selection: Selection): { refId: string; expr: string; instant: boolean }[] {
  const panel = board.panels.find((p) => p.title === title);
  if (!panel) throw new Error(`${board.title} has no panel ${title}`);
  return panel.targets!.map((t) => ({ refId: t.refId, instant: t.instant ?? false, expr: interpolate(t.expr, board.templating.list, selection, builtins()) }));
}

async function panelResults(prometheus: Prometheus, board: Dashboard, title: string, selection: Selection = {}): Promise<Record<string, QueryResult>> {
  const results: Record<string, QueryResult> = {};
  for (const query of panelQueries(board, title, selection)) {
    results[query.refId] = await runTarget(prometheus, query.expr, query.instant, range, builtins());
    expect(results[query.refId]!.status, query.expr).toBe('success');
  }
  return results;
}

/** An instant result as label value → number. */
const byLabel = (result: QueryResult, label: string) => Object.fromEntries(result.result.map((s) => [s.metric[label] ?? '', Number(s.value![1])]));
const single = (result: QueryResult) => {
  expect(result.result, result.expr).toHaveLength(1);
  return Number(result.result[0]!.value![1]);
};
const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/** A kind's counts for some tenants (all when none are given). */
function codesOf(truth: Truth, kind: CodeKind, tenants?: string[]): Record<string, number> {
  if (!tenants) return truth.codes[kind];
  const out: Record<string, number> = {};
  for (const tenant of tenants) for (const [code, n] of Object.entries(truth.byTenant[tenant]?.[kind] ?? {})) out[code] = (out[code] ?? 0) + n;
  return out;
}

/** The top-codes table against the truth: every code's count, rate, share, category and description. */
async function expectTopCodes(prometheus: Prometheus, title: string, kind: 'error' | 'failure', truth: Record<string, number>, selection: Selection = {}) {
  const { A, B, C } = await panelResults(prometheus, overview, title, selection);
  const expected = Object.entries(truth)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 10);
  expect(expected.length).toBeGreaterThan(2);
  const total = Object.values(truth).reduce((sum, n) => sum + n, 0);
  const rows = A!.result.map((s) => ({ code: s.metric.code!, category: s.metric.category, description: s.metric.description, count: Number(s.value![1]) }));
  expect(rows.length).toBe(expected.length);
  expect(Object.fromEntries(rows.map((r) => [r.code, r.count]))).toEqual(Object.fromEntries(expected));
  for (const row of rows) {
    const entry = lookup(kind, Number(row.code));
    expect(row.category, row.code).toBe(entry.category);
    expect(row.description, row.code).toBe(entry.known ? entry.description : undefined);
  }
  const rangeSeconds = range.to - range.from;
  for (const [code, n] of expected) {
    expect(byLabel(B!, 'code')[code], `rate of ${code}`).toBeCloseTo(n / rangeSeconds, 9);
    expect(byLabel(C!, 'code')[code], `share of ${code}`).toBeCloseTo(n / total, 9);
  }
}

// Grafana's selections the queries are run under: All everywhere; two of the three hidlogs and
// one tenant; two tenants. The drill-down looks at a code each selection has.
const selections = (): { name: string; selection: Selection }[] => [
  { name: 'All', selection: { kind: ['failure'], code: ['13'] } },
  { name: 'two instances, one tenant', selection: { instance: [instances[0]!, instances[2]!], tenant: ['acme'], kind: ['error'], code: ['1200'] } },
  { name: 'two tenants', selection: { tenant: ['acme', 'globex'], kind: ['http'], code: ['500'] } },
];

describe.runIf(prometheusInstalled)('the dashboards on a real Prometheus scraping real hidlogs', () => {
  it('every variable query finds what the hidlogs expose', async () => {
    const options = await variableOptions(central!, overview, {});
    expect(options.job).toEqual(['hidlog']);
    expect(options.instance).toEqual([...instances].sort());
    // B counts its third tenant under "other"; records without a tenant have no label.
    expect(options.tenant).toEqual(['acme', 'globex', 'initech', 'other']);
    const drill = await variableOptions(central!, dashboards['hidlog-code.json']!, { kind: ['failure'] });
    expect(drill.code).toContain('13');
    expect(drill.code).toContain('-1');
    expect(drill.code!.map(Number)).toEqual([...drill.code!.map(Number)].sort((x, y) => x - y));
  });

  it.each(DASHBOARDS)(
    '%s: every panel query runs without error or warning and returns data, under every selection',
    async (name) => {
      const board = dashboards[name]!;
      let ran = 0;
      const targets = board.panels.reduce((sum, panel) => sum + (panel.targets?.length ?? 0), 0);
      for (const { name: selectionName, selection } of selections()) {
        const options = await variableOptions(central!, board, selection);
        for (const [variable, values] of Object.entries(options))
          if (variable !== 'code') expect(values.length, `${selectionName}: $${variable}`).toBeGreaterThan(0);
        for (const panel of board.panels.filter((p) => p.type !== 'row')) {
          for (const query of panelQueries(board, panel.title, selection)) {
            const result = await runTarget(central!, query.expr, query.instant, range, builtins());
            const where = `${selectionName}: ${panel.title} ${query.refId}: ${query.expr}`;
            expect(result.status, `${where}: ${result.error}`).toBe('success');
            expect(result.warnings ?? [], where).toEqual([]);
            expect(result.result.length, where).toBeGreaterThan(0);
            if (!query.instant)
              expect(
                result.result.some((s) => s.values!.length > 0),
                where,
              ).toBe(true);
            ran++;
          }
        }
      }
      expect(ran).toBe(targets * selections().length);
    },
    60_000,
  );

  it('the top failure reasons and hid_error codes equal the truth: codes, counts, rates, shares, categories, descriptions', async () => {
    const truth = together(parts);
    await expectTopCodes(central!, 'Top failure reasons', 'failure', truth.codes.failure);
    await expectTopCodes(central!, 'Top hid_error codes', 'error', truth.codes.error);
  });

  it('the outcome split equals the truth', async () => {
    const { A } = await panelResults(central!, overview, 'Outcome split');
    expect(nonZero(byLabel(A!, 'outcome'))).toEqual(nonZero(together(parts).outcomes));
  });

  it('under two instances and one tenant, the panels count only those', async () => {
    const subset = together([parts[0], parts[2]]);
    const selection = { instance: [instances[0]!, instances[2]!], tenant: ['acme'] };
    await expectTopCodes(central!, 'Top failure reasons', 'failure', codesOf(subset, 'failure', ['acme']), selection);
    // The outcomes carry no record labels: the tenant does not apply, the instances do.
    const { A } = await panelResults(central!, overview, 'Outcome split', selection);
    expect(nonZero(byLabel(A!, 'outcome'))).toEqual(nonZero(subset.outcomes));
  });

  it('under two tenants (a multi-value regex), the top failures are theirs across every hidlog', async () => {
    await expectTopCodes(central!, 'Top failure reasons', 'failure', codesOf(together(parts), 'failure', ['acme', 'globex']), { tenant: ['acme', 'globex'] });
  });

  it("the code drill-down shows the code's description, category and count", async () => {
    const truth = together(parts);
    const code = dashboards['hidlog-code.json']!;
    for (const [kind, n] of [
      ['failure', 13],
      ['error', 9001],
    ] as const) {
      const selection = { kind: [kind], code: [String(n)] };
      const description = (await panelResults(central!, code, 'Description', selection)).A!;
      expect(description.result.map((s) => s.metric.description)).toEqual([lookup(kind, n).description]);
      const category = (await panelResults(central!, code, 'Category', selection)).A!;
      expect(category.result.map((s) => s.metric.category)).toEqual([lookup(kind, n).category]);
      expect(single((await panelResults(central!, code, 'Records in range', selection)).A!)).toBe(truth.codes[kind][String(n)]);
    }
  });

  it('the health dashboard counts the overflowing tenants of the capped hidlog', async () => {
    const { A } = await panelResults(central!, dashboards['hidlog-health.json']!, 'Label overflow');
    const overflow = Object.fromEntries(A!.result.map((s) => [`${s.metric.instance} ${s.metric.label}`, Number(s.value![1])]));
    expect(parts[1].truth.overflow).toBeGreaterThan(0);
    // With a --label, --max-series's overflow is there too, at 0: no hidlog here reaches 10000 series.
    expect(overflow).toEqual({
      [`${instances[0]} code`]: 0,
      [`${instances[0]} tenant`]: 0,
      [`${instances[0]} series`]: 0,
      [`${instances[1]} code`]: 0,
      [`${instances[1]} tenant`]: parts[1].truth.overflow,
      [`${instances[1]} series`]: 0,
      [`${instances[2]} code`]: 0,
      [`${instances[2]} tenant`]: 0,
      [`${instances[2]} series`]: 0,
    });
    const files = (await panelResults(central!, dashboards['hidlog-health.json']!, 'Files followed')).A!;
    expect(byLabel(files, 'instance')).toEqual({ [instances[2]!]: 1 });
  });

  it('the health dashboard shows every output error series at 0, and the catalog each hidlog has in force', async () => {
    const health = dashboards['hidlog-health.json']!;
    const errors = (await panelResults(central!, health, 'Output errors')).A!;
    const lastRates = Object.fromEntries(errors.result.map((s) => [`${s.metric.instance} ${s.metric.output} ${s.metric.error}`, Number(s.values!.at(-1)![1])]));
    expect(lastRates).toEqual(
      Object.fromEntries(instances.flatMap((instance) => ['ENOSPC', 'EDQUOT', 'EIO'].map((error) => [`${instance} output ${error}`, 0]))),
    );

    const entries = (await panelResults(central!, health, 'Catalog entries')).A!;
    const expected = Object.fromEntries(
      instances.flatMap((instance, i) => CODE_KINDS.map((kind) => [`${instance} ${kind}`, Catalog.vendor.size(kind) + (i === 2 && kind === 'error' ? 1 : 0)])),
    );
    expect(Object.fromEntries(entries.result.map((s) => [`${s.metric.instance} ${s.metric.kind}`, Number(s.value![1])]))).toEqual(expected);
    // Only the follower reloads its catalog: the batch runs have none to reload.
    expect(byLabel((await panelResults(central!, health, 'Last reload successful')).A!, 'instance')).toEqual({ [instances[2]!]: 1 });
    expect(byLabel((await panelResults(central!, health, 'Reload failures')).A!, 'instance')).toEqual({ [instances[2]!]: 0 });
    const since = byLabel((await panelResults(central!, health, 'Since the last good reload')).A!, 'instance');
    expect(Object.keys(since)).toEqual([instances[2]]);
    expect(since[instances[2]!]).toBeGreaterThan(0);
    expect(since[instances[2]!]).toBeLessThan(range.to - range.from);
  });
});

/** The overview's totals on a Prometheus, against the whole corpus' truth. */
async function expectOverviewTotals(prometheus: Prometheus, truth: Truth) {
  const stat = async (title: string) => single((await panelResults(prometheus, overview, title)).A!);
  expect(await stat('Records')).toBe(truth.results.annotated);
  expect(await stat('Failures')).toBe(Object.values(truth.codes.failure).reduce((sum, n) => sum + n, 0));
  expect(await stat('License errors')).toBe(inCategory(truth, 'error', 'license'));
  expect(await stat('Technical errors')).toBe(inCategory(truth, 'error', 'technical'));
  const http = Object.values(truth.codes.http).reduce((sum, n) => sum + n, 0);
  expect(await stat('5xx share')).toBeCloseTo(inCategory(truth, 'http', 'server_error') / http, 9);
  const { A } = await panelResults(prometheus, overview, 'Outcome split');
  expect(nonZero(byLabel(A!, 'outcome'))).toEqual(nonZero(truth.outcomes));
  await expectTopCodes(prometheus, 'Top failure reasons', 'failure', truth.codes.failure);
}

describe.runIf(prometheusInstalled)('scale-out: three hidlogs, each a third of the corpus', () => {
  const truth = together(parts as Part[]);

  it('the corpus has what the checks need', () => {
    expect(inCategory(truth, 'error', 'license')).toBeGreaterThan(0);
    expect(inCategory(truth, 'error', 'technical')).toBeGreaterThan(0);
    expect(truth.codes.failure['77']).toBeGreaterThan(0);
    for (const part of parts) expect(part.truth.results.invalid).toBeGreaterThan(0);
  });

  it("the overview's totals on the Prometheus that scrapes them equal the whole corpus' truth", async () => {
    await expectOverviewTotals(central!, truth);
  });

  it('and one hop further, on a Prometheus that receives them by remote_write', async () => {
    await expectOverviewTotals(remote!, truth);
  });
});
