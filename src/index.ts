// hidlog as a library: the pure core, with no streams, files or HTTP.
export { createAnnotator, DEFAULT_KEY } from './core/annotate.js';
export type { Annotator, AnnotatorOptions, LineResult } from './core/annotate.js';
export { INVALID_REASONS } from './core/bad-lines.js';
export type { BadLineReason, InvalidReason } from './core/bad-lines.js';
export { outcomeOf, OUTCOMES } from './core/outcome.js';
export type { Outcome } from './core/outcome.js';
export { createExtractor, toCode, toStatus } from './core/extract.js';
export type { Extractor, ExtractorOptions, FieldPaths, FoundCodes } from './core/extract.js';
export { Catalog, CatalogError, catalogEntries, isKnown, lookup, CODE_KINDS } from './catalog/catalog.js';
export type { CatalogEntry, CodeKind, SiteCatalog, SiteEntry } from './catalog/catalog.js';
export { parseSiteCatalog } from './catalog/site-catalog.js';
export { CATEGORIES_BY_KIND } from './catalog/categories.js';
