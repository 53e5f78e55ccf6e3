// A worker thread: annotates regions of whole lines sent by WorkerPool and sends back the
// output bytes and what its recorder observed.
import { parentPort, workerData } from 'node:worker_threads';
import { Catalog } from '../catalog/catalog.js';
import { ChunkPool } from '../sinks/line-writer.js';
import type { RegionWorkerData, ToWorker } from '../pipeline/worker-messages.js';
import { createRegionJob, type WorkerSetup } from './region-job.js';

const { setup, finished, index } = workerData as RegionWorkerData<WorkerSetup>;
// Output chunks the main thread has written come back with the next regions.
const pool = new ChunkPool(32);
const job = createRegionJob(setup, pool);

// Each LineWriter chunk owns its memory, so it can be transferred rather than copied.
function ownsItsMemory(chunk: Uint8Array): boolean {
  return chunk.byteOffset === 0 && !(chunk.buffer instanceof SharedArrayBuffer);
}

parentPort!.on('message', (message: ToWorker) => {
  // Messages come in the order sent: the regions sent before a reload are annotated with the old table.
  if ('catalog' in message) {
    job.useCatalog(message.catalog ? Catalog.withSite(message.catalog) : Catalog.vendor);
    return;
  }
  const { id, region, spares } = message;
  for (const spare of spares) pool.give(spare);
  const result = job.run(Buffer.from(region.buffer, region.byteOffset, region.byteLength));
  Atomics.add(finished, index, 1);
  // Output and dead letters were copied into chunks (a collecting LineWriter): the region's
  // memory goes back to be filled again.
  const regionMemory = region.buffer as ArrayBuffer;
  const transfer = [...result.output, ...result.deadLetter].filter(ownsItsMemory).map((chunk) => chunk.buffer as ArrayBuffer);
  parentPort!.postMessage({ id, ...result, regionMemory }, [...new Set([...transfer, regionMemory])]);
});
