import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnnotator, type Annotator, type BytesResult } from '../../src/core/annotate.js';
import { DockerEntryReader, isDockerPartial } from '../../src/envelopes/docker.js';
import { recordLabelValues } from '../../src/count/tally.js';

// Go's encoder escapes <, > and & too.
const goJsonString = (text: string) => JSON.stringify(text).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
const entry = (log: string, time = '2026-12-01T10:00:00.123456789Z', stream = 'stdout') => `{"log":${goJsonString(log)},"stream":"${stream}","time":"${time}"}`;

// A body in a body in a body: how deep the search goes is the same whichever way the entry is read.
const nested = (depth: number): object => (depth === 0 ? { status: 502 } : { body: JSON.stringify(nested(depth - 1)) });
const records = [
  JSON.stringify(nested(2)),
  JSON.stringify(nested(3)),
  '{"status":401,"hid_error":1292,"msg":"denied"}',
  '{"log":"inner","status":503,"stream":"x","time":"y"}',
  '{"user":"Zürich 🔐 \\u00e9","statusCode":"404","response_body":"{\\"hid_failure\\":{\\"reason\\":51}}"}',
  '{"level":"info","msg":"up"}',
  '{"http":{"response":{"status_code":200}},"path":"a<b>&c","tab":"\\t"}',
  '{"\\u0073tatus":500}',
  '{"hid":{"old":1},"status":500}',
  'plain text, no record',
  '{"status":400',
  '',
  '[{"status":400}]',
];
const lines = [
  ...records.map((record) => entry(`${record}\n`)),
  ...records.map((record) => entry(record)),
  entry('{"status":500}\r\n', '2026-12-01T10:00:00Z', 'stderr'),
  `${entry('{"status":500}\n')}  \r`,
];

// The keys a report picks a time from, and a reader that tells which value it was given.
const pick = { keys: ['@timestamp', 'time', 'ts'], read: (b: Buffer, from: number, to: number) => b.toString('latin1', from, to).length };
const annotators: [string, Annotator, (readonly string[])[]][] = [
  ['the default annotator', createAnnotator(), []],
  [
    'one with label paths into log and the entry',
    createAnnotator({ recordPaths: [['log', 'user'], ['stream'], ['time']] }),
    [['log', 'user'], ['stream'], ['time'], ['log']],
  ],
  ['one with a --field into log', createAnnotator({ fields: { http: [['log', 'statusCode']] } }), []],
  ['one that picks a time', createAnnotator({ pick }), []],
  ['one whose key is log', createAnnotator({ key: 'log' }), []],
];

/** What the pipeline makes of the line: its result, output, codes, picked value and label values. */
function outcome(annotator: Annotator, result: BytesResult, bytes: Buffer, labelPaths: (readonly string[])[]) {
  const written =
    result.text ??
    (result.result === 'annotated' ? Buffer.concat([bytes.subarray(0, result.closingBrace), annotator.suffix(result.codes)]).toString() : bytes.toString());
  const labels = labelPaths.map((path, i) => ({ name: `l${i}`, paths: [path] }));
  return {
    result: result.result,
    written,
    codes: result.result === 'annotated' ? result.codes : undefined,
    picked: 'picked' in result ? result.picked : undefined,
    labels: result.result === 'invalid' ? [] : recordLabelValues(labels, result.record),
  };
}

/**
 * The entry read in place and annotated, its log unescaped (read) or not (readEscaped), against
 * the line scanned (the path every entry took before). Returns whether the record was read
 * without unescaping it.
 */
function expectSameAsScanned(line: string): boolean {
  const bytes = Buffer.from(line);
  const reader = new DockerEntryReader();
  const escaped = new DockerEntryReader().readEscaped(bytes, 0, bytes.length);
  const read = reader.read(bytes, 0, bytes.length);
  // An entry read escaped is one read unescaped, of a whole message.
  if (escaped !== undefined) expect(read !== undefined && !reader.partial, line).toBe(true);
  if (read === undefined) return false;
  expect(reader.partial, line).toBe(isDockerPartial(bytes, 0, bytes.length));
  let inPlace = false;
  for (const [name, annotator, labelPaths] of annotators) {
    const scanned = outcome(annotator, annotator.annotateBytes(bytes, 0, bytes.length), bytes, labelPaths);
    const unescaped = annotator.annotateReadObject(bytes, read);
    if (unescaped !== undefined) expect(outcome(annotator, unescaped, bytes, labelPaths), `${name}: ${line}`).toEqual(scanned);
    const notUnescaped = escaped && annotator.annotateReadObject(bytes, escaped);
    if (notUnescaped === undefined) continue;
    inPlace = true;
    expect(outcome(annotator, notUnescaped, bytes, labelPaths), `${name}, escaped: ${line}`).toEqual(scanned);
  }
  return inPlace;
}

