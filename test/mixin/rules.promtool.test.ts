import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lookup, type CodeKind } from '../../src/catalog/catalog.js';
import { DURATION_BUCKETS } from '../../src/count/duration-histogram.js';
import { DEFAULT_CONFIG } from '../../src/mixin/config.js';
import { mixinFiles } from '../../src/mixin/mixin.js';
import { ruleGroups } from '../../src/mixin/rules.js';
import { ROOT } from '../helpers/cli.js';
import { hasTool } from '../helpers/tools.js';

// The committed rules file, what users get (test/mixin/generate.test.ts holds it to a fresh generation).
const RULES = join(ROOT, 'dashboards', 'hidlog-rules.yml');
const RUNBOOK = `${DEFAULT_CONFIG.runbookUrl}#`;
const INSTANCE = 'auth-1:9464';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-promtool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A series of one hidlog, as Prometheus stores it after a scrape. */
function series(metric: string, labels: Record<string, string> = {}): string {
  const all = { job: 'hidlog', instance: INSTANCE, ...labels };
  return `${metric}{${Object.entries(all)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',')}}`;
}
const code = (metric: string, kind: CodeKind, n: number) => series(metric, { code: String(n), category: lookup(kind, n).category });
const info = (kind: CodeKind, n: number) => {
  const entry = lookup(kind, n);
  return series('hid_code_info', { kind, code: String(n), category: entry.category, description: entry.description });
};

// A site catalog's text for a code (fixtures/catalog.yaml), exposed by another hidlog of the job.
const SITE_13 = 'Wrong password (counts towards the five-try lockout)';
const siteInfo = (instance: string, kind: CodeKind, n: number, description: string) =>
  series('hid_code_info', { instance, kind, code: String(n), category: lookup(kind, n).category, description });

/**
 * hid_request_duration_seconds of one hidlog, by outcome: each bucket's (`le`'s) records a minute,
 * not cumulated, as the cumulative `_bucket` series and `_count`; restarted (from 0) at `restartAt` minutes.
 */
function durations(perMinute: Record<string, Record<string, number>>, minutes = 30, restartAt?: number): Record<string, string> {
  const input: Record<string, string> = {};
  const grow = (step: number) => (restartAt === undefined ? `0+${step}x${minutes}` : `0+${step}x${restartAt - 1} 0+${step}x${minutes - restartAt}`);
  for (const [outcome, buckets] of Object.entries(perMinute)) {
    let cumulative = 0;
    for (const le of [...DURATION_BUCKETS.map(String), '+Inf']) {
      cumulative += buckets[le] ?? 0;
      input[series('hid_request_duration_seconds_bucket', { outcome, le })] = grow(cumulative);
    }
    input[series('hid_request_duration_seconds_count', { outcome })] = grow(cumulative);
  }
  return input;
}

interface Expected {
  labels: Record<string, string>;
  summary: string;
  description: string;
}

interface Scenario {
  kind: 'fires' | 'quiet' | 'restart';
  name: string;
  /** Series → promtool's expanding notation, one sample a minute. */
  input: Record<string, string>;
  /** When to look, and what must be firing then (nothing, for quiet and restart). */
  at: string[];
  firing?: Expected;
}

