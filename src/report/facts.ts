// What the report takes of each line, where the line is read: on the main thread, or in a worker
// thread (then sent back in a compact form, in input order).
import type { AnnotatorOptions } from '../core/annotate.js';
import { INVALID_REASONS, type BadLineReason } from '../core/bad-lines.js';
import { OUTCOMES, type Outcome } from '../core/outcome.js';
import type { DurationReading } from '../core/duration.js';
import type { FoundCodes } from '../core/extract.js';
import { getPath, type JsonObject } from '../common/json.js';
import type { LineEvent, Recorder } from '../pipeline/events.js';
import { MISSING_TIME, TIME_FIELDS, UNPARSEABLE_TIME, encodeTime, jsonTimeReader, parseTime, timeReader } from '../core/record-time.js';
import { UTC, parseZone, type Zone } from './zone.js';

/** A `--by` value: the field's text (cut to 256 characters), or null when the record has none that is a string, number or boolean. */
export type ByValue = string | null;

/**
 * Where each line's facts go, in input order, as arguments rather than an object a line (the
 * report's aggregator, or a worker's recorder that sends them on). A time is as encodeTime gives it.
 */
export interface FactsSink {
  /** A record with codes; `by` holds its `--by` values if it is a failure or an error (else it is empty); its duration, if it has one. */
  annotated(time: number, codes: FoundCodes, outcome: Outcome, by: ByValue[], duration: DurationReading | undefined): void;
  /** A record without codes. */
  noCodes(time: number): void;
  /** A line that is not a record. */
  badLine(reason: BadLineReason): void;
}

/** What to read from each record, as plain data a worker thread can be started with. */
export interface FactsSetup {
  /** Where the time is, in order (`--time-field`s); the built-in list when none is given. */
  timeFields: string[][];
  /** The `--by` paths. */
  by: string[][];
  /** The `--tz` zone, for times written without an offset. */
  zone: string;
}

export function factsSetup(options: { timeFields: readonly string[]; by: readonly string[]; zone: string }): FactsSetup {
  return {
    timeFields: options.timeFields.length === 0 ? TIME_FIELDS.map((path) => [...path]) : options.timeFields.map((path) => path.split('.')),
    by: options.by.map((path) => path.split('.')),
    zone: options.zone,
  };
}

const zoneOf = (setup: FactsSetup): Zone => parseZone(setup.zone) ?? UTC;

/** Time fields that are top-level keys, all of them: the byte path reads the time from the line's bytes. */
const pickedTimeKeys = (setup: FactsSetup): string[] | undefined =>
  setup.timeFields.every((path) => path.length === 1) ? setup.timeFields.map((path) => path[0]!) : undefined;

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

/** Builds the function that hands a line's facts from its event to a sink. */
export function factsReader(setup: FactsSetup): (event: LineEvent, sink: FactsSink) => void {
  const { by } = setup;
  const timeOfRecord = timeReader(setup.timeFields, zoneOf(setup));
  // A line read from its bytes has its time picked already (factsAnnotation), unless a time field is nested.
  const picked = pickedTimeKeys(setup) !== undefined;
  const zone = zoneOf(setup);
  const timeOf = (event: Extract<LineEvent, { result: 'annotated' | 'no_codes' }>): number => {
    const own = picked && event.text === undefined ? (event.picked ?? MISSING_TIME) : encodeTime(timeOfRecord(event.record));
    if (own !== MISSING_TIME || event.envelopeTime === undefined) return own;
    return parseTime(event.envelopeTime, zone) ?? UNPARSEABLE_TIME;
  };
  const byValues = (record: JsonObject) => by.map((path) => byValue(getPath(record, path)));
  return (event, sink) => {
    switch (event.result) {
      case 'annotated':
        return sink.annotated(
          timeOf(event),
          event.codes,
          event.outcome,
          by.length > 0 && isTrouble(event.outcome) ? byValues(event.record) : NOT_ASKED,
          event.duration,
        );
      case 'no_codes':
        return sink.noCodes(timeOf(event));
      case 'invalid':
        return sink.badLine(event.reason);
      case 'too_long':
        return sink.badLine('too_long');
    }
  };
}

