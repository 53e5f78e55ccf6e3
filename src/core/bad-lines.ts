// Why a line is not a record: decided by the annotator (annotate.ts), counted by the metrics and
// the report, which import it from here so that a merge of report partials loads no annotator.

/** Why a line is not a record; a line over --max-line-bytes is `too_long` instead. */
export const INVALID_REASONS = ['blank', 'invalid_json', 'not_object', 'too_deep', 'invalid_utf8'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];
export type BadLineReason = InvalidReason | 'too_long';
