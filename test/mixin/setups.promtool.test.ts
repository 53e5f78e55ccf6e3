// Two setups of the mixin in one Prometheus: `--name eu --selector 'job="hidlog", env="eu"'` and
// the same for us, with other thresholds and runbooks, their rule files loaded together by one
// real promtool over series of both envs. Each setup records its own series (no duplicate sample),
// pages for its own env only, with the env among the alert's labels, and its dashboards' panels
// over recorded series show its own env only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lookup, type CodeKind } from '../../src/catalog/catalog.js';
import { DEFAULT_CONFIG, type MixinConfig } from '../../src/mixin/config.js';
import { mixinFiles } from '../../src/mixin/mixin.js';
import { RECORDED, ruleGroups } from '../../src/mixin/rules.js';
import { hasTool } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-setups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNBOOK = { eu: 'https://wiki.example/eu/hidlog.md', us: 'https://wiki.example/us/hidlog.md' };
// us pages for 5xx from 20%, eu from 5% (the default): both see 10%. us's failure spike needs 2/s.
const SETUPS: Record<'eu' | 'us', MixinConfig> = {
  eu: { ...DEFAULT_CONFIG, name: 'eu', selector: 'job="hidlog",env="eu"', runbookUrl: RUNBOOK.eu },
  us: { ...DEFAULT_CONFIG, name: 'us', selector: 'job="hidlog",env="us"', runbookUrl: RUNBOOK.us, serverErrorRatio: 0.2, failureSpikeMinRate: 2 },
};
const files = { eu: mixinFiles(SETUPS.eu), us: mixinFiles(SETUPS.us) };
const textOf = (env: 'eu' | 'us', path: string) => files[env].find((file) => file.path === path)!.text;
const RULES = { eu: join(dir, 'eu-rules.yml'), us: join(dir, 'us-rules.yml'), both: join(dir, 'both-rules.yml') };
writeFileSync(RULES.eu, textOf('eu', 'hidlog-rules.yml'));
writeFileSync(RULES.us, textOf('us', 'hidlog-rules.yml'));
// One setup whose selector picks both envs, with the default thresholds and runbook.
const ONE = { ...DEFAULT_CONFIG, selector: 'job="hidlog", env=~"eu|us"' };
writeFileSync(RULES.both, mixinFiles(ONE).find((file) => file.path === 'hidlog-rules.yml')!.text);

const EU = 'eu-1:9464';
const US = ['us-1:9464', 'us-2:9464'];

/** A series of one hidlog of one env, as Prometheus stores it after a scrape. */
function series(metric: string, env: 'eu' | 'us', instance: string, labels: Record<string, string> = {}): string {
  const all = { job: 'hidlog', env, instance, ...labels };
  return `${metric}{${Object.entries(all)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',')}}`;
}
const code = (metric: string, kind: CodeKind, n: number, env: 'eu' | 'us', instance: string) =>
  series(metric, env, instance, { code: String(n), category: lookup(kind, n).category });
const info = (kind: CodeKind, n: number, env: 'eu' | 'us', instance: string, description = lookup(kind, n).description) =>
  series('hid_code_info', env, instance, { kind, code: String(n), category: lookup(kind, n).category, description });

// us runs a site catalog that words 9001 its own way, on two hidlogs against eu's one: a template
// that joined hid_code_info across envs would take the us text for eu's alert.
const SITE_9001 = 'Site licence expired: call the licence desk';
const VENDOR_9001 = lookup('error', 9001).description;
const VENDOR_600 = lookup('error', 600).description;

