import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/sources/line-splitter.js';

type Seen = ['line', string] | ['invalid_utf8', string] | ['too_long', number];

function split(chunks: readonly Buffer[], maxLineBytes = 1024) {
  const seen: Seen[] = [];
  const pieces: Buffer[] = [];
  const splitter = new LineSplitter(maxLineBytes, {
    line: (bytes, start, end) => seen.push(['line', bytes.toString('utf8', start, end)]),
    invalidUtf8: (raw) => seen.push(['invalid_utf8', raw.toString('hex')]),
    tooLongPiece: (piece) => pieces.push(Buffer.from(piece)),
    tooLong: (bytes) => seen.push(['too_long', bytes]),
  });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { seen, deadLetter: Buffer.concat(pieces) };
}

/** Every way of cutting `input` in two, and one byte at a time. */
function cuts(input: Buffer): Buffer[][] {
  const all: Buffer[][] = [[input], [...input].map((byte) => Buffer.from([byte]))];
  for (let at = 1; at < input.length; at++) all.push([input.subarray(0, at), input.subarray(at)]);
  return all;
}

describe('LineSplitter', () => {
  it('splits on \\n and \\r\\n, and keeps a last line without a newline', () => {
    expect(split([Buffer.from('a\r\nb\n\nc')]).seen).toEqual([
      ['line', 'a'],
      ['line', 'b'],
      ['line', ''],
      ['line', 'c'],
    ]);
  });

  it('gives the same lines however the input is cut, multibyte characters included', () => {
    const input = Buffer.from('{"city":"Zürich 東京 🔐"}\r\n{"a":1}\n€\n');
    const expected = split([input]).seen;
    expect(expected).toEqual([
      ['line', '{"city":"Zürich 東京 🔐"}'],
      ['line', '{"a":1}'],
      ['line', '€'],
    ]);
    for (const chunks of cuts(input)) expect(split(chunks).seen).toEqual(expected);
  });

  it('hands on a line of invalid UTF-8 byte for byte, and the lines around it as text', () => {
    const input = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\nfine\n')]);
    const expected: Seen[] = [
      ['line', 'ok'],
      ['invalid_utf8', 'c328ff'],
      ['line', 'fine'],
    ];
    for (const chunks of cuts(input)) expect(split(chunks).seen).toEqual(expected);
  });

  it('reports a too-long line once, with its size, streams its bytes, and goes on', () => {
    const long = 'x'.repeat(50);
    const input = Buffer.from(`short\n${long}\nafter\n`);
    for (const chunks of cuts(input)) {
      const { seen, deadLetter } = split(chunks, 10);
      expect(seen).toEqual([
        ['line', 'short'],
        ['too_long', 50],
        ['line', 'after'],
      ]);
      expect(deadLetter.toString()).toBe(long);
    }
  });

  it('treats a line of exactly the limit as a line, and one byte more as too long', () => {
    expect(split([Buffer.from('é'.repeat(5) + '\n')], 10).seen).toEqual([['line', 'ééééé']]);
    expect(split([Buffer.from('é'.repeat(5) + 'a\n')], 10).seen).toEqual([['too_long', 11]]);
    expect(split([Buffer.from('é'.repeat(5)), Buffer.from('a\n')], 10).seen).toEqual([['too_long', 11]]);
  });

  it('holds no more than the limit of a line that never ends: its bytes stream on as they come', () => {
    const reported: number[] = [];
    let streamed = 0;
    const splitter = new LineSplitter(1000, {
      line: () => undefined,
      invalidUtf8: () => undefined,
      tooLongPiece: (piece) => (streamed += piece.length),
      tooLong: (bytes) => reported.push(bytes),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 1; i <= 100; i++) {
      splitter.push(chunk);
      expect(streamed).toBe(i * chunk.length);
    }
    splitter.end();
    expect(reported).toEqual([100 * 64 * 1024]);
  });
});
