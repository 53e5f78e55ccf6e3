import { CODE_KINDS, Catalog, type CodeKind } from '../catalog/catalog.js';
import { SERIES_OVERFLOW_LABEL } from '../contract/metrics.js';
import { UNKNOWN_CATEGORY } from '../catalog/categories.js';
import { OUTCOMES, isErrorStatusWithoutReason, type Outcome } from '../core/outcome.js';
import type { DurationReading } from '../core/duration.js';
import type { FoundCodes } from '../core/extract.js';
import { getPath, type JsonObject } from '../common/json.js';
import type { LineEvent, LineResultName, Observer, Recorder } from '../pipeline/events.js';
import type { CodeCount, LabelGroup, LineCounts } from './line-counts.js';
import { CappedValues, OVERFLOW_VALUE } from './capped-values.js';
import { addDurationCounts, emptyDurationCounts, observeDuration, type DurationCounts } from './duration-histogram.js';

/** A label taken from each record (`--label tenant=ctx.tenant`): from the first of its paths that holds a value. */
export interface RecordLabel {
  name: string;
  paths: readonly (readonly string[])[];
}

export interface TallyOptions {
  /** Codes outside the catalog that get their own label value, per kind; later ones count as `other`. */
  maxUnknownCodes: number;
  /** Distinct values per record label; later ones count as `other`. */
  maxLabelValues: number;
  /**
   * Series of the code counters, all kinds together, past which a new combination of record label
   * values counts under its code with every label `other` (absent: no cap). Without labels the
   * code caps bound the series instead.
   */
  maxSeries?: number;
  labels: readonly RecordLabel[];
  /** Labels after the record labels whose values come from the input a line was read from, not the record (`--kubernetes-labels`). */
  inputLabels?: readonly string[] | undefined;
  /** The table of codes (default: the vendor's); `useCatalog` swaps it. */
  catalog?: Catalog;
}

/** One series of a code counter: its label values and count. */
export interface CodeSeries {
  code: string;
  /** `category`, or `result` for response codes. */
  category: string;
  /** Values of the record labels, then of the input labels: in the order of `labelNames`. */
  labelValues: string[];
  count: number;
  /** The series' place among those its tally made, from 0: where aggregates kept beside the tally find it in an array. */
  id: number;
}

const MAX_LABEL_VALUE_CHARS = 128;
const NO_LABELS: string[] = [];

// A label's value is a string, number or boolean; a path to anything else (null, an object) holds none.
function labelValue(record: JsonObject, paths: readonly (readonly string[])[]): string {
  for (const path of paths) {
    const value = getPath(record, path);
    if (typeof value === 'string') return value.length > MAX_LABEL_VALUE_CHARS ? value.slice(0, MAX_LABEL_VALUE_CHARS) : value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  }
  return '';
}

/** The values of the record labels for one record, before any cap. */
export function recordLabelValues(labels: readonly RecordLabel[], record: JsonObject): string[] {
  return labels.length === 0 ? NO_LABELS : labels.map((label) => labelValue(record, label.paths));
}

/** Where the record labels are read: the annotator keeps these keys on its fast path (`recordPaths`). */
export function labelPaths(labels: readonly RecordLabel[]): (readonly string[])[] {
  return labels.flatMap((label) => label.paths);
}

const withInput = (recordValues: string[], inputValues: readonly string[]) => (inputValues.length === 0 ? recordValues : [...recordValues, ...inputValues]);

const perKind = <T>(make: () => T): Record<CodeKind, T> => ({ http: make(), error: make(), failure: make(), response: make() });

/**
 * Counts lines, bytes and codes as they pass: the fast, prom-client-free side of the metrics.
 * Registries read it when scraped or written. Counts are cumulative from process start.
 */
