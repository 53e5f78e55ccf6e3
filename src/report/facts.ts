// What the report takes of each line, where the line is read: on the main thread, or in a worker
// thread (then sent back in a compact form, in input order).
import { INVALID_REASONS, OUTCOMES, type AnnotatorOptions, type InvalidReason, type Outcome } from '../core/annotate.js';
import type { FoundCodes } from '../core/extract.js';
import { getPath, type JsonObject } from '../core/json.js';
import type { LineEvent, Recorder } from '../pipeline/events.js';
import { TIME_FIELDS, decodeTime, encodeTime, jsonTimeReader, timeReader, type RecordTime } from './time.js';
import { UTC, parseZone, type Zone } from './zone.js';

/** A `--by` value: the field's text (cut to 256 characters), or null when the record has none that is a string, number or boolean. */
export type ByValue = string | null;

export type LineFacts =
  | { result: 'annotated'; time: RecordTime; codes: FoundCodes; outcome: Outcome; by: ByValue[] }
  | { result: 'no_codes'; time: RecordTime }
  | { result: 'invalid'; reason: InvalidReason }
  | { result: 'too_long' };

/** What to read from each record, as plain data a worker thread can be started with. */
export interface FactsSetup {
  /** Where the time is, in order; the built-in list when `--time-field` is not given. */
  timeFields: string[][];
  /** The `--by` paths. */
  by: string[][];
  /** The `--tz` zone, for times written without an offset. */
  zone: string;
}

export function factsSetup(options: { timeField?: string | undefined; by: readonly string[]; zone: string }): FactsSetup {
  return {
    timeFields: options.timeField === undefined ? TIME_FIELDS.map((path) => [...path]) : [options.timeField.split('.')],
    by: options.by.map((path) => path.split('.')),
    zone: options.zone,
  };
}

const zoneOf = (setup: FactsSetup): Zone => parseZone(setup.zone) ?? UTC;

/** Time fields that are top-level keys, all of them: the byte path reads the time from the line's bytes. */
const pickedTimeKeys = (setup: FactsSetup): string[] | undefined => (setup.timeFields.every((path) => path.length === 1) ? setup.timeFields.map((path) => path[0]!) : undefined);

/**
 * How the annotator serves the report: the record paths it reads (kept on the byte path), and
 * the time, which the byte path reads from the line's bytes where it can (`picked`).
 */
export function factsAnnotation(setup: FactsSetup): Pick<AnnotatorOptions, 'recordPaths' | 'pick'> {
  const keys = pickedTimeKeys(setup);
  if (keys === undefined) return { recordPaths: [...setup.timeFields, ...setup.by] };
  return { recordPaths: setup.by, pick: { keys, read: jsonTimeReader(zoneOf(setup)) } };
}

const MAX_BY_CHARS = 256;
const NOT_ASKED: ByValue[] = [];

