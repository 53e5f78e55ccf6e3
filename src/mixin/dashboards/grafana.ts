// Grafana's dashboard model as plain objects, checked against the types of @grafana/schema (a
// development dependency: only its types are used, so nothing of Grafana ships with hidlog).
import type {
  DashboardLink,
  Dashboard as SchemaDashboard,
  FieldConfigSource,
  Panel as SchemaPanel,
  RowPanel,
  Threshold,
  ValueMapping,
  VariableModel,
} from '@grafana/schema';
import type { Options as PieChartOptions } from '@grafana/schema/dist/esm/raw/composable/piechart/panelcfg/x/PieChartPanelCfg_types.gen.js';
import type { Options as StatOptions } from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen.js';
import type { Options as TableOptions } from '@grafana/schema/dist/esm/raw/composable/table/panelcfg/x/TablePanelCfg_types.gen.js';
import type {
  FieldConfig as TimeSeriesFieldConfig,
  Options as TimeSeriesOptions,
} from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen.js';

/** A schema type with its string enums as their values, so plain literals type-check. */
type Plain<T> = T extends string ? `${T}` : T extends readonly (infer U)[] ? Plain<U>[] : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;

export type Dashboard = Plain<SchemaDashboard>;
export type Panel = Plain<SchemaPanel>;
export type Variable = Plain<VariableModel>;
type Link = Plain<DashboardLink>;
type FieldConfig = Plain<FieldConfigSource>;
export type Override = FieldConfig['overrides'][number];

/** Grafana 10.0's schema version: Grafana 10 and 11 import it and migrate it forward themselves. */
export const SCHEMA_VERSION = 38;
export const TAG = 'hidlog';

/** Every panel, target and query variable reads the data source the `datasource` variable picks. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Query {
  expr: string;
  legend?: string;
  /** An instant query (tables, stats over the dashboard's range); else a range query. */
  instant?: boolean;
  /** Return a table of labels and value (tables, and stats that show a label). */
  table?: boolean;
}

/** One threshold step: the colour from `from` on. The first step's `from` is null (the base). */
export type Step = [color: string, from: number | null];
export const GREEN: Step = ['green', null];

export interface PanelSpec {
  title: string;
  /** What the panel answers, and what to do when it turns red. */
  description: string;
  unit: string;
  steps: Step[];
  queries: Query[];
  width: number;
  height?: number;
  decimals?: number;
  overrides?: Override[];
}

export interface Placed {
  panel: Omit<Panel, 'gridPos' | 'id'>;
  width: number;
  height: number;
}

const thresholds = (steps: Step[]) => ({ mode: 'absolute' as const, steps: steps.map(([color, value]): Threshold => ({ color, value })) });

function targets(queries: Query[]): Record<string, unknown>[] {
  return queries.map((q, i) => ({
    datasource: DATASOURCE,
    editorMode: 'code',
    expr: q.expr,
    legendFormat: q.legend ?? '__auto',
    range: !q.instant,
    instant: q.instant ?? false,
    ...(q.table ? { format: 'table' } : {}),
    refId: String.fromCharCode(65 + i),
  }));
}

function base(type: string, spec: PanelSpec, options: Record<string, unknown>, custom?: Record<string, unknown>, extra: Partial<Panel> = {}): Placed {
  const fieldConfig: FieldConfig = {
    defaults: {
      unit: spec.unit,
      ...(spec.decimals === undefined ? {} : { decimals: spec.decimals }),
      thresholds: thresholds(spec.steps),
      color: { mode: type === 'timeseries' || type === 'piechart' ? 'palette-classic' : 'thresholds' },
      ...(custom ? { custom } : {}),
    },
    overrides: spec.overrides ?? [],
  };
  return {
    panel: { type, title: spec.title, description: spec.description, datasource: DATASOURCE, fieldConfig, options, targets: targets(spec.queries), ...extra },
    width: spec.width,
    height: spec.height ?? 8,
  };
}

export function timeseries(spec: PanelSpec & { stack?: boolean; thresholdLine?: boolean }): Placed {
  const options: Plain<TimeSeriesOptions> = {
    legend: { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] },
    tooltip: { mode: 'multi', sort: 'desc' },
  };
  const custom: Plain<TimeSeriesFieldConfig> = {
    drawStyle: 'line',
    lineWidth: 1,
    fillOpacity: spec.stack ? 30 : 10,
    showPoints: 'never',
    spanNulls: false,
    stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' },
    thresholdsStyle: { mode: spec.thresholdLine ? 'line' : 'off' },
    axisSoftMin: 0,
  };
  return base('timeseries', spec, options, custom);
}

export function stat(spec: PanelSpec & { field?: string; mappings?: Plain<ValueMapping>[] }): Placed {
  const options: Plain<StatOptions> = {
    reduceOptions: { values: false, calcs: ['lastNotNull'], fields: spec.field ? `/^${spec.field}$/` : '' },
    orientation: 'auto',
    textMode: spec.field ? 'value' : 'auto',
    colorMode: spec.field ? 'none' : 'value',
    graphMode: 'none',
    justifyMode: 'auto',
    wideLayout: true,
    showPercentChange: false,
    percentChangeColorMode: 'standard',
  };
  const placed = base('stat', { ...spec, height: spec.height ?? 5 }, options);
  if (spec.mappings) placed.panel.fieldConfig!.defaults.mappings = spec.mappings;
  return placed;
}

