import type { CodeKind } from '../catalog/catalog.js';
import type { BytesResult, Outcome } from '../core/annotate.js';
import type { DurationCounts } from '../metrics/duration-histogram.js';

/**
 * A line the core never saw: its bytes are not UTF-8, it is too long to parse, it is the original
 * lines of a joined record that is not JSON (`invalid_json`), or it is a part of a record (a CRI `P` line, a docker partial entry) that the line ending it carries.
 */
export type UnreadLine =
  | { result: 'invalid'; reason: 'invalid_utf8' | 'invalid_json'; raw: Buffer }
  | { result: 'too_long'; bytes: number }
  | { result: 'partial'; envelope: 'cri' | 'docker' };

/** What became of one input line: the core's result, or a line the core never saw. */
export type LineEvent = BytesResult | UnreadLine;

export type LineResultName = 'annotated' | 'no_codes' | 'invalid' | 'too_long' | 'partial';

/** How often a code was seen, and what the worker's catalog made of it (a reload may have swapped the main thread's since). */
export type CodeCount = [kind: CodeKind, code: number, times: number, known: boolean, category: string];

/** Annotated records that share their record-label values, and the codes seen in them. */
export interface LabelGroup {
  labelValues: string[];
  records: number;
  /** In the order first seen. */
  codes: CodeCount[];
}

/**
 * What a worker saw in one region of lines, for the main thread's observer: counts by line
 * result, invalid reason and outcome, and the codes by record-label values, each in the order
 * first seen, so that caps admit the same values as when one thread counts.
 */
export interface LineCounts {
  results: Record<LineResultName, number>;
  invalid: [string, number][];
  outcomes: [string, number][];
  /** Annotated records with an HTTP status of 400 or more and no reason code. */
  errorStatusesWithoutReason: number;
  groups: LabelGroup[];
  /** The durations of annotated records, by outcome (only outcomes some record of the region had a duration in). */
  durations: Partial<Record<Outcome, DurationCounts>>;
  /** Annotated records whose duration field held no usable duration. */
  invalidDurations: number;
}

/** Sees every line and every byte read: the metrics tally is one, the report another. */
export interface Observer<Observed = LineCounts> {
  line(event: LineEvent): void;
  bytes(count: number): void;
  /** What a worker thread's recorder took of one region's lines, in input order with the lines around them. */
  apply(observed: Observed): void;
}

/** Observes lines in a worker thread, for `Observer.apply` on the main thread. */
export interface Recorder<Observed> extends Pick<Observer, 'line'> {
  /** What was observed since the last take, and a fresh start. */
  take(): Observed;
}
