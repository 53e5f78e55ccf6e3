import type { FoundCodes } from './extract.js';

/** A record with an HTTP status of 400 or more and no hid_error, hid_failure or response code. */
export const isErrorStatusWithoutReason = (codes: FoundCodes) =>
  codes.http !== undefined && codes.http >= 400 && codes.error === undefined && codes.failure === undefined && codes.response === undefined;

export const OUTCOMES = ['success', 'failure', 'error', 'unknown'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The rule, in order: a failure reason or response code 2 makes a `failure`; else an error reason
 * or an HTTP status of 400 or more makes an `error`; else response code 1 or a 2xx/3xx status makes
 * a `success`; anything else is `unknown`.
 */
export function outcomeOf(codes: FoundCodes): Outcome {
  if (codes.failure !== undefined || codes.response === 2) return 'failure';
  if (codes.error !== undefined || (codes.http !== undefined && codes.http >= 400)) return 'error';
  if (codes.response === 1 || (codes.http !== undefined && codes.http >= 200)) return 'success';
  return 'unknown';
}
