import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { FollowedFile } from '../../src/follow/followed-file.js';
import { LineWriter } from '../../src/sinks/line-writer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-followed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const MAX_LINE_BYTES = 1000;

/** A writer whose bytes are collected, and what it holds so far. */
function collected() {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  const writer = new LineWriter(sink, { collecting: true });
  const text = async () => {
    writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    return Buffer.concat(chunks).toString();
  };
  return { writer, text };
}

/** Follows `path` from its start; `read()` reads what is new, returning the bytes counted as read and the offset a restart would use. */
async function follow(path: string) {
  const output = collected();
  const deadLetter = collected();
  const file = await FollowedFile.open(path, {
    annotator: createAnnotator(),
    maxLineBytes: MAX_LINE_BYTES,
    strict: false,
    output: output.writer,
    deadLetter: deadLetter.writer,
  });
  file.startAt(0);
  // As the follower does before reading: the first bytes it knows the file by.
  await file.readStart();
  let counted = 0;
  const read = async () => {
    const result = await file.read(new AbortController().signal, (bytes) => void (counted += bytes));
    return { result, counted, restartAt: file.checkpointOffset };
  };
  return { file, read, output: output.text, deadLetter: deadLetter.text };
}

describe('FollowedFile and a too-long line', () => {
  it('writes nothing of a too-long line until the file holds its end, then all of it at once', async () => {
    const path = join(dir, 'app.log');
    const before = '{"status":200}\n';
    const long = `not json ${'y'.repeat(5000)}`;
    writeFileSync(path, before + long.slice(0, 3000));
    const { file, read, output, deadLetter } = await follow(path);
    try {
      const first = await read();
      expect(first.restartAt, 'a restart reads the line from its start').toBe(before.length);
      expect(await deadLetter()).toBe('');
      expect((await output()).split('\n').filter(Boolean)).toHaveLength(1);

      appendFileSync(path, long.slice(3000, 4500));
      await read();
      expect(await deadLetter(), 'still no end: still nothing').toBe('');

      appendFileSync(path, `${long.slice(4500)}\n{"status":401}\n`);
      const last = await read();
      expect(await deadLetter()).toBe(`${long}\n`);
      const lines = (await output()).split('\n').filter(Boolean);
      expect(lines).toHaveLength(3);
      expect(JSON.parse(lines[1]!)).toMatchObject({ hid: { invalid: 'too_long' } });
      expect(last.restartAt).toBe(before.length + long.length + 1 + '{"status":401}\n'.length);
      expect(last.counted, 'each byte counted once as read, though the line was read again').toBe(last.restartAt);
    } finally {
      await file.close();
    }
  });

  it('reads a too-long line the file holds whole as pieces in one read', async () => {
    const path = join(dir, 'app.log');
    const long = 'z'.repeat(600_000);
    writeFileSync(path, `${long}\n{"status":200}\n`);
    const { file, read, deadLetter, output } = await follow(path);
    try {
      await read();
      expect(await deadLetter()).toBe(`${long}\n`);
      expect((await output()).split('\n').filter(Boolean)).toHaveLength(2);
    } finally {
      await file.close();
    }
  });

  it('finds the file truncated while it waits for a line’s end', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, `{"status":200}\n${'y'.repeat(3000)}`);
    const { file, read, deadLetter } = await follow(path);
    try {
      await read();
      truncateSync(path, 0);
      writeFileSync(path, '{"status":500}\n'.repeat(400));
      expect((await read()).result).toBe('truncated');
      expect(await deadLetter()).toBe('');
    } finally {
      await file.close();
    }
  });
});

describe('FollowedFile truncated', () => {
  // Found by the model test (follower.model.test.ts): copytruncate after the follower read a new
  // file's first bytes and before it read its lines. Taken for a file with nothing new, it kept
  // its first bytes, and a glob's copy of them passed for a copy of it: the lines were read nowhere.
  it('finds the file truncated when it is shorter than its first bytes, with nothing read of it yet', async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '{"status":200}\n{"status":401}\n');
    const { file, read } = await follow(path);
    try {
      truncateSync(path, 0);
      expect((await read()).result).toBe('truncated');
    } finally {
      await file.close();
    }
  });
});

describe('FollowedFile.read, waiting only when there is something to wait for', () => {
  it("returns a tail's read at once, not a promise; reads on after what afterChunk gives is done, and returns that promise", async () => {
    const path = join(dir, 'app.log');
    writeFileSync(path, '{"status":200}\n');
    const { file, output } = await follow(path);
    const stop = new AbortController().signal;
    // Nothing to wait for: the follower's look makes no promise (src/follow/follower.ts).
    expect(file.read(stop, () => undefined)).toBe(15);
    appendFileSync(path, '{"status":401}\n');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const reading = file.read(stop, () => held);
    expect(reading).toBeInstanceOf(Promise);
    let settled = false;
    void (reading as Promise<unknown>).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false); // held until afterChunk's promise is done
    release();
    expect(await reading).toBe(15);
    expect(file.read(stop, () => undefined)).toBe(0);
    expect((await output()).split('\n').filter(Boolean)).toHaveLength(2);
  });
});
