import { isUtf8 } from 'node:buffer';
import type { Annotator, BytesResult, LineResult } from '../core/annotate.js';
import type { JsonObject } from '../common/json.js';
import { readCriLine, type CriLine } from '../envelopes/cri.js';
import { DockerEntryReader, isDockerPartial, parseDockerEntry, type DockerEntry } from '../envelopes/docker.js';
import type { EnvelopeReaders } from '../envelopes/formats.js';
import { readSyslogLine } from '../envelopes/syslog.js';
import { leadingTime, readTextRecord } from '../envelopes/text.js';
import type { LineWriter } from '../sinks/line-writer.js';
import { LineSplitter } from '../sources/line-splitter.js';
import { StrictStop, type LineLocation } from './errors.js';
import type { LineEvent, Observer, UnreadLine } from './events.js';
import { InputSurvey, emptySurvey, type SurveyCounts } from './input-survey.js';

/** What decides the fate of each line: shared by the main thread and the worker threads. */
export interface LineOptions {
  annotator: Annotator;
  maxLineBytes: number;
  /** Stop at the first bad line instead of passing it through. */
  strict: boolean;
  /** Where annotated lines go; absent when only counting. */
  output?: LineWriter | undefined;
  /** How a record becomes an output line (ndjson: the annotated text; pretty: a human line). */
  format?: ((result: LineResult) => string) | undefined;
  /** Bad lines, byte for byte; the output then gets a one-line marker in their place. */
  deadLetter?: LineWriter | undefined;
  observer?: Pick<Observer<unknown>, 'line'> | undefined;
  /** The envelopes read around records (`--input-format`); absent: every line is read as NDJSON. */
  readers?: EnvelopeReaders | undefined;
  /** Whether results carry their envelope's time (`envelopeTime`): a report reads it; pretty output always does. */
  envelopeTimes?: boolean | undefined;
}

/** The parts of a record still to come (CRI `P` lines, docker partial entries): bounded by --max-line-bytes. */
interface OpenJoin {
  /** The lines joined so far, as read (without their terminators): written as they were if the record has no codes. */
  lines: Buffer[];
  /** The message's parts so far (bytes for CRI, text for docker). */
  parts: (Buffer | string)[];
  messageBytes: number;
  /** Over --max-line-bytes: the lines have gone to the dead letters, and the record is a too_long line. */
  tooLongBytes: number;
  /** Where its first line starts in the input. */
  from: number;
}

const NEWLINE = Buffer.from('\n');

