// What Grafana does with a dashboard's queries before they reach Prometheus, for tests that run
// them against a real one: its interval variables, its interpolation of template variables
// (All, multi-value regexes, escaping) and its label_values() variable queries.
import type { Prometheus, Sample } from './prometheus.js';

export interface GrafanaVariable {
  type: string;
  name: string;
  query?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  sort?: number;
  current?: { text: string | string[]; value: string | string[] };
  options?: { text: string; value: string }[];
}

export interface GrafanaTarget {
  expr: string;
  instant?: boolean;
  refId: string;
}

export interface GrafanaPanel {
  type: string;
  title: string;
  targets?: GrafanaTarget[];
}

/** What a user picked: values of a query variable or the text of a custom one; All where absent. */
export type Selection = Record<string, string[]>;

/** A dashboard's time range, in Unix seconds. */
export interface TimeRange {
  from: number;
  to: number;
}

// Grafana's ladder of "nice" intervals: [below this many ms, take this many ms].
const NICE_INTERVALS: [number, number][] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1000],
  [3500, 2000],
  [7500, 5000],
  [12500, 10000],
  [17500, 15000],
  [25000, 20000],
  [45000, 30000],
  [90000, 60000],
  [210000, 120000],
  [450000, 300000],
];

const duration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/**
 * $__interval, $__rate_interval and $__range for a panel `maxDataPoints` wide, with the data
 * source's scrape interval: the interval is the range over the points, rounded to a nice value,
 * at least the scrape interval; the rate interval is max(interval + scrape, 4 × scrape).
 */
export function intervals(range: TimeRange, scrapeSeconds: number, maxDataPoints = 1000): Record<string, string> {
  const rangeMs = (range.to - range.from) * 1000;
  const raw = rangeMs / maxDataPoints;
  const nice = NICE_INTERVALS.find(([below]) => raw < below)?.[1] ?? 3_600_000;
  const interval = Math.max(nice, scrapeSeconds * 1000);
  const rate = Math.max(interval + scrapeSeconds * 1000, 4 * scrapeSeconds * 1000);
  const rangeS = Math.round(rangeMs / 1000);
  return {
    __interval: duration(interval),
    __interval_ms: String(interval),
    __rate_interval: duration(rate),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(rangeS * 1000),
  };
}

// The Prometheus data source's escaping: a single value as it is, multi-value and All-able
// variables escaped for a regex inside a PromQL string.
const regularEscape = (value: string) => value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
const regexEscape = (value: string) => value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');

/** `text` interpolated as Grafana would for this selection. */
export function interpolate(text: string, variables: GrafanaVariable[], selection: Selection, builtins: Record<string, string>): string {
  return text.replace(/\$(\w+)|\$\{(\w+)(?::(\w+))?\}/g, (whole, plain: string | undefined, braced: string | undefined, format: string | undefined) => {
    const name = (plain ?? braced)!;
    if (name in builtins) return builtins[name]!;
    const variable = variables.find((v) => v.name === name);
    if (!variable) return whole;
    if (variable.type === 'custom') {
      const text = selection[name]?.[0] ?? String(variable.current!.text);
      const option = variable.options!.find((o) => o.text === text)!;
      return format === 'text' ? option.text : regularEscape(option.value);
    }
    const picked = selection[name];
    if (!variable.multi && !variable.includeAll) return regularEscape(picked![0]!);
    if (picked === undefined) return variable.allValue!;
    const escaped = picked.map(regexEscape);
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  });
}

/** A `label_values(selector, label)` variable query, as Grafana runs it: the series API. */
export async function labelValues(prometheus: Prometheus, query: string, range: TimeRange, sort: number | undefined): Promise<string[]> {
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
  if (!match) throw new Error(`not a label_values query: ${query}`);
  const response = await prometheus.series(match[1]!, range.from, range.to);
  if (response.status !== 'success') throw new Error(`${query}: ${response.error}`);
  const values = [...new Set(response.data.map((labels) => labels[match[2]!]).filter((v): v is string => v !== undefined && v !== ''))];
  return sort === 3 ? values.sort((a, b) => Number(a) - Number(b)) : values.sort();
}

export interface QueryResult {
  expr: string;
  status: string;
  error?: string | undefined;
  warnings?: string[] | undefined;
  result: Sample[];
}

/** A panel's target as Grafana sends it: instant at the range's end, or a range query at $__interval steps. */
export async function runTarget(
  prometheus: Prometheus,
  expr: string,
  instant: boolean,
  range: TimeRange,
  builtins: Record<string, string>,
): Promise<QueryResult> {
  const step = Number(builtins.__interval_ms) / 1000;
  const response = instant
    ? await prometheus.query(expr, range.to)
    : await prometheus.queryRange(expr, Math.floor(range.from / step) * step, Math.ceil(range.to / step) * step, step);
  return { expr, status: response.status, error: response.error, warnings: response.warnings, result: response.data?.result ?? [] };
}
