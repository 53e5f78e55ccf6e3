// The text of an annotation under one catalog: each code's part serialised once, and whole
// suffixes (what is spliced after a line's bytes) cached by the codes they carry. Both caches
// belong to the table, so a catalog swap replaces them in one assignment.
import type { Catalog, CodeKind } from '../catalog/catalog.js';
import { outcomeOf, type Outcome } from './outcome.js';
import type { FoundCodes } from './extract.js';

// The annotation part names; `http` is `status` in records, as users call it.
const PART_NAME: Record<CodeKind, string> = { http: 'status', error: 'error', failure: 'failure', response: 'response' };
const PART_ORDER: readonly CodeKind[] = ['http', 'error', 'failure', 'response'];

function partFragment(catalog: Catalog, kind: CodeKind, code: number): string {
  const entry = catalog.lookup(kind, code);
  const body: Record<string, unknown> = { code };
  if (!entry.known) body.known = false;
  if (entry.label !== undefined) body.label = entry.label;
  body.category = entry.category;
  if (entry.known) body.description = entry.description;
  return `"${PART_NAME[kind]}":${JSON.stringify(body)}`;
}

const MAX_CACHED_UNKNOWN = 10_000;

const MAX_CACHED_SUFFIXES = 10_000;

// A code (or none) as a number below `limit`: none is 0, codes from -1 up follow. Out of range: -1.
function slot(code: number | undefined, limit: number): number {
  if (code === undefined) return 0;
  const value = code + 2;
  return value > 0 && value < limit ? value : -1;
}

/**
 * Where a suffix is cached: two small integers made of the four codes (status and response,
 * error and failure), or undefined when a code is out of range.
 */
function suffixKeys(codes: FoundCodes): [number, number] | undefined {
  const h = slot(codes.http, 1 << 10);
  const e = slot(codes.error, 1 << 14);
  const f = slot(codes.failure, 1 << 14);
  const r = slot(codes.response, 1 << 8);
  if (h < 0 || e < 0 || f < 0 || r < 0) return undefined;
  return [(h << 8) | r, (e << 14) | f];
}

/** The annotation text of one catalog, for one annotation key. */
export interface AnnotationText {
  readonly catalog: Catalog;
  /** The annotation object as JSON: the parts of the codes found, then the outcome. */
  json(codes: FoundCodes, outcome: Outcome): string;
  /**
   * `,KEY:{…annotation…}}` for the given codes: what follows a line's bytes up to its closing
   * brace. The outcome follows from the codes (outcome.ts), so the codes alone key the cache.
   */
  suffix(codes: FoundCodes): Buffer;
}

export function createAnnotationText(catalog: Catalog, keyJson: string): AnnotationText {
  // Each code's annotation part is serialised once, the first time it is met.
  const fragments = new Map<CodeKind, Map<number, string>>(PART_ORDER.map((kind) => [kind, new Map()]));
  const fragment = (kind: CodeKind, code: number): string => {
    const cache = fragments.get(kind)!;
    let text = cache.get(code);
    if (text === undefined) {
      text = partFragment(catalog, kind, code);
      if (cache.size < MAX_CACHED_UNKNOWN) cache.set(code, text);
    }
    return text;
  };
  const json = (codes: FoundCodes, outcome: Outcome): string => {
    let text = '{';
    for (const kind of PART_ORDER) {
      const code = codes[kind];
      if (code !== undefined) text += fragment(kind, code) + ',';
    }
    return `${text}"outcome":"${outcome}"}`;
  };
  // Suffixes by the two numbers of suffixKeys.
  const suffixes = new Map<number, Map<number, Buffer>>();
  let cached = 0;
  const suffix = (codes: FoundCodes): Buffer => {
    const keys = suffixKeys(codes);
    let bytes = keys && suffixes.get(keys[0])?.get(keys[1]);
    if (bytes === undefined) {
      bytes = Buffer.from(`,${keyJson}:${json(codes, outcomeOf(codes))}}`);
      if (keys && cached++ < MAX_CACHED_SUFFIXES) {
        const inner = suffixes.get(keys[0]) ?? suffixes.set(keys[0], new Map()).get(keys[0])!;
        inner.set(keys[1], bytes);
      }
    }
    return bytes;
  };
  return { catalog, json, suffix };
}
