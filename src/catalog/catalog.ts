import { CATEGORIES_BY_KIND, UNKNOWN_CATEGORY, type HttpCategory } from './categories.js';
import { HID_ERRORS, HID_FAILURES, HID_RESPONSES, HTTP_STATUSES } from './entries.js';
import { HTTP_REASON_PHRASES } from './http-reasons.js';

export const CODE_KINDS = ['http', 'error', 'failure', 'response'] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

export interface CatalogEntry {
  kind: CodeKind;
  code: number;
  /** HTTP only: the upper-case reason, as the vendor prints it (`UNAUTHORIZED`). */
  label?: string;
  /** HTTP statuses from the vendor's table only: the methods that may answer with it. */
  methods?: string;
  category: string;
  description: string;
  /** false for a code hidlog has no description of. */
  known: boolean;
  /** true for an entry the site's catalog file added or changed (`--catalog`); absent for the vendor's. */
  site?: true;
}

/** What a site's catalog file (`--catalog`) says: validated, plain data (it crosses to worker threads). */
export interface SiteCatalog {
  /** Each adds a code, or changes the vendor's description, label or category of one. */
  entries: SiteEntry[];
  /** Category slugs the site adds, per kind, with their meaning. */
  categories: Partial<Record<CodeKind, Record<string, string>>>;
}

export interface SiteEntry {
  kind: CodeKind;
  code: number;
  description?: string;
  label?: string;
  category?: string;
}

/** What is wrong with a site's catalog file, in one line that names the place. */
export class CatalogError extends Error {}

export function httpClass(code: number): HttpCategory {
  if (code < 200) return 'informational';
  if (code < 300) return 'success';
  if (code < 400) return 'redirection';
  if (code < 500) return 'client_error';
  return 'server_error';
}

type Table = Map<CodeKind, Map<number, CatalogEntry>>;

const emptyTable = (): Table => new Map(CODE_KINDS.map((kind) => [kind, new Map()]));

function vendorTable(): Table {
  const table = emptyTable();
  const add = (entry: CatalogEntry) => table.get(entry.kind)!.set(entry.code, entry);

  // The vendor documents only its error statuses; every other standard status gets its reason phrase.
  for (const [code, phrase] of Object.entries(HTTP_REASON_PHRASES)) {
    const status = Number(code);
    add({ kind: 'http', code: status, label: phrase.toUpperCase(), category: httpClass(status), description: phrase, known: true });
  }
  for (const entry of HTTP_STATUSES) add({ kind: 'http', ...entry, known: true });
  for (const entry of HID_ERRORS) add({ kind: 'error', ...entry, known: true });
  for (const entry of HID_FAILURES) add({ kind: 'failure', ...entry, known: true });
  for (const entry of HID_RESPONSES) add({ kind: 'response', ...entry, known: true });
  return table;
}

/**
 * One table of codes, immutable: the vendor's, or the vendor's with a site's file laid over it.
 * A reload makes a new Catalog and swaps it in whole.
 */
export class Catalog {
  private readonly sorted = new Map<CodeKind, CatalogEntry[]>();

  private constructor(
    private readonly table: Table,
    private readonly siteCategories: SiteCatalog['categories'],
    /** The vendor's table, to tell what a site entry changed; undefined for the vendor's own. */
    private readonly base: Catalog | undefined,
  ) {}

  static readonly vendor = new Catalog(vendorTable(), {}, undefined);

  /** The vendor's table with a site's entries laid over it (a validated SiteCatalog: see site-catalog.ts). */
  static withSite(site: SiteCatalog): Catalog {
    const vendor = Catalog.vendor;
    const table: Table = new Map(CODE_KINDS.map((kind) => [kind, new Map(vendor.table.get(kind))]));
    for (const { kind, code, ...changes } of site.entries) {
      const entry: CatalogEntry = { ...vendor.lookup(kind, code), ...changes, known: true, site: true };
      table.get(kind)!.set(code, entry);
    }
    return new Catalog(table, site.categories, vendor);
  }

  /** The entry for a code, or an entry marked `known: false` when the code is not in the table. */
  lookup(kind: CodeKind, code: number): CatalogEntry {
    return (
      this.table.get(kind)!.get(code) ?? {
        kind,
        code,
        category: kind === 'http' ? httpClass(code) : UNKNOWN_CATEGORY,
        description: '',
        known: false,
      }
    );
  }

  isKnown(kind: CodeKind, code: number): boolean {
    return this.table.get(kind)!.has(code);
  }

  /** Every entry of one kind (or of all kinds), sorted by kind then code. */
  entries(kind?: CodeKind): CatalogEntry[] {
    const kinds = kind ? [kind] : CODE_KINDS;
    return kinds.flatMap((k) => {
      let entries = this.sorted.get(k);
      if (!entries) this.sorted.set(k, (entries = [...this.table.get(k)!.values()].sort((a, b) => a.code - b.code)));
      return entries;
    });
  }

  /** How many codes of a kind the table knows. */
  size(kind: CodeKind): number {
    return this.table.get(kind)!.size;
  }

  /** The category slugs of a kind and their meanings: hidlog's, then the site's. */
  categories(kind: CodeKind): Readonly<Record<string, string>> {
    return { ...CATEGORIES_BY_KIND[kind], ...this.siteCategories[kind] };
  }

  /** Whether a category slug is one the site's file added. */
  isSiteCategory(kind: CodeKind, slug: string): boolean {
    return Object.hasOwn(this.siteCategories[kind] ?? {}, slug);
  }

  /** The vendor's entry a site entry replaces, if it replaces one. */
  vendorEntry(kind: CodeKind, code: number): CatalogEntry | undefined {
    return this.base?.table.get(kind)!.get(code);
  }
}

// The vendor's table, for callers that pass no catalog (the library API of earlier versions).

/** The vendor's entry for a code, or an entry marked `known: false` when the code is not in it. */
export function lookup(kind: CodeKind, code: number): CatalogEntry {
  return Catalog.vendor.lookup(kind, code);
}

export function isKnown(kind: CodeKind, code: number): boolean {
  return Catalog.vendor.isKnown(kind, code);
}

/** Every entry of the vendor's table of one kind (or of all kinds), sorted by kind then code. */
export function catalogEntries(kind?: CodeKind): CatalogEntry[] {
  return Catalog.vendor.entries(kind);
}
