// One region of whole lines annotated into memory: the job of every worker thread, and of the
// main thread when it takes its share (WorkerPool).
import { Writable } from 'node:stream';
import { Catalog } from '../catalog/catalog.js';
import { createAnnotator } from '../core/annotate.js';
import { LineCountsRecorder, labelPaths } from '../metrics/tally.js';
import { FactsRecorder, factsAnnotation } from '../report/facts.js';
import { ChunkPool, LineWriter } from '../sinks/line-writer.js';
import { prettyFormatter } from '../sinks/pretty.js';
import { StrictStop } from './errors.js';
import { LineProcessor } from './line-processor.js';
import type { RegionResult, WorkerSetup } from './worker-pool.js';

// Collects the chunks, which are handed on, not written: they come back to `pool` (if ever) from the thread that writes them.
function memoryWriter(chunks: Buffer[], pool: ChunkPool): LineWriter {
  const collector = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return new LineWriter(collector, { pool, collecting: true });
}

/** The chunks written so far. */
function take(writer: LineWriter | undefined, chunks: Buffer[]): Buffer[] {
  writer?.flush();
  return chunks.splice(0);
}

export interface RegionJob {
  /** Treats a region's lines exactly as the main thread's own run would. */
  run(region: Buffer): RegionResult;
  /** Annotates (and counts) the regions from now on with this table (a catalog reload). */
  useCatalog(catalog: Catalog): void;
}

export function createRegionJob(setup: WorkerSetup, pool: ChunkPool): RegionJob {
  const outputChunks: Buffer[] = [];
  const deadLetterChunks: Buffer[] = [];
  const output = setup.output ? memoryWriter(outputChunks, pool) : undefined;
  const deadLetter = setup.deadLetter ? memoryWriter(deadLetterChunks, pool) : undefined;
  const catalog = setup.catalog ? Catalog.withSite(setup.catalog) : Catalog.vendor;
  const reading = setup.report ? factsAnnotation(setup.report) : { recordPaths: labelPaths(setup.labels) };
  const annotator = createAnnotator({ key: setup.key, fields: setup.fields, durationFields: setup.durationFields, builtinFields: setup.builtinFields, ...reading, catalog });
  const recorder = setup.report ? new FactsRecorder(setup.report) : setup.counting ? new LineCountsRecorder(setup.labels, annotator) : undefined;
  const options = {
    annotator,
    maxLineBytes: setup.maxLineBytes,
    strict: setup.strict,
    output,
    format: setup.format === 'pretty' ? prettyFormatter(setup.colour, annotator) : undefined,
    deadLetter,
    observer: recorder,
    readers: setup.readers,
    envelopeTimes: setup.report !== undefined,
  };
  const run = (region: Buffer): RegionResult => {
    const processor = new LineProcessor(options, 'region');
    const splitter = processor.splitter();
    let strictStop: RegionResult['strictStop'];
    try {
      splitter.push(region);
      splitter.end();
    } catch (error) {
      if (!(error instanceof StrictStop)) throw error;
      strictStop = { line: error.location.line, reason: error.reason };
    }
    return {
      output: take(output, outputChunks),
      deadLetter: take(deadLetter, deadLetterChunks),
      lines: processor.lineNumber,
      survey: processor.endSurvey(),
      ...(recorder ? { observed: recorder.take() } : {}),
      ...(strictStop ? { strictStop } : {}),
    };
  };
  return { run, useCatalog: (next) => annotator.useCatalog(next) };
}
