// The HID alerts end to end, as the on-call engineer receives them: two real hidlogs, scraped by a
// real Prometheus that loads the committed rules and sends to a real Alertmanager, which routes
// by the route in docs/alerts.md to webhook receivers this test runs.
//
// A failure spike needs an hour of history before it: promtool writes it into Prometheus'
// storage before it starts, as an hidlog of the job that ran before would have left it (an hour
// at 1 failure a second, then 10 a second), and the recording rules over it (promtool tsdb
// create-blocks-from rules, against a Prometheus serving that history). Only the two alerts'
// `for:` and the route's waits are shortened, so the test runs in seconds.
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { lookup } from '../../src/catalog/catalog.js';
import type { RuleGroups } from '../../src/mixin/rules.js';
import { ALERTMANAGER, Alertmanager, WebhookReceiver, type Notification } from '../helpers/alertmanager.js';
import { ROOT } from '../helpers/cli.js';
import { Prometheus } from '../helpers/prometheus.js';
import { freePort, hasTool, waitFor } from '../helpers/tools.js';
import { corpus, together } from './corpus.js';
import { serveHidlog, shippedPrometheusConfig, untilRead, type ServedHidlog } from './fleet.js';

const SECONDS = 1;
/**
 * The alerts under test, and the `for:` each gets here. HidlogDown's stays longer than the first
 * scrape takes: before it, absent(up) holds for the whole job. The license error's too: the first
 * notification carries the count of the hidlogs scraped by then, and both must be.
 */
const SHORTENED: Record<string, string> = { HIDAuthLicenseError: `${5 * SECONDS}s`, HIDAuthFailureSpike: `${2 * SECONDS}s`, HidlogDown: `${5 * SECONDS}s` };
/** The hidlog of the job whose history promtool writes: gone before the test's hidlogs start. */
const BEFORE = 'auth-before:9464';

const installed = hasTool('prometheus') && hasTool('promtool') && hasTool(ALERTMANAGER);
const dir = mkdtempSync(join(tmpdir(), 'hidlog-alertmanager-'));
const parts = corpus();
const served = [parts[0], parts[2]];
const hidlogs: ServedHidlog[] = [];
/** Two targets of the job where no hidlog answers (yet): HidlogDown fires for each. */
let down: string[] = [];
let prometheus: Prometheus | undefined;
let alertmanager: Alertmanager | undefined;
let webhooks: WebhookReceiver | undefined;

/** The committed rules, with the alerts under test given a short `for:`. */
function fittedRules(): string {
  const rules = parse(readFileSync(join(ROOT, 'dashboards', 'hidlog-rules.yml'), 'utf8')) as RuleGroups;
  for (const rule of rules.groups[1].rules) if (rule.alert in SHORTENED) rule.for = SHORTENED[rule.alert]!;
  const file = join(dir, 'hidlog-rules.yml');
  writeFileSync(file, stringify(rules, { lineWidth: 0 }));
  return file;
}

/** The YAML block of docs/alerts.md's Alertmanager section. */
function documentedAlertmanagerConfig(): { route: Route; receivers: { name: string }[] } {
  const runbook = readFileSync(join(ROOT, 'docs', 'alerts.md'), 'utf8');
  const section = runbook.slice(runbook.indexOf('## Routing the alerts with Alertmanager'));
  return parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]!) as { route: Route; receivers: { name: string }[] };
}

interface Route {
  receiver: string;
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

/** The route with waits of seconds, in every branch that sets them. */
function hurried(route: Route): Route {
  return {
    ...route,
    ...(route.group_wait ? { group_wait: `${SECONDS}s` } : {}),
    ...(route.group_interval ? { group_interval: `${2 * SECONDS}s` } : {}),
    ...(route.routes ? { routes: route.routes.map(hurried) } : {}),
  };
}

/** An hour and more of the gone hidlog's failures (code 13), 1 a second and then 10 for the last 6 minutes, in OpenMetrics. */
function history(end: number): string {
  const lines = ['# TYPE hid_failures counter'];
  const step = 15;
  let count = 0;
  for (let t = end - 80 * 60; t <= end; t += step) {
    lines.push(`hid_failures_total{job="hidlog",instance="${BEFORE}",code="13",category="credential_mismatch"} ${count} ${t}`);
    count += (t < end - 6 * 60 ? 1 : 10) * step;
  }
  return lines.join('\n') + '\n# EOF\n';
}

function promtool(args: string[]): void {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`promtool ${args.join(' ')}: ${run.stderr}`);
}

