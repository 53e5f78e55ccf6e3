// The site's catalog file on disk: loaded at start, and reloaded while a long run goes on, when
// asked (SIGHUP) or when the file changes. A new table is validated whole and handed over whole;
// a bad one leaves the table in force and is said in one line.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../common/error-text.js';
import { fileStamp } from '../common/file-stamps.js';
import { ReloadOnChange } from '../common/reload-on-change.js';
import { Catalog, CatalogError, type SiteCatalog } from './catalog.js';

/** A table and where it came from. */
export interface LoadedCatalog {
  catalog: Catalog;
  /** The validated file, undefined for the vendor's table alone. */
  site?: SiteCatalog | undefined;
}

export interface FileRead extends LoadedCatalog {
  site: SiteCatalog;
  /** SHA-256 of the text, to tell a changed file from one only touched. */
  hash: string;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

// The YAML parser is loaded only by runs with a catalog file (it costs a plain run ~30 ms).
async function parseSiteCatalog(text: string): Promise<SiteCatalog> {
  return (await import('./site-catalog.js')).parseSiteCatalog(text);
}

async function readCatalogFile(path: string): Promise<{ text: string; hash: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CatalogError(`cannot read: ${describeError(error)}`);
  }
  return { text, hash: hashOf(text) };
}

/** Reads and validates a catalog file; a CatalogError says in one line what is wrong and where. */
export async function loadCatalogFile(path: string): Promise<FileRead> {
  const { text, hash } = await readCatalogFile(path);
  const site = await parseSiteCatalog(text);
  return { site, catalog: Catalog.withSite(site), hash };
}

/** How reloads went, for /metrics. */
export class CatalogReloads {
  success = 0;
  failure = 0;
  /** When the table in force was loaded: at start, or at the last successful reload. */
  lastSuccessSeconds = Date.now() / 1000;
  lastSuccessful = true;
}

export interface ReloaderOptions {
  path: string;
  /** The hash of the text in force now (FileRead.hash). */
  hash: string;
  stats: CatalogReloads;
  /** Puts a new, valid table in force. */
  apply: (next: LoadedCatalog) => void;
  warn: (message: string) => void;
  /** How often the file is looked at besides fs.watch's events (which some filesystems never send). */
  pollMs: number;
  /** How long the file must stay unchanged before it is read: a file still being written is not. */
  settleMs: number;
}

/**
 * Notices changes by fs.watch on the file's directory and a slower poll, each followed by a cheap
 * stat (common/reload-on-change.ts); the file is read only when its identity, size or times
 * changed and then held still for `settleMs`, and the table swapped only when its text changed.
 */
export class CatalogReloader {
  private changes: ReloadOnChange | undefined;
  // The hash of the text last read (valid or not).
  private hash: string | undefined;
  // Reloads run one at a time; one asked for meanwhile runs after.
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ReloaderOptions) {
    this.hash = options.hash;
  }

  async start(): Promise<void> {
    const { path, pollMs, settleMs } = this.options;
    this.changes = new ReloadOnChange({ stamp: () => fileStamp(path), reload: () => this.queue(false), settleMs }, await fileStamp(path));
    if (this.closed) return;
    this.changes.start({ pollMs, directories: [dirname(path)] });
    // A change between the load at start and the first stamp would go unseen otherwise.
    await this.queue(false);
  }

  /** Reads the file again and swaps its table in if it is valid (SIGHUP): counted even when unchanged. */
  reload(): Promise<void> {
    return this.queue(true);
  }

  close(): void {
    this.closed = true;
    this.changes?.close();
  }

  private queue(asked: boolean): Promise<void> {
    this.running = this.running.then(() => (this.closed ? undefined : this.attempt(asked)));
    return this.running;
  }

  private async attempt(asked: boolean): Promise<void> {
    const { path, stats, warn } = this.options;
    let site: SiteCatalog;
    try {
      const { text, hash } = await readCatalogFile(path).catch((error: unknown) => {
        this.hash = undefined; // whatever comes back at the path is read anew
        throw error;
      });
      // A file touched, or saved again as it was: nothing to reload, unless asked to.
      if (!asked && hash === this.hash) return;
      this.hash = hash;
      site = await parseSiteCatalog(text);
    } catch (error) {
      stats.failure++;
      stats.lastSuccessful = false;
      warn(`--catalog ${path}: reload failed, keeping the table in force: ${error instanceof CatalogError ? error.message : describeError(error)}`);
      return;
    }
    this.options.apply({ site, catalog: Catalog.withSite(site) });
    stats.success++;
    stats.lastSuccessful = true;
    stats.lastSuccessSeconds = Date.now() / 1000;
    warn(`--catalog ${path}: reloaded, ${site.entries.length} site entries in force`);
  }
}
