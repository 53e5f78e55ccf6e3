import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { readersFor, type InputFormatOption } from '../../src/envelopes/formats.js';
import type { LineEvent } from '../../src/pipeline/events.js';
import { LineProcessor } from '../../src/pipeline/line-processor.js';
import { ChunkPool, LineWriter } from '../../src/sinks/line-writer.js';

function collector(): { writer: LineWriter; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  const writer = new LineWriter(stream, { pool: new ChunkPool(), collecting: true });
  return {
    writer,
    text: () => {
      writer.flush();
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

interface Run {
  output: string;
  deadLetter: string;
  results: string[];
  /** The splitter's pendingBytes after each chunk. */
  pending: number[];
}

/** `chunks` through one LineProcessor, as a batch input or a followed file reads them. */
function process(chunks: readonly Buffer[], options: { format?: InputFormatOption; maxLineBytes?: number; end?: boolean; deadLetter?: boolean } = {}): Run {
  const output = collector();
  const deadLetter = collector();
  const results: string[] = [];
  const observer = { line: (event: LineEvent) => results.push(event.result === 'invalid' ? `invalid:${event.reason}` : event.result) };
  const processor = new LineProcessor(
    {
      annotator: createAnnotator(),
      maxLineBytes: options.maxLineBytes ?? 1024 * 1024,
      strict: false,
      output: output.writer,
      deadLetter: options.deadLetter ? deadLetter.writer : undefined,
      observer,
      readers: readersFor(options.format ?? 'auto'),
    },
    'test',
  );
  const splitter = processor.splitter();
  const pending: number[] = [];
  for (const chunk of chunks) {
    splitter.push(chunk);
    pending.push(splitter.pendingBytes);
  }
  if (options.end !== false) splitter.end();
  return { output: output.text(), deadLetter: deadLetter.text(), results, pending };
}

/** Every way of cutting `input` in two. */
function cutsInTwo(input: Buffer): Buffer[][] {
  const all: Buffer[][] = [[input]];
  for (let at = 1; at < input.length; at++) all.push([input.subarray(0, at), input.subarray(at)]);
  return all;
}

const hidOf = (line: string) => (JSON.parse(line.slice(line.indexOf('{'))) as { hid: unknown }).hid;

const body = '{"status":400,"error":"invalid_grant","hid_failure":{"reason":51},"note":"Zürich 🔐"}';
// The runtime cut the message into three parts, between bytes of a multibyte character too.
const bodyBytes = Buffer.from(body);
const cutA = 20;
const cutB = bodyBytes.indexOf('🔐') + 2;
const criInput = Buffer.concat([
  Buffer.from('2026-12-01T10:00:00.000000001Z stdout F {"status":200,"hid_response":1}\n'),
  Buffer.from('2026-12-01T10:00:01.5Z stdout P '),
  bodyBytes.subarray(0, cutA),
  Buffer.from('\n2026-12-01T10:00:01.6Z stdout P '),
  bodyBytes.subarray(cutA, cutB),
  Buffer.from('\n2026-12-01T10:00:01.7Z stdout F '),
  bodyBytes.subarray(cutB),
  Buffer.from('\n2026-12-01T10:00:02Z stderr F warning: slow disk\n'),
]);

const dockerLines = [
  JSON.stringify({ log: body.slice(0, 30), stream: 'stdout', time: '2026-12-01T10:00:01.5Z' }),
  JSON.stringify({ log: body.slice(30) + '\n', stream: 'stdout', time: '2026-12-01T10:00:01.6Z' }),
  JSON.stringify({ log: '{"level":"info","msg":"up"}\n', stream: 'stdout', time: '2026-12-01T10:00:02Z' }),
];
const dockerInput = Buffer.from(dockerLines.join('\n') + '\n');

describe('CRI partial lines', () => {
  it('joins P parts up to the F, keeps the first part’s time, and passes other lines on', () => {
    const run = process([criInput]);
    expect(run.results).toEqual(['annotated', 'partial', 'partial', 'annotated', 'invalid:invalid_json']);
    const lines = run.output.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]!.startsWith(`2026-12-01T10:00:01.5Z stdout F ${body.slice(0, -1)},"hid":{`)).toBe(true);
    expect(hidOf(lines[1]!)).toMatchObject({ status: { code: 400 }, failure: { code: 51 }, outcome: 'failure' });
    expect(lines[2]).toBe('2026-12-01T10:00:02Z stderr F warning: slow disk');
  });

  it('gives the same output, results and dead letters wherever the input is cut', () => {
    const whole = process([criInput]);
    for (const chunks of cutsInTwo(criInput)) {
      const { output, results } = process(chunks);
      expect({ output, results }).toEqual({ output: whole.output, results: whole.results });
      const withDeadLetters = process(chunks, { deadLetter: true });
      expect(withDeadLetters.deadLetter).toBe('2026-12-01T10:00:02Z stderr F warning: slow disk\n');
    }
  });

  it('holds the parts as pending bytes, so a reader that resumes there reads the whole record again', () => {
    const firstPart = criInput.indexOf('\n') + 1;
    const lastPart = criInput.indexOf('2026-12-01T10:00:01.7Z');
    // Read up to the F line: the record is not out yet, and a restart must start at its first part.
    const run = process([criInput.subarray(0, lastPart)], { end: false });
    expect(run.pending.at(-1)).toBe(lastPart - firstPart);
    expect(run.output.split('\n').filter(Boolean)).toHaveLength(1);
    const resumed = process([criInput.subarray(lastPart - run.pending.at(-1)!)]);
    expect(resumed.results.slice(0, 3)).toEqual(['partial', 'partial', 'annotated']);
  });

  it('counts an over-long join once as too_long and dead-letters its lines as they were', () => {
    // Each line is under --max-line-bytes, the joined message is not.
    const parts = ['{"status":401,"padding":"', 'a'.repeat(40), 'b'.repeat(40), 'c'.repeat(40), '","hid_error":1292}'];
    const lines = parts.map((part, i) => `2026-12-01T10:00:00Z stdout ${i < parts.length - 1 ? 'P' : 'F'} ${part}`);
    const input = Buffer.from([...lines, '{"status":200}'].join('\n') + '\n');
    const run = process([input], { maxLineBytes: 100, deadLetter: true });
    expect(run.results).toEqual(['partial', 'partial', 'partial', 'partial', 'too_long', 'annotated']);
    expect(run.deadLetter).toBe(lines.join('\n') + '\n');
    expect(run.output.split('\n')[0]).toBe(`{"hid":{"invalid":"too_long","bytes":${Buffer.byteLength(lines.join('\n'))}}}`);
    // Cut anywhere, the same.
    for (const chunks of cutsInTwo(input))
      expect(process(chunks, { maxLineBytes: 100, deadLetter: true })).toMatchObject({ results: run.results, deadLetter: run.deadLetter, output: run.output });
  });

  it('writes a joined record without codes as its original lines', () => {
    const input = Buffer.from('2026-12-01T10:00:00Z stdout P {"level":"info",\n2026-12-01T10:00:00Z stdout F "msg":"up"}\n');
    const run = process([input]);
    expect(run.results).toEqual(['partial', 'no_codes']);
    expect(run.output).toBe(input.toString());
  });

  it('ends an input inside a join with the parts read as one record', () => {
    const input = Buffer.from('2026-12-01T10:00:00Z stdout P {"status":401,\n2026-12-01T10:00:00Z stdout P "hid_error":1292}\n');
    const run = process([input]);
    expect(run.results).toEqual(['partial', 'partial', 'annotated']);
    expect(hidOf(run.output)).toMatchObject({ error: { code: 1292 }, outcome: 'error' });
  });

  it('joins each stream on its own when stdout and stderr parts interleave', () => {
    const input = Buffer.from(
      [
        '2026-12-01T10:00:00Z stdout P {"status":401,',
        '2026-12-01T10:00:00Z stderr P {"status":500',
        '2026-12-01T10:00:00Z stdout F "hid_error":1292}',
        '2026-12-01T10:00:00Z stderr F }',
      ].join('\n') + '\n',
    );
    const run = process([input]);
    expect(run.results).toEqual(['partial', 'partial', 'annotated', 'annotated']);
    const [out, err] = run.output.split('\n');
    expect(hidOf(out!)).toMatchObject({ status: { code: 401 }, error: { code: 1292 } });
    expect(hidOf(err!)).toMatchObject({ status: { code: 500 } });
  });
});

describe('docker partial entries', () => {
  it('joins entries whose log lacks the newline, into one entry with the first part’s time', () => {
    const run = process([dockerInput]);
    expect(run.results).toEqual(['partial', 'annotated', 'no_codes']);
    const [joined, plain] = run.output.split('\n');
    const entry = JSON.parse(joined!) as Record<string, unknown>;
    expect(entry).toMatchObject({ log: body + '\n', stream: 'stdout', time: '2026-12-01T10:00:01.5Z', hid: { failure: { code: 51 } } });
    expect(Object.keys(entry)).toEqual(['log', 'stream', 'time', 'hid']);
    expect(plain).toBe(dockerLines[2]);
  });

  it('gives the same output wherever the input is cut', () => {
    const whole = process([dockerInput]);
    for (const chunks of cutsInTwo(dockerInput)) {
      const { output, results } = process(chunks);
      expect({ output, results }).toEqual({ output: whole.output, results: whole.results });
    }
  });

  it('reads each entry on its own under --input-format ndjson: neither half of the split record is one', () => {
    expect(process([dockerInput], { format: 'ndjson' }).results).toEqual(['no_codes', 'no_codes', 'no_codes']);
  });

  it('reads a whole entry, whichever way it is read, as the JSON line it is', () => {
    // Read where it is, after unescaping log, or as a JSON line: the annotations are the same.
    const go = (text: string) => JSON.stringify(text).replace(/[<>&\u2028]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const entry = (log: string, rest = '') => `{"log":${go(log)},"stream":"stdout","time":"2026-12-01T10:00:02Z"${rest}}`;
    const lines = [
      entry('{"status":401,"msg":"a <b> & c \u2028","body":"{\\"hid_failure\\":{\\"reason\\":51}}"}\n'),
      entry('{"st\\u0061tus":404,"hid_error":1292}\n'),
      entry('{"status":500,"path":"a\\/b"}\r\n'),
      entry('{"status":400,"user":"\\ud800"}\n'),
      String.raw`{"log":"\t{\u0009\"status\":403}\n","stream":"stdout","time":"t"}`,
      String.raw`{"log":"{\"status\":\u0034\u0030\u0033}\n","stream":"stdout","time":"t"}`,
      entry('{"status":401}\n', ',"attrs":{"tag":"web"}'),
      entry('not a record: 500\n'),
      entry(`${body}\n`),
    ];
    const input = Buffer.from(`${lines.join('\n')}\n`);
    const asDocker = process([input]);
    expect(asDocker.results).toEqual(['annotated', 'annotated', 'annotated', 'annotated', 'annotated', 'annotated', 'annotated', 'no_codes', 'annotated']);
    expect(asDocker).toEqual(process([input], { format: 'ndjson' }));
  });
});

describe('other envelopes, line by line in one input', () => {
  it('reads JSON, CRI, syslog, logfmt and text lines in one file, and passes a plain line through', () => {
    const lines = [
      '{"status":401,"hid_error":1292}',
      '2026-12-01T10:00:00Z stdout F {"status":403,"hid_failure":13}',
      '<134>Dec  1 10:00:00 idp app[7]: {"status":500}',
      'ts=2026-12-01T10:00:00Z level=warn status=400 hid_failure=51',
      '2026-12-01 10:00:00,123 WARN [main] Audit - status=400 response={"error":"invalid_grant","hid_failure":{"reason":51}}',
      'Started.',
    ];
    const run = process([Buffer.from(lines.join('\n') + '\n')]);
    expect(run.results).toEqual(['annotated', 'annotated', 'annotated', 'annotated', 'annotated', 'invalid:invalid_json']);
    const out = run.output.split('\n');
    expect(out[2]!.startsWith('<134>Dec  1 10:00:00 idp app[7]: {"status":500,"hid":{')).toBe(true);
    expect(out[3]!.startsWith(`${lines[3]} hid="`)).toBe(true);
    expect(JSON.parse(JSON.parse(out[3]!.slice(out[3]!.indexOf('hid=') + 4)) as string)).toMatchObject({ failure: { code: 51 }, outcome: 'failure' });
    expect(out[5]).toBe('Started.');
  });

  it('reads none of them under --input-format ndjson', () => {
    const run = process([Buffer.from('2026-12-01T10:00:00Z stdout F {"status":403}\nstatus=400 hid_failure=51\n')], { format: 'ndjson' });
    expect(run.results).toEqual(['invalid:invalid_json', 'invalid:invalid_json']);
  });
});
