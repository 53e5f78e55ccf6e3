// hidlog's metric contract (docs/metrics.md): the names and labels that dashboards, alerts and
// users' own queries depend on. The registry (metrics/registry.ts) exposes them, the mixin
// (mixin/promql.ts, its dashboards and rules) queries them, and the command line (cli/label-names.ts)
// keeps `--label` names off the labels hidlog sets itself. A name changed here changes all three.
import type { CodeKind } from '../catalog/catalog.js';

/** The code counters, one a kind: each code seen, by `code` and its category label, and the record labels (`--label`). */
export const CODE_METRICS: Record<CodeKind, string> = {
  http: 'hid_http_responses_total',
  error: 'hid_errors_total',
  failure: 'hid_failures_total',
  response: 'hid_responses_total',
};

/** The label a code counter gives a code's category: the response code's is its `result`. */
export const CODE_CATEGORY_LABELS: Record<CodeKind, 'category' | 'result'> = { http: 'category', error: 'category', failure: 'category', response: 'result' };

/** The latency histogram (docs/metrics.md, "Latency"), by `outcome`: its series are this name with `_bucket`, `_sum` and `_count`. */
export const DURATION_METRIC = 'hid_request_duration_seconds';

/** The catalog in force, one series a code (value 1): `kind`, `code`, `category`, `description`. */
export const CODE_INFO_METRIC = 'hid_code_info';

/** hidlog's own metrics: what it read and how it runs. */
export const HIDLOG_METRICS = {
  /** by `result` */
  lines: 'hidlog_lines_total',
  /** by `reason` */
  invalidLines: 'hidlog_invalid_lines_total',
  /** by `outcome` */
  outcomes: 'hidlog_outcomes_total',
  errorStatusesWithoutReason: 'hidlog_error_statuses_without_reason_total',
  invalidDurations: 'hidlog_invalid_durations_total',
  bytes: 'hidlog_bytes_total',
  /** by `label` (a record label, `code`, or SERIES_OVERFLOW_LABEL) */
  labelOverflow: 'hidlog_label_overflow_total',
  /** by `version` */
  buildInfo: 'hidlog_build_info',
  /** by `kind` */
  catalogEntries: 'hidlog_catalog_entries',
  /** by `output`, `error` */
  outputErrors: 'hidlog_output_errors_total',
  followFiles: 'hidlog_follow_files',
  followOpenFiles: 'hidlog_follow_open_files',
  followOpenFilesLimit: 'hidlog_follow_open_files_limit',
  followRotations: 'hidlog_follow_rotations_total',
  followTruncations: 'hidlog_follow_truncations_total',
  followLagBytes: 'hidlog_follow_lag_bytes',
  followLastRead: 'hidlog_follow_last_read_timestamp_seconds',
  followReadErrors: 'hidlog_follow_read_errors_total',
  followStateSaveErrors: 'hidlog_follow_state_save_errors_total',
  followStateLastSaveSuccessful: 'hidlog_follow_state_last_save_successful',
  /** by `result` */
  catalogReloads: 'hidlog_catalog_reloads_total',
  catalogLastReloadSuccess: 'hidlog_catalog_last_reload_success_timestamp_seconds',
  catalogLastReloadSuccessful: 'hidlog_catalog_last_reload_successful',
} as const;

/** hidlog_label_overflow_total's `label` for what --max-series turned away (under every record label's "other"). */
export const SERIES_OVERFLOW_LABEL = 'series';

/**
 * Labels no `--label` may take: those hidlog sets on its series (a record label beside them would
 * clash or confuse a join) and those Prometheus sets (`le`, `quantile`, `job`, `instance`).
 */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'code',
  'category',
  'result',
  'kind',
  'description',
  'outcome',
  'reason',
  'label',
  'le',
  'quantile',
  'job',
  'instance',
]);

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label name Prometheus accepts for a user's label: its syntax, and not `__`-prefixed (reserved to Prometheus). */
export const isLabelName = (name: string): boolean => LABEL_NAME.test(name) && !name.startsWith('__');
