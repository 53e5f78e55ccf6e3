import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
// The built pool: its worker threads run the built region-worker.js (`npm test` builds first).
import { WorkerPool } from '../../dist/pipeline/worker-pool.js';
import type { RegionResult } from '../../dist/pipeline/worker-messages.js';
import { REGION_JOB, createRegionJob, type WorkerSetup } from '../../dist/app/region-job.js';
import { ChunkPool } from '../../dist/sinks/line-writer.js';
import { Catalog } from '../../dist/catalog/catalog.js';
import { parseSiteCatalog } from '../../dist/catalog/site-catalog.js';
import type { LineCounts } from '../../src/count/line-counts.js';
import { fixture } from '../helpers/cli.js';

const setup: WorkerSetup = {
  key: 'hid',
  fields: {},
  durationFields: [],
  builtinFields: true,
  format: 'ndjson',
  colour: false,
  strict: false,
  maxLineBytes: 1 << 20,
  output: true,
  deadLetter: true,
  counting: true,
  labels: [{ name: 'tenant', paths: [['tenant']] }],
};

const pool = WorkerPool.start(2, setup, REGION_JOB);
afterAll(() => pool.close());

const comparable = ({ id: _id, ...result }: RegionResult & { id?: number }) => ({
  ...result,
  output: Buffer.concat(result.output).toString(),
  deadLetter: Buffer.concat(result.deadLetter).toString(),
});

describe('WorkerPool', () => {
  it('annotates in the worker and, when the worker has enough queued, in this thread: the same results either way', async () => {
    const lines = ['openid.ndjson', 'gateway.ndjson', 'hostile.ndjson', 'scim.ndjson'].map((name) => readFileSync(fixture(name)));
    const region = Buffer.concat(Array.from({ length: 200 }, (_, i) => lines[i % lines.length]!));
    // Submitted back to back: the first regions go to the idle worker; a worker cannot finish a
    // region of this size in the microseconds between submits, so the third is annotated here.
    const results = await Promise.all(Array.from({ length: 6 }, () => pool.submit(region)));
    const expected = comparable(createRegionJob(setup, new ChunkPool()).run(region));
    expect(expected.lines).toBe(region.toString('latin1').split('\n').length - 1);
    expect((expected.observed as LineCounts | undefined)?.results.annotated).toBeGreaterThan(1000);
    for (const result of results) expect(comparable(result)).toEqual(expected);
    expect(pool.annotatedHere).toBeGreaterThan(0);
    expect(pool.annotatedHere).toBeLessThan(6);
  });
});

describe('WorkerPool, when the catalog is reloaded', () => {
  const site = parseSiteCatalog('entries: [{kind: failure, code: 13, description: Wrong password, category: limit_reached}]');
  const sitePool = WorkerPool.start(2, { ...setup, labels: [] }, REGION_JOB);
  afterAll(() => sitePool.close());
  // Large enough to be sent to the worker (small regions are annotated here).
  const region = Buffer.from('{"hid_failure":13}\n'.repeat(2000));
  const texts = (result: RegionResult) =>
    new Set(
      Buffer.concat(result.output)
        .toString()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).hid.failure.description),
    );
  const categories = (result: RegionResult) =>
    (result.observed as LineCounts).groups.flatMap((group) => group.codes.map(([, , times, , category]) => [category, times]));

  it('annotates the regions sent before it with the old table and those after with the new one, in every thread', async () => {
    const before = [sitePool.submit(region), sitePool.submit(region)]; // to the idle worker, in its queue
    sitePool.useCatalog(site, Catalog.withSite(site));
    const after = [sitePool.submit(region), sitePool.submit(region)];
    for (const result of await Promise.all(before)) {
      expect(texts(result)).toEqual(new Set(['The password does not match']));
      expect(categories(result)).toEqual([['credential_mismatch', 2000]]);
    }
    for (const result of await Promise.all(after)) {
      expect(texts(result)).toEqual(new Set(['Wrong password']));
      expect(categories(result)).toEqual([['limit_reached', 2000]]);
    }
    // The worker is idle again: the next region is its own, under the new table.
    const here = sitePool.annotatedHere;
    const worker = await sitePool.submit(region);
    expect(sitePool.annotatedHere).toBe(here);
    expect(texts(worker)).toEqual(new Set(['Wrong password']));
  });
});