// 30 minutes, a sample a minute.
const INPUT: Record<string, string> = {
  // A license error in eu at 11m; none in us.
  [code('hid_errors_total', 'error', 9001, 'eu', EU)]: '0x10 1x20',
  [code('hid_errors_total', 'error', 9001, 'us', US[0]!)]: '0x30',
  [info('error', 9001, 'eu', EU)]: '1x30',
  [info('error', 9001, 'us', US[0]!, SITE_9001)]: '1x30',
  [info('error', 9001, 'us', US[1]!, SITE_9001)]: '1x30',
  // Technical errors in both: 0.05/s in eu, 0.10/s in us.
  [code('hid_errors_total', 'error', 600, 'eu', EU)]: '0+3x30',
  [code('hid_errors_total', 'error', 600, 'us', US[0]!)]: '0+6x30',
  [info('error', 600, 'eu', EU)]: '1x30',
  [info('error', 600, 'us', US[0]!)]: '1x30',
  // 10% of 500s in both, at 10 responses a second: eu's threshold (5%) pages, us's (20%) does not.
  [code('hid_http_responses_total', 'http', 200, 'eu', EU)]: '0+540x30',
  [code('hid_http_responses_total', 'http', 500, 'eu', EU)]: '0+60x30',
  [code('hid_http_responses_total', 'http', 200, 'us', US[0]!)]: '0+540x30',
  [code('hid_http_responses_total', 'http', 500, 'us', US[0]!)]: '0+60x30',
  [info('http', 500, 'eu', EU)]: '1x30',
  [info('http', 500, 'us', US[0]!)]: '1x30',
  // Wrong passwords from 0m: 0.5/s in eu (under the surge alert's 1/s), 1.5/s in us on two hidlogs
  // (over the default spike floor of 0.5/s and 3 times the hour before, but not over us's 2/s).
  [code('hid_failures_total', 'failure', 13, 'eu', EU)]: '0+30x30',
  [code('hid_failures_total', 'failure', 13, 'us', US[0]!)]: '0+60x30',
  [code('hid_failures_total', 'failure', 13, 'us', US[1]!)]: '0+30x30',
  [info('failure', 13, 'us', US[0]!)]: '1x30',
  // us-2 reads 10% of lines it cannot read; eu-1 none.
  [series('hidlog_lines_total', 'us', US[1]!, { result: 'annotated' })]: '0+540x30',
  [series('hidlog_lines_total', 'us', US[1]!, { result: 'invalid' })]: '0+60x30',
  [series('hidlog_invalid_lines_total', 'us', US[1]!, { reason: 'invalid_json' })]: '0+60x30',
  [series('hidlog_lines_total', 'eu', EU, { result: 'annotated' })]: '0+600x30',
  [series('hidlog_lines_total', 'eu', EU, { result: 'invalid' })]: '0x30',
  [series('hidlog_lines_total', 'eu', EU, { result: 'no_codes' })]: '0x30',
  // us-2 stops answering at 11m.
  [series('up', 'eu', EU)]: '1x30',
  [series('up', 'us', US[0]!)]: '1x30',
  [series('up', 'us', US[1]!)]: '1x10 0x20',
};

const ALERTS = ruleGroups(SETUPS.eu).groups[1].rules.map((rule) => rule.alert);

interface Alert {
  labels: Record<string, string>;
  summary: string;
  description: string;
  runbook: string;
}
const fired = (env: 'eu' | 'us', alert: string, labels: Record<string, string>, summary: string, description: string): Alert => ({
  labels: { job: 'hidlog', env, ...labels },
  summary,
  description,
  runbook: `${RUNBOOK[env]}#${alert.toLowerCase()}`,
});

// At 20m: what each alert of both files must fire, and nothing else.
const EXPECTED: Record<string, Alert[]> = {
  HIDAuthLicenseError: [
    fired(
      'eu',
      'HIDAuthLicenseError',
      { severity: 'critical' },
      'License errors in the logs of hidlog (env=eu)',
      `Records with a license error in the last 10 minutes: 1. Authentications fail until the license is fixed. The most frequent: hid_error 9001 (license: ${VENDOR_9001}), 1 of them.`,
    ),
  ],
  HIDAuthTechnicalErrors: [
    fired(
      'eu',
      'HIDAuthTechnicalErrors',
      { severity: 'critical', category: 'technical' },
      'Technical errors in the logs of hidlog (env=eu) for 5 minutes',
      `hid_error codes of the category technical (an internal fault in a component: kernel, LDAP, adapter, STM, RADIUS) at 0.05/s, without a pause for 5 minutes. The most frequent: hid_error 600 (technical: ${VENDOR_600}) at 0.05/s.`,
    ),
    fired(
      'us',
      'HIDAuthTechnicalErrors',
      { severity: 'critical', category: 'technical' },
      'Technical errors in the logs of hidlog (env=us) for 5 minutes',
      `hid_error codes of the category technical (an internal fault in a component: kernel, LDAP, adapter, STM, RADIUS) at 0.10/s, without a pause for 5 minutes. The most frequent: hid_error 600 (technical: ${VENDOR_600}) at 0.10/s.`,
    ),
  ],
  HIDAuthServerErrors: [
    fired(
      'eu',
      'HIDAuthServerErrors',
      { severity: 'critical' },
      '10% of the HTTP responses on hidlog (env=eu) are 5xx',
      `Over 5% of the HTTP statuses in the logs were 5xx for 5 minutes: the service failed requests it should have answered. Most of them: HTTP 500 (${lookup('http', 500).description}) at 1.00/s.`,
    ),
  ],
  HIDAuthCredentialFailureSurge: [
    fired(
      'us',
      'HIDAuthCredentialFailureSurge',
      { severity: 'warning' },
      'Credential-mismatch, blocked and disabled failures on hidlog (env=us) at 1.50/s',
      `Over 1 a second for 5 minutes: wrong passwords or OTPs, blocked channels and disabled users, as brute force or a wave of lock-outs shows. The top reason: hid_failure 13 (credential_mismatch: ${lookup('failure', 13).description}) at 1.50/s.`,
    ),
  ],
  HidlogDown: [
    fired(
      'us',
      'HidlogDown',
      { severity: 'warning', instance: US[1]! },
      `hidlog at ${US[1]} is not scraped`,
      `Prometheus has failed to scrape ${US[1]} for 5 minutes: the HID alerts cannot see those logs.`,
    ),
  ],
  HidlogInvalidLines: [
    fired(
      'us',
      'HidlogInvalidLines',
      { severity: 'warning', instance: US[1]! },
      `10% of the lines hidlog reads at ${US[1]} are not records it can read`,
      'Over 5% of the lines for 10 minutes were not JSON objects or were too long, so hidlog found no code in them: the HID dashboards and alerts are blind to those records. The top reason: invalid_json at 1.00/s.',
    ),
  ],
};

