import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonStringReader, UNREAD } from '../../src/core/json-string.js';

/** `written` (a JSON string) read from a line that has it between `prefix` and `suffix`. */
function read(written: string, { prefix = 'x', suffix = ',"y":1}' } = {}) {
  const reader = new JsonStringReader();
  const line = Buffer.from(prefix + written + suffix);
  const at = Buffer.byteLength(prefix);
  const end = reader.read(line, at, line.length);
  return { end, after: end === UNREAD ? undefined : end - at, text: reader.bytes.toString('utf8', 0, reader.length), newline: reader.endsInNewlineEscape };
}

describe('JsonStringReader', () => {
  it('unescapes every escape JSON has to the bytes JSON.parse gives', () => {
    const written = String.raw`"a\"b\\c\/d\be\ff\ng\rh\ti \u00e9 \ud83d\ude00 \u003c\u0026\u003E \u0000"`;
    const { after, text } = read(written);
    expect(after).toBe(Buffer.byteLength(written));
    expect(text).toBe(JSON.parse(written));
  });

  it('keeps UTF-8 written as it is, and reads a string of a record with "log" in it', () => {
    for (const value of ['Zürich 🔐 東京', '{"log":"inner","stream":"stdout"}', '', ' ']) {
      const written = JSON.stringify(value);
      expect(read(written)).toMatchObject({ after: Buffer.byteLength(written), text: value });
    }
  });

  it('reads what JSON.stringify writes, whatever the string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const written = JSON.stringify(value);
        const { after, text } = read(written);
        expect(after).toBe(Buffer.byteLength(written));
        expect(text).toBe(value);
      }),
    );
  });

  it('reads strings longer than its buffer, and a short one after a long one', () => {
    const reader = new JsonStringReader();
    for (const value of ['x'.repeat(5000) + '\n', 'short']) {
      const line = Buffer.from(JSON.stringify(value));
      expect(reader.read(line, 0, line.length)).toBe(line.length);
      expect(reader.bytes.toString('utf8', 0, reader.length)).toBe(value);
    }
  });

  it('tells a string that ends in the escape \\n, and only as written so', () => {
    expect(read(String.raw`"line\n"`).newline).toBe(true);
    expect(read(String.raw`"line\\n"`).newline).toBe(false);
    expect(read(String.raw`"line\n\t"`).newline).toBe(false);
    expect(read(String.raw`"line\u000a"`).newline).toBe(false);
    expect(read(String.raw`"li\nne"`).newline).toBe(false);
  });

  it('reads no lone surrogate (UTF-8 has none), nor anything JSON.parse rejects', () => {
    for (const written of [String.raw`"\ud83d"`, String.raw`"\ude00\ud83d"`, String.raw`"\ud83dx"`, String.raw`"\ud83d\u0041"`]) {
      expect(() => JSON.parse(written) as unknown, written).not.toThrow();
      expect(read(written).end, written).toBe(UNREAD);
    }
    for (const written of [
      '"open',
      String.raw`"bad \x"`,
      String.raw`"bad \u12g4"`,
      String.raw`"cut \u12`,
      '"tab\there"',
      'no quote',
      String.raw`"ends in \"`,
    ]) {
      expect(() => JSON.parse(written) as unknown, written).toThrow();
      expect(read(written, { suffix: '' }).end, written).toBe(UNREAD);
    }
  });

  it('reads no further than the end it is given, whatever follows in the buffer', () => {
    const reader = new JsonStringReader();
    const line = Buffer.from('"abc"');
    expect(reader.read(line, 0, 4)).toBe(UNREAD);
    expect(reader.read(Buffer.from('"ab\\"'), 0, 4)).toBe(UNREAD);
    expect(reader.read(Buffer.from('"ab\\u0041"'), 0, 8)).toBe(UNREAD);
    expect(reader.read(line, 0, 5)).toBe(5);
  });
});
