import { Catalog } from '../catalog/catalog.js';
import type { BadLineReason, InvalidReason } from './bad-lines.js';
import { createAnnotationText } from './annotation-text.js';
import { createDurationReader, durationPaths, type DurationField, type DurationReading } from './duration.js';
import { BODY_ONLY_KEYS, SEARCHED_KEYS, createBodySearch, createExtractor, type FieldPaths, type FoundCodes } from './extract.js';
import { isObject, parseEmbeddedObject, type JsonObject } from '../common/json.js';
import { outcomeOf, type Outcome } from './outcome.js';
import { createScanner, isPickable, type Scan } from './scan.js';

/**
 * `envelopeTime`: the time of the envelope a record came in (a CRI or syslog prefix), as written;
 * a record's own time field comes first. `duration`: a record's duration (core/duration.ts), in
 * seconds, or `invalid`; absent when it has none.
 */
export type LineResult =
  | {
      result: 'annotated';
      text: string;
      record: JsonObject;
      codes: FoundCodes;
      outcome: Outcome;
      duration?: DurationReading | undefined;
      envelopeTime?: string | undefined;
    }
  | { result: 'no_codes'; text: string; record: JsonObject; envelopeTime?: string | undefined }
  | { result: 'invalid'; text: string; reason: Exclude<InvalidReason, 'invalid_utf8'> };

/**
 * A line annotated from its bytes, without decoding it: the output is the line's own bytes up to
 * `closingBrace`, then `annotator.suffix(codes)`. `record` holds only the keys the search
 * and `recordPaths` read. A line the byte path is not sure of comes back as a LineResult.
 */
export type BytesResult =
  | LineResult
  | {
      result: 'annotated';
      text?: undefined;
      closingBrace: number;
      record: JsonObject;
      codes: FoundCodes;
      outcome: Outcome;
      duration?: DurationReading | undefined;
      picked: number | undefined;
      envelopeTime?: string | undefined;
    }
  | { result: 'no_codes'; text?: undefined; record: JsonObject; picked: number | undefined; envelopeTime?: string | undefined };

/**
 * A value the caller reads from each line's own bytes instead of from `record` (a report's
 * time): the first of `keys`, top-level keys, that a record has with a value that is text or a number,
 * as `read` makes it of the value's JSON text `bytes[from, to)`. It is a byte-path result's
 * `picked`; undefined when the record has none of the keys.
 */
export interface ValuePick {
  keys: readonly string[];
  read(bytes: Buffer, from: number, to: number): number;
}

/**
 * A JSON object of string values that an envelope reader read in place (docker's entry), so that
 * the annotator need not scan it: where it closes, and each of its keys (no two alike) with its
 * value, as written and as the string JSON.parse gives.
 */
export interface ReadObject {
  closingBrace: number;
  fields: readonly ReadString[];
}

export interface ReadString {
  key: string;
  /** The value's JSON text in the line, quotes included: `[from, to)`. */
  from: number;
  to: number;
  /**
   * The string, as well-formed UTF-8: `text[textFrom, textTo)`; or, when `escaped`, the string as
   * written between its quotes, not yet checked: it is read only as the JSON text of a body
   * (Scan.escaped), and the object is not read here (undefined) when it is not one.
   */
  text: Buffer;
  textFrom: number;
  textTo: number;
  escaped?: boolean;
}

export interface AnnotatorOptions {
  /** The key added to each record (default `hid`). */
  key?: string;
  /** Locations tried first for a kind, in order (`--field`). */
  fields?: FieldPaths;
  /**
   * Whether a kind given in `fields` is still searched for where real logs put it when its paths
   * hold no code, and the built-in duration fields read after `durationFields` (default true).
   */
  builtinFields?: boolean;
  /** Where each record's duration is read first (`--duration-field`), before the built-in fields. */
  durationFields?: readonly DurationField[];
  /** Paths the caller reads from a result's `record` (metric labels): kept by the byte path. */
  recordPaths?: readonly (readonly string[])[];
  /** What the byte path reads for the caller from the line's bytes: `picked`. */
  pick?: ValuePick | undefined;
  /** The table of codes (default: the vendor's); `useCatalog` swaps it. */
  catalog?: Catalog;
}

