import { mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/catalog/catalog.js';
import { CatalogReloader, CatalogReloads, loadCatalogFile } from '../../src/catalog/reloader.js';
import { waitFor } from '../helpers/tools.js';

let dir: string;
let reloader: CatalogReloader | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-reloader-'));
});
afterEach(() => {
  reloader?.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (description: string) => `entries: [{kind: failure, code: 13, description: ${description}}]\n`;

/** Replaces the file the way editors and ConfigMaps do: a new file renamed over the old one. */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

async function start(path: string, pollMs = 60_000) {
  const applied: Catalog[] = [];
  const said: string[] = [];
  const stats = new CatalogReloads();
  const loaded = await loadCatalogFile(path);
  reloader = new CatalogReloader({
    path,
    hash: loaded.hash,
    stats,
    apply: ({ catalog }) => applied.push(catalog),
    warn: (line) => said.push(line),
    pollMs,
    settleMs: 20,
  });
  await reloader.start();
  const descriptions = () => applied.map((catalog) => catalog.lookup('failure', 13).description);
  return { stats, said, descriptions };
}

/** A sleep, the point of the checks that use it: nothing is reloaded in 300 ms (several polls). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('CatalogReloader', () => {
  it('reloads a file replaced by rename, noticed by the watch on its directory', async () => {
    const path = join(dir, 'catalog.yaml');
    writeFileSync(path, file('first'));
    const { stats, said, descriptions } = await start(path);
    replace(path, file('second'));
    await waitFor('the reload', async () => (descriptions().length > 0 ? true : undefined), 5000);
    expect(descriptions()).toEqual(['second']);
    expect([stats.success, stats.failure, stats.lastSuccessful]).toEqual([1, 0, true]);
    expect(said).toEqual([`--catalog ${path}: reloaded, 1 site entries in force`]);
  });

  it('notices a change by its poll where no watch event comes', async () => {
    // The path is a link to a file elsewhere: what happens there sends the watched directory no event.
    const other = mkdtempSync(join(tmpdir(), 'hidlog-reloader-other-'));
    try {
      const path = join(dir, 'catalog.yaml');
      writeFileSync(join(other, 'real.yaml'), file('first'));
      symlinkSync(join(other, 'real.yaml'), path);
      const { descriptions } = await start(path, 100);
      replace(join(other, 'real.yaml'), file('polled'));
      await waitFor('the reload', async () => (descriptions().length > 0 ? true : undefined), 5000);
      expect(descriptions()).toEqual(['polled']);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('reloads nothing for a file touched or saved again unchanged', async () => {
    const path = join(dir, 'catalog.yaml');
    writeFileSync(path, file('first'));
    const { stats, descriptions } = await start(path);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    replace(path, file('first'));
    await settle();
    expect(descriptions()).toEqual([]);
    expect([stats.success, stats.failure]).toEqual([0, 0]);
  });

  it('keeps the table in force when the new file is bad, says so in one line, and counts it', async () => {
    const path = join(dir, 'catalog.yaml');
    writeFileSync(path, file('first'));
    const { stats, said, descriptions } = await start(path);
    const before = stats.lastSuccessSeconds;
    replace(path, 'entries: [{kind: failure, code: 13, category: lockout}]\n');
    await waitFor('the failed reload', async () => (stats.failure > 0 ? true : undefined), 5000);
    expect(descriptions()).toEqual([]);
    expect([stats.success, stats.failure, stats.lastSuccessful, stats.lastSuccessSeconds]).toEqual([0, 1, false, before]);
    expect(said).toEqual([
      `--catalog ${path}: reload failed, keeping the table in force: line 1: entries[0] (failure 13): category "lockout" is neither one of hidlog's failure categories nor one the file adds under categories.failure`,
    ]);
    replace(path, file('fixed'));
    await waitFor('the good reload', async () => (descriptions().length > 0 ? true : undefined), 5000);
    expect(descriptions()).toEqual(['fixed']);
    expect([stats.success, stats.failure, stats.lastSuccessful]).toEqual([1, 1, true]);
    expect(stats.lastSuccessSeconds).toBeGreaterThan(before);
  });

  it('counts a missing file as a failed reload, and reloads it when it is back', async () => {
    const path = join(dir, 'catalog.yaml');
    writeFileSync(path, file('first'));
    const { stats, said, descriptions } = await start(path);
    rmSync(path);
    await waitFor('the failed reload', async () => (stats.failure > 0 ? true : undefined), 5000);
    expect(said[0]).toBe(`--catalog ${path}: reload failed, keeping the table in force: cannot read: no such file`);
    writeFileSync(path, file('first'));
    await waitFor('the reload', async () => (descriptions().length > 0 ? true : undefined), 5000);
    expect(descriptions()).toEqual(['first']);
  });

  it('reloads when asked (SIGHUP), even a file that did not change', async () => {
    const path = join(dir, 'catalog.yaml');
    writeFileSync(path, file('first'));
    const { stats, descriptions } = await start(path);
    await reloader!.reload();
    await reloader!.reload();
    expect(descriptions()).toEqual(['first', 'first']);
    expect(stats.success).toBe(2);
  });
});
