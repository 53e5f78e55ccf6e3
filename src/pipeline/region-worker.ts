// A worker thread: annotates regions of whole lines sent by WorkerPool, with the same
// LineProcessor as the main thread, and sends back the output bytes and the counts.
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { createAnnotator } from '../core/annotate.js';
import { LineCountsRecorder } from '../metrics/tally.js';
import { LineWriter } from '../sinks/line-writer.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { StrictStop } from './errors.js';
import { LineProcessor } from './line-processor.js';
import type { RegionResult, WorkerSetup } from './worker-pool.js';

const setup = workerData as WorkerSetup;

function memoryWriter(chunks: Buffer[]): LineWriter {
  return new LineWriter(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
}

const outputChunks: Buffer[] = [];
const deadLetterChunks: Buffer[] = [];
const output = setup.output ? memoryWriter(outputChunks) : undefined;
const deadLetter = setup.deadLetter ? memoryWriter(deadLetterChunks) : undefined;
const recorder = setup.counting ? new LineCountsRecorder(setup.labels) : undefined;
const options = {
  annotator: createAnnotator({ key: setup.key, fields: setup.fields, recordPaths: setup.labels.map((label) => label.path) }),
  maxLineBytes: setup.maxLineBytes,
  strict: setup.strict,
  output,
  format: setup.format === 'pretty' ? prettyFormatter(setup.colour) : undefined,
  deadLetter,
  observer: recorder,
};

/** The chunks written so far. Each LineWriter chunk owns its memory, so it can be transferred. */
function take(writer: LineWriter | undefined, chunks: Buffer[]): Buffer[] {
  writer?.flush();
  return chunks.splice(0);
}

function ownsItsMemory(chunk: Buffer): boolean {
  return chunk.byteOffset === 0 && chunk.buffer.byteLength >= chunk.byteLength && !(chunk.buffer instanceof SharedArrayBuffer);
}

parentPort!.on('message', ({ id, region }: { id: number; region: Uint8Array }) => {
  const processor = new LineProcessor(options, 'region');
  const splitter = processor.splitter();
  let strictStop: RegionResult['strictStop'];
  try {
    splitter.push(Buffer.from(region.buffer, region.byteOffset, region.byteLength));
    splitter.end();
  } catch (error) {
    if (!(error instanceof StrictStop)) throw error;
    strictStop = { line: error.location.line, reason: error.reason };
  }
  const result: RegionResult & { id: number } = {
    id,
    output: take(output, outputChunks),
    deadLetter: take(deadLetter, deadLetterChunks),
    lines: processor.lineNumber,
    ...(recorder ? { counts: recorder.take() } : {}),
    ...(strictStop ? { strictStop } : {}),
  };
  const transfer = [...result.output, ...result.deadLetter].filter((chunk) => ownsItsMemory(chunk as Buffer)).map((chunk) => chunk.buffer as ArrayBuffer);
  parentPort!.postMessage(result, [...new Set(transfer)]);
});
