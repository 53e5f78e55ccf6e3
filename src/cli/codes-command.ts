import { catalogEntries, CODE_KINDS, isKnown, lookup, type CatalogEntry, type CodeKind } from '../catalog/catalog.js';
import { UsageError } from './options.js';

function jsonEntry(entry: CatalogEntry) {
  const { kind, code, label, description, category } = entry;
  return label === undefined ? { kind, code, description, category } : { kind, code, label, description, category };
}

function table(entries: readonly CatalogEntry[]): string {
  const rows = entries.map((e) => [e.kind, String(e.code), e.category, e.label ? `${e.label}: ${e.description}` : e.description]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ')).join('\n');
}

/** `hidlog codes`: the catalog, optionally one kind or one category, as a table or JSON. */
export function codesCommand(args: { kind?: CodeKind | undefined; category?: string | undefined; json: boolean }): string {
  let entries = catalogEntries(args.kind);
  if (args.category !== undefined) {
    entries = entries.filter((entry) => entry.category === args.category);
    if (entries.length === 0) {
      throw new UsageError(`--category ${args.category}: no ${args.kind ? `${args.kind} ` : ''}code has this category`);
    }
  }
  return args.json ? JSON.stringify(entries.map(jsonEntry), null, 2) : table(entries);
}

/** `hidlog explain CODE`: what the code means in each kind that has it; undefined when none does. */
export function explainCommand(args: { code: number; kind?: CodeKind | undefined }): string | undefined {
  const kinds = args.kind ? [args.kind] : CODE_KINDS;
  const known = kinds.filter((kind) => isKnown(kind, args.code)).map((kind) => lookup(kind, args.code));
  return known.length > 0 ? table(known) : undefined;
}
