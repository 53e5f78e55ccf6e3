import type { Annotator, BytesResult, LineResult } from '../core/annotate.js';
import type { LineWriter } from '../sinks/line-writer.js';
import { LineSplitter } from '../sources/line-splitter.js';
import { StrictStop, type LineLocation } from './errors.js';
import type { Observer, UnreadLine } from './events.js';

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
  observer?: Pick<Observer, 'line'> | undefined;
}

/** Turns each line of one input into output, dead letters and observations. */
export class LineProcessor {
  lineNumber = 0;
  private readonly annotate: (bytes: Buffer, start: number, end: number) => BytesResult;

  constructor(
    private readonly options: LineOptions,
    readonly name: string,
  ) {
    const { annotator, format } = options;
    // A human format needs the whole record; counting needs no output text.
    if (format) this.annotate = (bytes, start, end) => annotator.annotateLine(bytes.toString('utf8', start, end));
    else this.annotate = options.output ? annotator.annotateBytes : annotator.inspectBytes;
  }

  /** A line of valid UTF-8: annotated from its bytes where it can be, written without decoding it. */
  line(bytes: Buffer, start: number, end: number): void {
    const event = this.annotate(bytes, start, end);
    if (event.text !== undefined) {
      this.emit(event);
      return;
    }
    this.lineNumber++;
    const { observer, output, annotator } = this.options;
    observer?.line(event);
    if (event.result === 'annotated') output?.writeSpliced(bytes, start, event.closingBrace, annotator.suffix(event.codes));
    else output?.writeSpan(bytes, start, end);
  }

  emit(event: LineResult | UnreadLine): void {
    const { options } = this;
    this.lineNumber++;
    options.observer?.line(event);
    if (event.result === 'annotated' || event.result === 'no_codes') {
      options.output?.writeLine(options.format ? options.format(event) : event.text);
      return;
    }
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

  location(): LineLocation {
    return { input: this.name, line: this.lineNumber };
  }

  splitter(): LineSplitter {
    const { deadLetter } = this.options;
    return new LineSplitter(this.options.maxLineBytes, {
      line: (bytes, start, end) => this.line(bytes, start, end),
      invalidUtf8: (raw) => this.emit({ result: 'invalid', reason: 'invalid_utf8', raw }),
      tooLongPiece: (piece) => {
        if (!this.options.strict) deadLetter?.writeBytes(piece);
      },
      tooLong: (bytes) => this.emit({ result: 'too_long', bytes }),
    });
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

