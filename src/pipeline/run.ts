import type { Readable } from 'node:stream';
import { describeError } from '../common/error-text.js';
import { StrictStop } from './errors.js';
import type { Observer } from './events.js';
import { judgeInput } from './input-survey.js';
import { LineProcessor, type LineOptions } from './line-processor.js';
import type { RegionResult } from './worker-messages.js';
import type { WorkerPool } from './worker-pool.js';
import { ArrayElementEnds } from '../sources/array-elements.js';
import { inputChunks } from '../sources/input-chunks.js';
import { RegionSplitter } from '../sources/line-splitter.js';
import type { InputFormatOption } from '../envelopes/formats.js';
import { openInput, type OpenedInput } from '../sources/open-input.js';

export interface RunOptions extends LineOptions {
  // Whichever observer matches the workers' recorder (the pool's job): it applies what they observed.
  observer?: Observer<unknown> | undefined;
  /**
   * Stops the run (SIGINT, SIGTERM) between chunks, or while it waits for a live input: the whole
   * lines read are still written and counted.
   */
  signal?: AbortSignal;
  /** Worker threads that annotate regions of lines while this thread reads and writes. */
  workers?: WorkerPool;
  /** One line for the user about something that went wrong with an input. */
  warn: (message: string) => void;
  /** The observer of one input's lines (`-` for stdin), when each input's are counted apart; otherwise `observer`. */
  observerOf?: ((input: string) => Observer<unknown>) | undefined;
  /** Told of each input as it is opened (a progress bar reads the raw stream's bytesRead). */
  opened?: ((input: { name: string; index: number; raw: Readable }) => void) | undefined;
  /** `--input-format`: `json-array` and `ndjson` decide what an input starting with `[` is; the rest read lines. */
  inputFormat?: InputFormatOption | undefined;
}

export interface RunReport {
  /** Inputs that could not be read, or that broke off. */
  failedInputs: number;
  /** What was said of each of them (`cannot read FILE: …`), in order. */
  unread: string[];
  /** The first bad line, when `strict` stopped the run there. */
  strictStop?: string;
  /** An output failed, or its reader went away: reading stopped there. */
  outputClosed: boolean;
  /** The input `signal` stopped the run in, or before (undefined: every input was read to its end, or failed). */
  interrupted?: string;
}

// How processing an input ended early, if it did.
type Interruption = 'output_closed' | 'stopped' | undefined;

async function waitForOutputs(options: RunOptions): Promise<Interruption> {
  await options.output?.ready();
  await options.deadLetter?.ready();
  if (options.output?.closed || options.deadLetter?.closed) return 'output_closed';
  return options.signal?.aborted ? 'stopped' : undefined;
}

function flushOutputs(options: RunOptions): void {
  options.output?.flush();
  options.deadLetter?.flush();
}

/**
 * The input's chunks until it ends or the run is stopped. When a live input pauses (`tail -f |`),
 * `paused` writes out what is done: the output is otherwise written a large chunk at a time.
 */
function chunksOf(input: OpenedInput, options: RunOptions, paused: () => Promise<void> | void): AsyncIterable<Buffer> {
  return inputChunks(input.stream, { paused: input.live ? paused : undefined, stop: options.signal });
}

/** The chunks ended because the run was stopped, not because the input ended. */
const stoppedBeforeTheEnd = (input: OpenedInput, options: RunOptions) => options.signal?.aborted === true && !input.stream.readableEnded;

async function processLines(input: OpenedInput, processor: LineProcessor, options: RunOptions): Promise<Interruption> {
  const splitter = processor.splitter();
  for await (const chunk of chunksOf(input, options, () => flushOutputs(options))) {
    options.observer?.bytes(chunk.length);
    splitter.push(chunk);
    const interruption = await waitForOutputs(options);
    if (interruption) return interruption;
  }
  // A line its writer had not finished when the run stopped is not a line yet.
  if (stoppedBeforeTheEnd(input, options)) return 'stopped';
  splitter.end();
  return undefined;
}

const PARALLEL_CHUNK_BYTES = 1024 * 1024;

// Enough regions in flight that no thread waits while the oldest is written out (measured: 4
// per worker, the main thread not counted, left it idle 140 ms of 1.5 s).
const REGIONS_IN_FLIGHT_PER_THREAD = 4;

type Pending = { job: Promise<RegionResult>; done: boolean } | { piece: Buffer } | { tooLong: number };

function submitted(job: Promise<RegionResult>): Pending {
  const item = { job, done: false };
  job.then(
    () => (item.done = true),
    () => undefined,
  );
  return item;
}

const isDone = (item: Pending) => !('job' in item) || item.done;

/**
 * The parallel path: this thread reads, cuts regions of whole lines and writes; the pool
 * annotates them (in workers, or here when every worker has enough queued). Results are written
 * in input order as soon as they are done, and at most a few regions per thread are in flight,
 * so memory stays flat whatever the input's size.
 */
