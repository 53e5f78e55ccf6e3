// The mixin's parameters, like a monitoring mixin's `_config`: which targets are hidlog, which
// record labels it counts by, where the runbook is, and the thresholds the alerts (and the panels
// that show what the alerts see) use.

export interface MixinConfig {
  /**
   * The setup's name ('' for none): part of the dashboards' uids and titles, their tag and the
   * Grafana provisioning, so that two setups live side by side in one Grafana organisation.
   */
  name: string;
  /** PromQL label matchers that pick hidlog's targets, e.g. `job="hid-auth"` ('' for every target). */
  selector: string;
  /** The `--label` names hidlog runs with: one dashboard variable each. */
  labels: string[];
  /** Where the runbook is (docs/alerts.md); each alert links to its section's anchor. */
  runbookUrl: string;
  /** The failure-spike alert: the last 5 minutes' failure rate against this many times the hour before… */
  failureSpikeFactor: number;
  /** …and at least this many failures a second, so a quiet system does not page. */
  failureSpikeMinRate: number;
  /** Share of HTTP responses that are 5xx above which the server-error alert fires. */
  serverErrorRatio: number;
  /** Credential-mismatch, blocked and disabled failures a second above which the surge alert fires. */
  credentialFailureRate: number;
  /** Share of lines hidlog could not read above which it is called blind. */
  invalidLineRatio: number;
  /** Below this many records (or lines) a second, the share alerts stay silent. */
  minRate: number;
  /** In follow mode, seconds without a line read, while bytes wait, before hidlog is called stalled. */
  stalledAfterSeconds: number;
  /** The slow-requests alert: seconds the 99th percentile of request durations stays above. */
  latencyP99Seconds: number;
}

/**
 * A placeholder, on a reserved domain: hidlog has no public home, so the alerts cannot link to a
 * runbook that exists. `hidlog mixin` says so unless --runbook-url names where a team reads it.
 */
export const DEFAULT_RUNBOOK_URL = 'https://hidlog.example/docs/alerts.md';

export const DEFAULT_CONFIG: Readonly<MixinConfig> = {
  name: '',
  selector: 'job="hidlog"',
  labels: ['tenant'],
  runbookUrl: DEFAULT_RUNBOOK_URL,
  failureSpikeFactor: 3,
  failureSpikeMinRate: 0.5,
  serverErrorRatio: 0.05,
  credentialFailureRate: 1,
  invalidLineRatio: 0.05,
  minRate: 0.1,
  stalledAfterSeconds: 300,
  latencyP99Seconds: 2,
};

/** hid_request_duration_seconds' largest finite bucket (src/count/duration-histogram.ts). */
const LARGEST_DURATION_BUCKET = 60;

/** Grafana's uids are at most 40 characters: `hidlog-NAME-overview` leaves 24 for the name. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,23}$/;

/** A share as the descriptions write it: 0.05 as 5%. */
export const percent = (share: number) => `${+(share * 100).toFixed(4)}%`;

/** A parameter the mixin cannot be built with. */
export class MixinConfigError extends Error {}

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  /** The value as written, quotes and escapes included. */
  quoted: string;
}

const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*(?:,|$)/y;

/** `job="hid-auth", env=~"prod|dr"` into its matchers; throws MixinConfigError on anything else. */
export function parseSelector(selector: string): Matcher[] {
  const matchers: Matcher[] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < selector.length && selector.slice(MATCHER.lastIndex).trim() !== '') {
    const at = MATCHER.lastIndex;
    const match = MATCHER.exec(selector);
    if (!match) throw new MixinConfigError(`--selector ${selector}: expected label matchers such as job="hid-auth", at "${selector.slice(at).trim()}"`);
    matchers.push({ name: match[1]!, op: match[2] as Matcher['op'], quoted: match[3]! });
  }
  // The alerts' templates carry the selector in a Go raw string, which cannot hold a backtick.
  if (selector.includes('`')) throw new MixinConfigError(`--selector ${selector}: a backtick cannot be used`);
  // The recording rules keep every label the selector names (setupLabels); a metric name is not one.
  if (matchers.some((m) => m.name === '__name__')) throw new MixinConfigError(`--selector ${selector}: __name__ names a metric; the selector picks targets`);
  return matchers;
}

/**
 * The labels that tell one setup's series from another's: `job`, and every label its selector
 * names (`job="hid-auth", env=~"prod|dr"`: job, env), whatever the matcher. Every recording rule
 * keeps them in its aggregation and every alert carries them, so that two setups in one
 * Prometheus (`env="eu"`, `env="us"`) record different series and page apart. With the default
 * selector, `job` alone.
 */
export function setupLabels(selector: string): string[] {
  return [...new Set(['job', ...parseSelector(selector).map((m) => m.name)])];
}

/** Checks every parameter and returns the selector in one canonical spelling. */
export function checkConfig(config: MixinConfig): MixinConfig {
  const selector = parseSelector(config.selector)
    .map((m) => `${m.name}${m.op}${m.quoted}`)
    .join(', ');
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) throw new MixinConfigError(`--${name} ${value}: expected a number above 0`);
  };
  positive('failure-spike-factor', config.failureSpikeFactor);
  positive('failure-spike-min-rate', config.failureSpikeMinRate);
  positive('credential-failure-rate', config.credentialFailureRate);
  positive('min-rate', config.minRate);
  positive('stalled-after', config.stalledAfterSeconds);
  for (const [name, value] of [
    ['server-error-ratio', config.serverErrorRatio],
    ['invalid-line-ratio', config.invalidLineRatio],
  ] as const) {
    if (!(value > 0 && value < 1)) throw new MixinConfigError(`--${name} ${value}: expected a share between 0 and 1, e.g. 0.05`);
  }
  // Past the largest bucket histogram_quantile reads the bound itself: a p99 never goes above 60.
  if (!(config.latencyP99Seconds > 0 && config.latencyP99Seconds < LARGEST_DURATION_BUCKET)) {
    throw new MixinConfigError(
      `--latency-p99 ${config.latencyP99Seconds}: expected seconds above 0 and below ${LARGEST_DURATION_BUCKET} (the largest bucket of hid_request_duration_seconds)`,
    );
  }
  if (!Number.isInteger(config.stalledAfterSeconds)) throw new MixinConfigError(`--stalled-after ${config.stalledAfterSeconds}: expected whole seconds`);
  const repeated = config.labels.find((name, i) => config.labels.indexOf(name) !== i);
  if (repeated !== undefined) throw new MixinConfigError(`--label ${repeated} is given twice`);
  if (config.labels.includes('datasource')) throw new MixinConfigError("--label datasource: the dashboards' data source variable has that name");
  if (config.name !== '' && !NAME.test(config.name))
    throw new MixinConfigError(`--name ${config.name}: expected up to 24 letters, digits, - or _, starting with a letter or digit, e.g. prod-eu`);
  if (!/^https?:\/\/\S+$/.test(config.runbookUrl)) throw new MixinConfigError(`--runbook-url ${config.runbookUrl}: expected an http:// or https:// URL`);
  return { ...config, selector };
}