export interface Annotator {
  /** One line of NDJSON in, the line to write out and what was found in it. */
  annotateLine(line: string): LineResult;
  /** What annotateLine finds, without building the annotated text (`text` is the line as given): for counting. */
  inspectLine(line: string): LineResult;
  /** One line of valid UTF-8, as `bytes[start, end)` without its terminator. */
  annotateBytes(bytes: Buffer, start: number, end: number): BytesResult;
  /** What annotateBytes finds, for counting: a LineResult it gives carries the line as `text`. */
  inspectBytes(bytes: Buffer, start: number, end: number): BytesResult;
  /**
   * What annotateBytes (and inspectBytes) gives for the line `object` was read from, its strings
   * not read again; undefined where only annotateBytes can tell (the object has the annotation
   * key, or this annotator has no byte path), or where an `escaped` string is not read in place
   * (not a body the search reads, or not one the scanner's escaped mode reads: the caller
   * unescapes it and asks again).
   */
  annotateReadObject(bytes: Buffer, object: ReadObject): BytesResult | undefined;
  /** What follows an annotated line's bytes up to its closing brace: `,"hid":{…}}`. */
  suffix(codes: FoundCodes): Buffer;
  /**
   * A text line (logfmt, a logger's line) and the record read from it (`readTextRecord`): an
   * annotated one is the line with ` KEY="<annotation JSON as a JSON string>"` appended, a valid
   * logfmt pair; one without codes is the line as it was.
   */
  annotateText(line: string, record: JsonObject): LineResult;
  /** What annotateText finds, without building the annotated text. */
  inspectText(line: string, record: JsonObject): LineResult;
  /** An already parsed value (an element of a JSON array document). */
  annotateValue(value: unknown): LineResult;
  /** The one-line stand-in written for a line that cannot be written itself (too long, dead-lettered). */
  markerLine(reason: BadLineReason, bytes: number): string;
  /** The table the annotations come from now. */
  readonly catalog: Catalog;
  /** Annotates every line from now on with `catalog`, whole: a line is never half one table, half another. */
  useCatalog(catalog: Catalog): void;
}

export const DEFAULT_KEY = 'hid';

/** parseEmbeddedObject, by the scanner where it can tell: the body pruned to the wanted keys. */
function scanBody(scan: Scan, text: string): JsonObject | undefined {
  let start = 0;
  while (start < text.length && text.charCodeAt(start) <= 32) start++;
  if (text.charCodeAt(start) !== 123 /* { */) return undefined;
  // A lone surrogate has no UTF-8: only JSON.parse reads such text as it is.
  if (!text.isWellFormed()) return parseEmbeddedObject(text);
  const bytes = Buffer.from(text);
  return scanBodyBytes(scan, bytes, 0, bytes.length);
}

/** scanBody of the text whose UTF-8 is `bytes[from, to)`. */
function scanBodyBytes(scan: Scan, bytes: Buffer, from: number, to: number): JsonObject | undefined {
  let start = from;
  while (start < to && bytes[start]! <= 32) start++;
  if (start >= to || bytes[start] !== 123 /* { */) return undefined;
  const scanned = scan(bytes, from, to);
  if (scanned === 'invalid_json') return undefined;
  return scanned === undefined ? parseEmbeddedObject(bytes.toString('utf8', from, to)) : scanned.record;
}

const foundAny = (codes: FoundCodes) => codes.http !== undefined || codes.error !== undefined || codes.failure !== undefined || codes.response !== undefined;

const MAX_SERIALISED_DEPTH = 1000;

