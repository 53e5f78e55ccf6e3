import { CODE_KINDS, catalogEntries, isKnown, lookup, type CodeKind } from '../catalog/catalog.js';
import { UNKNOWN_CATEGORY } from '../catalog/categories.js';
import { getPath, type JsonObject } from '../core/json.js';
import type { LineEvent, LineResultName, Observer } from '../pipeline/events.js';
import { CappedValues, OVERFLOW_VALUE } from './capped-values.js';

/** A label taken from each record (`--label tenant=ctx.tenant`). */
export interface RecordLabel {
  name: string;
  path: readonly string[];
}

export interface TallyOptions {
  /** Codes outside the catalog that get their own label value, per kind; later ones count as `other`. */
  maxUnknownCodes: number;
  /** Distinct values per record label; later ones count as `other`. */
  maxLabelValues: number;
  labels: readonly RecordLabel[];
}

/** One series of a code counter: its label values and count. */
export interface CodeSeries {
  code: string;
  /** `category`, or `result` for response codes. */
  category: string;
  /** Values of the record labels, in the order of `TallyOptions.labels`. */
  labelValues: string[];
  count: number;
}

const MAX_LABEL_VALUE_CHARS = 128;

function labelValue(value: unknown): string {
  if (typeof value === 'string') return value.length > MAX_LABEL_VALUE_CHARS ? value.slice(0, MAX_LABEL_VALUE_CHARS) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * Counts lines, bytes and codes as they pass: the fast, prom-client-free side of the metrics.
 * Registries read it when scraped or written. Counts are cumulative from process start.
 */
export class MetricsTally implements Observer {
  readonly lines: Record<LineResultName, number> = { annotated: 0, no_codes: 0, invalid: 0, too_long: 0 };
  readonly invalidReasons = new Map<string, number>();
  readonly outcomes = new Map<string, number>();
  readonly series: Record<CodeKind, Map<string, CodeSeries>> = { http: new Map(), error: new Map(), failure: new Map(), response: new Map() };
  bytesRead = 0;
  private readonly unknownCodes: Record<CodeKind, CappedValues>;
  // Without record labels, a code's series is found by its number alone (the per-line path).
  private readonly seriesByCode: Record<CodeKind, Map<number, CodeSeries>> = { http: new Map(), error: new Map(), failure: new Map(), response: new Map() };
  private readonly labelCaps: CappedValues[];

  constructor(readonly options: TallyOptions) {
    this.unknownCodes = { http: new CappedValues(options.maxUnknownCodes), error: new CappedValues(options.maxUnknownCodes), failure: new CappedValues(options.maxUnknownCodes), response: new CappedValues(options.maxUnknownCodes) };
    this.labelCaps = options.labels.map(() => new CappedValues(options.maxLabelValues));
    // Every catalog code starts at 0, so rate() and absent-series alerts work from the first scrape.
    if (options.labels.length === 0) {
      for (const kind of CODE_KINDS) for (const entry of catalogEntries(kind)) this.seriesFor(kind, entry.code, []);
    }
  }

  /** Observations counted under `other` because a cap was reached, by label. */
  overflows(): { label: string; count: number }[] {
    const codeOverflow = CODE_KINDS.reduce((sum, kind) => sum + this.unknownCodes[kind].overflowed, 0);
    return [{ label: 'code', count: codeOverflow }, ...this.options.labels.map((label, i) => ({ label: label.name, count: this.labelCaps[i]!.overflowed }))];
  }

  line(event: LineEvent): void {
    this.lines[event.result]++;
    if (event.result === 'invalid') this.invalidReasons.set(event.reason, (this.invalidReasons.get(event.reason) ?? 0) + 1);
    if (event.result !== 'annotated') return;
    this.outcomes.set(event.outcome, (this.outcomes.get(event.outcome) ?? 0) + 1);
    const labelValues = this.recordLabelValues(event.record);
    const { codes } = event;
    if (codes.http !== undefined) this.count('http', codes.http, labelValues);
    if (codes.error !== undefined) this.count('error', codes.error, labelValues);
    if (codes.failure !== undefined) this.count('failure', codes.failure, labelValues);
    if (codes.response !== undefined) this.count('response', codes.response, labelValues);
  }

  private count(kind: CodeKind, code: number, labelValues: string[]): void {
    if (labelValues.length === 0) {
      const known = this.seriesByCode[kind].get(code);
      if (known) {
        known.count++;
        return;
      }
    }
    const series = this.seriesFor(kind, code, labelValues);
    series.count++;
    if (labelValues.length === 0 && series.code !== OVERFLOW_VALUE) this.seriesByCode[kind].set(code, series);
  }

  bytes(count: number): void {
    this.bytesRead += count;
  }

  private recordLabelValues(record: JsonObject): string[] {
    const labels = this.options.labels;
    if (labels.length === 0) return EMPTY;
    return labels.map((label, i) => this.labelCaps[i]!.admit(labelValue(getPath(record, label.path))));
  }

  private seriesFor(kind: CodeKind, code: number, labelValues: string[]): CodeSeries {
    const known = isKnown(kind, code);
    const codeLabel = known ? String(code) : this.unknownCodes[kind].admit(String(code));
    const key = labelValues.length === 0 ? codeLabel : `${codeLabel}\u0000${labelValues.join('\u0000')}`;
    const map = this.series[kind];
    let series = map.get(key);
    if (series === undefined) {
      const category = codeLabel === OVERFLOW_VALUE ? UNKNOWN_CATEGORY : lookup(kind, code).category;
      series = { code: codeLabel, category, labelValues, count: 0 };
      map.set(key, series);
    }
    return series;
  }
}

const EMPTY: string[] = [];
