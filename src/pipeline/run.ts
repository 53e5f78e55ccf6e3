import type { Readable } from 'node:stream';
import type { Annotator, LineResult } from '../core/annotate.js';
import type { LineLocation } from './errors.js';
import { StrictStop, describeError } from './errors.js';
import type { LineEvent, Observer } from './events.js';
import { LineSplitter } from '../sources/line-splitter.js';
import { openInput } from '../sources/open-input.js';
import type { LineWriter } from '../sinks/line-writer.js';

export interface RunOptions {
  annotator: Annotator;
  maxLineBytes: number;
  /** Stop at the first bad line instead of passing it through. */
  strict: boolean;
  /** Where annotated lines go; absent when only counting. */
  output?: LineWriter;
  /** How a record becomes an output line (ndjson: the annotated text; pretty: a human line). */
  format?: (result: LineResult) => string;
  /** Bad lines, byte for byte; the output then gets a one-line marker in their place. */
  deadLetter?: LineWriter;
  observer?: Observer;
  /** Stops the run between chunks (SIGINT, SIGTERM); what was read is still written and counted. */
  signal?: AbortSignal;
  /** One line for the user about something that went wrong with an input. */
  warn: (message: string) => void;
}

export interface RunReport {
  /** Inputs that could not be read, or that broke off. */
  failedInputs: number;
  /** The first bad line, when `strict` stopped the run there. */
  strictStop?: string;
  /** The output was closed by its reader. */
  outputClosed: boolean;
}

// How processing an input ended early, if it did.
type Interruption = 'output_closed' | 'stopped' | undefined;

class LineProcessor {
  lineNumber = 0;

  constructor(
    private readonly options: RunOptions,
    private readonly name: string,
  ) {}

  private emit(event: LineEvent): void {
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
    const { annotator, deadLetter, output } = this.options;
    const toResult = output ? annotator.annotateLine : annotator.inspectLine;
    return new LineSplitter(this.options.maxLineBytes, {
      line: (text) => this.emit(toResult(text)),
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

function describeBadLine(event: LineEvent): string {
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

async function waitForOutputs(options: RunOptions): Promise<Interruption> {
  await options.output?.ready();
  await options.deadLetter?.ready();
  if (options.output?.closed) return 'output_closed';
  return options.signal?.aborted ? 'stopped' : undefined;
}

async function processLines(stream: Readable, processor: LineProcessor, options: RunOptions): Promise<Interruption> {
  const splitter = processor.splitter();
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    options.observer?.bytes(chunk.length);
    splitter.push(chunk);
    const interruption = await waitForOutputs(options);
    if (interruption) return interruption;
  }
  splitter.end();
  return undefined;
}

async function processArray(stream: Readable, processor: LineProcessor, options: RunOptions): Promise<Interruption> {
  // Loaded only for JSON-array documents, so NDJSON runs do not pay for it at startup.
  const { streamArray } = await import('stream-json/streamers/stream-array.js');
  stream.on('data', (chunk: Buffer) => options.observer?.bytes(chunk.length));
  const elements = stream.pipe(streamArray.withParserAsStream());
  stream.on('error', (error) => elements.destroy(error));
  for await (const element of elements as AsyncIterable<{ value: unknown }>) {
    processor.value(element.value);
    const interruption = await waitForOutputs(options);
    if (interruption) {
      elements.destroy();
      return interruption;
    }
  }
  return undefined;
}

/** Reads each input in turn, annotates every line, and writes and counts the results. */
export async function run(inputs: readonly string[], options: RunOptions): Promise<RunReport> {
  const report: RunReport = { failedInputs: 0, outputClosed: false };
  for (const input of inputs) {
    if (options.signal?.aborted) break;
    const name = input === '-' ? 'stdin' : input;
    const processor = new LineProcessor(options, name);
    let opened;
    try {
      opened = await openInput(input);
    } catch (error) {
      options.warn(`cannot read ${name}: ${describeError(error)}`);
      report.failedInputs++;
      continue;
    }
    try {
      const processInput = opened.format === 'json-array' ? processArray : processLines;
      const interruption = await processInput(opened.stream, processor, options);
      if (interruption) {
        report.outputClosed = interruption === 'output_closed';
        opened.raw.destroy();
        break;
      }
    } catch (error) {
      opened.raw.destroy();
      if (error instanceof StrictStop) {
        report.strictStop = error.message;
        break;
      }
      const what = opened.format === 'json-array' ? 'invalid JSON array' : 'read failed';
      options.warn(`${name}: ${what} after ${processor.lineNumber} records: ${describeError(error)}`);
      report.failedInputs++;
    }
  }
  return report;
}