// Every alert: when it must fire (labels and annotations to the letter, the templates' queries
// included), a quiet system it must not page for, and a restart (counter reset) it must ride out.
const SCENARIOS: Record<string, Scenario[]> = {
  HIDAuthFailureSpike: [
    {
      kind: 'fires',
      name: 'failures jump from 1/s to 10/s',
      input: { [code('hid_failures_total', 'failure', 13)]: '0+60x90 6000+600x29', [info('failure', 13)]: '1x120' },
      at: ['100m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog' },
        summary: 'HID authentication failures on hidlog are 10.00/s, over 3 times the hour before',
        description:
          '10.00/s failures in the last 5 minutes, against 1.00/s in the hour before. The top reason: hid_failure 13 (credential_mismatch: The password does not match) at 10.00/s.',
      },
    },
    {
      kind: 'fires',
      name: 'three hidlogs whose catalogs disagree on 13 (a site catalog rolling out): the text most of them have',
      input: {
        [code('hid_failures_total', 'failure', 13)]: '0+60x90 6000+600x29',
        [info('failure', 13)]: '1x120',
        [siteInfo('auth-2:9464', 'failure', 13, SITE_13)]: '1x120',
        [siteInfo('auth-3:9464', 'failure', 13, SITE_13)]: '1x120',
      },
      at: ['100m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog' },
        summary: 'HID authentication failures on hidlog are 10.00/s, over 3 times the hour before',
        description: `10.00/s failures in the last 5 minutes, against 1.00/s in the hour before. The top reason: hid_failure 13 (credential_mismatch: ${SITE_13}) at 10.00/s.`,
      },
    },
    {
      kind: 'quiet',
      name: 'a quiet system: 18 times its baseline, still under the floor',
      input: { [code('hid_failures_total', 'failure', 13)]: '0+1x90 91+18x29' },
      at: ['100m', '119m'],
    },
    { kind: 'quiet', name: 'a steady 1/s for two hours', input: { [code('hid_failures_total', 'failure', 13)]: '0+60x120' }, at: ['60m', '119m'] },
    {
      kind: 'restart',
      name: 'hidlog restarts at 61m',
      input: { [code('hid_failures_total', 'failure', 13)]: '0+60x60 0+60x59' },
      at: ['62m', '65m', '75m', '119m'],
    },
  ],
  HIDAuthServerErrors: [
    {
      kind: 'fires',
      name: '10% of responses are 500',
      input: {
        [code('hid_http_responses_total', 'http', 200)]: '0+540x30',
        [code('hid_http_responses_total', 'http', 500)]: '0+60x30',
        [info('http', 500)]: '1x30',
      },
      at: ['10m'],
      firing: {
        labels: { severity: 'critical', job: 'hidlog' },
        summary: '10% of the HTTP responses on hidlog are 5xx',
        description:
          'Over 5% of the HTTP statuses in the logs were 5xx for 5 minutes: the service failed requests it should have answered. Most of them: HTTP 500 (An internal server error has occurred) at 1.00/s.',
      },
    },
    {
      kind: 'quiet',
      name: 'a third are 500, at 0.05 requests a second',
      input: { [code('hid_http_responses_total', 'http', 200)]: '0+2x30', [code('hid_http_responses_total', 'http', 500)]: '0+1x30' },
      at: ['10m', '30m'],
    },
    {
      kind: 'restart',
      name: '1% of 500s through a restart',
      input: { [code('hid_http_responses_total', 'http', 200)]: '0+594x15 0+594x14', [code('hid_http_responses_total', 'http', 500)]: '0+6x15 0+6x14' },
      at: ['16m', '20m', '29m'],
    },
  ],
  HIDAuthLicenseError: [
    {
      kind: 'fires',
      name: 'one license error',
      input: { [code('hid_errors_total', 'error', 9001)]: '0x10 1x20', [info('error', 9001)]: '1x30' },
      at: ['11m', '20m'],
      firing: {
        labels: { severity: 'critical', job: 'hidlog' },
        summary: 'License errors in the logs of hidlog',
        description:
          'Records with a license error in the last 10 minutes: 1. Authentications fail until the license is fixed. The most frequent: hid_error 9001 (license: License for feature has expired, please contact you vendor to purchase new licenses), 1 of them.',
      },
    },
    {
      kind: 'fires',
      name: 'a series that appears with 2 (a new --label value, or a batch run first scraped)',
      input: { [series('hid_errors_total', { code: '9001', category: 'license', tenant: 'acme' })]: '_x10 2x20', [info('error', 9001)]: '1x30' },
      at: ['12m'],
      firing: {
        labels: { severity: 'critical', job: 'hidlog' },
        summary: 'License errors in the logs of hidlog',
        description:
          'Records with a license error in the last 10 minutes: 2. Authentications fail until the license is fixed. The most frequent: hid_error 9001 (license: License for feature has expired, please contact you vendor to purchase new licenses), 2 of them.',
      },
    },
    { kind: 'quiet', name: 'no license error', input: { [code('hid_errors_total', 'error', 9001)]: '0x30' }, at: ['5m', '29m'] },
    {
      kind: 'restart',
      name: 'a process with 3 old license errors restarts at 16m',
      input: { [code('hid_errors_total', 'error', 9001)]: '3x15 0x15' },
      at: ['20m', '29m'],
    },
  ],
  HIDAuthTechnicalErrors: [
    {
      kind: 'fires',
      name: 'LDAP errors for 5 minutes',
      input: { [code('hid_errors_total', 'error', 600)]: '0+3x30', [info('error', 600)]: '1x30' },
      at: ['10m'],
      firing: {
        labels: { severity: 'critical', job: 'hidlog', category: 'technical' },
        summary: 'Technical errors in the logs of hidlog for 5 minutes',
        description:
          'hid_error codes of the category technical (an internal fault in a component: kernel, LDAP, adapter, STM, RADIUS) at 0.05/s, without a pause for 5 minutes. The most frequent: hid_error 600 (technical: A technical error has occurred in the LDAP) at 0.05/s.',
      },
    },
    { kind: 'quiet', name: 'a single technical error', input: { [code('hid_errors_total', 'error', 600)]: '0x5 1x25' }, at: ['8m', '12m', '20m'] },
    {
      kind: 'restart',
      name: 'a process with 5 old technical errors restarts',
      input: { [code('hid_errors_total', 'error', 600)]: '5x15 0x15' },
      at: ['10m', '16m', '25m'],
    },
  ],
  HIDAuthCredentialFailureSurge: [
    {
      kind: 'fires',
      name: 'wrong passwords and blocked channels at 2/s, risk failures not counted',
      input: {
        [code('hid_failures_total', 'failure', 13)]: '0+90x30',
        [code('hid_failures_total', 'failure', 4)]: '0+30x30',
        [code('hid_failures_total', 'failure', 51)]: '0+300x30',
        [info('failure', 13)]: '1x30',
        [info('failure', 51)]: '1x30',
      },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog' },
        summary: 'Credential-mismatch, blocked and disabled failures on hidlog at 2.00/s',
        description:
          'Over 1 a second for 5 minutes: wrong passwords or OTPs, blocked channels and disabled users, as brute force or a wave of lock-outs shows. The top reason: hid_failure 13 (credential_mismatch: The password does not match) at 1.50/s.',
      },
    },
    {
      kind: 'quiet',
      name: 'risk failures at 5/s, wrong passwords at 0.5/s',
      input: { [code('hid_failures_total', 'failure', 13)]: '0+30x30', [code('hid_failures_total', 'failure', 51)]: '0+300x30' },
      at: ['10m', '29m'],
    },
    {
      kind: 'restart',
      name: 'wrong passwords at 0.8/s through a restart',
      input: { [code('hid_failures_total', 'failure', 13)]: '0+48x15 0+48x14' },
      at: ['16m', '20m', '29m'],
    },
  ],
  HIDAuthSlowRequests: [
    {
      kind: 'fires',
      // 600 a minute: 588 under 0.1 s, 12 failures between 2.5 and 5 s. The job's p99 is the 594th: half-way into (2.5, 5].
      name: 'the slowest 2% of requests (failures) take 2.5 to 5 s',
      input: durations({ success: { '0.1': 570 }, failure: { '0.1': 18, '5': 12 } }),
      at: ['20m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog' },
        summary: 'The slowest 1% of requests on hidlog take over 3.75s',
        description:
          'The 99th percentile of the request durations in the logs has been above 2 s for 10 minutes (good to the width of its bucket of hid_request_duration_seconds). The slowest outcome: failure, at a p99 of 4.938s.',
      },
    },
    {
      kind: 'quiet',
      name: 'every request under 0.5 s',
      input: durations({ success: { '0.1': 500, '0.5': 100 }, failure: { '0.25': 60 } }),
      at: ['20m', '29m'],
    },
    { kind: 'quiet', name: 'every request takes 5 to 10 s, at 0.05 a second', input: durations({ success: { '10': 3 } }), at: ['20m', '29m'] },
    { kind: 'restart', name: 'fast requests through a restart', input: durations({ success: { '0.05': 600, '0.1': 5 } }, 30, 15), at: ['16m', '20m', '29m'] },
  ],
  HidlogDown: [
    {
      kind: 'fires',
      name: 'the target stops answering at 6m',
      input: { [series('up')]: '1x5 0x20' },
      at: ['15m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE },
        summary: `hidlog at ${INSTANCE} is not scraped`,
        description: `Prometheus has failed to scrape ${INSTANCE} for 5 minutes: the HID alerts cannot see those logs.`,
      },
    },
    {
      kind: 'fires',
      name: 'no hidlog target at all',
      input: { 'up{job="node",instance="host:9100"}': '1x20' },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog' },
        summary: 'No hidlog is scraped',
        description: 'Prometheus has had no target matching {job="hidlog"} for 5 minutes: the HID alerts cannot see those logs.',
      },
    },
    { kind: 'quiet', name: 'scraped all along', input: { [series('up')]: '1x30' }, at: ['10m', '29m'] },
    { kind: 'restart', name: 'one failed scrape while hidlog restarts', input: { [series('up')]: '1x10 0 1x19' }, at: ['11m', '15m', '29m'] },
  ],
  HidlogStalled: [
    {
      kind: 'fires',
      name: 'nothing read since 60 s while the lag grows',
      input: { [series('hidlog_follow_last_read_timestamp_seconds')]: '60x30', [series('hidlog_follow_lag_bytes')]: '0x2 100+100x28' },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE },
        summary: `hidlog at ${INSTANCE} has read no line for 9m 0s`,
        description:
          'In follow mode, hidlog has read nothing for 9m 0s while 800B wait in the files it follows: records are not annotated and the HID metrics stand still.',
      },
    },
    {
      kind: 'quiet',
      name: 'a quiet log: nothing written, nothing read',
      input: { [series('hidlog_follow_last_read_timestamp_seconds')]: '0x30', [series('hidlog_follow_lag_bytes')]: '0x30' },
      at: ['10m', '29m'],
    },
    {
      kind: 'restart',
      name: 'restarted at 11m with a backlog it reads at once',
      input: { [series('hidlog_follow_last_read_timestamp_seconds')]: '60+60x10 0 720+60x18', [series('hidlog_follow_lag_bytes')]: '0x10 5000 0x18' },
      at: ['11m', '12m', '15m'],
    },
  ],
  HidlogStateNotSaved: [
    {
      kind: 'fires',
      name: 'the disk under the state file fills at 4m',
      input: { [series('hidlog_follow_state_last_save_successful')]: '1x3 0x27' },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE },
        summary: `hidlog at ${INSTANCE} cannot save its state file`,
        description:
          'In follow mode, hidlog has failed to save its --state-file for 5 minutes (the reason is on its stderr: a full disk, a read-only filesystem, permissions), and /healthz answers 503. ' +
          'Records are still annotated and counted, but a restart reads again from the last positions it saved, and cuts -o and --dead-letter back to them: the longer this lasts, the more a restart repeats.',
      },
    },
    { kind: 'quiet', name: 'every save taken', input: { [series('hidlog_follow_state_last_save_successful')]: '1x30' }, at: ['5m', '29m'] },
    {
      kind: 'quiet',
      name: 'a save that failed for 3 minutes, then worked again',
      input: { [series('hidlog_follow_state_last_save_successful')]: '1x5 0x3 1x22' },
      at: ['8m', '12m'],
    },
    {
      kind: 'restart',
      name: 'failing, then restarted at 8m with room on the disk',
      input: { [series('hidlog_follow_state_last_save_successful')]: '0x7 _ 1x22' },
      at: ['9m', '20m'],
    },
  ],
  HidlogOutputFailing: [
    {
      kind: 'fires',
      name: 'the disk under -o fills at 6m: a failed attempt every 2 s',
      input: {
        [series('hidlog_output_errors_total', { output: 'output', error: 'ENOSPC' })]: '0x5 30+30x24',
        [series('hidlog_output_errors_total', { output: 'output', error: 'EDQUOT' })]: '0x30',
        [series('hidlog_output_errors_total', { output: 'output', error: 'EIO' })]: '0x30',
      },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE, output: 'output', error: 'ENOSPC' },
        summary: `hidlog at ${INSTANCE} fails to write its output (ENOSPC)`,
        description:
          'Failed writes to its output in the last 5 minutes: 150. The disk or the quota under it is full: in follow mode hidlog holds its input and retries every 2 s at most, so lines are held back in the followed files and nothing is lost yet (a batch run stops at the first failure).',
      },
    },
    {
      kind: 'fires',
      name: 'an error not counted before appears with 1 (EPIPE on the dead-letter file, as a push of a finished run shows it)',
      input: {
        [series('hidlog_output_errors_total', { output: 'dead_letter', error: 'EIO' })]: '0x30',
        [series('hidlog_output_errors_total', { output: 'dead_letter', error: 'EPIPE' })]: '_x5 1x25',
      },
      at: ['8m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE, output: 'dead_letter', error: 'EPIPE' },
        summary: `hidlog at ${INSTANCE} fails to write its dead-letter file (EPIPE)`,
        description:
          'Failed writes to its dead-letter file in the last 5 minutes: 1. Its reader (the log shipper on stdout) went away: hidlog stopped at the first one; restarted with its --state-file, it reads on from what the outputs took.',
      },
    },
    {
      kind: 'quiet',
      name: 'every write taken: the disk errors at 0 from the start',
      input: {
        [series('hidlog_output_errors_total', { output: 'output', error: 'ENOSPC' })]: '0x30',
        [series('hidlog_output_errors_total', { output: 'output', error: 'EDQUOT' })]: '0x30',
        [series('hidlog_output_errors_total', { output: 'output', error: 'EIO' })]: '0x30',
      },
      at: ['5m', '29m'],
    },
    {
      kind: 'restart',
      name: 'an outage over long ago, then a restart at 21m',
      input: { [series('hidlog_output_errors_total', { output: 'output', error: 'ENOSPC' })]: '0 40x19 0x9' },
      at: ['10m', '21m', '25m', '29m'],
    },
  ],
  HidlogInvalidLines: [
    {
      kind: 'fires',
      name: '10% of the lines are not JSON',
      input: {
        [series('hidlog_lines_total', { result: 'annotated' })]: '0+540x30',
        [series('hidlog_lines_total', { result: 'invalid' })]: '0+60x30',
        [series('hidlog_invalid_lines_total', { reason: 'invalid_json' })]: '0+60x30',
        [series('hidlog_invalid_lines_total', { reason: 'blank' })]: '0x30',
      },
      at: ['15m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE },
        summary: `10% of the lines hidlog reads at ${INSTANCE} are not records it can read`,
        description:
          'Over 5% of the lines for 10 minutes were not JSON objects or were too long, so hidlog found no code in them: the HID dashboards and alerts are blind to those records. The top reason: invalid_json at 1.00/s.',
      },
    },
    {
      kind: 'quiet',
      name: 'half the lines invalid, at 0.07 lines a second',
      input: { [series('hidlog_lines_total', { result: 'annotated' })]: '0+2x30', [series('hidlog_lines_total', { result: 'invalid' })]: '0+2x30' },
      at: ['15m', '29m'],
    },
    {
      kind: 'restart',
      name: '1% invalid through a restart',
      input: {
        [series('hidlog_lines_total', { result: 'annotated' })]: '0+594x15 0+594x14',
        [series('hidlog_lines_total', { result: 'invalid' })]: '0+6x15 0+6x14',
      },
      at: ['16m', '20m', '29m'],
    },
  ],
  HidlogRecordsWithoutCodes: [
    {
      kind: 'fires',
      name: 'every 401 without a reason code for 20 minutes (the body is logged elsewhere)',
      input: {
        [code('hid_http_responses_total', 'http', 401)]: '0+60x40',
        [code('hid_http_responses_total', 'http', 200)]: '0+120x40',
        [series('hidlog_error_statuses_without_reason_total')]: '0+60x40',
        [series('hidlog_lines_total', { result: 'annotated' })]: '0+180x40',
        [series('hidlog_lines_total', { result: 'no_codes' })]: '0+20x40',
      },
      at: ['25m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE },
        summary: `100% of the error statuses hidlog reads at ${INSTANCE} carry no reason code`,
        description:
          'Over 50% of the records with an HTTP status of 400 or more had no hid_error, hid_failure or response code for 15 minutes: the HID response body is not logged, or is logged in a field hidlog does not search, so the HID dashboards and alerts see the statuses but not why they failed. Records with no code at all: 10% of the lines.',
      },
    },
    {
      kind: 'quiet',
      name: 'a few 404s without a body among 401s with their reason, and a trickle of bare 500s',
      input: {
        [code('hid_http_responses_total', 'http', 401)]: '0+60x40',
        [code('hid_http_responses_total', 'http', 404)]: '0+6x40',
        [series('hidlog_error_statuses_without_reason_total')]: '0+6x40',
        [series('hidlog_error_statuses_without_reason_total', { instance: 'auth-2:9464' })]: '0+3x40',
        [series('hid_http_responses_total', { instance: 'auth-2:9464', code: '500', category: 'server_error' })]: '0+3x40',
      },
      at: ['20m', '39m'],
    },
    {
      kind: 'restart',
      name: '10% without a reason through a restart',
      input: { [code('hid_http_responses_total', 'http', 401)]: '0+60x20 0+60x19', [series('hidlog_error_statuses_without_reason_total')]: '0+6x20 0+6x19' },
      at: ['21m', '25m', '39m'],
    },
  ],
  HidlogLabelOverflow: [
    {
      kind: 'fires',
      name: 'tenant values overflow from 6m',
      input: {
        [series('hidlog_label_overflow_total', { label: 'tenant' })]: '0x5 0+10x25',
        [series('hidlog_label_overflow_total', { label: 'code' })]: '0x30',
      },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE, label: 'tenant' },
        summary: `hidlog at ${INSTANCE} counts some tenant values as "other"`,
        description:
          '40 observations in the last hour were counted under "other" because the label tenant reached --max-label-values distinct values: their counts are lumped together on the dashboards.',
      },
    },
    {
      kind: 'fires',
      name: 'unknown codes overflow before the first scrape',
      input: { [series('hidlog_label_overflow_total', { label: 'code' })]: '_x5 7x25' },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE, label: 'code' },
        summary: `hidlog at ${INSTANCE} counts some code values as "other"`,
        description:
          '7 observations in the last hour were counted under "other" because more codes outside the catalog came than --max-unknown-codes admits: their counts are lumped together on the dashboards.',
      },
    },
    {
      kind: 'fires',
      name: 'the code counters reach --max-series at 6m while no label reaches its own cap',
      input: {
        [series('hidlog_label_overflow_total', { label: 'series' })]: '0x5 0+30x25',
        [series('hidlog_label_overflow_total', { label: 'tenant' })]: '0x30',
        [series('hidlog_label_overflow_total', { label: 'code' })]: '0x30',
      },
      at: ['10m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE, label: 'series' },
        summary: `hidlog at ${INSTANCE} counts some combinations of label values as "other"`,
        description:
          '120 observations in the last hour were counted under "other" because the code counters reached --max-series series, so new combinations of label values went under their code with every label "other": their counts are lumped together on the dashboards.',
      },
    },
    { kind: 'quiet', name: 'no overflow', input: { [series('hidlog_label_overflow_total', { label: 'code' })]: '0x30' }, at: ['10m', '29m'] },
    {
      kind: 'restart',
      name: 'an old overflow, then a restart at 71m',
      input: { [series('hidlog_label_overflow_total', { label: 'code' })]: '5x70 0x50' },
      at: ['100m', '119m'],
    },
  ],
  HidlogCatalogReloadFailing: [
    {
      kind: 'fires',
      name: 'the file is refused at 10m and again at 20m, the table loaded at 1m still in force',
      input: {
        [series('hidlog_catalog_last_reload_successful')]: '1x9 0x20',
        [series('hidlog_catalog_last_reload_success_timestamp_seconds')]: '60x30',
        [series('hidlog_catalog_reloads_total', { result: 'failure' })]: '0x9 1x10 2x10',
        [series('hidlog_catalog_reloads_total', { result: 'success' })]: '0x30',
      },
      at: ['25m'],
      firing: {
        labels: { severity: 'warning', job: 'hidlog', instance: INSTANCE },
        summary: `hidlog at ${INSTANCE} refused its --catalog file and keeps the table before it`,
        description:
          "The last reload of the --catalog file was refused (invalid, unreadable or missing), so the table loaded at 1970-01-01 00:01:00 +0000 UTC is still in force: the codes, descriptions and categories of the edit are in neither the annotations nor hid_code_info. Refused reloads since hidlog started: 2. hidlog's stderr names the place in the file.",
      },
    },
    {
      kind: 'quiet',
      name: 'a refused file fixed within 5 minutes',
      input: { [series('hidlog_catalog_last_reload_successful')]: '1x9 0x3 1x17' },
      at: ['10m', '13m', '20m', '29m'],
    },
    {
      kind: 'restart',
      name: 'refused at 10m, hidlog restarted with a good file at 13m',
      input: { [series('hidlog_catalog_last_reload_successful')]: '1x9 0x3 _ 1x16' },
      at: ['15m', '20m', '29m'],
    },
  ],
};

