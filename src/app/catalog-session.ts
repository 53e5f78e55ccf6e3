// --catalog FILE for every command: one option, one loader call; and, in the runs that go on
// (follow mode, a served /metrics), the reload that keeps the table current.
import { Catalog, CatalogError } from '../catalog/catalog.js';
// The loader and reloader (node:crypto, fs.watch, SIGHUP) are loaded by runs with a catalog file only.
import type { CatalogReloads, LoadedCatalog } from '../catalog/reloader.js';
import type { Annotator } from '../core/annotate.js';
import type { MetricsTally } from '../count/tally.js';
import type { WorkerPool } from '../pipeline/worker-pool.js';
import { warn } from './warn.js';
import { Refusal } from './refusal.js';

export interface CatalogOptions {
  /** `--catalog FILE`. */
  catalog?: string | undefined;
}

/** The table a run starts with, and the file it came from. */
export interface RunCatalog extends LoadedCatalog {
  file?: { path: string; hash: string } | undefined;
}

// How often the file is looked at when fs.watch is silent, and how long it must hold still to be read.
const POLL_MS = 1000;
const SETTLE_MS = 150;

/** The vendor's table, or the vendor's with `--catalog FILE` laid over it; a bad file is one line naming the entry (exit 2). */
export async function loadRunCatalog(options: CatalogOptions): Promise<RunCatalog> {
  const path = options.catalog;
  if (path === undefined) return { catalog: Catalog.vendor };
  try {
    const { site, catalog, hash } = await (await import('../catalog/reloader.js')).loadCatalogFile(path);
    return { site, catalog, file: { path, hash } };
  } catch (error) {
    if (error instanceof CatalogError) throw new Refusal(`--catalog ${path}: ${error.message}`, false);
    throw error;
  }
}

/** Everything in a run that holds the table: a reload switches them all in one go, between two lines. */
export interface CatalogUsers {
  annotator: Annotator;
  tally?: MetricsTally | undefined;
  workers?: WorkerPool | undefined;
}

/** Reloads the run's --catalog file on SIGHUP and when it changes, until the returned function is called. */
export async function reloadWhileRunning(loaded: RunCatalog, stats: CatalogReloads, users: CatalogUsers): Promise<() => void> {
  if (!loaded.file) return () => undefined;
  const { CatalogReloader } = await import('../catalog/reloader.js');
  const reloader = new CatalogReloader({
    ...loaded.file,
    stats,
    warn,
    pollMs: POLL_MS,
    settleMs: SETTLE_MS,
    apply: ({ site, catalog }) => {
      users.annotator.useCatalog(catalog);
      users.tally?.useCatalog(catalog);
      users.workers?.useCatalog(site, catalog);
    },
  });
  await reloader.start();
  const stopHearing = (await import('./signals.js')).onHangup(() => void reloader.reload());
  return () => {
    stopHearing();
    reloader.close();
  };
}
