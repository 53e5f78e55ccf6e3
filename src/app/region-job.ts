// The job of hidlog's WorkerPool: one region of whole lines annotated into memory, counted for the
// metrics or taken for a report, by every worker thread and by the main thread when it takes its share.
import { Writable } from 'node:stream';
import { Catalog } from '../catalog/catalog.js';
import { createAnnotator } from '../core/annotate.js';
import { LineCountsRecorder, labelPaths } from '../count/tally.js';
import { FactsRecorder, factsAnnotation } from '../report/facts.js';
import { ChunkPool, LineWriter } from '../sinks/line-writer.js';
import { prettyFormatter } from '../sinks/pretty.js';
import type { DurationField } from '../core/duration.js';
import type { FieldPaths } from '../core/extract.js';
import type { EnvelopeReaders } from '../envelopes/formats.js';
import type { SiteCatalog } from '../catalog/catalog.js';
import type { RecordLabel } from '../count/tally.js';
import type { FactsSetup } from '../report/facts.js';
import { StrictStop } from '../pipeline/errors.js';
import { LineProcessor } from '../pipeline/line-processor.js';
import type { PoolJob, RegionJob, RegionResult } from '../pipeline/worker-messages.js';

/** Everything a worker needs to treat lines exactly as the main thread would. */
export interface WorkerSetup {
  key: string;
  fields: FieldPaths;
  durationFields: readonly DurationField[];
  builtinFields: boolean;
  format: 'ndjson' | 'pretty';
  colour: boolean;
  strict: boolean;
  maxLineBytes: number;
  output: boolean;
  deadLetter: boolean;
  /** Whether to count for metrics, with these record labels. */
  counting: boolean;
  labels: readonly RecordLabel[];
  /** The site's catalog file, validated; undefined for the vendor's table alone. */
  catalog?: SiteCatalog | undefined;
  /** For a report: what to take of each line, instead of counting. */
  report?: FactsSetup | undefined;
  /** The envelopes read around records (`--input-format`). */
  readers?: EnvelopeReaders | undefined;
}

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

export function createRegionJob(setup: WorkerSetup, pool: ChunkPool): RegionJob {
  const outputChunks: Buffer[] = [];
  const deadLetterChunks: Buffer[] = [];
  const output = setup.output ? memoryWriter(outputChunks, pool) : undefined;
  const deadLetter = setup.deadLetter ? memoryWriter(deadLetterChunks, pool) : undefined;
  const catalog = setup.catalog ? Catalog.withSite(setup.catalog) : Catalog.vendor;
  const reading = setup.report ? factsAnnotation(setup.report) : { recordPaths: labelPaths(setup.labels) };
  const annotator = createAnnotator({
    key: setup.key,
    fields: setup.fields,
    durationFields: setup.durationFields,
    builtinFields: setup.builtinFields,
    ...reading,
    catalog,
  });
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

/** The pool's job: worker threads start from region-worker.ts, which makes the same job of the setup. */
export const REGION_JOB: PoolJob<WorkerSetup> = { workerUrl: new URL('./region-worker.js', import.meta.url), create: createRegionJob };
