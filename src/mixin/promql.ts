import { CODE_INFO_METRIC } from '../contract/metrics.js';

// The metrics the mixin reads: hidlog's metric contract (contract/metrics.ts, docs/metrics.md).

/** `metric{a, b}`, or `metric` when there is no matcher. */
export function series(metric: string, matchers: readonly string[]): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(', ')}}`;
}

/**
 * How much a counter grew over `range`, counting the first value of a series that appeared within
 * it. `increase()` alone starts from a series' first sample, so it misses what was counted before
 * the first scrape: the whole of a batch run served with --linger, and the first observations of
 * every series hidlog creates on the way (codes outside the catalog, --label values). A series
 * absent at the range's start contributes its lowest value in the range on top of its increase.
 */
export function grownOver(selected: string, range: string): string {
  const appeared = `(min_over_time(${selected}[${range}]) unless ${selected} offset ${range})`;
  const increased = `increase(${selected}[${range}])`;
  return `(${appeared} + ${increased} or ${appeared} or ${increased})`;
}

/**
 * hid_code_info with one series per code (value 1) whatever the instances in scope disagree on.
 * Instances whose catalogs differ (a site --catalog on some of them, a reload rolling out) each
 * expose their own description and category of a code, so a join on the raw metric finds several
 * series and fails. Here the entry most of those instances have wins: counted per (`by`, `labels`),
 * the largest count kept per `by`; on a tie, the one topk keeps.
 */
export function mostCommonInfo(infoMatchers: readonly string[], by: readonly string[], labels: readonly string[]): string {
  const counted = `count by (${[...by, ...labels].join(', ')}) (${series(CODE_INFO_METRIC, infoMatchers)})`;
  return `sgn(topk by (${by.join(', ')}) (1, ${counted}))`;
}

/**
 * `expr` (by `code`, for one kind) with the code's description from hid_code_info, the one most
 * of the instances matching `infoMatchers` have; codes outside the catalog stay, without one.
 */
export function withDescription(expr: string, infoMatchers: readonly string[]): string {
  return `${expr} * on (code) group_left (description) ${mostCommonInfo(infoMatchers, ['code'], ['description'])} or on (code) ${expr}`;
}
