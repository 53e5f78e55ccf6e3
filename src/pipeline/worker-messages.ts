// What the main thread and a worker thread of a WorkerPool say to each other, whatever the job.
import type { Catalog, SiteCatalog } from '../catalog/catalog.js';
import type { ChunkPool } from '../sinks/line-writer.js';
import type { SurveyCounts } from './input-survey.js';

/** A region to annotate, or a new table to annotate the next ones with (undefined: the vendor's). */
export type ToWorker = { id: number; region: Uint8Array; spares: ArrayBuffer[] } | { catalog: SiteCatalog | undefined };

/** What each worker thread is started with: the job's setup; `finished[index]` is its count of regions done. */
export interface RegionWorkerData<Setup> {
  setup: Setup;
  finished: Int32Array;
  index: number;
}

/** What a worker made of one region of whole lines. */
export interface RegionResult {
  output: Uint8Array[];
  deadLetter: Uint8Array[];
  lines: number;
  /** What the input's notice is judged on (input-survey.ts). */
  survey: SurveyCounts;
  /** What the setup's recorder took (LineCounts, or a report's facts), for the main thread's observer. */
  observed?: unknown;
  /** Under --strict: the first bad line, counted from the region's start. */
  strictStop?: { line: number; reason: string };
}

/** One region of whole lines treated into memory: the job of every worker thread, and of the main thread when it takes its share. */
export interface RegionJob {
  /** Treats a region's lines exactly as the main thread's own run would. */
  run(region: Buffer): RegionResult;
  /** Treats the regions from now on with this table (a catalog reload). */
  useCatalog(catalog: Catalog): void;
}

/** The job a pool runs: the module its worker threads start from (which makes the same job of the setup), and the job for this thread. */
export interface PoolJob<Setup> {
  workerUrl: URL;
  create(setup: Setup, chunks: ChunkPool): RegionJob;
}
