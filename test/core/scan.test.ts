import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { SEARCHED_KEYS, type FieldPaths } from '../../src/core/extract.js';
import { isObject, type JsonObject } from '../../src/common/json.js';
import { createScanner } from '../../src/core/scan.js';
import { expectSameAnnotation } from '../helpers/bytes-path.js';
import { random } from '../../fixtures/shapes.mjs';

const WANTED = [...SEARCHED_KEYS, 'tenant'];
const scan = createScanner(WANTED, 'hid');
// Picked keys, one of them wanted as well (status), in the order that decides between them.
const PICKED = ['level', 'status', 'msg', 'constructor'];
const scanPicking = createScanner(WANTED, 'hid', PICKED);

/** What a scanner with PICKED should pick: the value of the first of them the object has that is text or a number. */
function expectedPick(record: JsonObject): unknown {
  const key = PICKED.find((name) => Object.hasOwn(record, name) && (typeof record[name] === 'string' || typeof record[name] === 'number'));
  return key === undefined ? undefined : record[key];
}

/** The value a scan picked, parsed from the bytes it points at. */
function pickedValue(bytes: Buffer, scanned: ReturnType<typeof scan>): unknown {
  if (typeof scanned !== 'object' || scanned.picked === undefined) return undefined;
  return JSON.parse(bytes.toString('utf8', scanned.picked.from, scanned.picked.to));
}

/** What the scanner should build: the parsed value with only wanted keys, at every depth of objects. */
function prune(value: JsonObject): JsonObject {
  const kept: JsonObject = {};
  for (const key of WANTED) {
    if (!Object.hasOwn(value, key)) continue;
    const child = value[key];
    kept[key] = isObject(child) ? prune(child) : child;
  }
  return kept;
}

type Verdict = 'object' | 'invalid_json' | 'unsure';

/** Scans one line and checks the scanner's answer against JSON.parse's; returns the verdict. */
function checkAgainstJsonParse(line: string): Verdict {
  const bytes = Buffer.from(line);
  const scanned = scan(bytes, 0, bytes.length);
  let parsed: unknown;
  let parses = true;
  try {
    parsed = JSON.parse(line);
  } catch {
    parses = false;
  }
  if (scanned === undefined) return 'unsure';
  if (scanned === 'invalid_json') {
    expect(parses, line).toBe(false);
    expect(line.trim(), line).not.toBe('');
    return 'invalid_json';
  }
  expect(parses && isObject(parsed), line).toBe(true);
  const record = parsed as JsonObject;
  expect(scanned.record, line).toEqual(prune(record));
  expect(scanned.hasTopKey, line).toBe(Object.hasOwn(record, 'hid'));
  expect(bytes[scanned.closingBrace], line).toBe(0x7d);
  expect(
    bytes
      .subarray(scanned.closingBrace + 1)
      .toString()
      .trim(),
    line,
  ).toBe('');
  expect(scanned.picked, line).toBeUndefined();
  // Picking changes nothing else, and finds what JSON.parse has under the first picked key.
  const picking = scanPicking(bytes, 0, bytes.length);
  expect(typeof picking === 'object' && { ...picking, picked: undefined }, line).toEqual(scanned);
  expect(pickedValue(bytes, picking), line).toEqual(expectedPick(record));
  return 'object';
}

// A generator of JSON lines that lean on what the scanner must get right: wanted keys at every
// depth, escapes, every form of number, whitespace between every token, bodies as JSON text.
const rnd = random(424242);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const KEYS = [...WANTED, 'hid', 'msg', 'ctx', 'level', 'a', 'é', '', '__proto__', 'constructor', 'toString'];
const STRINGS = [
  '',
  'ok',
  '13',
  ' 1200 ',
  '-1',
  '9007199254740993',
  'Zürich 東京 🔐',
  'quote " and \\ back',
  'tab\tnew\nline',
  '\u2028',
  '\ud800 lone',
  '\u0000',
];
const space = () => pick(['', '', '', ' ', '\t', ' \r ', '  ']);

function numberText(): string {
  const n = pick([0, 13, 51, 200, 401, 1200, 9001, -1, 7, 1234567890123456, 123]);
  return pick([String(n), `${n}.0`, `${n}e0`, `${n * 10}E-1`, '-0', '1e400', '1.5', `${n}.25e+2`, '12345678901234567890']);
}