export class MetricsTally implements Observer<LineCounts> {
  readonly lines: Record<LineResultName, number> = { annotated: 0, no_codes: 0, invalid: 0, too_long: 0, partial: 0 };
  readonly invalidReasons = new Map<string, number>();
  readonly outcomes = new Map<string, number>();
  readonly series: Record<CodeKind, Map<string, CodeSeries>> = perKind(() => new Map());
  /** Records with an HTTP status of 400 or more and no hid_error, hid_failure or response code. */
  errorStatusesWithoutReason = 0;
  /** The durations of annotated records, by outcome (hid_request_duration_seconds). */
  readonly durations = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, emptyDurationCounts()])) as Record<Outcome, DurationCounts>;
  /** Annotated records whose duration field held no usable duration: not a finite number, 0 or more. */
  invalidDurations = 0;
  bytesRead = 0;
  private readonly unknownCodes: Record<CodeKind, CappedValues>;
  private readonly labelCaps: CappedValues[];
  /** The input labels' values of a line counted without its input's (stdin's): none. */
  private readonly noInputValues: readonly string[];
  // Without record labels, a code's series under the table in force is found by its number alone (the per-line path).
  private readonly seriesByCode: Record<CodeKind, Map<number, CodeSeries>> = perKind(() => new Map());
  private table: Catalog;
  private seriesMade = 0;
  private readonly overflowLabels: string[];
  private seriesOverflowed = 0;

  get labelPaths(): (readonly string[])[] {
    return labelPaths(this.options.labels);
  }

  /** The code counters' labels after `code` and the category: the record labels, then the input labels. */
  get labelNames(): string[] {
    return [...this.options.labels.map((label) => label.name), ...(this.options.inputLabels ?? [])];
  }

  constructor(readonly options: TallyOptions) {
    this.unknownCodes = perKind(() => new CappedValues(options.maxUnknownCodes));
    this.labelCaps = this.labelNames.map(() => new CappedValues(options.maxLabelValues));
    this.overflowLabels = this.labelNames.map(() => OVERFLOW_VALUE);
    this.noInputValues = (options.inputLabels ?? []).map(() => '');
    this.table = options.catalog ?? Catalog.vendor;
    this.startCatalogAtZero();
  }

  /** The table codes are counted by now (and `hid_code_info` shows). */
  get catalog(): Catalog {
    return this.table;
  }

  /**
   * Counts by `catalog` from now on. What was counted stays in its series (counters are
   * cumulative); a code whose category changed gets a new series, and series still at 0 that
   * the new table no longer has go.
   */
  useCatalog(catalog: Catalog): void {
    this.table = catalog;
    const inForce = (kind: CodeKind, { code, category }: CodeSeries) => {
      const entry = catalog.lookup(kind, Number(code));
      return entry.known && entry.category === category;
    };
    for (const kind of CODE_KINDS) {
      this.seriesByCode[kind].clear();
      for (const [key, series] of this.series[kind]) if (series.count === 0 && !inForce(kind, series)) this.series[kind].delete(key);
    }
    this.startCatalogAtZero();
  }

  // Every catalog code starts at 0, so rate() and absent-series alerts work from the first scrape.
  private startCatalogAtZero(): void {
    if (this.labelCaps.length > 0) return;
    for (const kind of CODE_KINDS) for (const entry of this.table.entries(kind)) this.count(kind, entry.code, NO_LABELS, 0);
  }

  /** Observations counted under `other` because a cap was reached, by label. */
  overflows(): { label: string; count: number }[] {
    const codeOverflow = CODE_KINDS.reduce((sum, kind) => sum + this.unknownCodes[kind].overflowed, 0);
    const labels = this.labelNames.map((label, i) => ({ label, count: this.labelCaps[i]!.overflowed }));
    const series = labels.length === 0 ? [] : [{ label: SERIES_OVERFLOW_LABEL, count: this.seriesOverflowed }];
    return [{ label: 'code', count: codeOverflow }, ...labels, ...series];
  }

  /** Counts the lines of one input under its values of the input labels (in `inputLabels`' order). */
  forInput(inputValues: readonly string[]): Observer<LineCounts> {
    return { line: (event) => this.line(event, inputValues), bytes: (count) => this.bytes(count), apply: (counts) => this.apply(counts, inputValues) };
  }

  line(event: LineEvent, inputValues = this.noInputValues): void {
    if (event.result !== 'annotated') return this.countLine(event.result, event.result === 'invalid' ? event.reason : undefined);
    this.countRecord(event.codes, event.outcome, this.capLabels(withInput(recordLabelValues(this.options.labels, event.record), inputValues), 1));
    if (event.duration !== undefined) this.countDuration(event.outcome, event.duration);
  }

  /** A record's duration (seconds), under its outcome; an invalid one is only counted as such. */
  countDuration(outcome: Outcome, duration: DurationReading): void {
    if (duration === 'invalid') this.invalidDurations++;
    else observeDuration(this.durations[outcome], duration);
  }

  /** A line that is not an annotated record, by its result (and an invalid line's reason). */
  countLine(result: Exclude<LineResultName, 'annotated'>, reason?: string): void {
    this.lines[result]++;
    if (reason !== undefined) this.invalidReasons.set(reason, (this.invalidReasons.get(reason) ?? 0) + 1);
  }

  /**
   * An annotated record's codes and outcome, under (capped) record label values. `counted`, if
   * given, gets the series each code went to (its own, or `other` past the cap), for aggregates
   * kept beside the tally; a kind the record lacks is set to undefined.
   */
  countRecord(codes: FoundCodes, outcome: Outcome, labelValues = NO_LABELS, counted?: Partial<Record<CodeKind, CodeSeries>>): void {
    this.lines.annotated++;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (isErrorStatusWithoutReason(codes)) this.errorStatusesWithoutReason++;
    const http = codes.http === undefined ? undefined : this.count('http', codes.http, labelValues, 1);
    const error = codes.error === undefined ? undefined : this.count('error', codes.error, labelValues, 1);
    const failure = codes.failure === undefined ? undefined : this.count('failure', codes.failure, labelValues, 1);
    const response = codes.response === undefined ? undefined : this.count('response', codes.response, labelValues, 1);
    if (counted) {
      counted.http = http;
      counted.error = error;
      counted.failure = failure;
      counted.response = response;
    }
  }

  bytes(count: number): void {
    this.bytesRead += count;
  }

  apply(counts: LineCounts, inputValues = this.noInputValues): void {
    for (const result of Object.keys(counts.results) as LineResultName[]) this.lines[result] += counts.results[result];
    for (const [reason, n] of counts.invalid) this.invalidReasons.set(reason, (this.invalidReasons.get(reason) ?? 0) + n);
    for (const [outcome, n] of counts.outcomes) this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + n);
    this.errorStatusesWithoutReason += counts.errorStatusesWithoutReason;
    for (const outcome of OUTCOMES) {
      const durations = counts.durations[outcome];
      if (durations) addDurationCounts(this.durations[outcome], durations);
    }
    this.invalidDurations += counts.invalidDurations;
    for (const group of counts.groups) {
      const labelValues = this.capLabels(withInput(group.labelValues, inputValues), group.records);
      for (const [kind, code, n, known, category] of group.codes) this.count(kind, code, labelValues, n, { known, category });
    }
  }

  /**
   * Adds `times` observations counted elsewhere (by a report's partial), without record labels:
   * `code` is a number, or `other` for codes past that tally's cap. A code outside the catalog is
   * capped here as if it were seen now, so codes added in the order they were first seen are
   * capped as one tally of all the inputs would have. Returns the series (0 times looks it up).
   */
  countSeries(kind: CodeKind, code: string, meaning: { known: boolean; category: string }, times: number): CodeSeries {
    if (code !== OVERFLOW_VALUE) return this.count(kind, Number(code), NO_LABELS, times, meaning);
    this.unknownCodes[kind].overflowed += times;
    const key = `${OVERFLOW_VALUE}\u0000${UNKNOWN_CATEGORY}`;
    let series = this.series[kind].get(key);
    if (series === undefined)
      this.series[kind].set(key, (series = { code: OVERFLOW_VALUE, category: UNKNOWN_CATEGORY, labelValues: NO_LABELS, count: 0, id: this.seriesMade++ }));
    series.count += times;
    return series;
  }

  /** The label values to count `records` records under: each value, or `other` past its cap. */
  private capLabels(values: string[], records: number): string[] {
    return values.length === 0 ? NO_LABELS : values.map((value, i) => this.labelCaps[i]!.admit(value, records));
  }

  /**
   * Adds `times` observations of a code under (capped) record label values; what the code means
   * comes from the table in force, or is given (by a worker's table). Returns the series.
   */
  private count(kind: CodeKind, code: number, labelValues: string[], times: number, given?: { known: boolean; category: string }): CodeSeries {
    if (labelValues.length === 0) {
      const cached = this.seriesByCode[kind].get(code);
      if (cached && (given === undefined || given.category === cached.category)) {
        cached.count += times;
        return cached;
      }
    }
    const meaning = given ?? this.table.lookup(kind, code);
    const codeLabel = meaning.known ? String(code) : this.unknownCodes[kind].admit(String(code), times);
    const category = codeLabel === OVERFLOW_VALUE ? UNKNOWN_CATEGORY : meaning.category;
    const map = this.series[kind];
    let key = seriesKey(codeLabel, category, labelValues);
    let series = map.get(key);
    if (series === undefined && labelValues.length > 0 && this.atSeriesCap()) {
      // Past --max-series the code is still counted, its labels lumped under `other`.
      this.seriesOverflowed += times;
      labelValues = this.overflowLabels;
      key = seriesKey(codeLabel, category, labelValues);
      series = map.get(key);
    }
    if (series === undefined) {
      series = { code: codeLabel, category, labelValues, count: 0, id: this.seriesMade++ };
      map.set(key, series);
    }
    series.count += times;
    if (labelValues.length === 0 && codeLabel !== OVERFLOW_VALUE && given === undefined) this.seriesByCode[kind].set(code, series);
    return series;
  }

  // Only a new series asks: the maps' sizes are the series the exposition holds.
  private atSeriesCap(): boolean {
    const { maxSeries } = this.options;
    return maxSeries !== undefined && CODE_KINDS.reduce((sum, kind) => sum + this.series[kind].size, 0) >= maxSeries;
  }
}

