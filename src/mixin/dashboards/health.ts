import { percent, type MixinConfig } from '../config.js';
import { grownOver, series } from '../promql.js';
import { RECORDED } from '../rules.js';
import { GREEN, dashboard, stat, table, timeseries, type Dashboard, type Step } from './grafana.js';
import { Scope, UIDS } from './scope.js';

const RATE = '$__rate_interval';
const MiB = 1024 * 1024;

export function healthDashboard(config: MixinConfig): Dashboard {
  const scope = new Scope(config);
  const own = (metric: string, ...matchers: string[]) => series(metric, scope.own(...matchers));
  const inRange = (metric: string) => `sum by (instance) ${grownOver(own(metric), '$__range')}`;
  const countStat = (title: string, metric: string, steps: Step[], description: string) =>
    stat({ title, description, unit: 'short', decimals: 0, steps, width: 6, queries: [{ expr: inRange(metric), legend: '{{instance}}', instant: true }] });

  return dashboard({
    uid: UIDS.health,
    title: 'hidlog health',
    description: 'For whoever runs hidlog: is every hidlog scraped, reading, keeping up with its files, and reading records it understands. Per instance.',
    variables: scope.variables(),
    panels: [
      { row: 'Reading' },
      timeseries({
        title: 'Lines read by result',
        description: 'Lines a second by result: annotated (a status or code found), no_codes, invalid (not a JSON object), too_long. Nothing here turns red; a rise of invalid lines shows in the panels next to it.',
        unit: 'cps', steps: [GREEN], width: 12, stack: true,
        queries: [{ expr: `sum by (instance, result) (rate(${own('hidlog_lines_total')}[${RATE}]))`, legend: '{{instance}} {{result}}' }],
      }),
      timeseries({
        title: 'Invalid line share',
        description: `The share of lines hidlog could not read as records (invalid or too long), per instance, over 5 minutes (the recording rule the HidlogInvalidLines alert reads). Red above ${percent(config.invalidLineRatio)}: the log format changed or a source writes something else; hidlog finds no codes in those lines. See the reasons next to it.`,
        unit: 'percentunit', steps: [GREEN, ['red', config.invalidLineRatio]], width: 6, thresholdLine: true,
        queries: [{ expr: series(RECORDED.invalidLineRatio5m, ['job=~"$job"', 'instance=~"$instance"']), legend: '{{instance}}' }],
      }),
      timeseries({
        title: 'Invalid lines by reason',
        description: 'Invalid lines a second by reason: blank, invalid_json, not_object, too_deep, invalid_utf8, too_long. Red from 1 a second: look at a few of those lines (annotate --dead-letter FILE keeps them byte for byte).',
        unit: 'cps', steps: [GREEN, ['red', 1]], width: 6,
        queries: [{ expr: `sum by (instance, reason) (rate(${own('hidlog_invalid_lines_total')}[${RATE}]))`, legend: '{{instance}} {{reason}}' }],
      }),
      timeseries({
        title: 'Bytes read',
        description: 'Bytes a second read from the inputs, after decompression. Nothing here turns red; it follows the service\'s traffic.',
        unit: 'binBps', steps: [GREEN], width: 12,
        queries: [{ expr: `sum by (instance) (rate(${own('hidlog_bytes_total')}[${RATE}]))`, legend: '{{instance}}' }],
      }),
      stat({
        title: 'Label overflow',
        description: 'Observations counted under "other" in the selected time range because a cap was reached: label="code" for codes outside the catalog (--max-unknown-codes), else a --label that reached --max-label-values. Red from 1: per-code or per-label panels lump those together; raise the cap, or label by something with fewer values. See the HidlogLabelOverflow runbook.',
        unit: 'short', decimals: 0, steps: [GREEN, ['red', 1]], width: 12,
        queries: [{ expr: `sum by (instance, label) ${grownOver(own('hidlog_label_overflow_total'), '$__range')}`, legend: '{{instance}} {{label}}', instant: true }],
      }),

      { row: 'Follow mode' },
      stat({
        title: 'Files followed',
        description: 'Files each hidlog in follow mode has open. Red at 0: the paths or globs match no file; check them against the service\'s log directory.',
        unit: 'short', decimals: 0, steps: [['red', null], ['green', 1]], width: 6,
        queries: [{ expr: `max by (instance) (${own('hidlog_follow_files')})`, legend: '{{instance}}', instant: true }],
      }),
      timeseries({
        title: 'Lag',
        description: 'Bytes written to the followed files and not read yet (the highest in each interval). Red from 1 MiB: hidlog falls behind; if it keeps growing, see the HidlogStalled runbook (a blocked output is the usual cause).',
        unit: 'bytes', steps: [GREEN, ['red', MiB]], width: 12, thresholdLine: true,
        queries: [{ expr: `max by (instance) (max_over_time(${own('hidlog_follow_lag_bytes')}[$__interval]))`, legend: '{{instance}}' }],
      }),
      stat({
        title: 'Since the last line read',
        description: `Seconds since each hidlog in follow mode last read a line. Red from ${config.stalledAfterSeconds} s: a problem only when the lag is above 0 too (then the HidlogStalled alert fires); a quiet log is red here and fine.`,
        unit: 's', decimals: 0, steps: [GREEN, ['red', config.stalledAfterSeconds]], width: 6,
        queries: [{ expr: `time() - max by (instance) (${own('hidlog_follow_last_read_timestamp_seconds')} > 0)`, legend: '{{instance}}', instant: true }],
      }),
      countStat('Rotations', 'hidlog_follow_rotations_total', [GREEN], 'Followed files renamed away or deleted in the selected time range (each read to its end). Nothing here turns red: logrotate at work.'),
      countStat('Truncations', 'hidlog_follow_truncations_total', [GREEN, ['orange', 1]], 'Followed files truncated in place (copytruncate) in the selected time range. Orange from 1: lines written between hidlog\'s last read and the truncation are lost; prefer rename rotation (README, "Follow mode").'),
      countStat('Read errors', 'hidlog_follow_read_errors_total', [GREEN, ['red', 1]], 'Followed files that could not be read in the selected time range (each reported once on stderr, and retried). Red from 1: check the file\'s permissions and hidlog\'s stderr.'),
      stat({
        title: 'Scraped',
        description: 'Whether Prometheus could scrape each hidlog at its last try (up). Red when down: hidlog is not running or not reachable, and the HID dashboards and alerts miss its logs; see the HidlogDown runbook.',
        unit: 'none', steps: [['red', null], ['green', 1]], width: 6,
        mappings: [{ type: 'value', options: { '0': { text: 'down', index: 0 }, '1': { text: 'up', index: 1 } } }],
        queries: [{ expr: own('up'), legend: '{{instance}}', instant: true }],
      }),

      { row: 'Process' },
      timeseries({
        title: 'CPU',
        description: 'CPU time each hidlog uses, in cores. Red above 0.9: one core is saturated and hidlog will fall behind its files; see README "Performance" (--workers for big batches).',
        unit: 'percentunit', steps: [GREEN, ['red', 0.9]], width: 8, thresholdLine: true,
        queries: [{ expr: `rate(${own('process_cpu_seconds_total')}[${RATE}])`, legend: '{{instance}}' }],
      }),
      timeseries({
        title: 'Memory',
        description: 'Resident memory of each hidlog. Red above 512 MiB: hidlog keeps memory flat (under 200 MiB in the benchmarks), so growth means something is held; restart it and report the input that caused it.',
        unit: 'bytes', steps: [GREEN, ['red', 512 * MiB]], width: 8, thresholdLine: true,
        queries: [{ expr: own('process_resident_memory_bytes'), legend: '{{instance}}' }],
      }),
      table({
        title: 'Build version',
        description: 'The hidlog version each instance runs. Nothing here turns red; two versions side by side is a rollout in progress.',
        unit: 'none', steps: [GREEN], width: 8,
        queries: [{ expr: `max by (instance, version) (${own('hidlog_build_info')})`, instant: true, table: true }],
        columns: {}, order: ['instance', 'version'], hidden: ['Value'], sortBy: ['instance', false],
      }),
    ],
  });
}
