import { CODE_KINDS, type Catalog, type CatalogEntry, type CodeKind } from '../catalog/catalog.js';
import { loadRunCatalog, type CatalogOptions } from './catalog-session.js';
import { printAnswer } from './print-answer.js';
import { Refusal } from './refusal.js';

export interface CodesOptions extends CatalogOptions {
  kind?: CodeKind | undefined;
  category?: string | undefined;
  json: boolean;
}

export interface ExplainOptions extends CatalogOptions {
  code: number;
  /** The code as typed, for messages. */
  typed: string;
  kind?: CodeKind | undefined;
}

const SITE_MARK = '[site]';
const REPLACED_MARK = "[replaced by the site's]";

function jsonEntry(entry: CatalogEntry) {
  const { kind, code, label, description, category, site } = entry;
  return { kind, code, ...(label === undefined ? {} : { label }), description, category, ...(site ? { site } : {}) };
}

/** Rows of kind, code, category and description, in columns; a mark after the description where a row has one. */
function table(rows: readonly { entry: CatalogEntry; mark?: string | undefined }[]): string {
  const cells = rows.map(({ entry: e }) => [e.kind, String(e.code), e.category, e.label ? `${e.label}: ${e.description}` : e.description]);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells
    .map((row, i) => {
      const mark = rows[i]!.mark;
      const columns = row.map((cell, column) => (column < 3 || mark ? cell.padEnd(widths[column]!) : cell));
      return [...columns, ...(mark ? [mark] : [])].join('  ');
    })
    .join('\n');
}

/** `hidlog codes`: prints the catalog, optionally one kind or one category, as a table or JSON. */
export async function codes(options: CodesOptions): Promise<number> {
  const { catalog } = await loadRunCatalog(options);
  printAnswer(codesText({ ...options, catalog }) + '\n');
  return 0;
}

/** `hidlog explain CODE`: prints what the code means; exit 1 when no kind has it. */
export async function explain(options: ExplainOptions): Promise<number> {
  const { catalog } = await loadRunCatalog(options);
  const explained = explainText({ ...options, catalog });
  if (explained === undefined) {
    process.stderr.write(`hidlog: ${options.typed} is not in the catalog${options.kind ? ` as ${options.kind}` : ''}\n`);
    return 1;
  }
  printAnswer(explained + '\n');
  return 0;
}

/** The catalog, optionally one kind or one category, as a table or JSON. */
function codesText(args: { kind?: CodeKind | undefined; category?: string | undefined; json: boolean; catalog: Catalog }): string {
  let entries = args.catalog.entries(args.kind);
  if (args.category !== undefined) {
    entries = entries.filter((entry) => entry.category === args.category);
    if (entries.length === 0) {
      throw new Refusal(`--category ${args.category}: no ${args.kind ? `${args.kind} ` : ''}code has this category`);
    }
  }
  return args.json ? JSON.stringify(entries.map(jsonEntry), null, 2) : table(entries.map((entry) => ({ entry, mark: entry.site && SITE_MARK })));
}

/**
 * What the code means in each kind that has it; undefined when none does.
 * The site's entries are marked, each followed by the vendor's entry it replaces, and the
 * meaning of a category the site added is given below.
 */
function explainText(args: { code: number; kind?: CodeKind | undefined; catalog: Catalog }): string | undefined {
  const { catalog, code } = args;
  const kinds = (args.kind ? [args.kind] : CODE_KINDS).filter((kind) => catalog.isKnown(kind, code));
  if (kinds.length === 0) return undefined;
  const rows = kinds.flatMap((kind) => {
    const entry = catalog.lookup(kind, code);
    if (!entry.site) return [{ entry }];
    const replaced = catalog.vendorEntry(kind, code);
    return [{ entry, mark: SITE_MARK }, ...(replaced ? [{ entry: replaced, mark: REPLACED_MARK }] : [])];
  });
  const siteCategories = kinds
    .map((kind) => ({ kind, slug: catalog.lookup(kind, code).category }))
    .filter(({ kind, slug }) => catalog.isSiteCategory(kind, slug))
    .map(({ kind, slug }) => `${slug} (a site category of ${kind} codes): ${catalog.categories(kind)[slug]}`);
  return [table(rows), ...siteCategories].join('\n');
}
