// What a site's catalog changes in how codes are counted, as one string: partials counted under
// different ones do not merge into one pass's report. Only what decides the series codes are
// counted in (a code the vendor's table lacks, a category changed, a category added); descriptions,
// labels and what a category means are shown from the catalog the report is made with, so a file
// that changes only those counts as the vendor's.
import { createHash } from 'node:crypto';
import { Catalog, CODE_KINDS, type SiteCatalog } from './catalog.js';

/** SHA-256 (hex) of what a site's catalog counts differently from the vendor's table; null when it counts nothing differently. */
export function catalogFingerprint(site: SiteCatalog | undefined): string | null {
  if (site === undefined) return null;
  const vendor = Catalog.vendor;
  const codes: [string, number, string][] = [];
  for (const { kind, code, category } of site.entries) {
    const was = vendor.lookup(kind, code);
    const now = category ?? was.category;
    if (!was.known || now !== was.category) codes.push([kind, code, now]);
  }
  const categories = CODE_KINDS.flatMap((kind) => Object.keys(site.categories[kind] ?? {}).map((slug) => `${kind}:${slug}`)).sort();
  if (codes.length === 0 && categories.length === 0) return null;
  codes.sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] < b[0] ? -1 : 1));
  return createHash('sha256').update(JSON.stringify({ codes, categories })).digest('hex');
}