async function processLinesInParallel(input: OpenedInput, processor: LineProcessor, options: RunOptions, pool: WorkerPool): Promise<Interruption> {
  const queue: Pending[] = [];
  const regions = new RegionSplitter(options.maxLineBytes, {
    region: (bytes) => queue.push(submitted(pool.submit(bytes))),
    tooLongPiece: (piece) => queue.push({ piece: Buffer.from(piece) }),
    tooLong: (bytes) => queue.push({ tooLong: bytes }),
  });
  const settle = async (item: Pending) => {
    if ('job' in item) {
      const result = await item.job;
      for (const chunk of result.output) options.output?.writeBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), () => pool.recycle(chunk));
      for (const chunk of result.deadLetter)
        options.deadLetter?.writeBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), () => pool.recycle(chunk));
      if (result.observed) options.observer?.apply(result.observed);
      processor.mergeSurvey(result.survey, result.lines);
      if (result.strictStop) throw new StrictStop({ input: processor.name, line: processor.lineNumber + result.strictStop.line }, result.strictStop.reason);
      processor.lineNumber += result.lines;
    } else if ('piece' in item) {
      if (!options.strict) options.deadLetter?.writeBytes(item.piece);
    } else {
      processor.emit({ result: 'too_long', bytes: item.tooLong });
    }
  };
  const settleAll = async () => {
    while (queue.length > 0) await settle(queue.shift()!);
  };
  const paused = async () => {
    await settleAll();
    flushOutputs(options);
  };
  try {
    for await (const chunk of chunksOf(input, options, paused)) {
      options.observer?.bytes(chunk.length);
      regions.push(chunk);
      // What is done goes out now (memory stays low); past the limit, wait for the oldest.
      while (queue.length > 0 && (isDone(queue[0]!) || queue.length > (pool.size + 1) * REGIONS_IN_FLIGHT_PER_THREAD)) await settle(queue.shift()!);
      const interruption = await waitForOutputs(options);
      // Stopped: the regions read are written and counted; a closed output takes nothing more.
      if (interruption === 'stopped') await settleAll();
      if (interruption) return interruption;
    }
    if (stoppedBeforeTheEnd(input, options)) {
      await settleAll();
      return 'stopped';
    }
    regions.end();
    await settleAll();
    return undefined;
  } finally {
    // Regions already sent still settle (or fail) in their workers; nothing waits for them.
    for (const item of queue) if ('job' in item) item.job.catch(() => undefined);
  }
}

// stream-chain's `none`: given to a pipeline function, it flushes what the input left unfinished.
const END_OF_INPUT = Symbol.for('object-stream.none');
type ElementParser = (text: string | typeof END_OF_INPUT) => AsyncIterable<{ value: unknown }>;

/**
 * A JSON-array document, element by element. The parser is fed up to the end of each element
 * (ArrayElementEnds), so a syntax error costs no element before it; the text is decoded here so a
 * character split between chunks stays whole.
 */
async function processArray(input: OpenedInput, processor: LineProcessor, options: RunOptions): Promise<Interruption> {
  // Loaded for JSON-array documents only: an NDJSON run starts ~10 ms sooner without it.
  const { streamArray } = await import('stream-json/streamers/stream-array.js');
  const parse = streamArray.withParser() as unknown as ElementParser;
  const elementEnds = new ArrayElementEnds();
  const decoder = new TextDecoder();
  for await (const chunk of chunksOf(input, options, () => flushOutputs(options))) {
    options.observer?.bytes(chunk.length);
    const text = decoder.decode(chunk, { stream: true });
    let from = 0;
    for (const end of [...elementEnds.in(text), text.length]) {
      if (end > from) for await (const element of parse(text.slice(from, end))) processor.value(element.value);
      from = end;
    }
    const interruption = await waitForOutputs(options);
    if (interruption) return interruption;
  }
  if (stoppedBeforeTheEnd(input, options)) return 'stopped';
  for await (const element of parse(decoder.decode())) processor.value(element.value);
  for await (const element of parse(END_OF_INPUT)) processor.value(element.value);
  return undefined;
}

/** Says once, on stderr, that an input was mostly not records or its error statuses carried no reason (input-survey.ts). */
function notify(processor: LineProcessor, options: RunOptions): void {
  const notice = judgeInput(processor.endSurvey(), {
    name: processor.name,
    inputFormat: options.inputFormat ?? (options.readers ? 'auto' : 'ndjson'),
    final: true,
  });
  if (notice) options.warn(notice);
}

/** Reads each input in turn, annotates every line, and writes and counts the results. */
export async function run(inputs: readonly string[], options: RunOptions): Promise<RunReport> {
  const report: RunReport = { failedInputs: 0, unread: [], outputClosed: false };
  const failed = (message: string) => {
    options.warn(message);
    report.unread.push(message);
    report.failedInputs++;
  };
  for (const [index, input] of inputs.entries()) {
    const name = input === '-' ? 'stdin' : input;
    if (options.signal?.aborted) {
      report.interrupted = name;
      break;
    }
    const inputOptions = options.observerOf ? { ...options, observer: options.observerOf(input) } : options;
    const processor = new LineProcessor(inputOptions, name);
    let opened;
    try {
      // Workers get larger regions: fewer messages, and the main thread stays out of their way.
      // A first line NDJSON could read whole is read whole before deciding it is an array's.
      opened = await openInput(input, {
        chunkBytes: options.workers ? PARALLEL_CHUNK_BYTES : undefined,
        probeBytes: options.maxLineBytes,
        stop: options.signal,
        format:
          options.inputFormat === 'json-array' ? 'json-array' : options.inputFormat === 'auto' || options.inputFormat === undefined ? undefined : 'ndjson',
        joins: options.readers,
      });
    } catch (error) {
      failed(`cannot read ${name}: ${describeError(error)}`);
      continue;
    }
    options.opened?.({ name, index, raw: opened.raw });
    try {
      const { workers } = options;
      const interruption =
        opened.format === 'json-array'
          ? await processArray(opened, processor, inputOptions)
          : workers && !opened.joinsLines
            ? await processLinesInParallel(opened, processor, inputOptions, workers)
            : await processLines(opened, processor, inputOptions);
      if (interruption !== 'output_closed') notify(processor, options);
      if (interruption) {
        report.outputClosed = interruption === 'output_closed';
        if (interruption === 'stopped') report.interrupted = name;
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
      failed(`${name}: ${what} after ${processor.lineNumber} records: ${describeError(error)}`);
    }
  }
  return report;
}
