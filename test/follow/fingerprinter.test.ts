import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compressionOf, FINGERPRINT_BYTES, fingerprintOfStart, sameStart, startMatches } from '../../src/follow/fingerprinter.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const lines = (from: number, to: number) => Buffer.from(Array.from({ length: to - from }, (_, i) => `{"n":${from + i},"status":200}\n`).join(''));

describe('fingerprintOfStart', () => {
  it('has none until the first line is complete', () => {
    expect(fingerprintOfStart(Buffer.alloc(0))).toBeUndefined();
    expect(fingerprintOfStart(Buffer.from('{"n":0,"sta'))).toBeUndefined();
  });

  it('covers the complete lines within the first KiB', () => {
    const start = Buffer.concat([lines(0, 3), Buffer.from('{"n":3,"st')]);
    expect(fingerprintOfStart(start)).toEqual({ hash: sha256(lines(0, 3)), bytes: lines(0, 3).length });
    const long = lines(0, 100); // over 1 KiB: the lines that end within it
    const fingerprint = fingerprintOfStart(long.subarray(0, FINGERPRINT_BYTES))!;
    expect(fingerprint.bytes).toBe(long.subarray(0, FINGERPRINT_BYTES).lastIndexOf(10) + 1);
    expect(fingerprint.bytes).toBeLessThanOrEqual(FINGERPRINT_BYTES);
  });

  it('takes the whole first KiB of a first line longer than that', () => {
    const start = Buffer.alloc(FINGERPRINT_BYTES, 'x');
    expect(fingerprintOfStart(start)).toEqual({ hash: sha256(start), bytes: FINGERPRINT_BYTES });
  });
});

describe('startMatches and sameStart', () => {
  it('recognise a file by its start, grown or copied, and nothing else', () => {
    const fingerprint = fingerprintOfStart(lines(0, 5))!;
    expect(startMatches(fingerprint, lines(0, 60))).toBe(true);
    expect(startMatches(fingerprint, lines(0, 4))).toBe(false); // too short to tell
    expect(startMatches(fingerprint, lines(1, 60))).toBe(false);
    expect(sameStart(lines(0, 60).subarray(0, FINGERPRINT_BYTES), lines(0, 5))).toBe(true); // a copy made early
    expect(sameStart(lines(0, 5), lines(5, 10))).toBe(false);
    expect(sameStart(Buffer.from('{"n":0'), Buffer.from('{"n":0'))).toBe(false); // no complete line: nothing to tell
  });
});

describe('compressionOf', () => {
  it('knows the compressions by their magic bytes, and text as none', () => {
    expect(compressionOf(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(compressionOf(Buffer.from('BZh91AY'))).toBe('bzip2');
    expect(compressionOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0]))).toBe('xz');
    expect(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0]))).toBe('zstd');
    expect(compressionOf(Buffer.from('{"n":1}\n'))).toBeUndefined();
    expect(compressionOf(Buffer.from('BZ'))).toBe('too short');
    expect(compressionOf(Buffer.alloc(0))).toBe('too short');
  });
});
