import { STATUS_CODES } from 'node:http';
import { UNKNOWN_CATEGORY, type HttpCategory } from './categories.js';
import { HID_ERRORS, HID_FAILURES, HID_RESPONSES, HTTP_STATUSES } from './entries.js';

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
}

export function httpClass(code: number): HttpCategory {
  if (code < 200) return 'informational';
  if (code < 300) return 'success';
  if (code < 400) return 'redirection';
  if (code < 500) return 'client_error';
  return 'server_error';
}

function buildCatalog(): Map<CodeKind, Map<number, CatalogEntry>> {
  const byKind = new Map<CodeKind, Map<number, CatalogEntry>>(CODE_KINDS.map((kind) => [kind, new Map()]));
  const add = (entry: CatalogEntry) => byKind.get(entry.kind)!.set(entry.code, entry);

  // The vendor documents only its error statuses; every other standard status gets its reason phrase.
  for (const [code, phrase] of Object.entries(STATUS_CODES)) {
    const status = Number(code);
    if (phrase && status >= 100 && status <= 599) {
      add({ kind: 'http', code: status, label: phrase.toUpperCase(), category: httpClass(status), description: phrase, known: true });
    }
  }
  for (const entry of HTTP_STATUSES) add({ kind: 'http', ...entry, known: true });
  for (const entry of HID_ERRORS) add({ kind: 'error', ...entry, known: true });
  for (const entry of HID_FAILURES) add({ kind: 'failure', ...entry, known: true });
  for (const entry of HID_RESPONSES) add({ kind: 'response', ...entry, known: true });
  return byKind;
}

const CATALOG = buildCatalog();

/** The catalog's entry for a code, or an entry marked `known: false` when the code is not in it. */
export function lookup(kind: CodeKind, code: number): CatalogEntry {
  return (
    CATALOG.get(kind)!.get(code) ?? {
      kind,
      code,
      category: kind === 'http' ? httpClass(code) : UNKNOWN_CATEGORY,
      description: '',
      known: false,
    }
  );
}

export function isKnown(kind: CodeKind, code: number): boolean {
  return CATALOG.get(kind)!.has(code);
}

/** Every entry of one kind (or of all kinds), sorted by kind then code. */
export function catalogEntries(kind?: CodeKind): CatalogEntry[] {
  const kinds = kind ? [kind] : CODE_KINDS;
  return kinds.flatMap((k) => [...CATALOG.get(k)!.values()].sort((a, b) => a.code - b.code));
}
