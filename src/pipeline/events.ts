import { type BytesResult } from '../core/annotate.js';

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

/** Sees every line and every byte read: the metrics tally is one, the report another. */
export interface Observer<Observed> {
  line(event: LineEvent): void;
  bytes(count: number): void;
  /** What a worker thread's recorder took of one region's lines, in input order with the lines around them. */
  apply(observed: Observed): void;
}

/** Observes lines in a worker thread, for `Observer.apply` on the main thread. */
export interface Recorder<Observed> extends Pick<Observer<Observed>, 'line'> {
  /** What was observed since the last take, and a fresh start. */
  take(): Observed;
}
