// What a worker thread counted in one region of lines, for the main thread's metrics tally.
import type { CodeKind } from '../catalog/catalog.js';
import type { Outcome } from '../core/outcome.js';
import type { LineResultName } from '../pipeline/events.js';
import type { DurationCounts } from './duration-histogram.js';

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
