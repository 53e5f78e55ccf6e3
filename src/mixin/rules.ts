import { WAITED_OUT_ERRORS } from '../sinks/output-errors.js';
import { HIDLOG_METRICS } from '../contract/metrics.js';
import { percent, setupLabels, type MixinConfig } from './config.js';
import { grownOver, series, withDescription } from './promql.js';
import { CODE_METRICS, DURATION_METRIC } from '../contract/metrics.js';

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroups {
  groups: [{ name: string; rules: RecordingRule[] }, { name: string; rules: AlertRule[] }];
}

/** Failure categories that a brute-force attempt or a wave of lock-outs shows up in. */
export const CREDENTIAL_CATEGORIES = ['credential_mismatch', 'blocked', 'disabled'] as const;

/** The recording rules' names, by what they hold. */
export const RECORDED = {
  failures5m: 'job:hid_failures:rate5m',
  failures1h: 'job:hid_failures:rate1h',
  failuresByCategory5m: 'job_category:hid_failures:rate5m',
  errorsByCategory5m: 'job_category:hid_errors:rate5m',
  responses5m: 'job:hid_http_responses:rate5m',
  serverErrorRatio5m: 'job:hid_http_responses_5xx:ratio_rate5m',
  lines5m: 'job_instance:hidlog_lines:rate5m',
  invalidLineRatio5m: 'job_instance:hidlog_lines_invalid:ratio_rate5m',
  noCodesRatio5m: 'job_instance:hidlog_lines_no_codes:ratio_rate5m',
  errorStatuses5m: 'job_instance:hid_http_responses_error:rate5m',
  withoutReasonRatio5m: 'job_instance:hidlog_error_statuses_without_reason:ratio_rate5m',
  durations5m: 'job:hid_request_durations:rate5m',
  durationP99_5m: 'job:hid_request_duration_seconds:p99_rate5m',
} as const;

/**
 * Share of the records with an HTTP status of 400 or more that carry no reason code above which
 * the HID body is called missing: an HID service's refusals carry one, a few 404s of unknown
 * paths do not.
 */
export const WITHOUT_REASON_RATIO = 0.5;

/** A markdown heading's anchor as GitHub makes it: lower case, spaces to dashes. */
export const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');

// In the alert templates' queries, the alert's own job and instance (printf's argument indexes);
// the setup's other labels (setupLabels) follow from %[3]q on.
const JOB = 'job=%[1]q';
const INSTANCE = 'instance=%[2]q';

/** The labels of the setup beyond job and instance: printf's arguments 3, 4, … */
const extraLabels = (config: MixinConfig) => setupLabels(config.selector).filter((name) => name !== 'job' && name !== 'instance');

/**
 * A template line that runs `query` for the alert's job, instance and setup labels and, when it
 * returns something, renders its first sample with `render` (`.Labels`, `.Value`). A label the
 * alert lacks (a selector's `env!="dev"` on targets without env) is "" (`index` gives a missing
 * key's zero value), which matches series without it.
 */
function fromQuery(extra: readonly string[], query: string, render: string): string {
  const format = query.replace(/%(?!\[\d+\]q)/g, '%%');
  const args = ['$labels.job', '$labels.instance', ...extra.map((name) => `(index $labels "${name}")`)].join(' ');
  return `{{ with printf \`${format}\` ${args} | query }}{{ with first . }}${render}{{ end }}{{ end }}`;
}

const outputName = '{{ if eq $labels.output "dead_letter" }}dead-letter file{{ else }}output{{ end }}';

const perSecond = (value: string) => `{{ printf "%.2f" ${value} }}/s`;
const codeLine = (name: string) => `${name} {{ .Labels.code }} ({{ .Labels.category }}{{ with .Labels.description }}: {{ . }}{{ end }})`;

