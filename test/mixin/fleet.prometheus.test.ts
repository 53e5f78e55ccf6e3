// A fleet whose catalogs disagree, as in the middle of a catalog rollout: two real hidlogs scraped
// by one real Prometheus, the second with a site --catalog (fixtures/catalog.yaml) that gives
// hid_failure 13 its own text and 51 another category. Every dashboard panel and every query of
// the alerts' description templates must still answer, with data: a join on hid_code_info that
// finds a description per instance fails ("found duplicate series for the match group").
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lookup } from '../../src/catalog/catalog.js';
import type { RuleGroups } from '../../src/mixin/rules.js';
import { ROOT, fixture } from '../helpers/cli.js';
import { intervals, interpolate, labelValues, runTarget, type GrafanaPanel, type GrafanaVariable, type Selection, type TimeRange } from '../helpers/grafana.js';
import { Prometheus } from '../helpers/prometheus.js';
import { hasTool, waitFor } from '../helpers/tools.js';
import { corpus, together } from './corpus.js';
import { serveHidlog, shippedPrometheusConfig, templateQueries, untilRead, type ServedHidlog } from './fleet.js';

const SCRAPE_SECONDS = 1;
// fixtures/catalog.yaml's words for hid_failure 13, and its category for 51.
const SITE_13 = 'Wrong password (counts towards the five-try lockout)';
const SITE_51_CATEGORY = 'session';

interface Dashboard {
  title: string;
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
}
const DASHBOARDS = ['hidlog-overview.json', 'hidlog-code.json', 'hidlog-health.json'];
const dashboards = DASHBOARDS.map((name) => JSON.parse(readFileSync(join(ROOT, 'dashboards', name), 'utf8')) as Dashboard);
const overview = dashboards[0]!;
const drillDown = dashboards[1]!;
const rules = parse(readFileSync(join(ROOT, 'dashboards', 'hidlog-rules.yml'), 'utf8')) as RuleGroups;

const prometheusInstalled = hasTool('prometheus');
const dir = mkdtempSync(join(tmpdir(), 'hidlog-fleet-'));
const [vendorPart, sitePart] = corpus();
const hidlogs: ServedHidlog[] = [];
let prometheus: Prometheus | undefined;
let range: TimeRange;

