// What a site's catalog changes in how codes are counted, as one string: partials counted under
// different ones do not merge into one pass's report. Only what decides a code's series counts
// (a code the vendor's table lacks, a category changed); descriptions and labels are shown from
// the catalog the report is made with, so a file that changes only those counts as the vendor's.
import { createHash } from 'node:crypto';
import { Catalog, CODE_KINDS, type SiteCatalog } from './catalog.js';

/** SHA-256 (hex) of the codes a site's catalog counts differently from the vendor's table; null when it counts none differently. */
export function catalogFingerprint(site: SiteCatalog | undefined): string | null {
  if (site === undefined) return null;
  const vendor = Catalog.vendor;
  const changed: [string, number, string][] = [];
  for (const { kind, code, category } of site.entries) {
    const was = vendor.lookup(kind, code);
    const now = category ?? was.category;
    if (!was.known || now !== was.category) changed.push([kind, code, now]);
  }
  if (changed.length === 0) return null;
  changed.sort((a, b) => CODE_KINDS.indexOf(a[0] as (typeof CODE_KINDS)[number]) - CODE_KINDS.indexOf(b[0] as (typeof CODE_KINDS)[number]) || a[1] - b[1]);
  return createHash('sha256').update(JSON.stringify(changed)).digest('hex');
}