beforeAll(async () => {
  if (!installed) return;
  for (const [i, part] of served.entries()) {
    writeFileSync(join(dir, `${i}.ndjson`), part.text);
    hidlogs.push(await serveHidlog(['--linger', '--label', 'tenant=tenant', join(dir, `${i}.ndjson`)]));
  }
  await Promise.all(hidlogs.map((h, i) => untilRead(h.instance, served[i]!.truth.lines)));
  const rules = fittedRules();

  // The history: raw samples, then the recording rules over them, in the storage of the Prometheus to come.
  const end = Math.floor(Date.now() / 1000) - 1;
  const storage = join(dir, 'prometheus-tsdb');
  writeFileSync(join(dir, 'history.om'), history(end));
  promtool(['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', join(dir, 'history.om'), storage]);
  const historian = await Prometheus.start(dir, 'prometheus', { global: {} });
  const recorded = join(dir, 'recorded');
  try {
    promtool([
      'tsdb',
      'create-blocks-from',
      'rules',
      '--quiet',
      `--url=${historian.url}`,
      `--start=${end - 30 * 60}`,
      `--end=${end}`,
      '--eval-interval=15s',
      `--output-dir=${recorded}`,
      rules,
    ]);
  } finally {
    await historian.stop();
  }
  for (const block of readdirSync(recorded)) renameSync(join(recorded, block), join(storage, block));

  down = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
  webhooks = await WebhookReceiver.start();
  const documented = documentedAlertmanagerConfig();
  alertmanager = await Alertmanager.start(dir, {
    route: hurried(documented.route),
    receivers: documented.receivers.map(({ name }) => ({ name, webhook_configs: [{ url: `${webhooks!.url}/${name}`, send_resolved: false }] })),
  });
  prometheus = await Prometheus.start(
    dir,
    'prometheus',
    {
      global: { scrape_interval: `${SECONDS}s`, evaluation_interval: `${SECONDS}s` },
      ...shippedPrometheusConfig([...hidlogs.map((h) => h.instance), ...down], SECONDS, rules),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.address] }] }] },
    },
    // Firing alerts are sent again every second rather than every minute: Alertmanager must still notify once.
    ['--rules.alert.resend-delay=1s'],
  );
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await webhooks?.stop();
  await Promise.all(hidlogs.map((h) => h.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const notificationsOf = (alert: string) => webhooks!.received.filter(({ notification }) => notification.groupLabels.alertname === alert);
const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe.runIf(installed)('the HID alerts through a real Alertmanager', () => {
  let license: { path: string; notification: Notification };
  let spike: { path: string; notification: Notification };

  beforeAll(async () => {
    [license, spike] = await waitFor(
      'both notifications',
      async () => {
        const [l, s] = [notificationsOf('HIDAuthLicenseError')[0], notificationsOf('HIDAuthFailureSpike')[0]];
        return l && s ? ([l, s] as const) : undefined;
      },
      60_000,
    );
  }, 90_000);

  it("a license error pages the on-call receiver: the code, the vendor's description and the count of both hidlogs", () => {
    const licenseErrors = together(served).codes.error['9001']!;
    expect(licenseErrors).toBeGreaterThan(1);
    expect(license.path).toBe('/hid-oncall');
    expect(license.notification).toMatchObject({ receiver: 'hid-oncall', status: 'firing', groupLabels: { alertname: 'HIDAuthLicenseError', job: 'hidlog' } });
    expect(license.notification.alerts).toHaveLength(1);
    const [alert] = license.notification.alerts;
    expect(alert!.labels).toEqual({ alertname: 'HIDAuthLicenseError', job: 'hidlog', severity: 'critical' });
    expect(alert!.annotations.summary).toBe('License errors in the logs of hidlog');
    expect(alert!.annotations.description).toBe(
      `Records with a license error in the last 10 minutes: ${licenseErrors}. Authentications fail until the license is fixed. ` +
        `The most frequent: hid_error 9001 (license: ${lookup('error', 9001).description}), ${licenseErrors} of them.`,
    );
    expect(alert!.annotations.runbook_url).toMatch(/#hidauthlicenseerror$/);
  });

  it("a failure spike goes to the team's receiver: the top code and the vendor's description, once", () => {
    expect(spike.path).toBe('/hid-team');
    expect(spike.notification).toMatchObject({ receiver: 'hid-team', status: 'firing', groupLabels: { alertname: 'HIDAuthFailureSpike', job: 'hidlog' } });
    expect(spike.notification.alerts).toHaveLength(1);
    const [alert] = spike.notification.alerts;
    expect(alert!.labels).toEqual({ alertname: 'HIDAuthFailureSpike', job: 'hidlog', severity: 'warning' });
    expect(alert!.annotations.summary).toMatch(/^HID authentication failures on hidlog are \d+\.\d\d\/s, over 3 times the hour before$/);
    const named = `hid_failure 13 (credential_mismatch: ${lookup('failure', 13).description})`;
    expect(alert!.annotations.description).toMatch(
      /^\d+\.\d\d\/s failures in the last 5 minutes, against 1\.\d\d\/s in the hour before\. The top reason: hid_failure 13 \(.*\) at \d+\.\d\d\/s\.$/,
    );
    expect(occurrences(alert!.annotations.description!, named)).toBe(1);
  });

  it('two hidlogs down are one group for the job: the team is told of both in one notification', async () => {
    const latest = await waitFor(
      'a notification of both hidlogs down',
      async () => notificationsOf('HidlogDown').find(({ notification }) => notification.alerts.length === 2),
      60_000,
    );
    expect(latest.path).toBe('/hid-team');
    expect(latest.notification.groupLabels).toEqual({ alertname: 'HidlogDown', job: 'hidlog' });
    expect(latest.notification.alerts.map((alert) => alert.labels.instance).sort()).toEqual([...down].sort());
    expect(latest.notification.alerts.map((alert) => alert.annotations.summary).sort()).toEqual(
      down.map((instance) => `hidlog at ${instance} is not scraped`).sort(),
    );
    // Alertmanager may tell of the first before the second arrives, never of either on its own group.
    for (const { notification } of notificationsOf('HidlogDown')) expect(notification.groupLabels).toEqual({ alertname: 'HidlogDown', job: 'hidlog' });
  }, 90_000);

  it('each alert is notified once while Prometheus keeps sending it, and nothing reaches the default receiver', async () => {
    const firing = () => alertmanager!.metric('alertmanager_alerts_received_total', { status: 'firing' });
    // Ten more deliveries of the firing alerts, one a second each: several group intervals go by.
    const since = await firing();
    await waitFor('ten more deliveries of the firing alerts', async () => ((await firing()) >= since + 10 ? true : undefined), 60_000);
    expect(notificationsOf('HIDAuthLicenseError')).toHaveLength(1);
    expect(notificationsOf('HIDAuthFailureSpike')).toHaveLength(1);
    expect(webhooks!.received.filter(({ path }) => path === '/default')).toEqual([]);
  }, 90_000);
});
