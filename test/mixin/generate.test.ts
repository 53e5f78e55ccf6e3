import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_CONFIG } from '../../src/mixin/config.js';
import { mixinFiles } from '../../src/mixin/mixin.js';
import { ROOT, lines, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-mixin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const generated = mixinFiles(DEFAULT_CONFIG);
const textOf = (files: { path: string; text: string }[], path: string) => files.find((file) => file.path === path)!.text;

describe('the committed dashboards/ folder', () => {
  it('is exactly a fresh generation with the defaults (run `hidlog mixin --out dashboards` after changing src/mixin)', () => {
    for (const file of generated) expect(readFileSync(join(ROOT, 'dashboards', file.path), 'utf8'), file.path).toBe(file.text);
    expect(readdirSync(join(ROOT, 'dashboards')).sort()).toEqual(['README.md', ...generated.map((file) => file.path)].sort());
  });

  it('keeps its uids and panel ids whatever the setup', () => {
    const other = mixinFiles({ ...DEFAULT_CONFIG, selector: 'job="hid-auth"', labels: ['region', 'tenant'] });
    for (const file of generated.filter((f) => f.path.endsWith('.json'))) {
      type Board = { uid: string; panels: { id: number; title: string }[] };
      const mine = JSON.parse(file.text) as Board;
      const theirs = JSON.parse(textOf(other, file.path)) as Board;
      expect(theirs.uid).toBe(mine.uid);
      const titles = (board: Board) => Object.fromEntries(board.panels.map((p) => [p.title, p.id]));
      expect(titles(theirs), file.path).toMatchObject(Object.fromEntries(Object.entries(titles(mine)).filter(([title]) => !title.startsWith('Rate per'))));
    }
  });
});

describe('a named setup (--name)', () => {
  type Board = { uid: string; title: string; tags: string[]; links: { tags: string[] }[] };
  const boards = (files: { path: string; text: string }[]) => files.filter((f) => f.path.endsWith('.json')).map((f) => JSON.parse(f.text) as Board);
  const named = mixinFiles({ ...DEFAULT_CONFIG, name: 'prod-eu' });

  it("has uids, titles, a tag and a dashboard menu of its own, none of them the unnamed setup's", () => {
    const mine = boards(named);
    const unnamed = boards(generated);
    expect(mine.map((b) => b.uid)).toEqual(['hidlog-prod-eu-overview', 'hidlog-prod-eu-code', 'hidlog-prod-eu-health']);
    expect(mine.map((b) => b.title)).toEqual(unnamed.map((b) => `${b.title} (prod-eu)`));
    for (const board of mine) {
      expect(board.tags).toEqual(['hidlog', 'hidlog-prod-eu']);
      expect(board.links.map((link) => link.tags)).toEqual([['hidlog-prod-eu']]);
    }
    // The top-code tables drill down into this setup's code dashboard.
    const urls = [...textOf(named, 'hidlog-overview.json').matchAll(/"url": "([^"?]+)\?/g)].map((m) => m[1]);
    expect(urls).toEqual(['/d/hidlog-prod-eu-code', '/d/hidlog-prod-eu-code']);
  });

  it('is provisioned beside another setup: its own provider, folder and path; the same rules', () => {
    const provider = parse(textOf(named, 'grafana-dashboards.yml')) as { providers: { name: string; folder: string; options: { path: string } }[] };
    expect(provider.providers).toMatchObject([
      { name: 'hidlog-prod-eu', folder: 'hidlog-prod-eu', options: { path: '/var/lib/grafana/dashboards/hidlog-prod-eu' } },
    ]);
    expect(textOf(named, 'grafana-dashboards.yml')).toContain('hidlog-*.json files to /var/lib/grafana/dashboards/hidlog-prod-eu.');
    expect(textOf(named, 'hidlog-rules.yml')).toBe(textOf(generated, 'hidlog-rules.yml'));
  });

  it('comes from hidlog mixin --name', async () => {
    const out = join(dir, 'named');
    const result = await runCli(['mixin', '--out', out, '--name', 'prod-eu', '--runbook-url', 'https://wiki.example/hid']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(readFileSync(join(out, 'hidlog-health.json'), 'utf8')) as Board).uid).toBe('hidlog-prod-eu-health');
  });
});

describe('a setup over several envs (a regex matcher)', () => {
  const files = mixinFiles({ ...DEFAULT_CONFIG, name: 'all', selector: 'job="hid-auth", env=~"eu|us"' });
  type Board = { panels: { title: string; targets?: { expr: string; legendFormat: string }[] }[] };
  const panel = (board: string, title: string) => (JSON.parse(textOf(files, board)) as Board).panels.find((p) => p.title === title)!.targets!;

  it('shows what the alerts see per job and env, from its own recorded series', () => {
    expect(panel('hidlog-overview.json', 'Failure rate against the spike alert')).toMatchObject([
      { expr: 'job:hid_failures:rate5m{job="hid-auth", env=~"eu|us", job=~"$job"}', legendFormat: '{{job}} {{env}} failures/s' },
      { expr: '3 * job:hid_failures:rate1h{job="hid-auth", env=~"eu|us", job=~"$job"}', legendFormat: '{{job}} {{env}} 3 × the last hour' },
    ]);
    expect(panel('hidlog-overview.json', 'Credential, blocked and disabled failures')).toMatchObject([
      {
        expr: 'sum by (job, env) (job_category:hid_failures:rate5m{job="hid-auth", env=~"eu|us", job=~"$job", category=~"credential_mismatch|blocked|disabled"})',
        legendFormat: '{{job}} {{env}}',
      },
    ]);
    expect(panel('hidlog-health.json', 'Invalid line share')[0]!.expr).toBe(
      'job_instance:hidlog_lines_invalid:ratio_rate5m{job="hid-auth", env=~"eu|us", job=~"$job", instance=~"$instance"}',
    );
  });
});