// What a JSON text other than an object starts with: [ " - 0-9 t f n.
const OTHER_JSON_START = /^\s*["[\-\dtfn]/;

function isJsonValue(text: string): boolean {
  if (!OTHER_JSON_START.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Turns each line of one input into output, dead letters and observations. */
export class LineProcessor {
  lineNumber = 0;
  private readonly annotate: (bytes: Buffer, start: number, end: number) => BytesResult;
  private readonly annotateMessage: (text: string) => LineResult;
  private readonly annotateText: (line: string, record: JsonObject) => LineResult;
  /** Open CRI joins, by stream; the open docker join. */
  private readonly criJoins = new Map<CriLine['stream'], OpenJoin & { time: string }>();
  private dockerJoin: (OpenJoin & { first: DockerEntry }) | undefined;
  /** Reads docker entries in place for the byte path; absent where the whole record is needed (a human format). */
  private readonly dockerEntries: DockerEntryReader | undefined;
  /** The splitter lines come from: it tells where a line starts in the input. */
  private lineSource: LineSplitter | undefined;
  private readonly envelopeTimes: boolean;
  /** Counts for the notice on an input that is mostly not records (input-survey.ts); gone once judged. */
  private survey: InputSurvey | undefined = new InputSurvey();
  /** Bytes of the next too-long line already in the dead-letter file (continueDeadLetter). */
  private deadLetteredAhead = 0;

  constructor(
    private readonly options: LineOptions,
    readonly name: string,
  ) {
    const { annotator, format } = options;
    // A human format needs the whole record; counting needs no output text.
    const writesText = Boolean(format || options.output);
    if (format) this.annotate = (bytes, start, end) => annotator.annotateLine(bytes.toString('utf8', start, end));
    else this.annotate = options.output ? annotator.annotateBytes : annotator.inspectBytes;
    this.annotateMessage = writesText ? annotator.annotateLine : annotator.inspectLine;
    this.annotateText = writesText && !format ? annotator.annotateText : annotator.inspectText;
    this.envelopeTimes = Boolean(format || options.envelopeTimes);
    this.dockerEntries = options.readers?.docker && !format ? new DockerEntryReader() : undefined;
  }

  /** A line of valid UTF-8, `bytes[start, end)`: its envelope read (`readers`), then its record. */
  line(bytes: Buffer, start: number, end: number): void {
    const { readers } = this.options;
    if (readers === undefined) return this.record(bytes, start, end);
    let first = start;
    while (first < end && (bytes[first] === 32 || bytes[first] === 9)) first++;
    if (bytes[first] === 123 /* { */) {
      if (this.dockerEntries !== undefined && this.dockerJoin === undefined) {
        // The record read where it is in `log`; where that cannot be, `log` unescaped first.
        const { annotator } = this.options;
        const escaped = this.dockerEntries.readEscaped(bytes, first, end);
        let event = escaped && annotator.annotateReadObject(bytes, escaped);
        if (event === undefined) {
          const entry = this.dockerEntries.read(bytes, first, end);
          event = entry !== undefined && !this.dockerEntries.partial ? annotator.annotateReadObject(bytes, entry) : undefined;
        }
        if (event !== undefined) return this.recordResult(event, bytes, start, end);
      }
      if (readers.docker && (this.dockerJoin !== undefined || isDockerPartial(bytes, first, end))) return this.dockerLine(bytes, start, end);
      return this.record(bytes, start, end);
    }
    const cri = readers.cri ? readCriLine(bytes, start, end) : undefined;
    if (cri) return this.criLine(cri, bytes, start, end);
    if (!readers.syslog && !readers.text) return this.record(bytes, start, end);
    const text = bytes.toString('utf8', start, end);
    const syslog = readers.syslog ? readSyslogLine(text) : undefined;
    if (syslog) return this.textMessage(text, syslog.message, syslog.time);
    // A JSON value that is not an object (`[{…}]`) is a not_object line, not a text holding an object.
    if (readers.text && !isJsonValue(text)) {
      const record = readTextRecord(text);
      if (record) return this.emitEnveloped(this.annotateText(text, record), leadingTime(text));
    }
    this.record(bytes, start, end);
  }

  /** A line that is a record itself, or no record: NDJSON's line. */
  private record(bytes: Buffer, start: number, end: number): void {
    this.recordResult(this.annotate(bytes, start, end), bytes, start, end);
  }

  private recordResult(event: BytesResult, bytes: Buffer, start: number, end: number): void {
    if (event.text !== undefined) {
      this.emit(event);
      return;
    }
    this.lineNumber++;
    const { observer, output, annotator } = this.options;
    observer?.line(event);
    if (event.result === 'annotated') {
      // The survey's only look at a line of the NDJSON path: the status it found anyway.
      if (event.codes.http !== undefined && event.codes.http >= 400) this.survey?.errorStatus(event.codes);
      output?.writeSpliced(bytes, start, event.closingBrace, annotator.suffix(event.codes));
    } else output?.writeSpan(bytes, start, end);
  }

  /**
   * A line whose record is its message, from `message` on (CRI, syslog): a JSON object is
   * annotated in place, the prefix kept; a text message is read as a text line.
   */
  private envelopedMessage(bytes: Buffer, start: number, message: number, end: number, time: string | undefined, original?: Buffer): void {
    let first = message;
    while (first < end && (bytes[first] === 32 || bytes[first] === 9)) first++;
    if (bytes[first] === 123 /* { */) {
      const event = this.annotate(bytes, message, end);
      if (event.result !== 'invalid') {
        if (time !== undefined) event.envelopeTime = time;
        if (event.text === undefined) {
          this.lineNumber++;
          const { output, annotator } = this.options;
          this.observe(event);
          if (event.result === 'annotated') output?.writeSpliced(bytes, start, event.closingBrace, annotator.suffix(event.codes));
          else if (original) output?.writeLineBytes(original);
          else output?.writeSpan(bytes, start, end);
          return;
        }
        const prefix = bytes.toString('utf8', start, message);
        const line = original ? original.toString('utf8') : prefix + event.text;
        this.emit({ ...event, text: event.result === 'annotated' ? prefix + event.text : line });
        return;
      }
    }
    const line = bytes.toString('utf8', start, end);
    const text = line.slice(bytes.toString('utf8', start, message).length);
    const record = this.options.readers?.text && !isJsonValue(text) ? readTextRecord(text) : undefined;
    if (record) {
      const event = this.annotateText(line, record);
      this.emitEnveloped(event.result === 'no_codes' && original ? { ...event, text: original.toString('utf8') } : event, time);
      return;
    }
    if (original) this.emit({ result: 'invalid', reason: 'invalid_json', raw: original });
    else this.emit({ result: 'invalid', text: line, reason: line.trim() === '' ? 'blank' : 'invalid_json' });
  }

  /** A syslog line: its message is a JSON object (annotated in place) or text. */
  private textMessage(text: string, message: number, time: string | undefined): void {
    const body = text.slice(message);
    if (body.trimStart().startsWith('{')) {
      const event = this.annotateMessage(body);
      if (event.result !== 'invalid') {
        const prefix = text.slice(0, message);
        return this.emitEnveloped({ ...event, text: event.result === 'annotated' ? prefix + event.text : text }, time);
      }
    }
    const record = this.options.readers?.text && !isJsonValue(body) ? readTextRecord(body) : undefined;
    if (record) return this.emitEnveloped(this.annotateText(text, record), time);
    this.emit({ result: 'invalid', text, reason: 'invalid_json' });
  }

  private emitEnveloped(event: LineResult, time: string | undefined): void {
    if (time !== undefined && event.result !== 'invalid') event.envelopeTime = time;
    this.emit(event);
  }

  private criLine(cri: CriLine, bytes: Buffer, start: number, end: number): void {
    const join = this.criJoins.get(cri.stream);
    if (!cri.partial && join === undefined)
      return this.envelopedMessage(bytes, start, cri.message, end, this.envelopeTimes ? bytes.toString('latin1', start, cri.timeEnd) : undefined);
    const time = bytes.toString('latin1', start, cri.timeEnd);
    const open = join ?? { lines: [], parts: [], messageBytes: 0, tooLongBytes: 0, time, from: this.positionOf(bytes, start) };
    if (join === undefined) this.criJoins.set(cri.stream, open);
    this.hold(open, bytes.subarray(start, end), bytes.subarray(cri.message, end));
    if (cri.partial) return this.countPartial('cri');
    this.criJoins.delete(cri.stream);
    this.endCriJoin(cri.stream, open);
  }

  /** A joined CRI record, read as one line with the first part's time and the tag F. */
  private endCriJoin(stream: CriLine['stream'], join: OpenJoin & { time: string }): void {
    if (join.tooLongBytes > 0) return this.emit({ result: 'too_long', bytes: join.tooLongBytes });
    const original = Buffer.concat(join.lines.flatMap((line, i) => (i === 0 ? [line] : [NEWLINE, line])));
    const prefix = Buffer.from(`${join.time} ${stream} F `);
    const joined = Buffer.concat([prefix, ...(join.parts as Buffer[])]);
    // The runtime cuts a message at a byte count, through a character if it falls there: only the whole is UTF-8.
    if (!isUtf8(joined)) return this.emit({ result: 'invalid', reason: 'invalid_utf8', raw: original });
    this.envelopedMessage(joined, 0, prefix.length, joined.length, join.time, original);
  }

  /** A line of bytes that are not UTF-8: a CRI part may end inside a character the next part completes. */
  private notUtf8(raw: Buffer): void {
    const cri = this.options.readers?.cri ? readCriLine(raw, 0, raw.length) : undefined;
    if (cri && (cri.partial || this.criJoins.has(cri.stream))) return this.criLine(cri, raw, 0, raw.length);
    this.emit({ result: 'invalid', reason: 'invalid_utf8', raw });
  }

  private positionOf(bytes: Buffer, start: number): number {
    return this.lineSource?.positionOf(bytes, start) ?? 0;
  }

  private dockerLine(bytes: Buffer, start: number, end: number): void {
    const text = bytes.toString('utf8', start, end);
    const entry = parseDockerEntry(text);
    const partial = entry !== undefined && isDockerPartial(bytes, start, end);
    let join = this.dockerJoin;
    if (entry === undefined || (join === undefined && !partial)) {
      this.finishDockerJoin();
      return this.record(bytes, start, end);
    }
    if (join === undefined) {
      join = { lines: [], parts: [], messageBytes: 0, tooLongBytes: 0, first: entry, from: this.positionOf(bytes, start) };
      this.dockerJoin = join;
    }
    this.hold(join, bytes.subarray(start, end), entry.log);
    if (partial) return this.countPartial('docker');
    this.finishDockerJoin();
  }

  /** Ends the open docker join: its parts are one record (at the end of an input, a record without its last part). */
  private finishDockerJoin(): void {
    const join = this.dockerJoin;
    if (join === undefined) return;
    this.dockerJoin = undefined;
    if (join.tooLongBytes > 0) return this.emit({ result: 'too_long', bytes: join.tooLongBytes });
    const { first } = join;
    const record = JSON.stringify({ log: join.parts.join(''), stream: first.stream, time: first.time, ...first.rest });
    const event = this.annotateMessage(record);
    const original = join.lines.map((line) => line.toString('utf8')).join('\n');
    this.emit(
      event.result === 'annotated'
        ? event
        : event.result === 'no_codes'
          ? { ...event, text: original }
          : { result: 'invalid', reason: 'invalid_json', raw: Buffer.from(original) },
    );
  }

  /** Where the first line of the oldest open join starts in the input; undefined with none open. */
  private heldFrom(): number | undefined {
    let from = this.dockerJoin?.from;
    for (const join of this.criJoins.values()) if (from === undefined || join.from < from) from = join.from;
    return from;
  }

  /** One more line of a join; past --max-line-bytes its lines go to the dead letters, as a long line's pieces do. */
  private hold(join: OpenJoin, line: Buffer, part: Buffer | string): void {
    const { deadLetter, strict, maxLineBytes } = this.options;
    if (join.tooLongBytes > 0) {
      join.tooLongBytes += line.length + 1;
      if (!strict) deadLetter?.writeBytes(Buffer.concat([NEWLINE, line]));
      return;
    }
    join.lines.push(Buffer.from(line));
    join.parts.push(typeof part === 'string' ? part : Buffer.from(part));
    join.messageBytes += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
    if (join.messageBytes <= maxLineBytes) return;
    join.tooLongBytes = join.lines.reduce((sum, held) => sum + held.length, 0) + join.lines.length - 1;
    if (!strict) join.lines.forEach((held, i) => deadLetter?.writeBytes(i === 0 ? held : Buffer.concat([NEWLINE, held])));
    join.lines = [];
    join.parts = [];
  }

  private countPartial(envelope: 'cri' | 'docker'): void {
    this.lineNumber++;
    this.observe({ result: 'partial', envelope });
  }

  /** The input ended: a record whose last part never came is still a record. */
  endOfInput(): void {
    for (const [stream, join] of this.criJoins) {
      this.criJoins.delete(stream);
      this.endCriJoin(stream, join);
    }
    this.finishDockerJoin();
  }

  emit(event: LineResult | UnreadLine): void {
    const { options } = this;
    this.lineNumber++;
    this.observe(event);
    if (event.result === 'annotated' || event.result === 'no_codes') {
      options.output?.writeLine(options.format ? options.format(event) : event.text);
      return;
    }
    if (event.result === 'partial') return;
    const reason = event.result === 'too_long' ? 'too_long' : event.reason;
    if (options.strict) throw new StrictStop(this.location(), describeBadLine(event));
    if (event.result === 'invalid' && 'raw' in event) options.deadLetter?.writeLineBytes(event.raw);
    else if (event.result === 'invalid') options.deadLetter?.writeLine(event.text);
    else options.deadLetter?.writeLine('');
    const output = options.output;
    if (!output) return;
    if (options.deadLetter || event.result === 'too_long') {
      const bytes = event.result === 'too_long' ? event.bytes : 'raw' in event ? event.raw.length : Buffer.byteLength(event.text);
      output.writeLine(options.annotator.markerLine(reason, bytes));
    } else if ('raw' in event) {
      output.writeLineBytes(event.raw);
    } else {
      output.writeLine(options.format ? options.format(event) : event.text);
    }
  }

  private observe(event: LineEvent): void {
    this.survey?.line(event);
    this.options.observer?.line(event);
  }

  /** Lines the survey has judged so far; undefined once it ended. */
  get surveyedLines(): number | undefined {
    return this.survey?.counts(this.lineNumber).lines;
  }

  /** What the survey counted, and no more counting: the input is judged (a worker's region sends it). */
  endSurvey(): SurveyCounts {
    const counts = this.survey?.counts(this.lineNumber) ?? emptySurvey();
    this.survey = undefined;
    return counts;
  }

  /** Adds what a worker thread's survey counted in a region of `lines` lines of this input. */
  mergeSurvey(region: SurveyCounts, lines: number): void {
    this.survey?.merge(region, lines);
  }

  location(): LineLocation {
    return { input: this.name, line: this.lineNumber };
  }

  /**
   * The first too-long line read from here on had its first `bytes` bytes written to the
   * dead-letter file already, by the reading of a file truncated in its middle (copytruncate):
   * only the rest goes there now, so that the line ends up there once and whole.
   */
  continueDeadLetter(bytes: number): void {
    this.deadLetteredAhead = bytes;
  }

  splitter(): LineSplitter {
    const { deadLetter } = this.options;
    return (this.lineSource = new LineSplitter(this.options.maxLineBytes, {
      line: (bytes, start, end) => this.line(bytes, start, end),
      invalidUtf8: (raw) => this.notUtf8(raw),
      tooLongPiece: (piece) => {
        if (this.options.strict) return;
        const skipped = Math.min(this.deadLetteredAhead, piece.length);
        this.deadLetteredAhead -= skipped;
        if (skipped < piece.length) deadLetter?.writeBytes(skipped === 0 ? piece : piece.subarray(skipped));
      },
      tooLong: (bytes) => {
        this.deadLetteredAhead = 0;
        this.emit({ result: 'too_long', bytes });
      },
      heldFrom: () => this.heldFrom(),
      ended: () => this.endOfInput(),
    }));
  }

  value(value: unknown): void {
    this.emit(this.options.annotator.annotateValue(value));
  }
}

function describeBadLine(event: LineResult | UnreadLine): string {
  if (event.result === 'too_long') return `line of ${event.bytes} bytes is longer than --max-line-bytes`;
  if (event.result !== 'invalid') return event.result;
  switch (event.reason) {
    case 'blank':
      return 'blank line';
    case 'invalid_json':
      return 'not valid JSON';
    case 'not_object':
      return 'JSON value is not an object';
    case 'too_deep':
      return 'JSON nesting too deep to annotate';
    case 'invalid_utf8':
      return 'bytes are not valid UTF-8';
  }
}
