import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { ContentsMemory, type Content, type Read } from '../../src/follow/contents-memory.js';
import { Delivery } from '../../src/follow/delivery.js';
import { handOutput } from '../helpers/hand-output.js';
import { FollowedFile } from '../../src/follow/followed-file.js';
import { fingerprintOfStart } from '../../src/follow/fingerprinter.js';
import { LineWriter } from '../../src/sinks/line-writer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-memory-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const LINE = '{"a":1}\n';

/** A file of `lines` lines at `name`, followed from its start and read to its end, each chunk marked as reached (as the follower does). */
async function readFile(memory: ContentsMemory, out: ReturnType<typeof handOutput>, name: string, lines: number): Promise<FollowedFile> {
  const path = join(dir, name);
  writeFileSync(path, `{"file":"${name}"}\n${LINE.repeat(lines - 1)}`);
  const file = await FollowedFile.open(path, { annotator: createAnnotator(), maxLineBytes: 1000, strict: false, output: new LineWriter(new PassThrough()) });
  await file.readStart();
  file.decided = true;
  file.startAt(0);
  memory.start(file, 0);
  await file.read(new AbortController().signal, (bytes) => {
    out.write(bytes);
    memory.reached(file, file.checkpointOffset);
    return undefined;
  });
  return file;
}

const contentOf = (start: string, offset: number, seen = false): Content => ({
  fingerprint: fingerprintOfStart(Buffer.from(start))!,
  offset,
  path: join(dir, 'x.log'),
  seen,
});

describe('ContentsMemory', () => {
  it('closes a followed file into a content at its offset, saved under the path a pattern names, at what the outputs accepted', async () => {
    const out = handOutput();
    const memory = new ContentsMemory(new Delivery<Read>([out]));
    const file = await readFile(memory, out, 'app.log.1', 3);
    const end = file.checkpointOffset;
    memory.saveUnder(file, join(dir, 'app.log'));
    file.finish();
    memory.closedInto(file);
    await file.close();
    const [content] = memory.all;
    expect(content).toMatchObject({ offset: end, path: join(dir, 'app.log'), seen: false });
    // The outputs have not accepted the lines: the content is saved, at what they did accept (nothing), so a restart reads them again.
    expect(memory.positions([])).toEqual([
      { path: join(dir, 'app.log'), fingerprint: content!.fingerprint.hash, fingerprintBytes: content!.fingerprint.bytes, offset: 0 },
    ]);
    out.accept(end);
    // All accepted, and no pattern sees it: nothing to save of it.
    expect(memory.positions([])).toEqual([]);
  });

  it('re-keys a content found again in a file: what the outputs accept of the file after that is the file position', async () => {
    const out = handOutput();
    const memory = new ContentsMemory(new Delivery<Read>([out]));
    const file = await readFile(memory, out, 'app.log', 2);
    const start = file.checkpointOffset;
    file.finish();
    memory.closedInto(file);
    await file.close();
    const content = memory.all[0]!;
    out.accept(start);
    // The same content, grown, found at another path: read on from the content's offset.
    appendFileSync(join(dir, 'app.log'), LINE);
    const again = await FollowedFile.open(join(dir, 'app.log'), {
      annotator: createAnnotator(),
      maxLineBytes: 1000,
      strict: false,
      output: new LineWriter(new PassThrough()),
    });
    await again.readStart();
    again.decided = true;
    expect(memory.withStart(again.start)).toBe(content);
    memory.forget(content);
    again.startAt(content.offset);
    memory.continueAs(content, again, again.checkpointOffset);
    expect(memory.all).toEqual([]);
    expect(memory.positions([again])).toMatchObject([{ offset: start }]);
    await again.read(new AbortController().signal, (bytes) => {
      out.write(bytes);
      memory.reached(again, again.checkpointOffset);
      return undefined;
    });
    expect(memory.positions([again])).toMatchObject([{ offset: start }]);
    out.accept(LINE.length);
    expect(memory.positions([again])).toMatchObject([{ offset: start + LINE.length }]);
    await again.close();
  });

  it('knows a file by the known content with the longest fingerprint its start matches', () => {
    const memory = new ContentsMemory(undefined);
    const short = contentOf('{"a":1}\n', 10);
    const long = contentOf('{"a":1}\n{"b":2}\n', 20);
    const other = contentOf('{"c":3}\n', 30);
    memory.load([]);
    for (const content of [short, long, other]) memory.remember(content);
    expect(memory.withStart(Buffer.from('{"a":1}\n{"b":2}\n{"d":4}\n'))).toBe(long);
    expect(memory.withStart(Buffer.from('{"a":1}\n{"e":5}\n'))).toBe(short);
    expect(memory.withStart(Buffer.from('{"f":6}\n'))).toBeUndefined();
  });

  it.each([
    ['with a state file', () => new Delivery<Read>([handOutput()])],
    ['without one', () => undefined],
  ])('past its limit, forgets the oldest content that need not be saved: not one a pattern sees, nor one looked for (%s)', (_, delivery) => {
    const memory = new ContentsMemory(delivery(), 3);
    const seen = contentOf('{"n":1}\n', 1, true);
    const searched = { ...contentOf('{"n":2}\n', 2), searchUntil: Date.now() + 1000 };
    const plain = contentOf('{"n":3}\n', 3);
    const newest = contentOf('{"n":4}\n', 4);
    for (const content of [seen, searched, plain, newest]) memory.remember(content);
    expect(memory.all).toEqual([seen, searched, newest]);
    expect(memory.searching()).toBe(true);
  });

  it('hands the copies of a file it closes the content: they hold it from now on', async () => {
    const out = handOutput();
    const memory = new ContentsMemory(new Delivery<Read>([out]));
    const file = await readFile(memory, out, 'app.log', 2);
    memory.examined.set('1:2', { stamp: '10:0', copyOf: file });
    file.finish();
    memory.closedInto(file);
    await file.close();
    const [content] = memory.all;
    expect(memory.examined.get('1:2')).toEqual({ stamp: '10:0', copyOf: undefined, content });
    expect(content!.seen).toBe(true);
  });

  it('loads saved positions as contents, not seen until a pattern finds them', () => {
    const memory = new ContentsMemory(undefined);
    memory.load([{ path: '/var/log/app.log', fingerprint: 'f'.repeat(64), fingerprintBytes: 9, offset: 42 }]);
    expect(memory.all).toEqual([{ fingerprint: { hash: 'f'.repeat(64), bytes: 9 }, offset: 42, path: '/var/log/app.log', seen: false }]);
  });
});