describe('hidlog mixin', () => {
  it("writes the defaults' files into --out and lists them", async () => {
    const out = join(dir, 'defaults');
    const result = await runCli(['mixin', '--out', out]);
    expect(result.code).toBe(0);
    // The project has no public home: the default runbook is a placeholder, and hidlog says so.
    expect(result.stderr).toBe(
      "hidlog: the alerts' runbook links point at the placeholder https://hidlog.example/docs/alerts.md; pass --runbook-url with where your team reads hidlog's runbook (docs/alerts.md)\n",
    );
    expect(lines(result.stdout)).toEqual(generated.map((file) => join(out, file.path)));
    for (const file of generated) expect(readFileSync(join(out, file.path), 'utf8'), file.path).toBe(file.text);
  });

  it('fits the files to a setup: selector, labels, thresholds, runbook', async () => {
    const out = join(dir, 'fitted');
    const args = [
      'mixin',
      '--out',
      out,
      '--selector',
      'job="hid-auth", env="prod"',
      '--label',
      'tenant=ctx.tenant',
      '--label',
      'region',
      '--label',
      'tenant=tenant',
      '--server-error-ratio',
      '0.02',
      '--runbook-url',
      'https://wiki.example/hid',
    ];
    const result = await runCli(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const overview = JSON.parse(readFileSync(join(out, 'hidlog-overview.json'), 'utf8')) as {
      templating: { list: { name: string }[] };
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    expect(overview.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance', 'tenant', 'region']);
    const failures = overview.panels.find((p) => p.title === 'Failures by category')!.targets![0]!.expr;
    expect(failures).toContain('hid_failures_total{job="hid-auth", env="prod", job=~"$job", instance=~"$instance", tenant=~"$tenant", region=~"$region"}');
    const rules = parse(readFileSync(join(out, 'hidlog-rules.yml'), 'utf8')) as {
      groups: { rules: { alert?: string; expr: string; annotations?: { runbook_url: string } }[] }[];
    };
    const serverErrors = rules.groups[1]!.rules.find((r) => r.alert === 'HIDAuthServerErrors')!;
    expect(serverErrors.expr).toContain('> 0.02');
    expect(serverErrors.annotations!.runbook_url).toBe('https://wiki.example/hid#hidauthservererrors');
    // The recording rules keep the labels the selector names: another env's setup records apart.
    expect(rules.groups[0]!.rules[0]!.expr).toBe('sum by (job, env) (rate(hid_failures_total{job="hid-auth", env="prod"}[5m]))');
    const prometheus = parse(readFileSync(join(out, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { labels: Record<string, string> }[] }[];
    };
    expect(prometheus.scrape_configs[0]).toMatchObject({ job_name: 'hid-auth', static_configs: [{ labels: { env: 'prod' } }] });
  });

  it.each([
    [[], /^hidlog: Missing required argument: out$/m],
    [['--selector', 'job=hid'], /^hidlog: --selector job=hid: expected label matchers such as job="hid-auth", at "job=hid"$/m],
    [['--selector', 'job="a`b"'], /^hidlog: --selector job="a`b": a backtick cannot be used$/m],
    [['--selector', '__name__="up"'], /^hidlog: --selector __name__="up": __name__ names a metric; the selector picks targets$/m],
    [['--label', 'bad-name'], /^hidlog: --label bad-name: bad-name is not a valid Prometheus label name$/m],
    [['--label', 'code'], /^hidlog: --label code: code is a label hidlog sets itself$/m],
    [['--label', 'datasource'], /^hidlog: --label datasource: the dashboards' data source variable has that name$/m],
    [['--label', 'tenant', '--label', 'tenant'], /^hidlog: --label tenant is given twice$/m],
    [['--server-error-ratio', '5'], /^hidlog: --server-error-ratio 5: expected a share between 0 and 1, e.g. 0.05$/m],
    [['--failure-spike-factor', '0'], /^hidlog: --failure-spike-factor 0: expected a number above 0$/m],
    [['--failure-spike-factor', 'abc'], /^hidlog: --failure-spike-factor abc: expected a number$/m],
    [['--min-rate', '1e400'], /^hidlog: --min-rate 1e400: expected a number$/m],
    [['--runbook-url', 'README.md'], /^hidlog: --runbook-url README.md: expected an http/m],
    [['--name', 'prod eu'], /^hidlog: --name prod eu: expected up to 24 letters, digits, - or _, starting with a letter or digit, e.g. prod-eu$/m],
    [['--name', 'a-name-longer-than-24-chars'], /^hidlog: --name a-name-longer-than-24-chars: expected up to 24 letters/m],
  ])('refuses %j: one line, exit 2', async (args, message) => {
    const result = await runCli(['mixin', ...(args.length === 0 ? [] : ['--out', join(dir, 'refused')]), ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')[0]).toMatch(/^hidlog: /);
    expect(result.stdout.length).toBe(0);
  });

  it('says in one line when the folder cannot be made where its parent cannot hold it (under /proc, a dangling symlink), exit 1', async () => {
    // Node's mkdir(recursive) spins forever on both: the walk must give up.
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    for (const [out, reason] of [
      ['/proc/hidlog-test/out', 'no such file'],
      [join(dir, 'dangling', 'out'), 'not a directory'],
    ] as const) {
      const result = await runCli(['mixin', '--out', out]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`hidlog: cannot write ${out}: ${reason}\n`);
    }
  });

  it('says in one line when the folder cannot be written, exit 1', async () => {
    const result = await runCli(['mixin', '--out', join(ROOT, 'package.json', 'out')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: cannot write ${join(ROOT, 'package.json', 'out')}: not a directory\n`);
  });
});
