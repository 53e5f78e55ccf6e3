import { Catalog, type CodeKind } from '../../catalog/catalog.js';
import { HIDLOG_METRICS } from '../../contract/metrics.js';
import { percent, type MixinConfig } from '../config.js';
import { grownOver, series } from '../promql.js';
import { RECORDED, WITHOUT_REASON_RATIO } from '../rules.js';
import { GREEN, dashboard, stat, table, timeseries, type Dashboard, type Step } from './grafana.js';
import { Scope, uidsOf } from './scope.js';

const RATE = '$__rate_interval';
const MiB = 1024 * 1024;

export function healthDashboard(config: MixinConfig): Dashboard {
  const scope = new Scope(config);
  const own = (metric: string, ...matchers: string[]) => series(metric, scope.own(...matchers));
  const inRange = (metric: string, matchers: string[]) => `sum by (instance) ${grownOver(own(metric, ...matchers), '$__range')}`;
  const countStat = (title: string, metric: string, steps: Step[], description: string, options: { width?: number; matchers?: string[] } = {}) =>
    stat({
      title,
      description,
      unit: 'short',
      decimals: 0,
      steps,
      width: options.width ?? 6,
      queries: [{ expr: inRange(metric, options.matchers ?? []), legend: '{{instance}}', instant: true }],
    });
  // A 0/1 state as two words, red at 0.
  const stateStat = (title: string, metric: string, [no, yes]: [string, string], width: number, description: string) =>
    stat({
      title,
      description,
      unit: 'none',
      steps: [
        ['red', null],
        ['green', 1],
      ],
      width,
      mappings: [{ type: 'value', options: { '0': { text: no, index: 0 }, '1': { text: yes, index: 1 } } }],
      queries: [{ expr: own(metric), legend: '{{instance}}', instant: true }],
    });
  const builtIn = (kind: CodeKind) => Catalog.vendor.size(kind);

  return dashboard({
    setup: config.name,
    uid: uidsOf(config).health,
    title: 'hidlog health',
    description: 'For whoever runs hidlog: is every hidlog scraped, reading, keeping up with its files, and reading records it understands. Per instance.',
    variables: scope.variables(),
    panels: [
      { row: 'Reading' },
      timeseries({
        title: 'Lines read by result',
        description:
          'Lines a second by result: annotated (a status or code found), no_codes, invalid (not a JSON object), too_long. Nothing here turns red; a rise of invalid lines shows in the panels next to it.',
        unit: 'cps',
        steps: [GREEN],
        width: 12,
        stack: true,
        queries: [{ expr: `sum by (instance, result) (rate(${own(HIDLOG_METRICS.lines)}[${RATE}]))`, legend: '{{instance}} {{result}}' }],
      }),
      timeseries({
        title: 'Invalid line share',
        description: `The share of lines hidlog could not read as records (invalid or too long), per instance, over 5 minutes (the recording rule the HidlogInvalidLines alert reads). Red above ${percent(config.invalidLineRatio)}: the log format changed or a source writes something else; hidlog finds no codes in those lines. See the reasons next to it.`,
        unit: 'percentunit',
        steps: [GREEN, ['red', config.invalidLineRatio]],
        width: 6,
        thresholdLine: true,
        queries: [{ expr: series(RECORDED.invalidLineRatio5m, scope.own()), legend: '{{instance}}' }],
      }),
      timeseries({
        title: 'Invalid lines by reason',
        description:
          'Invalid lines a second by reason: blank, invalid_json, not_object, too_deep, invalid_utf8, too_long. Red from 1 a second: look at a few of those lines (annotate --dead-letter FILE keeps them byte for byte).',
        unit: 'cps',
        steps: [GREEN, ['red', 1]],
        width: 6,
        queries: [{ expr: `sum by (instance, reason) (rate(${own(HIDLOG_METRICS.invalidLines)}[${RATE}]))`, legend: '{{instance}} {{reason}}' }],
      }),
      timeseries({
        title: 'Bytes read',
        description: "Bytes a second read from the inputs, after decompression. Nothing here turns red; it follows the service's traffic.",
        unit: 'binBps',
        steps: [GREEN],
        width: 12,
        queries: [{ expr: `sum by (instance) (rate(${own(HIDLOG_METRICS.bytes)}[${RATE}]))`, legend: '{{instance}}' }],
      }),
      stat({
        title: 'Label overflow',
        description:
          'Observations counted under "other" in the selected time range because a cap was reached: label="code" for codes outside the catalog (--max-unknown-codes), label="series" for new combinations of --label values once the code counters reached --max-series series, else a --label that reached --max-label-values. Red from 1: per-code or per-label panels lump those together; raise the cap, or label by something with fewer values. See the HidlogLabelOverflow runbook.',
        unit: 'short',
        decimals: 0,
        steps: [GREEN, ['red', 1]],
        width: 12,
        queries: [
          { expr: `sum by (instance, label) ${grownOver(own(HIDLOG_METRICS.labelOverflow), '$__range')}`, legend: '{{instance}} {{label}}', instant: true },
        ],
      }),

      timeseries({
        title: 'Records without codes',
        description: `Per instance, over 5 minutes (the recording rules the HidlogRecordsWithoutCodes alert reads): the share of lines that are records with no status or code at all (no_codes), and the share of records with an HTTP status of 400 or more that carry no hid_error, hid_failure or response code (error statuses without a reason). Red above ${percent(WITHOUT_REASON_RATIO)}: for error statuses, the HID body is not logged or is in a field hidlog does not search (name it with --field failure=PATH); a high no_codes share alone is often fine (health checks, info lines). See the HidlogRecordsWithoutCodes runbook.`,
        unit: 'percentunit',
        steps: [GREEN, ['red', WITHOUT_REASON_RATIO]],
        width: 24,
        thresholdLine: true,
        queries: [
          { expr: series(RECORDED.noCodesRatio5m, scope.own()), legend: '{{instance}} no_codes' },
          { expr: series(RECORDED.withoutReasonRatio5m, scope.own()), legend: '{{instance}} error statuses without a reason' },
        ],
      }),

      { row: 'Writing' },
      timeseries({
        title: 'Output errors',
        description:
          "Failed writes a second, every attempt, by output (output: -o FILE or stdout; dead_letter: --dead-letter FILE) and error. Red from any failed write. ENOSPC or EDQUOT: the disk or the quota under the output is full; free space there. EIO: the disk or filesystem is failing. In follow mode hidlog waits those three out: it holds its input and retries (every 2 s at most), the followed files wait on disk and nothing is lost yet, while the lag grows. EPIPE (the reader of stdout, a log shipper, is gone) and any other error stop hidlog, as any error does in a batch run: look at the shipper and at hidlog's restarts. See the HidlogOutputFailing runbook.",
        unit: 'cps',
        steps: [GREEN, ['red', 1e-6]],
        width: 24,
        queries: [
          { expr: `sum by (instance, output, error) (rate(${own(HIDLOG_METRICS.outputErrors)}[${RATE}]))`, legend: '{{instance}} {{output}} {{error}}' },
        ],
      }),

      { row: 'Follow mode' },
      stat({
        title: 'Files followed',
        description: "Files each hidlog in follow mode has open. Red at 0: the paths or globs match no file; check them against the service's log directory.",
        unit: 'short',
        decimals: 0,
        steps: [
          ['red', null],
          ['green', 1],
        ],
        width: 6,
        queries: [{ expr: `max by (instance) (${own(HIDLOG_METRICS.followFiles)})`, legend: '{{instance}}', instant: true }],
      }),
      timeseries({
        title: 'Lag',
        description:
          'Bytes written to the followed files and not read yet (the highest in each interval). Red from 1 MiB: hidlog falls behind; if it keeps growing, see the HidlogStalled runbook (the usual cause is an output that blocks, or fails: see Output errors).',
        unit: 'bytes',
        steps: [GREEN, ['red', MiB]],
        width: 12,
        thresholdLine: true,
        queries: [{ expr: `max by (instance) (max_over_time(${own(HIDLOG_METRICS.followLagBytes)}[$__interval]))`, legend: '{{instance}}' }],
      }),
      stat({
        title: 'Since the last line read',
        description: `Seconds since each hidlog in follow mode last read a line. Red from ${config.stalledAfterSeconds} s: a problem only when the lag is above 0 too (then the HidlogStalled alert fires); a quiet log is red here and fine.`,
        unit: 's',
        decimals: 0,
        steps: [GREEN, ['red', config.stalledAfterSeconds]],
        width: 6,
        queries: [{ expr: `time() - max by (instance) (${own(HIDLOG_METRICS.followLastRead)} > 0)`, legend: '{{instance}}', instant: true }],
      }),
      countStat(
        'Rotations',
        HIDLOG_METRICS.followRotations,
        [GREEN],
        'Followed files renamed away or deleted in the selected time range (each read to its end). Nothing here turns red: logrotate at work.',
      ),
      countStat(
        'Truncations',
        HIDLOG_METRICS.followTruncations,
        [GREEN, ['orange', 1]],
        "Followed files truncated in place (copytruncate) in the selected time range. Orange from 1: lines written between hidlog's last read and the truncation are lost; prefer rename rotation (docs/follow.md).",
      ),
      countStat(
        'Read errors',
        HIDLOG_METRICS.followReadErrors,
        [GREEN, ['red', 1]],
        "Followed files that could not be read in the selected time range (each reported once on stderr, and retried). Red from 1: check the file's permissions and hidlog's stderr.",
      ),
      stateStat(
        'Scraped',
        'up',
        ['down', 'up'],
        6,
        'Whether Prometheus could scrape each hidlog at its last try (up). Red when down: hidlog is not running or not reachable, and the HID dashboards and alerts miss its logs; see the HidlogDown runbook.',
      ),

      { row: 'Catalog' },
      table({
        title: 'Catalog entries',
        description: `Codes in the catalog each hidlog has in force, by kind: the built-in table (${builtIn('http')} HTTP statuses, ${builtIn('error')} hid_error, ${builtIn('failure')} hid_failure and ${builtIn('response')} response codes) plus the codes a --catalog file adds. Nothing here turns red; two instances with different counts run different catalogs (a --catalog file not rolled out everywhere), so one code may be described differently on their records.`,
        unit: 'none',
        steps: [GREEN],
        width: 9,
        queries: [{ expr: `max by (instance, kind) (${own(HIDLOG_METRICS.catalogEntries)})`, instant: true, table: true }],
        columns: { Value: 'codes' },
        order: ['instance', 'kind', 'Value'],
        sortBy: ['instance', false],
      }),
      stat({
        title: 'Since the last good reload',
        description:
          'Seconds since each hidlog that reloads its --catalog file (follow mode, and annotate serving /metrics) loaded the table in force: at its start, or at its last successful reload. Nothing here turns red: a catalog file rarely changes. After an edit it drops to 0 if the new file was taken, and keeps growing if it was refused (see Last reload successful). Empty for runs without --catalog, which never reload.',
        unit: 's',
        decimals: 0,
        steps: [GREEN],
        width: 5,
        queries: [{ expr: `time() - max by (instance) (${own(HIDLOG_METRICS.catalogLastReloadSuccess)})`, legend: '{{instance}}', instant: true }],
      }),
      countStat(
        'Reload failures',
        HIDLOG_METRICS.catalogReloads,
        [GREEN, ['red', 1]],
        "Reloads of the --catalog file refused in the selected time range: the file was invalid, unreadable or missing (each said in one line on hidlog's stderr, naming the place in the file), and the table before it was kept. Red from 1: if Last reload successful is red too, the file on disk is still refused.",
        { width: 5, matchers: ['result="failure"'] },
      ),
      stateStat(
        'Last reload successful',
        HIDLOG_METRICS.catalogLastReloadSuccessful,
        ['failed', 'ok'],
        5,
        "Whether the last reload of each hidlog's --catalog file succeeded. Red when failed: the file on disk was refused and the table before it is still in force, so the codes and descriptions of the edit are in neither the annotations nor hid_code_info. Fix the file (hidlog's stderr names the line); the next change to it, or a SIGHUP, reloads it. See the HidlogCatalogReloadFailing runbook.",
      ),

      { row: 'Process' },
      timeseries({
        title: 'CPU',
        description:
          'CPU time each hidlog uses, in cores. Red above 0.9: one core is saturated and hidlog will fall behind its files; see docs/performance.md (--workers for big batches).',
        unit: 'percentunit',
        steps: [GREEN, ['red', 0.9]],
        width: 8,
        thresholdLine: true,
        queries: [{ expr: `rate(${own('process_cpu_seconds_total')}[${RATE}])`, legend: '{{instance}}' }],
      }),
      timeseries({
        title: 'Memory',
        description:
          'Resident memory of each hidlog. Red above 512 MiB: hidlog keeps memory flat (under 200 MiB in the benchmarks), so growth means something is held; restart it and report the input that caused it.',
        unit: 'bytes',
        steps: [GREEN, ['red', 512 * MiB]],
        width: 8,
        thresholdLine: true,
        queries: [{ expr: own('process_resident_memory_bytes'), legend: '{{instance}}' }],
      }),
      table({
        title: 'Build version',
        description: 'The hidlog version each instance runs. Nothing here turns red; two versions side by side is a rollout in progress.',
        unit: 'none',
        steps: [GREEN],
        width: 8,
        queries: [{ expr: `max by (instance, version) (${own(HIDLOG_METRICS.buildInfo)})`, instant: true, table: true }],
        columns: {},
        order: ['instance', 'version'],
        hidden: ['Value'],
        sortBy: ['instance', false],
      }),
    ],
  });
}