// The same input under the one setup over both envs: each env still pages apart, with its env,
// and each alert's template reads its own env's series: the license error's text is eu's (the
// vendor's), not the site text most of the setup's hidlogs (two of us, one of eu) have.
const onDefaultRunbook = (alerts: Alert[]) => alerts.map((alert) => ({ ...alert, runbook: alert.runbook.replace(/^[^#]*/, DEFAULT_CONFIG.runbookUrl) }));
const ONE_SETUP: Record<string, Alert[]> = {
  ...Object.fromEntries(Object.entries(EXPECTED).map(([name, alerts]) => [name, onDefaultRunbook(alerts)])),
  // Its 5% threshold pages for both; each template counts its own env's 500s (1/s, not 2/s).
  HIDAuthServerErrors: onDefaultRunbook([
    EXPECTED.HIDAuthServerErrors![0]!,
    {
      ...EXPECTED.HIDAuthServerErrors![0]!,
      labels: { job: 'hidlog', env: 'us', severity: 'critical' },
      summary: '10% of the HTTP responses on hidlog (env=us) are 5xx',
    },
  ]),
  // Its 0.5/s floor pages for us (1.5/s); the hour before is us's alone (900 failures in the 10 minutes before 10m, over 3600 s).
  HIDAuthFailureSpike: onDefaultRunbook([
    fired(
      'us',
      'HIDAuthFailureSpike',
      { severity: 'warning' },
      'HID authentication failures on hidlog (env=us) are 1.50/s, over 3 times the hour before',
      `1.50/s failures in the last 5 minutes, against 0.25/s in the hour before. The top reason: hid_failure 13 (credential_mismatch: ${lookup('failure', 13).description}) at 1.50/s.`,
    ),
  ]),
};

// At 20m: each env's recorded series, apart.
const RECORDED_AT_20M: { expr: string; samples: { labels: string; value: number }[] }[] = [
  {
    expr: RECORDED.failures5m,
    samples: [
      { labels: `${RECORDED.failures5m}{job="hidlog", env="eu"}`, value: 0.5 },
      { labels: `${RECORDED.failures5m}{job="hidlog", env="us"}`, value: 1.5 },
    ],
  },
  {
    expr: `${RECORDED.errorsByCategory5m}{category="technical"}`,
    samples: [
      { labels: `${RECORDED.errorsByCategory5m}{job="hidlog", env="eu", category="technical"}`, value: 0.05 },
      { labels: `${RECORDED.errorsByCategory5m}{job="hidlog", env="us", category="technical"}`, value: 0.1 },
    ],
  },
  {
    expr: RECORDED.serverErrorRatio5m,
    samples: [
      { labels: `${RECORDED.serverErrorRatio5m}{job="hidlog", env="eu"}`, value: 0.1 },
      { labels: `${RECORDED.serverErrorRatio5m}{job="hidlog", env="us"}`, value: 0.1 },
    ],
  },
  {
    expr: RECORDED.invalidLineRatio5m,
    samples: [
      { labels: `${RECORDED.invalidLineRatio5m}{job="hidlog", env="eu", instance="${EU}"}`, value: 0 },
      { labels: `${RECORDED.invalidLineRatio5m}{job="hidlog", env="us", instance="${US[1]}"}`, value: 0.1 },
    ],
  },
];

interface Panel {
  title: string;
  targets?: { expr: string }[];
}
/** A dashboard panel's queries as Grafana sends them with every variable on All (`.*`). */
function panelQueries(env: 'eu' | 'us', board: string, title: string): string[] {
  const panels = (JSON.parse(textOf(env, board)) as { panels: Panel[] }).panels;
  const panel = panels.find((p) => p.title === title);
  if (!panel) throw new Error(`${board} has no panel ${title}`);
  return panel.targets!.map((target) => target.expr.replace(/\$(job|instance|tenant)\b/g, '.*'));
}

// The panels that read recorded series, each env's dashboards with All selected: their own env only.
function dashboardTests(): { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[] {
  const at20m = (expr: string, samples: [string, number][]) => ({
    expr,
    eval_time: '20m',
    exp_samples: samples.map(([labels, value]) => ({ labels, value })),
  });
  const [eu5m, eu1h] = panelQueries('eu', 'hidlog-overview.json', 'Failure rate against the spike alert');
  const [us5m] = panelQueries('us', 'hidlog-overview.json', 'Failure rate against the spike alert');
  const [euShare] = panelQueries('eu', 'hidlog-overview.json', '5xx share the alert sees');
  const [usCredential] = panelQueries('us', 'hidlog-overview.json', 'Credential, blocked and disabled failures');
  const [usInvalid] = panelQueries('us', 'hidlog-health.json', 'Invalid line share');
  const [euNoCodes, euWithoutReason] = panelQueries('eu', 'hidlog-health.json', 'Records without codes');
  return [
    at20m(eu5m!, [[`${RECORDED.failures5m}{job="hidlog", env="eu"}`, 0.5]]),
    // 3 × the rate of the last hour, of which only 20 minutes (600 failures) exist: 3 × 600 / 3600.
    at20m(eu1h!, [['{job="hidlog", env="eu"}', 0.5]]),
    at20m(us5m!, [[`${RECORDED.failures5m}{job="hidlog", env="us"}`, 1.5]]),
    at20m(euShare!, [[`${RECORDED.serverErrorRatio5m}{job="hidlog", env="eu"}`, 0.1]]),
    at20m(usCredential!, [['{job="hidlog", env="us"}', 1.5]]),
    at20m(usInvalid!, [[`${RECORDED.invalidLineRatio5m}{job="hidlog", env="us", instance="${US[1]}"}`, 0.1]]),
    at20m(euNoCodes!, [[`${RECORDED.noCodesRatio5m}{job="hidlog", env="eu", instance="${EU}"}`, 0]]),
    // No error statuses are counted per instance in eu: nothing to divide, nothing shown.
    at20m(euWithoutReason!, []),
  ];
}

describe('two setups in one Prometheus, under promtool', () => {
  const promtool = hasTool('promtool');

  it.runIf(promtool)('promtool check rules finds nothing in their rules files', () => {
    for (const file of [RULES.eu, RULES.us, RULES.both]) {
      const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(check.stderr, file).toBe('');
      expect(check.stdout, file).toContain('SUCCESS: 27 rules found');
      expect(check.status, file).toBe(0);
    }
  });

  it.runIf(promtool)('loaded together: each records its own series and pages for its own env, with its env and runbook', () => {
    const exprTests = [...RECORDED_AT_20M.map(({ expr, samples }) => ({ expr, eval_time: '20m', exp_samples: samples })), ...dashboardTests()];
    const run = promtoolTest('eu and us', [RULES.eu, RULES.us], EXPECTED, exprTests);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it.runIf(promtool)('one setup over both envs (env=~"eu|us"): an alert per env, each template reading its env\'s series', () => {
    const run = promtoolTest('eu|us', [RULES.both], ONE_SETUP, []);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it.runIf(promtool)('a selector that names instance: an alert per instance, its template reading that instance only', () => {
    const rules = join(dir, 'instances-rules.yml');
    writeFileSync(
      rules,
      mixinFiles({ ...DEFAULT_CONFIG, selector: 'job="hidlog", instance=~"auth-.*"' }).find((file) => file.path === 'hidlog-rules.yml')!.text,
    );
    const at = (instance: string, n: number, labels: Record<string, string>) =>
      `${labels.__name__}{${Object.entries({ job: 'hidlog', instance, code: String(n), category: 'technical', ...labels })
        .filter(([name]) => name !== '__name__')
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',')}}`;
    const errors = (instance: string, n: number) => at(instance, n, { __name__: 'hid_errors_total' });
    const infoOf = (instance: string, n: number) => at(instance, n, { __name__: 'hid_code_info', kind: 'error', description: lookup('error', n).description });
    // auth-1: LDAP faults (600) at 0.05/s; auth-2: kernel faults (200) at 0.10/s, the more frequent across both.
    const input = {
      [errors('auth-1', 600)]: '0+3x30',
      [errors('auth-2', 200)]: '0+6x30',
      [infoOf('auth-1', 600)]: '1x30',
      [infoOf('auth-2', 200)]: '1x30',
      'up{job="hidlog",instance="auth-1"}': '1x30',
      'up{job="hidlog",instance="auth-2"}': '1x30',
    };
    const technical = (instance: string, n: number, rate: string): Alert => ({
      labels: { job: 'hidlog', instance, category: 'technical', severity: 'critical' },
      summary: 'Technical errors in the logs of hidlog for 5 minutes',
      description: `hid_error codes of the category technical (an internal fault in a component: kernel, LDAP, adapter, STM, RADIUS) at ${rate}/s, without a pause for 5 minutes. The most frequent: hid_error ${n} (technical: ${lookup('error', n).description}) at ${rate}/s.`,
      runbook: `${DEFAULT_CONFIG.runbookUrl}#hidauthtechnicalerrors`,
    });
    const run = promtoolTest('instances', [rules], { HIDAuthTechnicalErrors: [technical('auth-1', 600, '0.05'), technical('auth-2', 200, '0.10')] }, [], input);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it.runIf(promtool)('a negative matcher (env!="dev") over targets without env: their alerts lack env, their templates still answer', () => {
    const rules = join(dir, 'not-dev-rules.yml');
    writeFileSync(rules, mixinFiles({ ...DEFAULT_CONFIG, selector: 'job="hidlog", env!="dev"' }).find((file) => file.path === 'hidlog-rules.yml')!.text);
    const label = (labels: Record<string, string>) =>
      `{${Object.entries(labels)
        .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
        .join(',')}}`;
    const plain = { job: 'hidlog', instance: 'auth-1:9464' };
    const dev = { job: 'hidlog', env: 'dev', instance: 'dev-1:9464' };
    const license = { code: '9001', category: 'license' };
    const input = {
      [`hid_errors_total${label({ ...plain, ...license })}`]: '0x10 1x20',
      [`hid_code_info${label({ ...plain, ...license, kind: 'error', description: VENDOR_9001 })}`]: '1x30',
      // dev's hidlogs are not this setup's: more license errors, and a text of their own.
      [`hid_errors_total${label({ ...dev, ...license })}`]: '0x10 5x20',
      [`hid_code_info${label({ ...dev, ...license, kind: 'error', description: SITE_9001 })}`]: '1x30',
      [`hid_code_info${label({ ...dev, instance: 'dev-2:9464', ...license, kind: 'error', description: SITE_9001 })}`]: '1x30',
      [`up${label(plain)}`]: '1x30',
      [`up${label(dev)}`]: '1x30',
    };
    const expected = {
      HIDAuthLicenseError: [
        {
          labels: { job: 'hidlog', severity: 'critical' },
          summary: 'License errors in the logs of hidlog',
          description: `Records with a license error in the last 10 minutes: 1. Authentications fail until the license is fixed. The most frequent: hid_error 9001 (license: ${VENDOR_9001}), 1 of them.`,
          runbook: `${DEFAULT_CONFIG.runbookUrl}#hidauthlicenseerror`,
        },
      ],
    };
    const run = promtoolTest('not dev', [rules], expected, [], input);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

/** promtool test rules over INPUT: at 20m, every alert of the files as `expected` says (the others quiet), and the expressions' samples. */
function promtoolTest(name: string, ruleFiles: string[], expected: Record<string, Alert[]>, exprTests: object[], input = INPUT) {
  const test = {
    rule_files: ruleFiles,
    evaluation_interval: '1m',
    tests: [
      {
        name,
        interval: '1m',
        input_series: Object.entries(input).map(([series, values]) => ({ series, values })),
        promql_expr_test: exprTests,
        alert_rule_test: ALERTS.map((alertname) => ({
          eval_time: '20m',
          alertname,
          exp_alerts: (expected[alertname] ?? []).map((alert) => ({
            exp_labels: alert.labels,
            exp_annotations: { summary: alert.summary, description: alert.description, runbook_url: alert.runbook },
          })),
        })),
      },
    ],
  };
  const file = join(dir, `${name.replace(/\W/g, '-')}.test.yml`);
  writeFileSync(file, stringify(test, { lineWidth: 0 }));
  return spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
}