/**
 * Facts as a worker sends them: a flat array of numbers (structured clone copies those fast) and
 * the `--by` values. Per line: annotated `[outcome index, time, http, error, failure, response,
 * duration]`, no codes `[NO_CODES, time]`, bad lines `[INVALID + reason index]` or `[TOO_LONG]`.
 * An absent code or duration is NaN; an invalid duration is INVALID_DURATION.
 */
export interface EncodedFacts {
  numbers: number[];
  by: ByValue[];
}

const NO_CODES = OUTCOMES.length;
const INVALID = NO_CODES + 1;
const TOO_LONG = INVALID + INVALID_REASONS.length;
const codeOrNaN = (code: number | undefined) => code ?? Number.NaN;
const INVALID_DURATION = -1;
const encodeDuration = (duration: DurationReading | undefined) => (duration === undefined ? Number.NaN : duration === 'invalid' ? INVALID_DURATION : duration);
const decodeDuration = (value: number): DurationReading | undefined => (Number.isNaN(value) ? undefined : value === INVALID_DURATION ? 'invalid' : value);

function decodeCodes(numbers: number[], at: number): FoundCodes {
  const codes: FoundCodes = {};
  if (!Number.isNaN(numbers[at]!)) codes.http = numbers[at]!;
  if (!Number.isNaN(numbers[at + 1]!)) codes.error = numbers[at + 1]!;
  if (!Number.isNaN(numbers[at + 2]!)) codes.failure = numbers[at + 2]!;
  if (!Number.isNaN(numbers[at + 3]!)) codes.response = numbers[at + 3]!;
  return codes;
}

/** Records one region's facts in a worker thread. */
export class FactsRecorder implements Recorder<EncodedFacts>, FactsSink {
  private encoded: EncodedFacts = { numbers: [], by: [] };
  private readonly read: (event: LineEvent, sink: FactsSink) => void;

  constructor(setup: FactsSetup) {
    this.read = factsReader(setup);
  }

  line(event: LineEvent): void {
    this.read(event, this);
  }

  annotated(time: number, codes: FoundCodes, outcome: Outcome, by: ByValue[], duration: DurationReading | undefined): void {
    this.encoded.numbers.push(
      OUTCOMES.indexOf(outcome),
      time,
      codeOrNaN(codes.http),
      codeOrNaN(codes.error),
      codeOrNaN(codes.failure),
      codeOrNaN(codes.response),
      encodeDuration(duration),
    );
    for (const value of by) this.encoded.by.push(value);
  }

  noCodes(time: number): void {
    this.encoded.numbers.push(NO_CODES, time);
  }

  badLine(reason: BadLineReason): void {
    this.encoded.numbers.push(reason === 'too_long' ? TOO_LONG : INVALID + INVALID_REASONS.indexOf(reason));
  }

  take(): EncodedFacts {
    const taken = this.encoded;
    this.encoded = { numbers: [], by: [] };
    return taken;
  }
}

/** The facts a FactsRecorder took, one by one in input order, to `sink`; `byCount` is the number of `--by` paths. */
export function forEachFacts(encoded: EncodedFacts, byCount: number, sink: FactsSink): void {
  const { numbers, by } = encoded;
  let byAt = 0;
  for (let at = 0; at < numbers.length; ) {
    const kind = numbers[at]!;
    if (kind < NO_CODES) {
      const outcome = OUTCOMES[kind]!;
      const values = byCount > 0 && isTrouble(outcome) ? by.slice(byAt, (byAt += byCount)) : NOT_ASKED;
      sink.annotated(numbers[at + 1]!, decodeCodes(numbers, at + 2), outcome, values, decodeDuration(numbers[at + 6]!));
      at += 7;
    } else if (kind === NO_CODES) {
      sink.noCodes(numbers[at + 1]!);
      at += 2;
    } else {
      sink.badLine(kind === TOO_LONG ? 'too_long' : INVALID_REASONS[kind - INVALID]!);
      at += 1;
    }
  }
}
