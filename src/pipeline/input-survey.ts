// "Never silent": an input whose lines are mostly not records, or whose error statuses carry no
// reason code, gets one notice on stderr naming what it looks like and what to try. Exit codes
// stay as they are; the notice is the signal.
import type { FoundCodes } from '../core/extract.js';
import { isErrorStatusWithoutReason } from '../core/outcome.js';
import { readersFor, type InputFormatOption } from '../envelopes/formats.js';
import { sniff, type Content, type Shape } from '../envelopes/sniff.js';
import type { LineEvent } from './events.js';

/** What one input's lines were, for the judgement (a worker thread's region sends its own). */
export interface SurveyCounts {
  /** Lines judged: every line but blank ones and the parts of joined records. */
  lines: number;
  /** Lines that are no record: not JSON, not an object, not UTF-8. */
  notRecords: number;
  /** Records with an HTTP status of 400 or more, and those of them without a reason code. */
  errorStatuses: number;
  withoutReason: number;
  /** The first few lines that are no record, for `sniff`. */
  samples: string[];
}

const SAMPLES = 5;
const SAMPLE_CHARS = 2048;
/**
 * A judgement needs this many lines, or all lines of a shorter input once it ended; error statuses
 * need this many whatever the input's length: a lone 404 of an unknown path has no HID body.
 */
export const MIN_JUDGED = 10;
/** … of which this share must be unusable. */
export const UNUSABLE_SHARE = 0.9;

export const emptySurvey = (): SurveyCounts => ({ lines: 0, notRecords: 0, errorStatuses: 0, withoutReason: 0, samples: [] });

/**
 * Counts one input's unusable lines and error statuses. It sees the lines the NDJSON path takes
 * whole only when they are records with an error status (`errorStatus`); every other line goes
 * through `line`. How many lines were read is the LineProcessor's own count, less `unjudged`.
 */
export class InputSurvey {
  /** Blank lines and the parts of joined records: read, not judged. */
  unjudged = 0;
  notRecords = 0;
  errorStatuses = 0;
  withoutReason = 0;
  readonly samples: string[] = [];

  line(event: LineEvent): void {
    switch (event.result) {
      case 'partial':
        this.unjudged++;
        return;
      case 'annotated':
        if (event.codes.http !== undefined && event.codes.http >= 400) this.errorStatus(event.codes);
        return;
      case 'invalid':
        if (event.reason === 'blank') this.unjudged++;
        else if (event.reason !== 'too_deep') this.notRecord('raw' in event ? event.raw.toString('utf8', 0, SAMPLE_CHARS * 4) : event.text);
        return;
      default:
    }
  }

  /** A record with an HTTP status of 400 or more. */
  errorStatus(codes: FoundCodes): void {
    this.errorStatuses++;
    if (isErrorStatusWithoutReason(codes)) this.withoutReason++;
  }

  private notRecord(text: string): void {
    this.notRecords++;
    if (this.samples.length < SAMPLES) this.samples.push(text.slice(0, SAMPLE_CHARS));
  }

  /** The counts, for `lines` lines read (the LineProcessor's count). */
  counts(lines: number): SurveyCounts {
    return {
      lines: lines - this.unjudged,
      notRecords: this.notRecords,
      errorStatuses: this.errorStatuses,
      withoutReason: this.withoutReason,
      samples: this.samples,
    };
  }

  /** Adds what a worker thread counted in a region of this input, `regionLines` lines read there. */
  merge(region: SurveyCounts, regionLines: number): void {
    this.unjudged += regionLines - region.lines;
    this.notRecords += region.notRecords;
    this.errorStatuses += region.errorStatuses;
    this.withoutReason += region.withoutReason;
    for (const sample of region.samples) if (this.samples.length < SAMPLES) this.samples.push(sample);
  }
}

/** `part` of `whole` is mostly unusable: ≥ 90% of at least 10, or, once no more will come, all of fewer. */
export function mostly(part: number, whole: number, final: boolean): boolean {
  if (whole >= MIN_JUDGED) return part >= whole * UNUSABLE_SHARE;
  return final && whole > 0 && part === whole;
}

export interface JudgeContext {
  /** The input's name as the user gave it. */
  name: string;
  inputFormat: InputFormatOption;
  /**
   * No more lines will be counted (a batch input's end, follow's shutdown, a stopped run): an
   * input shorter than MIN_JUDGED lines is judged on them all.
   */
  final: boolean;
}

const DOCS = 'docs/log-formats.md';
const RECORDS_ARE = 'hidlog finds records in JSON objects and key=value tokens';

const CONTENT_TEXT: Record<Content, string> = {
  json: 'JSON objects',
  logfmt: 'key=value (logfmt) text',
  'text-with-json': 'text with a JSON object in it',
  'json-value': 'JSON values that are not objects',
  text: 'plain text with no key=value tokens or JSON objects',
};

/** What lines of `shape` look like, and what to try with them under `inputFormat`. */
function describe(shape: Shape, inputFormat: InputFormatOption): string {
  const readers = readersFor(inputFormat);
  // A shape `auto` reads is never left unread under `auto`: `other` is said only under another format.
  const other = `drop --input-format ${inputFormat} (auto reads them)`;
  const { envelope, content } = shape;
  const readable = content === 'json' || content === 'logfmt' || content === 'text-with-json';
  if (envelope !== undefined) {
    const lines = envelope === 'cri' ? 'Kubernetes CRI lines' : 'syslog lines';
    const read = envelope === 'cri' ? readers.cri : readers.syslog;
    if (readable && !read) return `they look like ${lines}: ${other}`;
    return `they look like ${lines} whose messages are ${CONTENT_TEXT[content]}: ${RECORDS_ARE}`;
  }
  switch (content) {
    case 'logfmt':
    case 'text-with-json':
      return readers.text ? `they look like ${CONTENT_TEXT[content]}` : `they look like ${CONTENT_TEXT[content]}: ${other}`;
    case 'json-value':
      return `they look like ${CONTENT_TEXT['json-value']}: a JSON array document is read with --input-format json-array`;
    case 'json':
      return `they look like JSON objects hidlog could not read`;
    case 'text':
      return `they look like ${CONTENT_TEXT.text}: ${RECORDS_ARE}`;
  }
}

/** The notice an input's counts call for (without the `hidlog: ` prefix), or undefined when it looks fine. */
export function judgeInput(counts: SurveyCounts, context: JudgeContext): string | undefined {
  const { name, inputFormat, final } = context;
  if (mostly(counts.notRecords, counts.lines, final)) {
    const what = describe(sniff(counts.samples) ?? { envelope: undefined, content: 'text' }, inputFormat);
    return `${name}: ${counts.notRecords} of ${counts.lines} lines are not records; ${what} — ${DOCS}`;
  }
  if (counts.errorStatuses >= MIN_JUDGED && mostly(counts.withoutReason, counts.errorStatuses, final)) {
    return (
      `${name}: ${counts.withoutReason} of ${counts.errorStatuses} records with an HTTP status of 400 or more carry no hid_error or hid_failure code; ` +
      `if the HID body is logged in a field hidlog does not search, name it with --field failure=PATH — ${DOCS}`
    );
  }
  return undefined;
}