describe('DockerEntryReader', () => {
  it('reads an entry as docker writes it, its log unescaped', () => {
    const reader = new DockerEntryReader();
    const log = '{"msg":"a \\"quoted\\" word","path":"C:\\\\x","note":"é 😀 <b>","log":"inside"}\n';
    const line = Buffer.from(`  ${entry(log)}`);
    const read = reader.read(line, 2, line.length)!;
    expect(read.fields.map((field) => field.key)).toEqual(['log', 'stream', 'time']);
    expect(read.fields.map((field) => field.text.toString('utf8', field.textFrom, field.textTo))).toEqual([log, 'stdout', '2026-12-01T10:00:00.123456789Z']);
    expect(read.fields.map((field) => line.toString('utf8', field.from, field.to))).toEqual([
      goJsonString(log),
      '"stdout"',
      '"2026-12-01T10:00:00.123456789Z"',
    ]);
    expect(read.closingBrace).toBe(line.length - 1);
    expect(reader.partial).toBe(false);
    expect(reader.read(Buffer.from(entry('part of a message')), 0, entry('part of a message').length)).toBeDefined();
    expect(reader.partial).toBe(true);
  });

  it('reads every escape in log: \\" \\\\ \\n \\t \\u00e9 \\ud83d\\ude00', () => {
    const reader = new DockerEntryReader();
    const line = Buffer.from(String.raw`{"log":"q\" b\\ n\n t\t e\u00e9 s\ud83d\ude00\n","stream":"stdout","time":"t"}`);
    const [log] = reader.read(line, 0, line.length)!.fields;
    expect(log!.text.toString('utf8', log!.textFrom, log!.textTo)).toBe('q" b\\ n\n t\t eé s😀\n');
  });

  it('leaves to JSON.parse an entry not written as docker writes it', () => {
    const reader = new DockerEntryReader();
    const others = [
      '{"stream":"stdout","log":"{}\\n","time":"t"}',
      '{"log":"{}\\n","time":"t","stream":"stdout"}',
      '{"log":"{}\\n","stream":"stdout","time":"t","attrs":{"tag":"web"}}',
      '{"log":"{}\\n","stream":"stdout","attrs":{"tag":"web"},"time":"t"}',
      '{"log": "{}\\n","stream":"stdout","time":"t"}',
      '{"log":"{}\\n", "stream":"stdout","time":"t"}',
      '{"log":"{}\\n","stream":"std\\u006fut","time":"t"}',
      '{"log":"{}\\n","stream":"stdout","time":"t\\u0030"}',
      '{"\\u006cog":"{}\\n","stream":"stdout","time":"t"}',
      '{"log":"{}\\n","stream":"stdout","time":"t"} x',
      '{"log":"{}\\n","stream":"stdout","time":"t"',
      '{"log":"\\ud83d\\n","stream":"stdout","time":"t"}',
      '{"log":"a\tb\\n","stream":"stdout","time":"t"}',
      '{"log":{"status":500},"stream":"stdout","time":"t"}',
    ];
    for (const line of others) expect(reader.read(Buffer.from(line), 0, Buffer.byteLength(line)), line).toBeUndefined();
  });

  it('reads an entry of a whole message with log as written, for the scanner to read there', () => {
    const reader = new DockerEntryReader();
    const log = '{"msg":"a \\"quoted\\" word <b>","status":500}\n';
    const line = Buffer.from(`  ${entry(log)} \r`);
    const read = reader.readEscaped(line, 2, line.length)!;
    expect(read.fields.map((field) => [field.key, field.escaped])).toEqual([
      ['log', true],
      ['stream', false],
      ['time', false],
    ]);
    expect(read.fields.map((field) => field.text.toString('utf8', field.textFrom, field.textTo))).toEqual([
      goJsonString(log).slice(1, -1),
      'stdout',
      '2026-12-01T10:00:00.123456789Z',
    ]);
    expect(read.fields.map((field) => line.toString('utf8', field.from, field.to))).toEqual([
      goJsonString(log),
      '"stdout"',
      '"2026-12-01T10:00:00.123456789Z"',
    ]);
    expect(read.closingBrace).toBe(line.length - 3);
    expect(reader.partial).toBe(false);
    // read after readEscaped: log unescaped again.
    expect(reader.read(line, 2, line.length)!.fields[0]!.escaped).toBe(false);
  });

  it('leaves to read an entry of a part, or one not written as docker writes it', () => {
    const reader = new DockerEntryReader();
    const others = [
      entry('{"status":500}'),
      entry('{"status":500}\\'),
      entry('{"status":500}\r'),
      String.raw`{"log":"{}\\n","stream":"stdout","time":"t"}`,
      String.raw`{"log":"n","stream":"stdout","time":"t"}`,
      String.raw`{"log":"{}\n","stream":"stdout","time":"t\"}`,
      String.raw`{"log":"{}\n","stream":"std\"out","time":"t"}`,
      String.raw`{"log":"{}\n","stream":"stdout","time":"t"} x`,
      String.raw`{"log":"{}\n","stream":"stdout","time":"t"`,
      String.raw`{"log":"{}\n","stream":"stdout","attrs":{"tag":"web"},"time":"t"}`,
      String.raw`{"log":"{}\n","stream":"stdout","time":"t","attrs":{"tag":"web"}}`,
      String.raw`{"log":"{}\n", "stream":"stdout","time":"t"}`,
      String.raw`{"log": "{}\n","stream":"stdout","time":"t"}`,
      String.raw`{"stream":"stdout","log":"{}\n","time":"t"}`,
      String.raw`{"log":"{}\n","stream":"stdout","time":"t\u0031"}`,
      '{"log":"{}\\n","stream":"stdout","time":"t\u0001"}',
    ];
    // The entry they differ from is read.
    const docker = String.raw`{"log":"{}\n","stream":"stdout","time":"t"}`;
    expect(reader.readEscaped(Buffer.from(docker), 0, docker.length)).toBeDefined();
    for (const line of others) expect(reader.readEscaped(Buffer.from(line), 0, Buffer.byteLength(line)), line).toBeUndefined();
  });

  it('reads only the bytes it is given', () => {
    const reader = new DockerEntryReader();
    const line = entry('{"status":500}\n');
    const bytes = Buffer.from(`${line}${line}`);
    expect(reader.read(bytes, 0, line.length)?.closingBrace).toBe(line.length - 1);
    expect(reader.read(bytes, 0, line.length - 1)).toBeUndefined();
    expect(reader.read(bytes, line.length, bytes.length)?.closingBrace).toBe(bytes.length - 1);
    expect(reader.readEscaped(bytes, 0, line.length)?.closingBrace).toBe(line.length - 1);
    expect(reader.readEscaped(bytes, 0, line.length - 1)).toBeUndefined();
    expect(reader.readEscaped(bytes, 1, line.length)).toBeUndefined();
    expect(reader.readEscaped(bytes, line.length, bytes.length)?.closingBrace).toBe(bytes.length - 1);
    // The end of the entry before is no part of this one.
    const tail = Buffer.from(`${line}"}`);
    expect(reader.readEscaped(tail, line.length - 2, tail.length)).toBeUndefined();
  });
});

