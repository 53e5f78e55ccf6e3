import { percent, type MixinConfig } from '../config.js';
import { HIDLOG_METRICS } from '../../contract/metrics.js';
import { grownOver, series, withDescription } from '../promql.js';
import { CODE_METRICS, DURATION_METRIC } from '../../contract/metrics.js';
import { CREDENTIAL_CATEGORIES, RECORDED } from '../rules.js';
import { GREEN, dashboard, override, piechart, stat, table, timeseries, type Dashboard, type Override, type Placed, type Step } from './grafana.js';
import { Scope, uidsOf } from './scope.js';

const RANGE = '$__range';
const RATE = '$__rate_interval';
const RED_FROM_ONE: Step[] = [GREEN, ['red', 1]];
const OUTCOME_COLOURS = { success: 'green', failure: 'red', error: 'orange', unknown: 'text' };

/** The top codes of one kind in the dashboard's range: code, description, category, count, rate, share. */
function topCodes(scope: Scope, kind: 'error' | 'failure', title: string, description: string): Placed {
  const counted = `sum by (code, category) ${grownOver(series(CODE_METRICS[kind], scope.codes()), RANGE)}`;
  const top = (expr: string) => withDescription(`topk(10, ${expr})`, scope.info(kind));
  const variables = ['datasource', 'job', 'instance', ...scope.config.labels].map((name) => `\${${name}:queryparam}`);
  const drillDown = `/d/${uidsOf(scope.config).code}?var-kind=${CODE_METRICS[kind]}&var-code=\${__data.fields.code}&\${__url_time_range}&${variables.join('&')}`;
  const noun = kind === 'failure' ? 'Failures' : 'Errors';
  return table({
    title,
    description,
    unit: 'short',
    steps: [GREEN],
    width: 12,
    height: 9,
    queries: [
      { expr: top(counted), instant: true, table: true },
      { expr: top(`${counted} / $__range_s`), instant: true, table: true },
      { expr: top(`${counted} / scalar(sum ${grownOver(series(CODE_METRICS[kind], scope.codes()), RANGE)})`), instant: true, table: true },
    ],
    columns: { 'Value #A': noun, 'Value #B': 'Per second', 'Value #C': 'Share' },
    order: ['code', 'description', 'category', 'Value #A', 'Value #B', 'Value #C'],
    sortBy: [noun, true],
    links: [
      {
        title: 'Drill down into this code',
        url: drillDown,
        type: 'link',
        asDropdown: false,
        icon: '',
        includeVars: false,
        keepTime: false,
        tags: [],
        targetBlank: false,
        tooltip: '',
      },
    ],
    overrides: [
      override(noun, { unit: 'short', decimals: 0 }),
      override('Per second', { unit: 'reqps', decimals: 3 }),
      override('Share', { unit: 'percentunit', decimals: 1 }),
    ],
  });
}