function seriesKey(code: string, category: string, labelValues: string[]): string {
  return `${code}\u0000${category}${labelValues.length === 0 ? '' : `\u0000${labelValues.join('\u0000')}`}`;
}

interface GroupEntry {
  group: LabelGroup;
  codes: Record<CodeKind, Map<number, CodeCount>>;
}

/** Counts one region's lines in a worker thread, for MetricsTally.apply on the main thread. */
export class LineCountsRecorder implements Recorder<LineCounts> {
  private counts: LineCounts = LineCountsRecorder.empty();
  private groups = new Map<string, GroupEntry>();

  /** `annotator`: whose catalog annotated the lines, so the counts carry what each code meant there. */
  constructor(
    private readonly labels: readonly RecordLabel[],
    private readonly annotator: { readonly catalog: Catalog },
  ) {}

  private static empty(): LineCounts {
    return {
      results: { annotated: 0, no_codes: 0, invalid: 0, too_long: 0, partial: 0 },
      invalid: [],
      outcomes: [],
      errorStatusesWithoutReason: 0,
      groups: [],
      durations: {},
      invalidDurations: 0,
    };
  }

  line(event: LineEvent): void {
    const counts = this.counts;
    counts.results[event.result]++;
    if (event.result === 'invalid') bump(counts.invalid, event.reason);
    if (event.result !== 'annotated') return;
    bump(counts.outcomes, event.outcome);
    if (isErrorStatusWithoutReason(event.codes)) counts.errorStatusesWithoutReason++;
    if (event.duration === 'invalid') counts.invalidDurations++;
    else if (event.duration !== undefined) observeDuration((counts.durations[event.outcome] ??= emptyDurationCounts()), event.duration);
    const labelValues = recordLabelValues(this.labels, event.record);
    const groupKey = labelValues.join('\u0000');
    let entry = this.groups.get(groupKey);
    if (!entry) {
      entry = { group: { labelValues, records: 0, codes: [] }, codes: perKind(() => new Map()) };
      this.groups.set(groupKey, entry);
      counts.groups.push(entry.group);
    }
    entry.group.records++;
    const { codes } = event;
    if (codes.http !== undefined) this.see(entry, 'http', codes.http);
    if (codes.error !== undefined) this.see(entry, 'error', codes.error);
    if (codes.failure !== undefined) this.see(entry, 'failure', codes.failure);
    if (codes.response !== undefined) this.see(entry, 'response', codes.response);
  }

  private see(group: GroupEntry, kind: CodeKind, code: number): void {
    const seen = group.codes[kind].get(code);
    if (seen) {
      seen[2]++;
      return;
    }
    const { known, category } = this.annotator.catalog.lookup(kind, code);
    const created: CodeCount = [kind, code, 1, known, category];
    group.codes[kind].set(code, created);
    group.group.codes.push(created);
  }

  take(): LineCounts {
    const counts = this.counts;
    this.counts = LineCountsRecorder.empty();
    this.groups = new Map();
    return counts;
  }
}

function bump(pairs: [string, number][], name: string): void {
  const pair = pairs.find((p) => p[0] === name);
  if (pair) pair[1]++;
  else pairs.push([name, 1]);
}
