// The site's catalog file (`--catalog FILE`), JSON or YAML: read and validated whole, so that a
// table is swapped in only when every entry of it is right. Text in, a SiteCatalog or an error out.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { CODE_KINDS, Catalog, CatalogError, type CodeKind, type SiteCatalog, type SiteEntry } from './catalog.js';
import { isObject } from '../common/json.js';
import { firstLineOf } from '../common/error-text.js';
import { CATEGORIES_BY_KIND, UNKNOWN_CATEGORY } from './categories.js';

const TOP_KEYS = ['entries', 'categories'];
const ENTRY_KEYS = ['kind', 'code', 'description', 'label', 'category'];
const SLUG = /^[a-z][a-z0-9_]*$/;

type Path = (string | number)[];

/** A single-line, non-empty string, or why not. */
function textProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim() === '') return 'must not be empty';
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'must be one line, without control characters';
  return undefined;
}

export function parseSiteCatalog(text: string): SiteCatalog {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const [syntaxError] = document.errors;
  if (syntaxError) throw new CatalogError(`not valid YAML or JSON: ${firstLineOf(syntaxError.message)}`);
  const at = (path: Path) => where(document, lineCounter, path);
  let root: unknown;
  try {
    root = document.toJS();
  } catch (error) {
    // An alias expanded past yaml's limit (a "billion laughs" file), and the like.
    throw new CatalogError(`not valid YAML or JSON: ${firstLineOf(error instanceof Error ? error.message : String(error))}`);
  }
  if (!isObject(root)) throw new CatalogError('expected an object with "entries" and/or "categories"');
  const unknownKey = Object.keys(root).find((key) => !TOP_KEYS.includes(key));
  if (unknownKey !== undefined) throw new CatalogError(`${at([unknownKey])}unknown key ${JSON.stringify(unknownKey)} (expected ${TOP_KEYS.join(', ')})`);
  const categories = readCategories(root.categories, at);
  return { entries: readEntries(root.entries, categories, at), categories };
}

/** `line N: ` for the node at `path`, when the parser kept its place. */
function where(document: Document, lineCounter: LineCounter, path: Path): string {
  const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range ? `line ${lineCounter.linePos(node.range[0]).line}: ` : '';
}

function readCategories(value: unknown, at: (path: Path) => string): SiteCatalog['categories'] {
  if (value === undefined) return {};
  if (!isObject(value)) throw new CatalogError(`${at(['categories'])}categories: expected an object of kinds (${CODE_KINDS.join(', ')})`);
  const categories: SiteCatalog['categories'] = {};
  for (const [kind, slugs] of Object.entries(value)) {
    const place = `${at(['categories', kind])}categories.${kind}`;
    if (!(CODE_KINDS as readonly string[]).includes(kind)) throw new CatalogError(`${place}: unknown kind (expected ${CODE_KINDS.join(', ')})`);
    if (!isObject(slugs)) throw new CatalogError(`${place}: expected an object of category slugs and their meanings`);
    const own: Record<string, string> = {};
    for (const [slug, meaning] of Object.entries(slugs)) {
      const slugPlace = `${at(['categories', kind, slug])}categories.${kind}.${slug}`;
      if (!SLUG.test(slug)) throw new CatalogError(`${slugPlace}: a category is a slug: lower-case letters, digits and _, starting with a letter`);
      if (slug === UNKNOWN_CATEGORY || Object.hasOwn(CATEGORIES_BY_KIND[kind as CodeKind], slug)) {
        throw new CatalogError(`${slugPlace}: already one of hidlog's ${kind} categories (docs/annotation.md, "Categories")`);
      }
      const problem = textProblem(meaning);
      if (problem) throw new CatalogError(`${slugPlace}: its meaning ${problem}`);
      own[slug] = meaning as string;
    }
    categories[kind as CodeKind] = own;
  }
  return categories;
}

function readEntries(value: unknown, categories: SiteCatalog['categories'], at: (path: Path) => string): SiteEntry[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new CatalogError(`${at(['entries'])}entries: expected a list of entries`);
  const firstIndex = new Map<string, number>();
  return value.map((raw: unknown, index) => {
    let name = `entries[${index}]`;
    const fail = (problem: string): never => {
      throw new CatalogError(`${at(['entries', index])}${name}: ${problem}`);
    };
    if (!isObject(raw)) return fail('expected an object with kind, code and what it sets (description, label, category)');
    const unknownKey = Object.keys(raw).find((key) => !ENTRY_KEYS.includes(key));
    if (unknownKey !== undefined) fail(`unknown key ${JSON.stringify(unknownKey)} (expected ${ENTRY_KEYS.join(', ')})`);
    const { kind, code } = raw;
    if (typeof kind !== 'string' || !(CODE_KINDS as readonly string[]).includes(kind))
      fail(`kind ${JSON.stringify(kind)}: expected one of ${CODE_KINDS.join(', ')}`);
    if (typeof code !== 'number' || !Number.isSafeInteger(code)) fail(`code ${JSON.stringify(code)}: expected a whole number`);
    const entry: SiteEntry = { kind: kind as CodeKind, code: code as number };
    name += ` (${entry.kind} ${entry.code})`;
    if (entry.kind === 'http' && (entry.code < 100 || entry.code > 599)) fail('an HTTP status is a whole number from 100 to 599');

    const key = `${entry.kind}:${entry.code}`;
    const first = firstIndex.get(key);
    if (first !== undefined) fail(`given twice (first as entries[${first}])`);
    firstIndex.set(key, index);

    for (const field of ['description', 'label', 'category'] as const) {
      if (raw[field] === undefined) continue;
      const problem = textProblem(raw[field]);
      if (problem) fail(`${field} ${problem}`);
      entry[field] = raw[field] as string;
    }
    if (entry.label !== undefined && entry.kind !== 'http') fail('a label is for HTTP statuses only');
    if (entry.category !== undefined) {
      const own = categories[entry.kind] ?? {};
      if (!Object.hasOwn(CATEGORIES_BY_KIND[entry.kind], entry.category) && !Object.hasOwn(own, entry.category)) {
        fail(
          `category ${JSON.stringify(entry.category)} is neither one of hidlog's ${entry.kind} categories nor one the file adds under categories.${entry.kind}`,
        );
      }
    }
    if (Catalog.vendor.isKnown(entry.kind, entry.code)) {
      if (entry.description === undefined && entry.label === undefined && entry.category === undefined)
        fail('changes nothing: give a description, a category or (HTTP) a label');
    } else {
      // A new code: what it means, and (but for HTTP, whose category is its class) its kind of trouble.
      if (entry.description === undefined) fail('a new code needs a description');
      if (entry.category === undefined && entry.kind !== 'http') fail('a new code needs a category');
    }
    return entry;
  });
}