beforeAll(async () => {
  if (!prometheusInstalled) return;
  writeFileSync(join(dir, 'vendor.ndjson'), vendorPart.text);
  writeFileSync(join(dir, 'site.log'), '');
  // One batch run with the vendor's catalog; one follower with the site's, which reloads it.
  hidlogs.push(await serveHidlog(['--linger', '--label', 'tenant=tenant', join(dir, 'vendor.ndjson')]));
  hidlogs.push(
    await serveHidlog(['--follow', '--poll-interval', '50', '--label', 'tenant=tenant', '--catalog', fixture('catalog.yaml'), join(dir, 'site.log')]),
  );
  // Appended before the follower's first look, the records would be taken for what was there at the start, and skipped (--start-at end).
  await waitFor('the follower to follow its file', async () =>
    (await (await fetch(`http://${hidlogs[1]!.instance}/metrics`)).text()).match(/^hidlog_follow_files 1$/m) ? true : undefined,
  );
  appendFileSync(join(dir, 'site.log'), sitePart.text);
  await untilRead(hidlogs[0]!.instance, vendorPart.truth.lines);
  await untilRead(hidlogs[1]!.instance, sitePart.truth.lines);

  prometheus = await Prometheus.start(dir, 'prometheus', {
    global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
    ...shippedPrometheusConfig(
      hidlogs.map((h) => h.instance),
      SCRAPE_SECONDS,
    ),
  });
  const server = prometheus;
  await waitFor(
    'eight scrapes of both hidlogs',
    async () => (((await server.scalar('min(count_over_time(up{job="hidlog"}[1m]))')) ?? 0) >= 8 ? true : undefined),
    60_000,
  );
  await waitFor('the recording rules', async () => ((await server.scalar('count(job:hid_failures:rate5m)')) === 1 ? true : undefined));
  // The two catalogs really disagree on the Prometheus: two descriptions of 13, two categories of 51.
  await waitFor('both catalogs', async () =>
    (await server.scalar('count(count by (description) (hid_code_info{kind="failure", code="13"}))')) === 2 ? true : undefined,
  );
  const to = Math.floor(Date.now() / 1000);
  range = { from: to - 3600, to };
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(hidlogs.map((h) => h.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const builtins = () => intervals(range, SCRAPE_SECONDS);

async function runPanel(board: Dashboard, panel: GrafanaPanel, selection: Selection) {
  const results = [];
  for (const target of panel.targets ?? []) {
    const expr = interpolate(target.expr, board.templating.list, selection, builtins());
    results.push({
      refId: target.refId,
      ...(await runTarget(prometheus!, expr, target.instant ?? false, range, builtins())),
      instant: target.instant ?? false,
    });
  }
  return results;
}

const panel = (board: Dashboard, title: string) => board.panels.find((p) => p.title === title)!;
const known = (code: number) => [lookup('failure', code).description, ...(code === 13 ? [SITE_13] : [])];

describe.runIf(prometheusInstalled)('a fleet whose catalogs disagree, on a real Prometheus', () => {
  // The drill-down looks at the code whose text differs and at the one whose category does.
  const selections: Selection[] = [
    { kind: ['failure'], code: ['13'] },
    { kind: ['failure'], code: ['51'] },
  ];

  it.each(DASHBOARDS.map((name, i) => [name, i] as const))(
    '%s: every panel query answers without error or warning, with data',
    async (_name, i) => {
      const board = dashboards[i]!;
      let ran = 0;
      for (const selection of selections) {
        for (const variable of board.templating.list.filter((v) => v.type === 'query')) {
          const values = await labelValues(prometheus!, interpolate(variable.query!, board.templating.list, selection, builtins()), range, variable.sort);
          expect(values.length, `$${variable.name}`).toBeGreaterThan(0);
        }
        for (const p of board.panels.filter((p) => p.type !== 'row')) {
          for (const result of await runPanel(board, p, selection)) {
            const where = `${selection.code}: ${p.title} ${result.refId}: ${result.expr}`;
            expect(result.status, `${where}: ${result.error}`).toBe('success');
            expect(result.warnings ?? [], where).toEqual([]);
            expect(result.result.length, where).toBeGreaterThan(0);
            if (!result.instant)
              expect(
                result.result.some((s) => s.values!.length > 0),
                where,
              ).toBe(true);
            ran++;
          }
        }
      }
      expect(ran).toBeGreaterThan(selections.length * 2);
    },
    60_000,
  );

  it('the top failure reasons name 13 once, in one of its two texts, and count 51 under each category it was given', async () => {
    const [counts] = await runPanel(overview, panel(overview, 'Top failure reasons'), {});
    const truth = together([vendorPart, sitePart]).codes.failure;
    const rows = counts!.result.map((s) => ({
      code: s.metric.code!,
      category: s.metric.category!,
      description: s.metric.description,
      count: Number(s.value![1]),
    }));
    const of13 = rows.filter((r) => r.code === '13');
    expect(of13).toHaveLength(1);
    expect(known(13)).toContain(of13[0]!.description);
    expect(of13[0]!.count).toBe(truth['13']);
    // 51 is risk on the vendor's hidlog and session on the site's: a row each, the vendor's one text.
    const of51 = rows.filter((r) => r.code === '51');
    expect(of51.map((r) => r.category).sort()).toEqual([lookup('failure', 51).category, SITE_51_CATEGORY].sort());
    for (const row of of51) expect(row.description).toBe(lookup('failure', 51).description);
    expect(of51.reduce((sum, r) => sum + r.count, 0)).toBe(truth['51']);
  });

  it('the drill-down shows one description and one category of a code the catalogs disagree on', async () => {
    for (const [code, field] of [
      [13, 'description'],
      [51, 'category'],
    ] as const) {
      const selection = { kind: ['failure'], code: [String(code)] };
      const [shown] = await runPanel(drillDown, panel(drillDown, field === 'description' ? 'Description' : 'Category'), selection);
      expect(shown!.result, `${code} ${field}`).toHaveLength(1);
      const value = shown!.result[0]!.metric[field]!;
      expect(field === 'description' ? known(13) : [lookup('failure', 51).category, SITE_51_CATEGORY]).toContain(value);
    }
  });

  it("every query of every alert's description template answers, with data, and names a code once", async () => {
    const site = hidlogs[1]!.instance;
    // A query that looks back is run at range.to + its offset, over the samples after range.to:
    // wait until both hidlogs have been scraped twice since, or it may find none.
    await waitFor('two scrapes after the range', async () =>
      ((await prometheus!.scalar('min(timestamp(up{job="hidlog"}))')) ?? 0) > range.to + 2 * SCRAPE_SECONDS ? true : undefined,
    );
    let ran = 0;
    for (const alert of rules.groups[1].rules) {
      for (const { expr, offsetSeconds } of templateQueries(alert.annotations.description, 'hidlog', site)) {
        // A query that looks back (`offset 10m`) is run as Prometheus will run it once its history reaches that far.
        const response = await prometheus!.query(expr, range.to + offsetSeconds);
        const where = `${alert.alert}: ${expr}`;
        expect(response.status, `${where}: ${response.error}`).toBe('success');
        expect(response.warnings ?? [], where).toEqual([]);
        expect(response.data.result.length, where).toBeGreaterThan(0);
        const codes = response.data.result.map((s) => s.metric.code).filter((code) => code !== undefined);
        expect(new Set(codes).size, where).toBe(codes.length);
        ran++;
      }
    }
    expect(ran).toBe(12);
  });
});
