import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
// The built pool: its worker threads run the built region-worker.js (`npm test` builds first).
import { WorkerPool, type RegionResult, type WorkerSetup } from '../../dist/pipeline/worker-pool.js';
import { createRegionJob } from '../../dist/pipeline/region-job.js';
import { ChunkPool } from '../../dist/sinks/line-writer.js';
import type { LineCounts } from '../../src/pipeline/events.js';
import { fixture } from '../helpers/cli.js';

const setup: WorkerSetup = {
  key: 'hid',
  fields: {},
  format: 'ndjson',
  colour: false,
  strict: false,
  maxLineBytes: 1 << 20,
  output: true,
  deadLetter: true,
  counting: true,
  labels: [{ name: 'tenant', path: ['tenant'] }],
};

const pool = WorkerPool.start(2, setup);
afterAll(() => pool.close());

const comparable = ({ id: _id, ...result }: RegionResult & { id?: number }) => ({ ...result, output: Buffer.concat(result.output).toString(), deadLetter: Buffer.concat(result.deadLetter).toString() });

describe('WorkerPool', () => {
  it('annotates in the worker and, when the worker has enough queued, in this thread: the same results either way', async () => {
    const lines = ['openid.ndjson', 'gateway.ndjson', 'hostile.ndjson', 'scim.ndjson'].map((name) => readFileSync(fixture(name)));
    const region = Buffer.concat(Array.from({ length: 200 }, (_, i) => lines[i % lines.length]!));
    // Submitted back to back: the first regions go to the idle worker; a worker cannot finish a
    // region of this size in the microseconds between submits, so the third is annotated here.
    const results = await Promise.all(Array.from({ length: 6 }, () => pool.submit(region)));
    const expected = comparable(createRegionJob(setup, new ChunkPool())(region));
    expect(expected.lines).toBe(region.toString('latin1').split('\n').length - 1);
    expect((expected.observed as LineCounts | undefined)?.results.annotated).toBeGreaterThan(1000);
    for (const result of results) expect(comparable(result)).toEqual(expected);
    expect(pool.annotatedHere).toBeGreaterThan(0);
    expect(pool.annotatedHere).toBeLessThan(6);
  });
});