function stringText(text: string): string {
  // JSON.stringify, then some characters written as \u escapes or \/ as JSON allows.
  let json = JSON.stringify(text);
  if (rnd() < 0.2) json = json.replace(/[a-z]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (rnd() < 0.1) json = json.slice(0, -1) + '\\/"';
  return json;
}

function valueText(depth: number): string {
  const r = rnd();
  if (depth < 5 && r < 0.25) return objectText(depth + 1);
  if (depth < 5 && r < 0.35)
    return `[${space()}${Array.from({ length: Math.floor(rnd() * 3) }, () => valueText(depth + 1)).join(`${space()},${space()}`)}${space()}]`;
  if (r < 0.55) return numberText();
  if (r < 0.65) return stringText(objectText(depth + 1)); // a body logged as JSON text
  if (r < 0.9) return stringText(pick(STRINGS));
  return pick(['true', 'false', 'null']);
}

function objectText(depth: number): string {
  const members = Array.from({ length: Math.floor(rnd() * 5) }, () => {
    const key = pick(KEYS);
    const keyText = rnd() < 0.03 ? JSON.stringify(key).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : JSON.stringify(key);
    return `${space()}${keyText}${space()}:${space()}${valueText(depth)}${space()}`;
  });
  return `{${members.join(',')}}`;
}

const generated = Array.from({ length: 4000 }, () => `${space()}${objectText(0)}${space()}`);

function mutate(line: string): string {
  const chars = [...line];
  for (let edits = 1 + Math.floor(rnd() * 3); edits > 0; edits--) {
    const at = Math.floor(rnd() * (chars.length + 1));
    const what = rnd();
    const piece = pick(['{', '}', '[', ']', '"', ',', ':', '\\', '0', '1', '.', 'e', '-', '+', 't', 'n', 'u', ' ', '\t', '\u000b', '\u0001', 'é', 'x']);
    if (what < 0.4) chars.splice(at, 1);
    else if (what < 0.7) chars.splice(at, 0, piece);
    else chars.splice(at, 1, piece);
  }
  return chars.join('');
}

describe('the byte scanner agrees with JSON.parse', () => {
  it('on generated objects: the same wanted values at every depth, and most lines scanned', () => {
    const verdicts = generated.map(checkAgainstJsonParse);
    // Only escaped keys and __proto__ handling make the scanner unsure of a valid line.
    expect(verdicts.filter((v) => v === 'object').length).toBeGreaterThan(generated.length * 0.8);
    expect(verdicts).not.toContain('invalid_json');
  });

  it('on the same lines with bytes deleted, inserted and replaced', () => {
    const verdicts = generated.flatMap((line) => [mutate(line), mutate(line)]).map(checkAgainstJsonParse);
    expect(verdicts.filter((v) => v === 'invalid_json').length).toBeGreaterThan(verdicts.length * 0.3);
    expect(verdicts.filter((v) => v === 'object').length).toBeGreaterThan(verdicts.length * 0.05);
  });

  it.each([
    ['{"hid_failure":13,"hid_failure":51}', { hid_failure: 51 }],
    ['{"status":1.3e1,"hid_error":-0,"reason":1e400}', { status: 13, hid_error: -0, reason: Infinity }],
    ['{"hid_error":12345678901234567890}', { hid_error: 12345678901234567890 }],
    ['{"log":"{\\"status\\":401}","schemas":["urn",{"a":1}]}', { log: '{"status":401}', schemas: ['urn', { a: 1 }] }],
    ['{"response":{"status":"\\ud800","x":{"status":1}}}', { response: { status: '\ud800' } }],
  ])('builds what JSON.parse gives: %s', (line, expected) => {
    const scanned = scan(Buffer.from(line), 0, Buffer.byteLength(line));
    expect(typeof scanned === 'object' && scanned.record).toEqual(expected);
  });

  it.each([
    ['a key spelled with escapes', '{"hid\\u005ferror":1200}'],
    ['nesting deeper than the scanner goes', `{"a":${'['.repeat(100)}${']'.repeat(100)}}`],
    ['a value that is not an object', '[{"status":200}]'],
    ['a line blank to String#trim', '\u000b'],
    ['a blank line', '  '],
  ])('leaves %s to JSON.parse', (_, line) => {
    expect(scan(Buffer.from(line), 0, Buffer.byteLength(line))).toBeUndefined();
  });

  it.each(['{"status":200', '{"status":200}}', '{"status":01}', '{"a":"\\x"}', '{"a":"\u0001"}', '{"a":tru}', 'Exception in thread "main"', '{"a":1,}'])(
    'calls %j invalid',
    (line) => {
      expect(scan(Buffer.from(line), 0, Buffer.byteLength(line))).toBe('invalid_json');
    },
  );

  it.each([
    ['the first picked key the object has', '{"msg":"m","status":200,"level":"warn"}', 'warn'],
    ['a later key where the first holds null', '{"level":null,"msg":"m"}', 'm'],
    ['the last of duplicates, as JSON.parse keeps', '{"level":1,"level":2}', 2],
    ['the next key where a duplicate set it to null', '{"level":1,"msg":"m","level":null}', 'm'],
    ['a later key where the first holds true, false, an object or an array', '{"level":true,"status":false,"msg":{"a":[1, 2]},"constructor":[1]}', undefined],
    ['a later key past values that are not text or a number', '{"level":{"a":[1, 2]},"status":[401],"msg":false,"constructor":-1.5}', -1.5],
    ['a value with white space around it, without the space', '{"level" : \t"warn" ,"x":1}', 'warn'],
    ['a key that is wanted too, which is still built', '{"status":"401"}', '401'],
  ])('picks %s', (_, line, expected) => {
    const bytes = Buffer.from(line);
    const scanned = scanPicking(bytes, 0, bytes.length);
    expect(pickedValue(bytes, scanned)).toEqual(expected);
    expect(typeof scanned === 'object' && scanned.record.status).toEqual(JSON.parse(line).status);
  });

  it.each([
    ['none of the keys', '{"a":1}'],
    ['a picked key only deeper down', '{"response":{"level":1},"a":{"msg":"m"}}'],
    ['picked keys that hold null', '{"level":null,"msg":null}'],
  ])('picks nothing from an object with %s', (_, line) => {
    const bytes = Buffer.from(line);
    const scanned = scanPicking(bytes, 0, bytes.length);
    expect(typeof scanned === 'object' && scanned.picked).toBeUndefined();
  });

  it('forgets what it picked in a line before, even one it gave up on half way', () => {
    const lines = ['{"level":1}', '{"msg":2,"a":tru}', '{"a":1}', '{"level":3,"hid\\u005ferror":1}', '{"status":4}'];
    const picks = lines.map((line) => {
      const bytes = Buffer.from(line);
      return pickedValue(bytes, scanPicking(bytes, 0, bytes.length));
    });
    expect(picks).toEqual([1, undefined, undefined, undefined, 4]);
  });

  it('refuses to pick an empty key', () => {
    expect(() => createScanner(WANTED, 'hid', ['time', ''])).toThrow(/no empty key/);
  });

  it('reads only its own line of a larger buffer', () => {
    const region = Buffer.from('{"status":200}\n{"status":404}\n{"status":');
    const first = scan(region, 0, 14);
    const last = scan(region, 30, region.length);
    expect(typeof first === 'object' && first.record.status).toBe(200);
    expect(last).toBe('invalid_json');
  });
});

// Go's encoder (docker's) escapes <, > and & too.
const goJsonString = (text: string) => JSON.stringify(text).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);

