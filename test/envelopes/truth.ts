import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';
import type { Expected } from '../helpers/expected.js';

/** An envelope fixture's truth (fixtures/envelopes/README.md says what each number is). */
export interface EnvelopeTruth extends Expected {
  records: number;
  fileLines: number;
  partialLines: Record<string, number>;
}

export const envelope = (name: string) => resolve(ROOT, 'fixtures/envelopes', name);

export function truthOf(name: string): EnvelopeTruth {
  return JSON.parse(readFileSync(envelope(name.replace(/\.[a-z0-9]+$/, '') + '.expected.json'), 'utf8'));
}

const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/** What `hidlog count` printed, in the truth's shape. */
export function countsIn(exposition: string) {
  const samples = parseExposition(exposition);
  // A line joined into the line after it is a line too: hidlog_lines_total{result="partial"}.
  const { partial = 0, ...results } = byLabel(samples, 'hidlog_lines_total', 'result');
  return {
    codes: {
      http: byLabel(samples, 'hid_http_responses_total', 'code'),
      error: byLabel(samples, 'hid_errors_total', 'code'),
      failure: byLabel(samples, 'hid_failures_total', 'code'),
      response: byLabel(samples, 'hid_responses_total', 'code'),
    },
    results: nonZero(results),
    invalid: byLabel(samples, 'hidlog_invalid_lines_total', 'reason'),
    outcomes: byLabel(samples, 'hidlog_outcomes_total', 'outcome'),
    partialLines: partial,
  };
}

/** The counts a run must print for a truth, every code kind and line result exactly. */
export function expectedCounts(truth: EnvelopeTruth) {
  return {
    codes: truth.codes,
    results: nonZero(truth.results),
    invalid: truth.invalid,
    outcomes: nonZero(truth.outcomes),
    partialLines: Object.values(truth.partialLines).reduce((sum, n) => sum + n, 0),
  };
}

export function expectCountsEqual(exposition: string, truth: EnvelopeTruth): void {
  expect(countsIn(exposition)).toEqual(expectedCounts(truth));
}
