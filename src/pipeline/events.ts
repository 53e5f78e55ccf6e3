import type { LineResult } from '../core/annotate.js';

/** What became of one input line: the core's result, or a line the core never saw. */
export type LineEvent =
  | LineResult
  | { result: 'invalid'; reason: 'invalid_utf8'; raw: Buffer }
  | { result: 'too_long'; bytes: number };

export type LineResultName = 'annotated' | 'no_codes' | 'invalid' | 'too_long';

/** Sees every line and every byte read: the metrics adapter is one. */
export interface Observer {
  line(event: LineEvent): void;
  bytes(count: number): void;
}
