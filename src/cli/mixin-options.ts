import type { Options } from 'yargs';
import { DEFAULT_CONFIG } from '../mixin/config.js';
import { decimalNumber } from './options.js';

// `hidlog mixin`'s options: the mixin's parameters (src/mixin/config.ts), each with its default.
export const MIXIN_OPTIONS = {
  out: { type: 'string', demandOption: true, describe: 'Write the dashboards, the rules and the provisioning files into this folder (made if missing)' },
  name: {
    type: 'string',
    default: DEFAULT_CONFIG.name,
    defaultDescription: 'none',
    describe:
      "A name for this setup, e.g. prod-eu: in the dashboards' uids (hidlog-NAME-overview), titles and tag and in the Grafana provisioning, so that setups share a Grafana organisation",
  },
  selector: {
    type: 'string',
    default: DEFAULT_CONFIG.selector,
    describe:
      'PromQL label matchers that pick your hidlog targets, e.g. job="hid-auth", env="eu": the rules keep the labels it names, so that setups share a Prometheus',
  },
  label: {
    type: 'string',
    array: true,
    default: DEFAULT_CONFIG.labels,
    describe: 'A --label hidlog runs with (NAME or NAME=DOT.PATH): a dashboard variable for it (repeatable)',
  },
  'runbook-url': {
    type: 'string',
    default: DEFAULT_CONFIG.runbookUrl,
    describe: "Where your team reads hidlog's runbook, docs/alerts.md (the default is a placeholder): each alert links to its runbook section's anchor there",
  },
  'failure-spike-factor': {
    coerce: decimalNumber('failure-spike-factor'),
    requiresArg: true,
    default: DEFAULT_CONFIG.failureSpikeFactor,
    describe: "Failure spike: the last 5 minutes' failure rate above this many times the hour before",
  },
  'failure-spike-min-rate': {
    coerce: decimalNumber('failure-spike-min-rate'),
    requiresArg: true,
    default: DEFAULT_CONFIG.failureSpikeMinRate,
    describe: 'Failure spike: and above this many failures a second',
  },
  'server-error-ratio': {
    coerce: decimalNumber('server-error-ratio'),
    requiresArg: true,
    default: DEFAULT_CONFIG.serverErrorRatio,
    describe: 'Server errors: the share of 5xx statuses above which the alert fires',
  },
  'credential-failure-rate': {
    coerce: decimalNumber('credential-failure-rate'),
    requiresArg: true,
    default: DEFAULT_CONFIG.credentialFailureRate,
    describe: 'Credential surge: credential-mismatch, blocked and disabled failures a second',
  },
  'invalid-line-ratio': {
    coerce: decimalNumber('invalid-line-ratio'),
    requiresArg: true,
    default: DEFAULT_CONFIG.invalidLineRatio,
    describe: 'Invalid lines: the share of lines hidlog cannot read above which it is called blind',
  },
  'min-rate': {
    coerce: decimalNumber('min-rate'),
    requiresArg: true,
    default: DEFAULT_CONFIG.minRate,
    describe: 'Below this many records (or lines) a second, the share alerts stay silent',
  },
  'stalled-after': {
    coerce: decimalNumber('stalled-after'),
    requiresArg: true,
    default: DEFAULT_CONFIG.stalledAfterSeconds,
    describe: 'Follow mode: seconds without a line read, while bytes wait, before hidlog is stalled',
  },
  'latency-p99': {
    coerce: decimalNumber('latency-p99'),
    requiresArg: true,
    default: DEFAULT_CONFIG.latencyP99Seconds,
    describe: 'Slow requests: seconds the 99th percentile of request durations (hid_request_duration_seconds) stays above before the alert fires',
  },
} as const satisfies Record<string, Options>;