export function overviewDashboard(config: MixinConfig): Dashboard {
  const scope = new Scope(config);
  const outcomes = (...matchers: string[]) => series(HIDLOG_METRICS.outcomes, scope.own(...matchers));
  const codes = (metric: string, ...matchers: string[]) => series(metric, scope.codes(...matchers));
  const inRange = (selected: string) => `sum ${grownOver(selected, RANGE)}`;
  const share = (part: string, whole: string) => `${inRange(part)} / ${inRange(whole)}`;
  const byJob = (record: string, ...matchers: string[]) => series(record, scope.recorded(...matchers));
  // A recorded series per job and setup label (env, …): its legend names them all.
  const perJob = scope.setupLabels.map((name) => `{{${name}}}`).join(' ');
  const notSplit = 'It counts every record and is not split by --label (hidlog_outcomes_total has no record labels).';
  // Buckets summed across the instances in scope, then the quantile: per outcome, for the whole fleet.
  const durationQuantile = (q: number) => `histogram_quantile(${q}, sum by (le, outcome) (rate(${series(`${DURATION_METRIC}_bucket`, scope.own())}[${RATE}])))`;
  const outcomeColours = Object.entries(OUTCOME_COLOURS).map(([outcome, colour]) => override(outcome, { color: { mode: 'fixed', fixedColor: colour } }));
  /** A code counter's rate, stacked by one of its labels. */
  const stackedBy = (by: string, metric: string, width: number, title: string, description: string, overrides?: Override[]) =>
    timeseries({
      title,
      description,
      unit: 'reqps',
      steps: [GREEN],
      width,
      stack: true,
      ...(overrides ? { overrides } : {}),
      queries: [{ expr: `sum by (${by}) (rate(${codes(metric)}[${RATE}]))`, legend: `{{${by}}}` }],
    });

  return dashboard({
    setup: config.name,
    uid: uidsOf(config).overview,
    title: 'HID authentication overview',
    description: "For the on-call engineer: how HID Authentication Service answers, what fails and why, in the vendor's words. From hidlog's metrics.",
    variables: scope.variables(),
    panels: [
      { row: 'In the selected time range' },
      stat({
        title: 'Records',
        description: `Records with a status or code that hidlog read in the selected time range. ${notSplit} Nothing here turns red: a drop to 0 while the service runs means hidlog sees no logs (see the hidlog health dashboard).`,
        unit: 'short',
        decimals: 0,
        steps: [GREEN],
        width: 4,
        queries: [{ expr: inRange(outcomes()), instant: true }],
      }),
      stat({
        title: 'Failure share',
        description: `The share of records whose outcome is failure (an hid_failure, or response code 2). Some failures are normal (wrong passwords). ${notSplit} Red above 50%: look at the top failure reasons below; a sudden rise with one reason is a broken client or an attack.`,
        unit: 'percentunit',
        decimals: 1,
        steps: [GREEN, ['orange', 0.25], ['red', 0.5]],
        width: 4,
        queries: [{ expr: share(outcomes('outcome="failure"'), outcomes()), instant: true }],
      }),
      stat({
        title: '5xx share',
        description: `The share of HTTP statuses that are 5xx: requests the service failed to answer. Red above ${percent(config.serverErrorRatio)} (the HIDAuthServerErrors alert's threshold): look at hid_error's technical codes and the server's own logs.`,
        unit: 'percentunit',
        decimals: 2,
        steps: [GREEN, ['red', config.serverErrorRatio]],
        width: 4,
        queries: [{ expr: share(codes(CODE_METRICS.http, 'category="server_error"'), codes(CODE_METRICS.http)), instant: true }],
      }),
      stat({
        title: 'License errors',
        description:
          'Records with an hid_error of the category license (9000–9003: a license missing, expired, invalid, or a feature not licensed). Red from 1: authentications fail until the license is fixed; see the HIDAuthLicenseError runbook.',
        unit: 'short',
        decimals: 0,
        steps: RED_FROM_ONE,
        width: 4,
        queries: [{ expr: inRange(codes(CODE_METRICS.error, 'category="license"')), instant: true }],
      }),
      stat({
        title: 'Technical errors',
        description:
          'Records with an hid_error of the category technical: an internal fault in a component (kernel, LDAP, adapter, STM, RADIUS). Red from 1: look at the top hid_error codes below and the component they name; see the HIDAuthTechnicalErrors runbook.',
        unit: 'short',
        decimals: 0,
        steps: RED_FROM_ONE,
        width: 4,
        queries: [{ expr: inRange(codes(CODE_METRICS.error, 'category="technical"')), instant: true }],
      }),
      stat({
        title: 'Failures',
        description:
          'Records with an hid_failure in the selected time range. Nothing here turns red on its own: compare with the hour before, and see "Top failure reasons".',
        unit: 'short',
        decimals: 0,
        steps: [GREEN],
        width: 4,
        queries: [{ expr: inRange(codes(CODE_METRICS.failure)), instant: true }],
      }),

      { row: 'Requests' },
      timeseries({
        title: 'Records by outcome',
        description: `Records a second by outcome: success, failure (an hid_failure or response code 2), error (an hid_error or an HTTP status of 400 or more). ${notSplit} Nothing here turns red; a fall to 0 with the service up means hidlog reads nothing.`,
        unit: 'reqps',
        steps: [GREEN],
        width: 16,
        stack: true,
        queries: [{ expr: `sum by (outcome) (rate(${outcomes()}[${RATE}]))`, legend: '{{outcome}}' }],
        overrides: outcomeColours,
      }),
      piechart({
        title: 'Outcome split',
        description: `How the records of the selected time range ended. ${notSplit} Nothing here turns red on a threshold; failures are the red slice: when it grows, see "Top failure reasons".`,
        unit: 'short',
        decimals: 0,
        steps: [GREEN],
        width: 8,
        queries: [{ expr: `sum by (outcome) ${grownOver(outcomes(), RANGE)}`, legend: '{{outcome}}', instant: true }],
        overrides: outcomeColours,
      }),

      { row: 'Latency' },
      timeseries({
        title: 'Request duration by outcome (p50, p95, p99)',
        description: `How long requests took, from the durations in the records (hid_request_duration_seconds: --duration-field, or duration_ms, took, responseTime, event.duration, request_time): the median, 95th and 99th percentiles by outcome, across every instance in scope. A percentile is good to the width of its bucket (1-2.5-5 steps from 1 ms to 60 s); above 60 s it reads 60. ${notSplit.replace(HIDLOG_METRICS.outcomes, 'the histogram')} Red above ${config.latencyP99Seconds} s, the HIDAuthSlowRequests alert's threshold for p99: slow failures point at a slow directory or risk engine, slow successes at the service itself. Empty when the logs carry no duration.`,
        unit: 's',
        steps: [GREEN, ['red', config.latencyP99Seconds]],
        width: 24,
        thresholdLine: true,
        queries: [
          { expr: durationQuantile(0.5), legend: 'p50 {{outcome}}' },
          { expr: durationQuantile(0.95), legend: 'p95 {{outcome}}' },
          { expr: durationQuantile(0.99), legend: 'p99 {{outcome}}' },
        ],
      }),

      { row: 'Failures (hid_failure)' },
      stackedBy(
        'category',
        CODE_METRICS.failure,
        12,
        'Failures by category',
        "hid_failure reasons a second, by hidlog's category (credential_mismatch, blocked, disabled, risk, …). Nothing here turns red; a category that jumps is where to look: credential_mismatch, blocked and disabled together are what the HIDAuthCredentialFailureSurge alert watches.",
      ),
      topCodes(
        scope,
        'failure',
        'Top failure reasons',
        "The ten most frequent hid_failure reasons in the selected time range, with the vendor's description and hidlog's category: how many, how many a second, and their share of all failures. A code outside the catalog has no description. Click a code for its drill-down. Nothing here turns red; a reason with a large share that was not there before is the one to chase.",
      ),

      { row: 'Errors (hid_error)' },
      stackedBy(
        'category',
        CODE_METRICS.error,
        12,
        'hid_error by category',
        'hid_error codes a second, by category. Nothing here turns red; technical and license are the categories that page (see the stats above), invalid_parameter and not_found usually point at a client.',
      ),
      topCodes(
        scope,
        'error',
        'Top hid_error codes',
        "The ten most frequent hid_error codes in the selected time range, with the vendor's description and hidlog's category: how many, how many a second, and their share of all hid_errors. Click a code for its drill-down. Nothing here turns red; a technical or license code near the top is the one to act on.",
      ),

      { row: 'HTTP' },
      stackedBy(
        'category',
        CODE_METRICS.http,
        16,
        'HTTP status classes',
        'HTTP statuses a second, by class (success, redirection, client_error, server_error). Nothing here turns red; a rise of server_error is what the 5xx share shows next to it.',
      ),
      timeseries({
        title: '5xx share',
        description: `The share of HTTP statuses that are 5xx, over time. Red above ${percent(config.serverErrorRatio)} (the HIDAuthServerErrors threshold): the service fails requests; look at the technical hid_error codes and the server.`,
        unit: 'percentunit',
        steps: [GREEN, ['red', config.serverErrorRatio]],
        width: 8,
        thresholdLine: true,
        queries: [
          {
            expr: `sum(rate(${codes(CODE_METRICS.http, 'category="server_error"')}[${RATE}])) / sum(rate(${codes(CODE_METRICS.http)}[${RATE}]))`,
            legend: '5xx share',
          },
        ],
      }),

      { row: 'HID response codes' },
      stackedBy(
        'result',
        CODE_METRICS.response,
        24,
        'Authentication results (response codes)',
        'HID response codes a second where audit records carry them: succeeded (1), failed (2), unknown. Nothing here turns red; when failed rises, the failure reasons above say why.',
        [override('succeeded', { color: { mode: 'fixed', fixedColor: 'green' } }), override('failed', { color: { mode: 'fixed', fixedColor: 'red' } })],
      ),

      { row: 'What the alerts see (recording rules, per job)' },
      timeseries({
        title: 'Failure rate against the spike alert',
        description: `The recording rules the HIDAuthFailureSpike alert reads: failures a second over 5 minutes, and ${config.failureSpikeFactor} times the rate of the last hour (the alert compares with the hour ending 10 minutes ago). Red above ${config.failureSpikeMinRate}/s, the alert's floor: above it and above the baseline line for 5 minutes, the alert fires. Per job only; the instance and label variables do not apply.`,
        unit: 'reqps',
        steps: [GREEN, ['red', config.failureSpikeMinRate]],
        width: 8,
        thresholdLine: true,
        queries: [
          { expr: byJob(RECORDED.failures5m), legend: `${perJob} failures/s` },
          { expr: `${config.failureSpikeFactor} * ${byJob(RECORDED.failures1h)}`, legend: `${perJob} ${config.failureSpikeFactor} × the last hour` },
        ],
      }),
      timeseries({
        title: '5xx share the alert sees',
        description: `The recording rule the HIDAuthServerErrors alert reads: the 5xx share over 5 minutes. Red above ${percent(config.serverErrorRatio)}: for 5 minutes (with at least ${config.minRate} responses a second), the alert fires. Per job only.`,
        unit: 'percentunit',
        steps: [GREEN, ['red', config.serverErrorRatio]],
        width: 8,
        thresholdLine: true,
        queries: [{ expr: byJob(RECORDED.serverErrorRatio5m), legend: perJob }],
      }),
      timeseries({
        title: 'Credential, blocked and disabled failures',
        description: `The recording rule the HIDAuthCredentialFailureSurge alert reads: credential_mismatch, blocked and disabled failures a second over 5 minutes. Red above ${config.credentialFailureRate}/s: for 5 minutes, the alert fires; brute force and lock-out waves look like this. Per job only.`,
        unit: 'reqps',
        steps: [GREEN, ['red', config.credentialFailureRate]],
        width: 8,
        thresholdLine: true,
        queries: [
          {
            expr: `sum by (${scope.setupLabels.join(', ')}) (${byJob(RECORDED.failuresByCategory5m, `category=~"${CREDENTIAL_CATEGORIES.join('|')}"`)})`,
            legend: perJob,
          },
        ],
      }),
    ],
  });
}