export function ruleGroups(config: MixinConfig): RuleGroups {
  const sel = config.selector === '' ? [] : [config.selector];
  const of = (metric: string, ...matchers: string[]) => series(metric, [...sel, ...matchers]);
  const rate5m = (metric: string, ...matchers: string[]) => `rate(${of(metric, ...matchers)}[5m])`;
  // Every aggregation keeps the setup's labels, so that two setups record apart; `more` are the rule's own.
  const keep = setupLabels(config.selector);
  const by = (...more: string[]) => `sum by (${[...new Set([...keep, ...more])].join(', ')})`;
  // A recorded series of this setup: a selector on the labels the rules kept picks its own, not another setup's.
  const recorded = (name: string, ...matchers: string[]) => series(name, [...sel, ...matchers]);

  const recording: RecordingRule[] = [
    { record: RECORDED.failures5m, expr: `${by()} (${rate5m(CODE_METRICS.failure)})` },
    { record: RECORDED.failures1h, expr: `${by()} (rate(${of(CODE_METRICS.failure)}[1h]))` },
    { record: RECORDED.failuresByCategory5m, expr: `${by('category')} (${rate5m(CODE_METRICS.failure)})` },
    { record: RECORDED.errorsByCategory5m, expr: `${by('category')} (${rate5m(CODE_METRICS.error)})` },
    { record: RECORDED.responses5m, expr: `${by()} (${rate5m(CODE_METRICS.http)})` },
    // A ratio's two sides carry the same labels, so the division pairs each setup's series with its own.
    { record: RECORDED.serverErrorRatio5m, expr: `${by()} (${rate5m(CODE_METRICS.http, 'category="server_error"')}) / ${RECORDED.responses5m}` },
    { record: RECORDED.lines5m, expr: `${by('instance')} (${rate5m(HIDLOG_METRICS.lines)})` },
    {
      record: RECORDED.invalidLineRatio5m,
      expr: `${by('instance')} (${rate5m(HIDLOG_METRICS.lines, 'result=~"invalid|too_long"')}) / ${RECORDED.lines5m}`,
    },
    { record: RECORDED.noCodesRatio5m, expr: `${by('instance')} (${rate5m(HIDLOG_METRICS.lines, 'result="no_codes"')}) / ${RECORDED.lines5m}` },
    { record: RECORDED.errorStatuses5m, expr: `${by('instance')} (${rate5m(CODE_METRICS.http, 'category=~"client_error|server_error"')})` },
    {
      record: RECORDED.withoutReasonRatio5m,
      expr: `${by('instance')} (${rate5m(HIDLOG_METRICS.errorStatusesWithoutReason)}) / ${RECORDED.errorStatuses5m}`,
    },
    { record: RECORDED.durations5m, expr: `${by()} (${rate5m(`${DURATION_METRIC}_count`)})` },
    // Buckets summed across the job's instances before the quantile: a quantile of quantiles means nothing.
    { record: RECORDED.durationP99_5m, expr: `histogram_quantile(0.99, ${by('le')} (${rate5m(`${DURATION_METRIC}_bucket`)}))` },
  ];

  // What the alert templates query, for the job (and instance) the alert is about, and its setup's other labels.
  const extra = extraLabels(config);
  // A selector that names instance makes every rule per instance: the per-job alerts' queries pin it too.
  const SETUP = [JOB, ...(keep.includes('instance') ? [INSTANCE] : []), ...extra.map((name, i) => `${name}=%[${i + 3}]q`)];
  const PER_INSTANCE = SETUP.includes(INSTANCE) ? SETUP : [...SETUP, INSTANCE];
  const query = (q: string, render: string) => fromQuery(extra, q, render);
  // The job a summary names, with each of the setup's other labels the alert has: `hid-auth (env=eu)`,
  // so that two envs' alerts read apart.
  const JOB_NAME = `{{ $labels.job }}${extra.map((name) => `{{ with index $labels "${name}" }} (${name}={{ . }}){{ end }}`).join('')}`;
  const jobOf = (metric: string, ...matchers: string[]) => of(metric, ...matchers, ...SETUP);
  const topCodes = (kind: 'http' | 'error' | 'failure', expr: string) => withDescription(`topk(1, ${expr})`, [...sel, `kind="${kind}"`, ...SETUP]);
  const topRate = (kind: 'http' | 'error' | 'failure', ...matchers: string[]) =>
    topCodes(kind, `sum by (code, category) (rate(${jobOf(CODE_METRICS[kind], ...matchers)}[5m]))`);
  const credentialCategories = `category=~"${CREDENTIAL_CATEGORIES.join('|')}"`;

  const alert = (name: string, severity: AlertRule['labels']['severity'], expr: string, duration: string, summary: string, description: string): AlertRule => ({
    alert: name,
    expr,
    for: duration,
    labels: { severity },
    annotations: { summary, description, runbook_url: `${config.runbookUrl}#${anchorOf(name)}` },
  });

  const alerts: AlertRule[] = [
    alert(
      'HIDAuthFailureSpike',
      'warning',
      `${recorded(RECORDED.failures5m)} > ${config.failureSpikeMinRate} and ${recorded(RECORDED.failures5m)} > ${config.failureSpikeFactor} * ${recorded(RECORDED.failures1h)} offset 10m`,
      '5m',
      `HID authentication failures on ${JOB_NAME} are ${perSecond('$value')}, over ${config.failureSpikeFactor} times the hour before`,
      `${perSecond('$value')} failures in the last 5 minutes, against ` +
        query(`${series(RECORDED.failures1h, SETUP)} offset 10m`, perSecond('.Value')) +
        ' in the hour before. ' +
        query(topRate('failure'), `The top reason: ${codeLine('hid_failure')} at ${perSecond('.Value')}.`),
    ),
    alert(
      'HIDAuthServerErrors',
      'critical',
      `${recorded(RECORDED.serverErrorRatio5m)} > ${config.serverErrorRatio} and ${recorded(RECORDED.responses5m)} > ${config.minRate}`,
      '5m',
      `{{ $value | humanizePercentage }} of the HTTP responses on ${JOB_NAME} are 5xx`,
      `Over ${percent(config.serverErrorRatio)} of the HTTP statuses in the logs were 5xx for 5 minutes: the service failed requests it should have answered. ` +
        query(
          topRate('http', 'category="server_error"'),
          `Most of them: HTTP {{ .Labels.code }}{{ with .Labels.description }} ({{ . }}){{ end }} at ${perSecond('.Value')}.`,
        ),
    ),
    alert(
      'HIDAuthLicenseError',
      'critical',
      `${by()} ${grownOver(of(CODE_METRICS.error, 'category="license"'), '10m')} > 0`,
      '0m',
      `License errors in the logs of ${JOB_NAME}`,
      'Records with a license error in the last 10 minutes: {{ printf "%.0f" $value }}. Authentications fail until the license is fixed. ' +
        query(
          topCodes('error', `sum by (code, category) ${grownOver(jobOf(CODE_METRICS.error, 'category="license"'), '10m')}`),
          `The most frequent: ${codeLine('hid_error')}, {{ printf "%.0f" .Value }} of them.`,
        ),
    ),
    alert(
      'HIDAuthTechnicalErrors',
      'critical',
      `${recorded(RECORDED.errorsByCategory5m, 'category="technical"')} > 0`,
      '5m',
      `Technical errors in the logs of ${JOB_NAME} for 5 minutes`,
      `hid_error codes of the category technical (an internal fault in a component: kernel, LDAP, adapter, STM, RADIUS) at ${perSecond('$value')}, without a pause for 5 minutes. ` +
        query(topRate('error', 'category="technical"'), `The most frequent: ${codeLine('hid_error')} at ${perSecond('.Value')}.`),
    ),
    alert(
      'HIDAuthCredentialFailureSurge',
      'warning',
      `${by()} (${recorded(RECORDED.failuresByCategory5m, credentialCategories)}) > ${config.credentialFailureRate}`,
      '5m',
      `Credential-mismatch, blocked and disabled failures on ${JOB_NAME} at ${perSecond('$value')}`,
      `Over ${config.credentialFailureRate} a second for 5 minutes: wrong passwords or OTPs, blocked channels and disabled users, as brute force or a wave of lock-outs shows. ` +
        query(topRate('failure', credentialCategories), `The top reason: ${codeLine('hid_failure')} at ${perSecond('.Value')}.`),
    ),
    alert(
      'HIDAuthSlowRequests',
      'warning',
      `${recorded(RECORDED.durationP99_5m)} > ${config.latencyP99Seconds} and ${recorded(RECORDED.durations5m)} > ${config.minRate}`,
      '10m',
      `The slowest 1% of requests on ${JOB_NAME} take over {{ $value | humanizeDuration }}`,
      `The 99th percentile of the request durations in the logs has been above ${config.latencyP99Seconds} s for 10 minutes (good to the width of its bucket of hid_request_duration_seconds). ` +
        query(
          // topk ranks NaN (an outcome without durations) lowest: the slowest outcome with any wins.
          `topk(1, histogram_quantile(0.99, sum by (outcome, le) (rate(${jobOf(`${DURATION_METRIC}_bucket`)}[5m]))))`,
          'The slowest outcome: {{ .Labels.outcome }}, at a p99 of {{ .Value | humanizeDuration }}.',
        ),
    ),
    alert(
      'HidlogDown',
      'warning',
      `${of('up')} == 0 or absent(${of('up')})`,
      '5m',
      '{{ with $labels.instance }}hidlog at {{ . }} is not scraped{{ else }}No hidlog is scraped{{ end }}',
      `{{ with $labels.instance }}Prometheus has failed to scrape {{ . }} for 5 minutes{{ else }}Prometheus has had no target matching {${config.selector}} for 5 minutes{{ end }}: the HID alerts cannot see those logs.`,
    ),
    alert(
      'HidlogStalled',
      'warning',
      `time() - ${of(HIDLOG_METRICS.followLastRead)} > ${config.stalledAfterSeconds} and ${of(HIDLOG_METRICS.followLagBytes)} > 0`,
      '1m',
      'hidlog at {{ $labels.instance }} has read no line for {{ $value | humanizeDuration }}',
      'In follow mode, hidlog has read nothing for {{ $value | humanizeDuration }} while ' +
        query(of(HIDLOG_METRICS.followLagBytes, ...PER_INSTANCE), '{{ .Value | humanize1024 }}B') +
        ' wait in the files it follows: records are not annotated and the HID metrics stand still.',
    ),
    alert(
      'HidlogOutputFailing',
      'warning',
      `${by('instance', 'output', 'error')} ${grownOver(of(HIDLOG_METRICS.outputErrors), '5m')} > 0`,
      '0m',
      `hidlog at {{ $labels.instance }} fails to write its ${outputName} ({{ $labels.error }})`,
      `Failed writes to its ${outputName} in the last 5 minutes: {{ printf "%.0f" $value }}. ` +
        `{{ if eq $labels.error ${WAITED_OUT_ERRORS.map((code) => `"${code}"`).join(' ')} }}` +
        '{{ if eq $labels.error "EIO" }}The disk or filesystem under it fails{{ else }}The disk or the quota under it is full{{ end }}: ' +
        'in follow mode hidlog holds its input and retries every 2 s at most, so lines are held back in the followed files and nothing is lost yet (a batch run stops at the first failure).' +
        '{{ else }}{{ if eq $labels.error "EPIPE" }}Its reader (the log shipper on stdout) went away{{ else }}hidlog does not wait such an error out{{ end }}: ' +
        'hidlog stopped at the first one; restarted with its --state-file, it reads on from what the outputs took.{{ end }}',
    ),
    alert(
      'HidlogStateNotSaved',
      'warning',
      `${of(HIDLOG_METRICS.followStateLastSaveSuccessful)} == 0`,
      '5m',
      'hidlog at {{ $labels.instance }} cannot save its state file',
      'In follow mode, hidlog has failed to save its --state-file for 5 minutes (the reason is on its stderr: a full disk, a read-only filesystem, permissions), and /healthz answers 503. ' +
        'Records are still annotated and counted, but a restart reads again from the last positions it saved, and cuts -o and --dead-letter back to them: the longer this lasts, the more a restart repeats.',
    ),
    alert(
      'HidlogInvalidLines',
      'warning',
      `${recorded(RECORDED.invalidLineRatio5m)} > ${config.invalidLineRatio} and ${recorded(RECORDED.lines5m)} > ${config.minRate}`,
      '10m',
      '{{ $value | humanizePercentage }} of the lines hidlog reads at {{ $labels.instance }} are not records it can read',
      `Over ${percent(config.invalidLineRatio)} of the lines for 10 minutes were not JSON objects or were too long, so hidlog found no code in them: the HID dashboards and alerts are blind to those records. ` +
        query(
          `topk(1, sum by (reason) (rate(${of(HIDLOG_METRICS.invalidLines, ...PER_INSTANCE)}[5m])))`,
          `The top reason: {{ .Labels.reason }} at ${perSecond('.Value')}.`,
        ),
    ),
    alert(
      'HidlogRecordsWithoutCodes',
      'warning',
      `${recorded(RECORDED.withoutReasonRatio5m)} > ${WITHOUT_REASON_RATIO} and ${recorded(RECORDED.errorStatuses5m)} > ${config.minRate}`,
      '15m',
      '{{ $value | humanizePercentage }} of the error statuses hidlog reads at {{ $labels.instance }} carry no reason code',
      `Over ${percent(WITHOUT_REASON_RATIO)} of the records with an HTTP status of 400 or more had no hid_error, hid_failure or response code for 15 minutes: ` +
        'the HID response body is not logged, or is logged in a field hidlog does not search, so the HID dashboards and alerts see the statuses but not why they failed. ' +
        query(series(RECORDED.noCodesRatio5m, PER_INSTANCE), 'Records with no code at all: {{ .Value | humanizePercentage }} of the lines.'),
    ),
    alert(
      'HidlogLabelOverflow',
      'warning',
      `${by('instance', 'label')} ${grownOver(of(HIDLOG_METRICS.labelOverflow), '1h')} > 0`,
      '0m',
      'hidlog at {{ $labels.instance }} counts some {{ if eq $labels.label "series" }}combinations of label values{{ else }}{{ $labels.label }} values{{ end }} as "other"',
      '{{ printf "%.0f" $value }} observations in the last hour were counted under "other" because ' +
        '{{ if eq $labels.label "code" }}more codes outside the catalog came than --max-unknown-codes admits' +
        '{{ else if eq $labels.label "series" }}the code counters reached --max-series series, so new combinations of label values went under their code with every label "other"' +
        '{{ else }}the label {{ $labels.label }} reached --max-label-values distinct values{{ end }}: ' +
        'their counts are lumped together on the dashboards.',
    ),
    alert(
      'HidlogCatalogReloadFailing',
      'warning',
      `${of(HIDLOG_METRICS.catalogLastReloadSuccessful)} == 0`,
      '5m',
      'hidlog at {{ $labels.instance }} refused its --catalog file and keeps the table before it',
      'The last reload of the --catalog file was refused (invalid, unreadable or missing), so the table ' +
        query(of(HIDLOG_METRICS.catalogLastReloadSuccess, ...PER_INSTANCE), 'loaded at {{ .Value | humanizeTimestamp }} ') +
        'is still in force: the codes, descriptions and categories of the edit are in neither the annotations nor hid_code_info. ' +
        query(of(HIDLOG_METRICS.catalogReloads, 'result="failure"', ...PER_INSTANCE), 'Refused reloads since hidlog started: {{ printf "%.0f" .Value }}. ') +
        "hidlog's stderr names the place in the file.",
    ),
  ];

  return {
    groups: [
      { name: 'hidlog.rules', rules: recording },
      { name: 'hidlog.alerts', rules: alerts },
    ],
  };
}
