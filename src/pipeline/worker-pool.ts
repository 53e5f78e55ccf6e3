import { Worker } from 'node:worker_threads';
import type { Catalog, SiteCatalog } from '../catalog/catalog.js';
import { ChunkPool } from '../sinks/line-writer.js';
import type { PoolJob, RegionJob, RegionResult, RegionWorkerData, ToWorker } from './worker-messages.js';

interface Job {
  resolve: (result: RegionResult) => void;
  reject: (error: Error) => void;
}

// Regions waiting in a worker's queue before the main thread takes one itself: enough that
// the worker never waits while the main thread annotates a region of its own.
const QUEUED_PER_WORKER = 2;

// A region smaller than this (the line a chunk completes, most often) costs more to send than to
// annotate here, and would hold a place in a worker's queue (measured: half of all regions).
const LEAST_SENT_BYTES = 16 * 1024;

// Written output chunks kept for reuse, and how many go back to a worker with each region (a
// region's output takes about ten).
const SPARE_CHUNKS = 64;
const SPARES_PER_REGION = 12;

// Region memory kept for reuse, and the least size of each (regions are about a read chunk long).
const SPARE_REGIONS = 8;
const REGION_MEMORY_BYTES = 1024 * 1024 + 64 * 1024;

/**
 * Threads that annotate regions of lines: worker threads, and the main thread when every worker
 * has enough queued (so N threads in all keep N cores busy, and no core is shared by three).
 * Each result comes back to the promise of its region, so the caller writes them in input order.
 */
export class WorkerPool {
  private readonly jobs = new Map<number, Job>();
  private readonly sent: number[];
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;
  /** Regions this (the main) thread annotated itself. */
  annotatedHere = 0;
  // Memory of regions the workers are done with, to copy the next regions into.
  private readonly regionMemory: ArrayBuffer[] = [];

  private constructor(
    private readonly workers: Worker[],
    // Regions each worker has finished, counted by the worker itself: read while this thread is
    // busy, when the 'message' events that bring the results have not been handled yet.
    private readonly finished: Int32Array,
    // Output chunks written out, for this thread's own regions or to send back to a worker.
    private readonly chunks: ChunkPool,
    private readonly here: RegionJob,
  ) {
    this.sent = workers.map(() => 0);
    workers.forEach((worker) => {
      worker.on('message', ({ regionMemory, ...message }: RegionResult & { id: number; regionMemory: ArrayBuffer }) => {
        if (this.regionMemory.length < SPARE_REGIONS) this.regionMemory.push(regionMemory);
        const job = this.jobs.get(message.id);
        this.jobs.delete(message.id);
        job?.resolve(message);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`a worker thread stopped with exit code ${code}`));
      });
    });
  }

  /** `threads` threads in all running `job` made of `setup`: the main one and `threads - 1` workers. */
  static start<Setup>(threads: number, setup: Setup, job: PoolJob<Setup>): WorkerPool {
    const finished = new Int32Array(new SharedArrayBuffer(4 * (threads - 1)));
    const workers = Array.from({ length: threads - 1 }, (_, index) => {
      const workerData: RegionWorkerData<Setup> = { setup, finished, index };
      // A smaller young generation than V8's default keeps the isolates' memory down (measured: 234 -> 217 MB peak on 1M lines) at no cost in time.
      return new Worker(job.workerUrl, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
    });
    const chunks = new ChunkPool(SPARE_CHUNKS);
    return new WorkerPool(workers, finished, chunks, job.create(setup, chunks));
  }

  /** Worker threads, the main thread not counted. */
  get size(): number {
    return this.workers.length;
  }

  submit(region: Buffer): Promise<RegionResult> {
    if (this.failure) return Promise.reject(this.failure);
    let index = 0;
    let least = Infinity;
    for (let i = 0; i < this.workers.length; i++) {
      const queued = this.sent[i]! - Atomics.load(this.finished, i);
      if (queued < least) [index, least] = [i, queued];
    }
    if (least >= QUEUED_PER_WORKER || region.length < LEAST_SENT_BYTES) {
      this.annotatedHere++;
      return Promise.resolve(this.here.run(region));
    }
    this.sent[index]!++;
    const id = this.nextId++;
    const sent = this.copyOf(region);
    const result = new Promise<RegionResult>((resolve, reject) => this.jobs.set(id, { resolve, reject }));
    const spares = this.chunks.takeSpares(SPARES_PER_REGION).map((spare) => spare.buffer as ArrayBuffer);
    const message: ToWorker = { id, region: sent, spares };
    this.workers[index]!.postMessage(message, [sent.buffer as ArrayBuffer, ...spares]);
    return result;
  }

  /**
   * Every thread annotates the regions submitted from now on with `catalog` (made from `site`):
   * this one at once, each worker after the regions it was sent before.
   */
  useCatalog(site: SiteCatalog | undefined, catalog: Catalog): void {
    this.here.useCatalog(catalog);
    if (this.closed) return;
    const message: ToWorker = { catalog: site };
    for (const worker of this.workers) worker.postMessage(message);
  }

  /** A copy of the region (a view into a read chunk) to transfer: in memory a worker is done with, if one is big enough. */
  private copyOf(region: Buffer): Uint8Array {
    const at = this.regionMemory.findIndex((memory) => memory.byteLength >= region.length);
    const memory = at === -1 ? new ArrayBuffer(Math.max(region.length, REGION_MEMORY_BYTES)) : this.regionMemory.splice(at, 1)[0]!;
    const copy = new Uint8Array(memory, 0, region.length);
    copy.set(region);
    return copy;
  }

  /** An output chunk of a result, now written: its memory serves again. */
  recycle(chunk: Uint8Array): void {
    this.chunks.give(chunk);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
  }
}