/**
 * Scans `content` as the inside of a JSON string whose text is a line (Scan.escaped): if it reads
 * an object, the content must be such a string, of such an object, and the object the one
 * JSON.parse gives, pruned. Returns whether it read one.
 */
function checkEscaped(content: string): boolean {
  const bytes = Buffer.from(`x"${content}"y`);
  const record = scan.escaped(bytes, 2, bytes.length - 2);
  if (record === undefined) return false;
  const text = JSON.parse(`"${content}"`) as string;
  const parsed: unknown = JSON.parse(text);
  expect(isObject(parsed), content).toBe(true);
  expect(record, content).toEqual(prune(parsed as JsonObject));
  return true;
}

/** The inside of the JSON string `text`, as JSON.stringify writes it and as Go's encoder does. */
const insides = (text: string) => [JSON.stringify(text).slice(1, -1), goJsonString(text).slice(1, -1)];

describe('the escaped scanner reads a line written as a JSON string where it is', () => {
  it('on generated objects, as JSON.parse reads the string and then its text; most of them', () => {
    const read = generated.flatMap(insides).filter(checkEscaped).length;
    expect(read).toBeGreaterThan(generated.length * 2 * 0.75);
  });

  it('on the same strings with bytes deleted, inserted and replaced, and on lines mutated before they were written', () => {
    const read = generated.flatMap((line) => [...insides(line).map(mutate), ...insides(mutate(line))]).filter(checkEscaped).length;
    expect(read).toBeGreaterThan(generated.length * 0.1);
  });

  it('on any JSON object, and on any string at all', () => {
    const key = fc.constantFrom('status', 'body', 'log', 'hid_error', 'msg', 'a', 'é', '', 'constructor', '<&>', 'a"b');
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 3 })), fc.boolean(), (object, go) => {
        const line = `${JSON.stringify(object)}\n`;
        const [plain, goStyle] = insides(line);
        const scanned = scan(Buffer.from(line), 0, Buffer.byteLength(line));
        // What the scanner reads, but for a key written with an escape (Go writes < > & so).
        const read = checkEscaped(go ? goStyle! : plain!);
        if (!read) expect(typeof scanned !== 'object' || (go && /[<>&]/.test(line)), line).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (content) => {
        checkEscaped(content);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    [
      'an escaped record with every escape',
      String.raw`{\"status\":401,\"body\":\"{\\\"hid_error\\\":{\\\"reason\\\":1292}} \\u00e9 \\\\ \\n\",\"msg\":\"a\u003cb\u003e \u2028 é\"}\n`,
    ],
    ['white space written as escapes and spaces', String.raw`\n\t {\r\n\"status\" : [ 1 ,\t2 ] , \"reason\":null}\r\n`],
    ['an array of strings, built whole', String.raw`{\"schemas\":[\"urn:\u003cx\u003e\", \"\\\"q\\\"\", {\"a\":1}]}`],
  ])('reads %s', (_, content) => {
    expect(checkEscaped(content)).toBe(true);
  });

  it.each([
    ['a raw quote', String.raw`{\"status\":"401"}`],
    ['a string that ends in a lone backslash', '{\\"status\\":401}\\n\\'],
    ['a control character in a string of the text', String.raw`{\"msg\":\"a\tb\"}`],
    ['a quote written \\u0022 in a string of the text', String.raw`{\"msg\":\"a\u0022b\"}`],
    ['a lone surrogate', String.raw`{\"msg\":\"\ud800\"}`],
    ['an escape where the text has structure', String.raw`{\"status\"\u003a401}`],
    ['\\/ and \\b', String.raw`{\"msg\":\"a\/b\"}\b`],
    ['a control character', '{\\"status\\":401}\u0001'],
    ['escaped keys', String.raw`{\"st\\u0061tus\":401}`],
    ['text that is not an object', String.raw`[{\"status\":401}]`],
    ['deep nesting', `{\\"a\\":${'['.repeat(100)}${']'.repeat(100)}}`],
  ])('leaves %s to the long way', (_, content) => {
    const bytes = Buffer.from(content);
    expect(scan.escaped(bytes, 0, bytes.length)).toBeUndefined();
  });

  it('reads only the bytes it is given', () => {
    const bytes = Buffer.from(String.raw`{"log":"{\"status\":500}\n","stream":"stdout"}{\"status\":`);
    expect(scan.escaped(bytes, 8, 26)).toEqual(prune({ status: 500 }));
    expect(scan.escaped(bytes, 8, 25)).toBeUndefined();
    expect(scan.escaped(bytes, 8, 20)).toBeUndefined();
    expect(scan.escaped(bytes, 46, bytes.length)).toBeUndefined();
  });
});

describe('annotateBytes gives what annotateLine gives', () => {
  it('on generated and mutated lines, bodies as JSON text and a record label included', () => {
    const annotator = createAnnotator({ recordPaths: [['tenant']] });
    for (const line of generated) {
      expectSameAnnotation(annotator, line, [['tenant']]);
      expectSameAnnotation(annotator, mutate(line), [['tenant']]);
    }
  });

  it.each<[string, string[][], FieldPaths]>([
    ['__proto__', [['__proto__']], {}],
    ['an empty key', [['ctx', '']], { failure: [['', 'reason']] }],
  ])('with a path the scanner cannot keep (%s): by the text path, the same', (_, paths, fields) => {
    const annotator = createAnnotator({ recordPaths: paths, fields });
    const lines = ['{"":{"reason":13},"ctx":{"":"t1"},"status":200}', '{"__proto__":"t2","hid_error":1200}', ...generated.slice(0, 500)];
    for (const line of lines) expectSameAnnotation(annotator, line, paths);
  });
});