/** Whether arrays and objects nest deeper than `limit`; iterative, so any depth is safe to ask about. */
function nestedDeeperThan(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

function hasAnyKey(record: JsonObject): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

// The keys a path reads at each step, and the whole path as one flat key (as getPath reads it).
const keysOf = (path: readonly string[]): string[] => (path.length > 1 ? [...path, path.join('.')] : [...path]);

export function createAnnotator(options: AnnotatorOptions = {}): Annotator {
  const key = options.key ?? DEFAULT_KEY;
  const keyJson = JSON.stringify(key);
  const extractorOptions = { builtin: options.builtinFields ?? true };
  const extract = createExtractor(options.fields, undefined, extractorOptions);
  const fieldPaths = [...Object.values(options.fields ?? {}).flat(), ...durationPaths(options.durationFields, extractorOptions.builtin)];
  const wantedKeys = [...SEARCHED_KEYS, ...fieldPaths.flatMap(keysOf), ...(options.recordPaths ?? []).flatMap(keysOf)];
  const pick = options.pick;
  // A key named __proto__ cannot be set on a plain object, and the scanner matches no empty key:
  // with either wanted (or an empty key picked), every line takes the text path.
  const scannable = key !== '' && !wantedKeys.some((name) => name === '' || name === '__proto__') && !pick?.keys.includes('');
  const scan: Scan | undefined = scannable ? createScanner(wantedKeys, key, pick?.keys) : undefined;
  // The body parsed last: a record's duration is read from the one its codes were found in, not parsed again.
  let lastBodyText: string | undefined;
  let lastBody: JsonObject | undefined;
  const parseBody = (text: string) => {
    if (text !== lastBodyText) {
      lastBodyText = text;
      lastBody = scanBody(scan!, text);
    }
    return lastBody;
  };
  const readDuration = createDurationReader(options.durationFields, { ...extractorOptions, parseBody: scan ? parseBody : undefined });
  const extractPruned = scan ? createExtractor(options.fields, parseBody, extractorOptions) : extract;
  // Without --field, a record holding nothing searched but one body has the codes of that body.
  const searchBodyOnly = Object.keys(options.fields ?? {}).length === 0 ? createBodySearch(parseBody) : undefined;
  const wantedSet = new Set(wantedKeys);
  // The scanner's shape for what it builds (scan.ts): a read object's record is one of the same.
  const recordShape: JsonObject = Object.fromEntries([...wantedSet].map((name) => [name, undefined]));
  // Bodies no path of the caller's reads: a read object's record holds them scanned, not as text.
  const pathKeys = new Set([...fieldPaths, ...(options.recordPaths ?? [])].flatMap(keysOf));
  const scannedBodyKeys = new Set<string>(BODY_ONLY_KEYS.filter((name) => !pathKeys.has(name)));
  const pickKeys = [...new Set(pick?.keys ?? [])];
  let table = createAnnotationText(options.catalog ?? Catalog.vendor, keyJson);

  function fromBytes(bytes: Buffer, start: number, end: number, withText: boolean): BytesResult {
    const scanned = scan?.(bytes, start, end);
    if (scanned === 'invalid_json') return { result: 'invalid', text: bytes.toString('utf8', start, end), reason: 'invalid_json' };
    // The annotation key is replaced, which needs the whole record: the text path does that.
    if (scanned === undefined || scanned.hasTopKey) return fromLine(bytes.toString('utf8', start, end), withText);
    const { record } = scanned;
    const picked = scanned.picked && pick!.read(bytes, scanned.picked.from, scanned.picked.to);
    const codes = extractPruned(record);
    if (!foundAny(codes)) return { result: 'no_codes', record, picked };
    return { result: 'annotated', closingBrace: scanned.closingBrace, record, codes, outcome: outcomeOf(codes), duration: readDuration(record), picked };
  }

  function fromReadObject(bytes: Buffer, object: ReadObject): BytesResult | undefined {
    if (scan === undefined) return undefined;
    const { fields } = object;
    const record: JsonObject = { ...recordShape };
    let wanted = 0;
    let body: JsonObject | undefined;
    for (const field of fields) {
      // The annotation key is replaced, which needs the whole record: the text path does that.
      if (field.key === key) return undefined;
      if (field.escaped) {
        // Read only as a body, and only if the scanner can read it where it is.
        if (!scannedBodyKeys.has(field.key)) return undefined;
        const scanned = scan.escaped(field.text, field.textFrom, field.textTo);
        if (scanned === undefined) return undefined;
        wanted++;
        record[field.key] = body = scanned;
        continue;
      }
      if (!wantedSet.has(field.key)) continue;
      wanted++;
      const { text, textFrom, textTo } = field;
      if (scannedBodyKeys.has(field.key)) record[field.key] = body = scanBodyBytes(scan, text, textFrom, textTo);
      else record[field.key] = text.toString('utf8', textFrom, textTo);
    }
    const bodyOnly = searchBodyOnly !== undefined && wanted === 1 && body !== undefined;
    const codes = bodyOnly ? searchBodyOnly(body!) : extractPruned(record);
    let picked: number | undefined;
    pickKeys: for (const name of pickKeys) {
      for (const field of fields) {
        if (field.key !== name || !isPickable(bytes[field.from]!)) continue;
        picked = pick!.read(bytes, field.from, field.to);
        break pickKeys;
      }
    }
    if (!foundAny(codes)) return { result: 'no_codes', record, picked };
    return { result: 'annotated', closingBrace: object.closingBrace, record, codes, outcome: outcomeOf(codes), duration: readDuration(record), picked };
  }

  function annotated(line: string | undefined, record: JsonObject, withText = true): LineResult {
    const codes = extract(record);
    const hasCodes = foundAny(codes);
    const fastPath = line !== undefined && !Object.hasOwn(record, key);
    // JSON.parse copes with any depth, JSON.stringify overflows the stack: a fixed limit keeps
    // the verdict the same on every thread, whatever its stack size, and whether or not we write.
    if ((line === undefined || (hasCodes && !fastPath)) && nestedDeeperThan(record, MAX_SERIALISED_DEPTH)) {
      return { result: 'invalid', text: line ?? '', reason: 'too_deep' };
    }
    if (!hasCodes) return { result: 'no_codes', text: line ?? JSON.stringify(record), record };
    const outcome = outcomeOf(codes);
    const duration = readDuration(record);
    if (!withText && line !== undefined) return { result: 'annotated', text: line, record, codes, outcome, duration };
    const annotation = table.json(codes, outcome);
    let text: string;
    if (fastPath) {
      // Append the annotation to the original text instead of serialising the record again.
      let end = line.length;
      while (line.charCodeAt(end - 1) <= 32) end--;
      text = `${line.slice(0, end - 1)},${keyJson}:${annotation}}`;
    } else {
      // The record already has the key (ours replaces it) or was not read from text.
      const { [key]: _replaced, ...rest } = record;
      const head = JSON.stringify(rest);
      text = `${head.slice(0, -1)}${hasAnyKey(rest) ? ',' : ''}${keyJson}:${annotation}}`;
    }
    return { result: 'annotated', text, record, codes, outcome, duration };
  }

  function fromLine(line: string, withText: boolean): LineResult {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { result: 'invalid', text: line, reason: line.trim() === '' ? 'blank' : 'invalid_json' };
    }
    if (!isObject(value)) return { result: 'invalid', text: line, reason: 'not_object' };
    return annotated(line, value, withText);
  }

  function fromText(line: string, record: JsonObject, withText: boolean): LineResult {
    const codes = extract(record);
    if (!foundAny(codes)) return { result: 'no_codes', text: line, record };
    const outcome = outcomeOf(codes);
    const text = withText ? `${line} ${key}=${JSON.stringify(table.json(codes, outcome))}` : line;
    return { result: 'annotated', text, record, codes, outcome, duration: readDuration(record) };
  }

  return {
    annotateLine: (line) => fromLine(line, true),
    annotateText: (line, record) => fromText(line, record, true),
    inspectText: (line, record) => fromText(line, record, false),
    inspectLine: (line) => fromLine(line, false),
    annotateBytes: (bytes, start, end) => fromBytes(bytes, start, end, true),
    inspectBytes: (bytes, start, end) => fromBytes(bytes, start, end, false),
    annotateReadObject: fromReadObject,
    suffix: (codes) => table.suffix(codes),
    annotateValue(value) {
      if (!isObject(value)) {
        if (nestedDeeperThan(value, MAX_SERIALISED_DEPTH)) return { result: 'invalid', text: '', reason: 'too_deep' };
        return { result: 'invalid', text: JSON.stringify(value) ?? 'null', reason: 'not_object' };
      }
      return annotated(undefined, value);
    },
    markerLine(reason, bytes) {
      return `{${keyJson}:{"invalid":"${reason}","bytes":${bytes}}}`;
    },
    get catalog() {
      return table.catalog;
    },
    useCatalog(catalog) {
      table = createAnnotationText(catalog, keyJson);
    },
  };
}