// Objects and arrays are no value: the byte path keeps only the keys it searches inside them.
function byValue(value: unknown): ByValue {
  if (typeof value === 'string') return value.length > MAX_BY_CHARS ? value.slice(0, MAX_BY_CHARS) : value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

/** Whether a record's outcome is one `--by` counts: failures and errors. */
export const isTrouble = (outcome: Outcome) => outcome === 'failure' || outcome === 'error';

/** Builds the function that takes a line's facts from its event. */
export function factsReader(setup: FactsSetup): (event: LineEvent) => LineFacts {
  const { by } = setup;
  const timeOfRecord = timeReader(setup.timeFields, zoneOf(setup));
  // A line read from its bytes has its time picked already (factsAnnotation), unless a time field is nested.
  const picked = pickedTimeKeys(setup) !== undefined;
  const timeOf = (event: Extract<LineEvent, { result: 'annotated' | 'no_codes' }>): RecordTime =>
    picked && event.text === undefined ? (event.picked === undefined ? 'missing' : decodeTime(event.picked)) : timeOfRecord(event.record);
  const byValues = (record: JsonObject) => by.map((path) => byValue(getPath(record, path)));
  return (event) => {
    switch (event.result) {
      case 'annotated':
        return {
          result: 'annotated',
          time: timeOf(event),
          codes: event.codes,
          outcome: event.outcome,
          by: by.length > 0 && isTrouble(event.outcome) ? byValues(event.record) : NOT_ASKED,
        };
      case 'no_codes':
        return { result: 'no_codes', time: timeOf(event) };
      case 'invalid':
        return { result: 'invalid', reason: event.reason };
      case 'too_long':
        return { result: 'too_long' };
    }
  };
}

/**
 * Facts as a worker sends them: a flat array of numbers (structured clone copies those fast) and
 * the `--by` values. Per line: annotated `[outcome index, time, http, error, failure, response]`,
 * no codes `[NO_CODES, time]`, bad lines `[INVALID + reason index]` or `[TOO_LONG]`. An absent code
 * is NaN; a time is as encodeTime gives it.
 */
export interface EncodedFacts {
  numbers: number[];
  by: ByValue[];
}

const NO_CODES = OUTCOMES.length;
const INVALID = NO_CODES + 1;
const TOO_LONG = INVALID + INVALID_REASONS.length;
const codeOrNaN = (code: number | undefined) => code ?? Number.NaN;

function decodeCodes(numbers: number[], at: number): FoundCodes {
  const codes: FoundCodes = {};
  if (!Number.isNaN(numbers[at]!)) codes.http = numbers[at]!;
  if (!Number.isNaN(numbers[at + 1]!)) codes.error = numbers[at + 1]!;
  if (!Number.isNaN(numbers[at + 2]!)) codes.failure = numbers[at + 2]!;
  if (!Number.isNaN(numbers[at + 3]!)) codes.response = numbers[at + 3]!;
  return codes;
}

/** Records one region's facts in a worker thread. */
export class FactsRecorder implements Recorder<EncodedFacts> {
  private encoded: EncodedFacts = { numbers: [], by: [] };
  private readonly read: (event: LineEvent) => LineFacts;

  constructor(setup: FactsSetup) {
    this.read = factsReader(setup);
  }

  line(event: LineEvent): void {
    const facts = this.read(event);
    const { numbers, by } = this.encoded;
    switch (facts.result) {
      case 'annotated': {
        const { codes } = facts;
        numbers.push(OUTCOMES.indexOf(facts.outcome), encodeTime(facts.time), codeOrNaN(codes.http), codeOrNaN(codes.error), codeOrNaN(codes.failure), codeOrNaN(codes.response));
        for (const value of facts.by) by.push(value);
        break;
      }
      case 'no_codes':
        numbers.push(NO_CODES, encodeTime(facts.time));
        break;
      case 'invalid':
        numbers.push(INVALID + INVALID_REASONS.indexOf(facts.reason));
        break;
      case 'too_long':
        numbers.push(TOO_LONG);
    }
  }

  take(): EncodedFacts {
    const taken = this.encoded;
    this.encoded = { numbers: [], by: [] };
    return taken;
  }
}

/** The facts a FactsRecorder took, one by one in input order; `byCount` is the number of `--by` paths. */
export function forEachFacts(encoded: EncodedFacts, byCount: number, take: (facts: LineFacts) => void): void {
  const { numbers, by } = encoded;
  let byAt = 0;
  for (let at = 0; at < numbers.length; ) {
    const kind = numbers[at]!;
    if (kind < NO_CODES) {
      const outcome = OUTCOMES[kind]!;
      const values = byCount > 0 && isTrouble(outcome) ? by.slice(byAt, (byAt += byCount)) : NOT_ASKED;
      take({ result: 'annotated', outcome, time: decodeTime(numbers[at + 1]!), codes: decodeCodes(numbers, at + 2), by: values });
      at += 6;
    } else if (kind === NO_CODES) {
      take({ result: 'no_codes', time: decodeTime(numbers[at + 1]!) });
      at += 2;
    } else {
      take(kind === TOO_LONG ? { result: 'too_long' } : { result: 'invalid', reason: INVALID_REASONS[kind - INVALID]! });
      at += 1;
    }
  }
}