describe('an entry read in place annotates as the scanned line does', () => {
  it('for records with and without codes, with "log" inside, escaped keys, the annotation key, not records, parts', () => {
    const inPlace = lines.filter(expectSameAsScanned);
    // Most whole records are read without unescaping log (not those the scanner is unsure of).
    expect(inPlace.length).toBeGreaterThanOrEqual(8);
  });

  it('for the annotation key named as an entry key: the caller scans instead', () => {
    const line = Buffer.from(entry('{"status":500}\n'));
    const annotator = createAnnotator({ key: 'time' });
    expect(annotator.annotateReadObject(line, new DockerEntryReader().read(line, 0, line.length)!)).toBeUndefined();
  });

  it('for any record docker may wrap', () => {
    const value = fc.oneof(
      fc.integer({ min: 100, max: 599 }),
      fc.string(),
      fc.constantFrom('404', ' 500 ', '{"status":502}', '{"hid_error":{"reason":1292}}'),
      fc.constant(null),
    );
    const key = fc.constantFrom(
      'status',
      'statusCode',
      'hid_error',
      'hid_failure',
      'hid_response',
      'body',
      'response_body',
      'log',
      'msg',
      'message',
      'user',
      'time',
      'stream',
      'hid',
      '<&>',
    );
    const record = fc.dictionary(key, value).map((object) => JSON.stringify(object));
    fc.assert(
      fc.property(record, fc.string(), fc.boolean(), (text, time, whole) => {
        expectSameAsScanned(entry(whole ? `${text}\n` : text, time));
      }),
      { numRuns: 300 },
    );
  });
});
