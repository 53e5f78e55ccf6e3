// A worker thread: annotates regions of whole lines sent by WorkerPool and sends back the
// output bytes and the counts.
import { parentPort, workerData } from 'node:worker_threads';
import { createRegionJob } from './region-job.js';
import type { RegionWorkerData } from './worker-pool.js';

const { setup, finished, index } = workerData as RegionWorkerData;
const annotateRegion = createRegionJob(setup);

// Each LineWriter chunk owns its memory, so it can be transferred rather than copied.
function ownsItsMemory(chunk: Uint8Array): boolean {
  return chunk.byteOffset === 0 && chunk.buffer.byteLength >= chunk.byteLength && !(chunk.buffer instanceof SharedArrayBuffer);
}

parentPort!.on('message', ({ id, region }: { id: number; region: Uint8Array }) => {
  const result = annotateRegion(Buffer.from(region.buffer, region.byteOffset, region.byteLength));
  Atomics.add(finished, index, 1);
  const transfer = [...result.output, ...result.deadLetter].filter(ownsItsMemory).map((chunk) => chunk.buffer as ArrayBuffer);
  parentPort!.postMessage({ id, ...result }, [...new Set(transfer)]);
});
