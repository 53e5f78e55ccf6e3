import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, fixture, lines, runCli } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';

const CATALOG = fixture('catalog.yaml');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-catalog-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INPUT =
  ['{"n":1,"status":499,"hid_error":7777}', '{"n":2,"hid_failure":13}', '{"n":3,"status":401,"hid_failure":51}', '{"n":4,"hid_error":1200}'].join('\n') + '\n';

describe('--catalog FILE (the real CLI)', () => {
  it('annotate: overrides a description and a category, and annotates the codes it adds', async () => {
    const result = await runCli(['annotate', '--catalog', CATALOG], { input: INPUT });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toEqual([
      '{"n":1,"status":499,"hid_error":7777,"hid":{"status":{"code":499,"label":"CLIENT CLOSED REQUEST","category":"client_error","description":"The client closed the connection before the answer"},"error":{"code":7777,"category":"gateway_policy","description":"Rejected by the API gateway\'s per-tenant quota"},"outcome":"error"}}',
      '{"n":2,"hid_failure":13,"hid":{"failure":{"code":13,"category":"credential_mismatch","description":"Wrong password (counts towards the five-try lockout)"},"outcome":"failure"}}',
      '{"n":3,"status":401,"hid_failure":51,"hid":{"status":{"code":401,"label":"UNAUTHORIZED","category":"client_error","description":"Authorization failure. The authorization header is invalid or missing"},"failure":{"code":51,"category":"session","description":"The step-up threshold has been reached"},"outcome":"failure"}}',
      '{"n":4,"hid_error":1200,"hid":{"error":{"code":1200,"category":"not_found","description":"A user with the specified code (external reference) could not be found"},"outcome":"error"}}',
    ]);
  });

  it("annotate --format pretty reads the site's table", async () => {
    const result = await runCli(['annotate', '--format', 'pretty', '--catalog', CATALOG], { input: INPUT });
    expect(lines(result.stdout)[0]).toBe("-  499 CLIENT CLOSED REQUEST  error  error 7777 [gateway_policy] Rejected by the API gateway's per-tenant quota");
  });

  it('count: an added code has its own code label (never other) and hid_code_info series; batch runs expose no reload metrics', async () => {
    const result = await runCli(['count', '--max-unknown-codes', '0', '--catalog', CATALOG], { input: INPUT });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const samples = parseExposition(result.stdout.toString());
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual({ '7777': 1, '1200': 1 });
    expect(samples.find((s) => s.name === 'hid_errors_total' && s.labels.code === '7777')?.labels.category).toBe('gateway_policy');
    expect(samples.find((s) => s.name === 'hid_failures_total' && s.labels.code === '51' && s.value === 1)?.labels.category).toBe('session');
    const info = (kind: string, code: string) =>
      samples.filter((s) => s.name === 'hid_code_info' && s.labels.kind === kind && s.labels.code === code).map((s) => s.labels);
    expect(info('error', '7777')).toEqual([
      { kind: 'error', code: '7777', category: 'gateway_policy', description: "Rejected by the API gateway's per-tenant quota" },
    ]);
    expect(info('failure', '13')).toEqual([
      { kind: 'failure', code: '13', category: 'credential_mismatch', description: 'Wrong password (counts towards the five-try lockout)' },
    ]);
    expect(info('http', '499')).toHaveLength(1);
    expect(byLabel(samples, 'hidlog_catalog_entries', 'kind')).toEqual({ http: 64, error: 305, failure: 54, response: 2 });
    expect(samples.filter((s) => s.name.startsWith('hidlog_catalog_') && s.name !== 'hidlog_catalog_entries')).toEqual([]);
  });

  it("report: the site's descriptions and categories, in the tables and in the timeline, with one thread or two", async () => {
    const site = join(dir, 'lockout.yaml');
    writeFileSync(
      site,
      'categories: {failure: {lockout: the account is locked by the site policy}}\nentries: [{kind: failure, code: 13, category: lockout}, {kind: error, code: 7777, description: Gateway quota, category: technical}]\n',
    );
    const input =
      Array.from(
        { length: 4000 },
        (_, i) => `{"time":"2026-11-28T10:${String(i % 60).padStart(2, '0')}:00Z","n":${i},${i % 2 ? '"hid_failure":13' : '"hid_error":7777'}}`,
      ).join('\n') + '\n';
    for (const workers of ['1', '2']) {
      const result = await runCli(['report', '--format', 'json', '--workers', workers, '--catalog', site], { input });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(result.stdout.toString()) as {
        kinds: Record<string, { codes: { code: number; description: string; category: string; known: boolean; count: number }[] }>;
        timeline: { failureCategories: { category: string; counts: number[] }[] };
      };
      expect(report.kinds.error!.codes).toMatchObject([{ code: 7777, description: 'Gateway quota', category: 'technical', known: true, count: 2000 }]);
      expect(report.kinds.failure!.codes).toMatchObject([{ code: 13, description: 'The password does not match', category: 'lockout', count: 2000 }]);
      expect(report.timeline.failureCategories.map(({ category, counts }) => [category, counts.reduce((a, b) => a + b, 0)])).toEqual([['lockout', 2000]]);
    }
  });

  it("codes: lists the site's entries, marked, and filters by the categories it adds", async () => {
    const json = await runCli(['codes', '--json', '--kind', 'error', '--catalog', CATALOG]);
    const listed = JSON.parse(json.stdout.toString()) as Record<string, unknown>[];
    expect(listed.find((entry) => entry.code === 7777)).toEqual({
      kind: 'error',
      code: 7777,
      description: "Rejected by the API gateway's per-tenant quota",
      category: 'gateway_policy',
      site: true,
    });
    expect(listed.filter((entry) => entry.site)).toHaveLength(1);
    const table = await runCli(['codes', '--category', 'gateway_policy', '--catalog', CATALOG]);
    expect(lines(table.stdout)).toEqual(["error  7777  gateway_policy  Rejected by the API gateway's per-tenant quota  [site]"]);
    const risk = await runCli(['codes', '--kind', 'failure', '--category', 'risk', '--catalog', CATALOG]);
    expect(lines(risk.stdout).map((line) => line.split(/\s+/)[1])).toEqual(['52', '54', '59']); // 51 moved to session
  });

  it("explain: marks the site's entries, shows the vendor's entry each replaces and what a site category means", async () => {
    const thirteen = await runCli(['explain', '13', '--kind', 'failure', '--catalog', CATALOG]);
    expect(lines(thirteen.stdout)).toEqual([
      'failure  13  credential_mismatch  Wrong password (counts towards the five-try lockout)  [site]',
      "failure  13  credential_mismatch  The password does not match                           [replaced by the site's]",
    ]);
    const added = await runCli(['explain', '7777', '--catalog', CATALOG]);
    expect(lines(added.stdout)).toEqual([
      "error  7777  gateway_policy  Rejected by the API gateway's per-tenant quota  [site]",
      "gateway_policy (a site category of error codes): the API gateway in front of HID refused the call by the site's own rules",
    ]);
    const both = await runCli(['explain', '400', '--catalog', CATALOG]);
    expect(both.stdout.toString()).not.toContain('[site]');
    expect(lines((await runCli(['explain', '7777'])).stderr)).toEqual(['hidlog: 7777 is not in the catalog']);
  });

  it('comes from the environment and --config like every option', async () => {
    const env = await runCli(['explain', '7777'], { env: { HIDLOG_CATALOG: CATALOG } });
    expect(env.code).toBe(0);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ catalog: CATALOG }));
    const fromConfig = await runCli(['count', '--config', config], { input: '{"hid_error":7777}\n' });
    expect(fromConfig.stdout.toString()).toMatch(/^hid_errors_total\{code="7777",category="gateway_policy"\} 1$/m);
  });

  it("--workers 2 annotates and counts with the site's table, byte for byte as one thread", async () => {
    const corpus = join(dir, 'corpus.ndjson');
    writeFileSync(corpus, INPUT.repeat(20_000)); // ~2.5 MB: regions go to the worker
    const args = ['--catalog', CATALOG, corpus];
    const [one, two] = await Promise.all([runCli(['annotate', ...args]), runCli(['annotate', '--workers', '2', ...args])]);
    expect(two.code).toBe(0);
    expect(two.stdout.equals(one.stdout)).toBe(true);
    const text = two.stdout.toString();
    expect(text.split('"description":"Wrong password (counts towards the five-try lockout)"').length - 1).toBe(20_000);
    expect(text).not.toContain('The password does not match');
    const [countOne, countTwo] = await Promise.all([runCli(['count', ...args]), runCli(['count', '--workers', '2', ...args])]);
    expect(countTwo.stdout.toString()).toBe(countOne.stdout.toString());
    expect(countTwo.stdout.toString()).toMatch(/^hid_failures_total\{code="51",category="session"\} 20000$/m);
  });

  describe('a broken file at start: one line naming the entry, exit 2, nothing done', () => {
    const broken = () => {
      const path = join(dir, 'broken.yaml');
      writeFileSync(path, readFileSync(CATALOG, 'utf8').replace('category: session', 'category: sessions'));
      return path;
    };
    it.each([
      ['annotate', []],
      ['count', []],
      ['codes', []],
      ['explain', ['13']],
      ['annotate', ['--follow', join(tmpdir(), 'hidlog-never.log')]],
      ['annotate', ['--metrics-listen', '127.0.0.1:0']],
    ])('%s %j', async (command, args) => {
      const path = broken();
      const result = await runCli([command, ...args, '--catalog', path], { input: INPUT });
      expect(result.code).toBe(2);
      expect(result.stdout.length).toBe(0);
      expect(result.stderr).toBe(
        `hidlog: --catalog ${path}: line 16: entries[2] (failure 51): category "sessions" is neither one of hidlog's failure categories nor one the file adds under categories.failure\n`,
      );
    });

    it('a file that cannot be read', async () => {
      const result = await runCli(['annotate', '--catalog', join(dir, 'missing.yaml')], { input: INPUT });
      expect([result.code, result.stderr]).toEqual([2, `hidlog: --catalog ${join(dir, 'missing.yaml')}: cannot read: no such file\n`]);
    });
  });

  it('is the worked example in docs/annotation.md', () => {
    expect(readFileSync(join(ROOT, 'docs/annotation.md'), 'utf8')).toContain('```yaml\n' + readFileSync(CATALOG, 'utf8') + '```');
  });
});