export function piechart(spec: PanelSpec): Placed {
  const options: Plain<PieChartOptions> = {
    reduceOptions: { values: false, calcs: ['lastNotNull'], fields: '' },
    pieType: 'donut',
    orientation: 'auto',
    displayLabels: ['percent'],
    legend: { displayMode: 'table', placement: 'right', showLegend: true, values: ['value', 'percent'], calcs: [] },
    tooltip: { mode: 'single', sort: 'none' },
  };
  return base('piechart', spec, options);
}

/** A table of instant queries merged on their labels, columns renamed and ordered. */
export function table(
  spec: PanelSpec & { columns: Record<string, string>; order: string[]; hidden?: string[]; sortBy: [column: string, descending: boolean]; links?: Link[] },
): Placed {
  const options: Plain<TableOptions> = {
    showHeader: true,
    frameIndex: 0,
    cellHeight: 'sm',
    sortBy: [{ displayName: spec.sortBy[0], desc: spec.sortBy[1] }],
  };
  const transformations = [
    { id: 'merge', options: {} },
    {
      id: 'organize',
      options: {
        excludeByName: Object.fromEntries(['Time', ...(spec.hidden ?? [])].map((name) => [name, true])),
        indexByName: Object.fromEntries(spec.order.map((name, i) => [name, i])),
        renameByName: spec.columns,
      },
    },
  ];
  const placed = base('table', spec, options, undefined, { transformations });
  if (spec.links) placed.panel.fieldConfig!.overrides.push({ matcher: { id: 'byName', options: 'code' }, properties: [{ id: 'links', value: spec.links }] });
  return placed;
}

/** A column's (or series') unit, decimals or fixed colour. */
export function override(name: string, properties: Record<string, unknown>): Override {
  return { matcher: { id: 'byName', options: name }, properties: Object.entries(properties).map(([id, value]) => ({ id, value })) };
}

export interface Row {
  row: string;
}

/** Places panels left to right in rows of 24 columns, a titled row wherever one is given. */
export function layout(items: (Placed | Row)[]): (Panel | Plain<RowPanel>)[] {
  const panels: (Panel | Plain<RowPanel>)[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const newLine = () => {
    y += rowHeight;
    x = 0;
    rowHeight = 0;
  };
  for (const item of items) {
    const id = panels.length + 1;
    if ('row' in item) {
      newLine();
      panels.push({ id, gridPos: { x: 0, y, w: 24, h: 1 }, type: 'row', title: item.row, collapsed: false, panels: [] });
      y += 1;
      continue;
    }
    if (x + item.width > 24) newLine();
    panels.push({ id, gridPos: { x, y, w: item.width, h: item.height }, ...item.panel });
    x += item.width;
    rowHeight = Math.max(rowHeight, item.height);
  }
  return panels;
}

export function datasourceVariable(): Variable {
  return { type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus', regex: '', hide: 0, refresh: 1, includeAll: false, multi: false };
}

const ALL = { selected: true, text: ['All'], value: ['$__all'] };

/** A variable filled by a Grafana Prometheus variable query (`label_values(…)`). */
export function queryVariable(spec: { name: string; label: string; query: string; description: string; multi: boolean; sort: 1 | 3 }): Variable {
  return {
    type: 'query',
    name: spec.name,
    label: spec.label,
    description: spec.description,
    datasource: DATASOURCE,
    query: spec.query,
    refresh: 2,
    sort: spec.sort,
    hide: 0,
    multi: spec.multi,
    includeAll: spec.multi,
    ...(spec.multi ? { allValue: '.*', current: ALL } : {}),
    options: [],
    regex: '',
  };
}

/** A fixed list of `text : value` pairs, the first one chosen. */
export function customVariable(spec: { name: string; label: string; description: string; values: [text: string, value: string][] }): Variable {
  const [text, value] = spec.values[0]!;
  return {
    type: 'custom',
    name: spec.name,
    label: spec.label,
    description: spec.description,
    query: spec.values.map(([t, v]) => `${t} : ${v}`).join(','),
    current: { selected: true, text, value },
    options: spec.values.map(([t, v]) => ({ selected: t === text, text: t, value: v })),
    hide: 0,
    multi: false,
    includeAll: false,
  };
}

/** The tag of a named setup's dashboards, beside `hidlog`: what its menu lists. */
export const setupTag = (setup: string) => `${TAG}-${setup}`;

/** The menu of every dashboard of the setup (`setup` '' for none), keeping the time range and the variables. */
function links(setup: string): Link[] {
  return [
    {
      title: 'hidlog dashboards',
      type: 'dashboards',
      tags: [setup === '' ? TAG : setupTag(setup)],
      asDropdown: false,
      includeVars: true,
      keepTime: true,
      icon: 'external link',
      targetBlank: false,
      tooltip: '',
      url: '',
    },
  ];
}

/** A dashboard of the setup named `setup` ('' for none), whose name ends its title. */
export function dashboard(spec: {
  setup: string;
  uid: string;
  title: string;
  description: string;
  variables: Variable[];
  panels: (Placed | Row)[];
}): Dashboard {
  return {
    uid: spec.uid,
    title: spec.setup === '' ? spec.title : `${spec.title} (${spec.setup})`,
    description: spec.description,
    tags: spec.setup === '' ? [TAG] : [TAG, setupTag(spec.setup)],
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    time: { from: 'now-1h', to: 'now' },
    refresh: '1m',
    timezone: '',
    links: links(spec.setup),
    annotations: { list: [] },
    templating: { list: spec.variables },
    panels: layout(spec.panels),
  };
}
