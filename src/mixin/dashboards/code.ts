import type { MixinConfig } from '../config.js';
import { CODE_INFO_METRIC } from '../../contract/metrics.js';
import { grownOver, mostCommonInfo, series } from '../promql.js';
import { CODE_METRICS } from '../../contract/metrics.js';
import { GREEN, customVariable, dashboard, queryVariable, stat, timeseries, type Dashboard } from './grafana.js';
import { Scope, uidsOf } from './scope.js';

// `kind` shows the kind and stands for its counter: `${kind:text}` is `failure`, `$kind` is
// `hid_failures_total`, so one variable picks both the catalog rows and the metric.
const KIND = '${kind:text}';
const METRIC = '${kind}';
/** The kinds, the one a drill-down starts with first. */
const KINDS = ['failure', 'error', 'http', 'response'] as const;

export function codeDashboard(config: MixinConfig): Dashboard {
  const scope = new Scope(config);
  const counted = (...matchers: string[]) => series(METRIC, scope.codes(...matchers));
  // The entry most of the selected instances have, when their catalogs disagree on this code.
  const info = mostCommonInfo(scope.info(KIND, 'code="$code"'), ['kind', 'code'], ['category', 'description']);
  const ratePanel = (by: string, title: string, width: number) =>
    timeseries({
      title,
      description: `How often this code came, a second, per ${by}. Nothing here turns red; a ${by} that carries most of it is where to look (one client, one tenant, one log source).`,
      unit: 'reqps',
      steps: [GREEN],
      width,
      queries: [{ expr: `sum by (${by}) (rate(${counted('code="$code"')}[$__rate_interval]))`, legend: `{{${by}}}` }],
    });

  return dashboard({
    setup: config.name,
    uid: uidsOf(config).code,
    title: 'HID code drill-down',
    description: 'One HID code: what the vendor says it means, how often it came, from which hidlog and for which label values.',
    variables: [
      ...scope.variables(),
      customVariable({
        name: 'kind',
        label: 'kind',
        description: 'Which family of codes: hid_failure, hid_error, HTTP status or HID response code',
        values: KINDS.map((kind) => [kind, CODE_METRICS[kind]]),
      }),
      queryVariable({
        name: 'code',
        label: 'code',
        query: `label_values(${series(CODE_INFO_METRIC, scope.info(KIND))}, code)`,
        description: 'The code, from the catalog (hid_code_info)',
        multi: false,
        sort: 3,
      }),
    ],
    panels: [
      { row: 'The code' },
      stat({
        title: 'Description',
        description:
          "What this code means, from the catalog the selected hidlogs have in force (hid_code_info): the vendor's words, or a site --catalog file's. Where the hidlogs disagree (a site catalog on some, a reload rolling out), the entry most of them have. Nothing here turns red.",
        unit: 'string',
        steps: [GREEN],
        width: 12,
        height: 4,
        field: 'description',
        queries: [{ expr: info, instant: true, table: true }],
      }),
      stat({
        title: 'Category',
        description: 'hidlog\'s category of this code: what kind of trouble it is (docs/annotation.md, "Categories"). Nothing here turns red.',
        unit: 'string',
        steps: [GREEN],
        width: 4,
        height: 4,
        field: 'category',
        queries: [{ expr: info, instant: true, table: true }],
      }),
      stat({
        title: 'Records in range',
        description:
          'How many records carried this code in the selected time range. Nothing here turns red; compare with the same range a day or a week before.',
        unit: 'short',
        decimals: 0,
        steps: [GREEN],
        width: 4,
        height: 4,
        queries: [{ expr: `sum ${grownOver(counted('code="$code"'), '$__range')}`, instant: true }],
      }),
      stat({
        title: 'Share of its kind',
        description:
          "This code's share of all codes of its kind in the selected time range. Red above 50%: one code dominates; if it is a failure or an error, it is the one to chase.",
        unit: 'percentunit',
        decimals: 1,
        steps: [GREEN, ['red', 0.5]],
        width: 4,
        height: 4,
        queries: [{ expr: `sum ${grownOver(counted('code="$code"'), '$__range')} / sum ${grownOver(counted(), '$__range')}`, instant: true }],
      }),
      { row: 'Over time' },
      ratePanel('instance', 'Rate per instance', 24),
      ...config.labels.map((label) => ratePanel(label, `Rate per ${label}`, 24)),
    ],
  });
}