function promtoolTest(alert: string, scenarios: Scenario[]) {
  return {
    rule_files: [RULES],
    evaluation_interval: '1m',
    tests: scenarios.map((scenario) => ({
      name: `${alert}: ${scenario.name}`,
      interval: '1m',
      input_series: Object.entries(scenario.input).map(([name, values]) => ({ series: name, values })),
      alert_rule_test: scenario.at.map((at) => ({
        eval_time: at,
        alertname: alert,
        exp_alerts: scenario.firing
          ? [
              {
                exp_labels: scenario.firing.labels,
                exp_annotations: {
                  summary: scenario.firing.summary,
                  description: scenario.firing.description,
                  runbook_url: `${RUNBOOK}${alert.toLowerCase()}`,
                },
              },
            ]
          : [],
      })),
    })),
  };
}

describe('the Prometheus rules under promtool', () => {
  const promtool = hasTool('promtool');
  const alerts = ruleGroups(DEFAULT_CONFIG).groups[1].rules.map((rule) => rule.alert);

  it.runIf(promtool)('promtool check rules finds nothing in the committed rules file', () => {
    const check = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('SUCCESS: 27 rules found');
    expect(check.status).toBe(0);
  });

  it.runIf(promtool)('nor in the rules of another setup: a regex selector and two labels', () => {
    const files = mixinFiles({ ...DEFAULT_CONFIG, selector: 'job=~"hid-auth|hid-scim", env!="dev"', labels: ['tenant', 'region'], serverErrorRatio: 0.02 });
    const rules = join(dir, 'other-rules.yml');
    writeFileSync(rules, files.find((file) => file.path === 'hidlog-rules.yml')!.text);
    const check = spawnSync('promtool', ['check', 'rules', rules], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('every alert has a case that fires, a quiet one and a restart', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...alerts].sort());
    for (const [alert, scenarios] of Object.entries(SCENARIOS)) {
      expect(new Set(scenarios.map((s) => s.kind)), alert).toEqual(new Set(['fires', 'quiet', 'restart']));
    }
  });

  it.runIf(promtool).each(alerts)('%s: promtool test rules', (alert) => {
    const file = join(dir, `${alert}.test.yml`);
    writeFileSync(file, stringify(promtoolTest(alert, SCENARIOS[alert]!), { lineWidth: 0 }));
    const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
