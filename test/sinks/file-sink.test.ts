import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  open,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSink, NO_RETRIES, type WriteFaults } from '../../src/sinks/file-sink.js';
import { LineWriter } from '../../src/sinks/line-writer.js';
import { SmallDisk, canMountTmpfs } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/tools.js';

const DISK_BYTES = 64 * 1024;

/** Numbered lines, `bytes` bytes or a little more, as chunks of about `chunkBytes`. */
function numberedChunks(bytes: number, chunkBytes: number, first = 0): Buffer[] {
  const chunks: Buffer[] = [];
  let n = first;
  for (let total = 0; total < bytes; ) {
    let text = '';
    while (text.length < chunkBytes) text += `{"n":${n++},"pad":"${'x'.repeat(n % 37)}"}\n`;
    chunks.push(Buffer.from(text));
    total += text.length;
  }
  return chunks;
}

/** The faults a follow-mode output has: ENOSPC waited out; every call recorded. */
function retrying(stop?: AbortSignal): WriteFaults & { failures: { code: string | undefined; retrying: boolean }[]; recoveries: number[] } {
  const failures: { code: string | undefined; retrying: boolean }[] = [];
  const recoveries: number[] = [];
  return {
    retries: (error) => error.code === 'ENOSPC',
    failed: (error, retrying) => void failures.push({ code: error.code, retrying }),
    recovered: (count) => void recoveries.push(count),
    stop,
    failures,
    recoveries,
  };
}

/** Waits until the sink has said `count` failed writes (held, when it retries). */
const failuresReach = (faults: ReturnType<typeof retrying>, count: number) =>
  waitFor(`${count} failed writes said`, async () => (faults.failures.length >= count ? true : undefined), 20_000, 10);

/** Resolves with the write's error, or undefined once it is written. */
function write(sink: FileSink, chunk: Buffer): Promise<Error | undefined> {
  return new Promise((resolve) => sink.write(chunk, (error) => resolve(error ?? undefined)));
}

/** A sink whose errors the test reads from the write callbacks (an 'error' event would be unhandled). */
function quiet(sink: FileSink): FileSink {
  return sink.on('error', () => undefined);
}

const endsWithWholeLine = (bytes: Buffer) => bytes.length === 0 || bytes[bytes.length - 1] === 0x0a;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const openAsync = promisify(open);

describe.runIf(canMountTmpfs())('FileSink on a disk that fills up', () => {
  let disk: SmallDisk;
  afterEach(() => disk?.remove());

  it('without retries: fails the write, and leaves the file ending with the last whole line that fit', async () => {
    disk = new SmallDisk(DISK_BYTES);
    const path = join(disk.dir, 'out.ndjson');
    const sink = quiet(await FileSink.open(path, 'w', NO_RETRIES));
    const [chunk] = numberedChunks(1, 2 * DISK_BYTES);
    const error = await write(sink, chunk!);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const written = readFileSync(path);
    expect(written.length).toBeGreaterThan(DISK_BYTES / 2);
    expect(endsWithWholeLine(written)).toBe(true);
    expect(chunk!.subarray(0, written.length).equals(written)).toBe(true);
    sink.destroy();
  });

  // 'at once' is how a follower writes its output, whose ENOSPC is waited out.
  it.each(['pool', 'at once'] as const)(
    'with retries (%s writes): holds the write, a whole line at the end, until space is freed; then every byte once',
    async (mode) => {
      disk = new SmallDisk(DISK_BYTES);
      const path = join(disk.dir, 'out.ndjson');
      const faults = retrying();
      const sink = quiet(await FileSink.open(path, 'a', faults, mode));
      const chunks = numberedChunks(3 * DISK_BYTES, 32 * 1024);
      const results = chunks.map((chunk) => write(sink, chunk));
      await failuresReach(faults, 2); // tried again, after a pause
      expect(faults.failures.every((failure) => failure.code === 'ENOSPC' && failure.retrying)).toBe(true);
      expect(sink.writableLength).toBeGreaterThan(0); // held: not acknowledged
      expect(endsWithWholeLine(readFileSync(path))).toBe(true);
      disk.resize(16 * DISK_BYTES);
      expect(await Promise.all(results)).toEqual(chunks.map(() => undefined));
      expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
      expect(faults.recoveries).toEqual([faults.failures.length]);
      sink.destroy();
    },
  );

  it.each(['pool', 'at once'] as const)(
    'with retries (%s writes): from the failure said on, a reader never finds a torn line at the end, retry after retry',
    async (mode) => {
      disk = new SmallDisk(DISK_BYTES);
      const path = join(disk.dir, 'out.ndjson');
      const faults = retrying();
      const sink = quiet(await FileSink.open(path, 'a', faults, mode));
      const chunks = numberedChunks(3 * DISK_BYTES, 32 * 1024);
      const results = chunks.map((chunk) => write(sink, chunk));
      while (faults.failures.length === 0) await new Promise((resolve) => setImmediate(resolve));
      // Retries after 0.1, 0.2, 0.4 and 0.8 s: the file read between every two turns of the event loop.
      let torn = 0;
      for (const until = Date.now() + 1700; Date.now() < until; await new Promise((resolve) => setImmediate(resolve)))
        if (!endsWithWholeLine(readFileSync(path))) torn++;
      expect(faults.failures.length).toBeGreaterThanOrEqual(4);
      expect(torn).toBe(0);
      disk.resize(16 * DISK_BYTES);
      expect(await Promise.all(results)).toEqual(chunks.map(() => undefined));
      expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
      sink.destroy();
    },
  );

  it("a follower's writer (LineWriter, 'at once'): a chunk the disk cannot take whole is held, later ones wait behind it; then every byte once, in order", async () => {
    disk = new SmallDisk(DISK_BYTES);
    const path = join(disk.dir, 'out.ndjson');
    const faults = retrying();
    const writer = new LineWriter(quiet(await FileSink.open(path, 'a', faults, 'at once')));
    const chunks = numberedChunks(3 * DISK_BYTES, 8 * 1024);
    // As a follower's looks write: the lines of a look, then a flush.
    for (const chunk of chunks) {
      for (const line of chunk.toString().split('\n').slice(0, -1)) writer.writeLine(line);
      writer.flush();
    }
    await failuresReach(faults, 2);
    expect(writer.bytesAccepted).toBeLessThan(writer.bytesWritten);
    expect(writer.bytesAccepted).toBeGreaterThan(0); // the first chunks went in at once
    expect(endsWithWholeLine(readFileSync(path))).toBe(true);
    disk.resize(16 * DISK_BYTES);
    await writer.flushed();
    expect(writer.error).toBeUndefined();
    expect(writer.bytesAccepted).toBe(writer.bytesWritten);
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
    await writer.finish(true);
  });

  it('stop ends the waiting: the held write fails with its error at once', async () => {
    disk = new SmallDisk(DISK_BYTES);
    const stop = new AbortController();
    const faults = retrying(stop.signal);
    const sink = quiet(await FileSink.open(join(disk.dir, 'out.ndjson'), 'a', faults));
    const result = write(sink, Buffer.concat(numberedChunks(2 * DISK_BYTES, 2 * DISK_BYTES)));
    await failuresReach(faults, 1); // held
    const stopped = Date.now();
    stop.abort();
    expect(((await result) as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(Date.now() - stopped).toBeLessThan(200);
    sink.destroy();
  });

  it('reopened while a write is held (the full file moved away, SIGHUP): the rest goes to the new file', async () => {
    disk = new SmallDisk(DISK_BYTES);
    const path = join(disk.dir, 'out.ndjson');
    const faults = retrying();
    const sink = quiet(await FileSink.open(path, 'a', faults));
    const chunks = numberedChunks(2 * DISK_BYTES, 16 * 1024);
    const results = chunks.map((chunk) => write(sink, chunk));
    await failuresReach(faults, 1); // held
    renameSync(path, `${path}.1`);
    await sink.reopen();
    disk.resize(16 * DISK_BYTES);
    await Promise.all(results);
    const old = readFileSync(`${path}.1`);
    expect(endsWithWholeLine(old)).toBe(true);
    expect(Buffer.concat([old, readFileSync(path)]).equals(Buffer.concat(chunks))).toBe(true);
    sink.destroy();
  });
});

describe('FileSink', () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'hidlog-sink-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('truncateTo cuts the file back to the end of the bytes asked for, and writes nothing more', async () => {
    const path = join(dir, 'out.ndjson');
    const sink = quiet(await FileSink.open(path, 'w', NO_RETRIES));
    const chunks = numberedChunks(100_000, 20_000);
    for (const chunk of chunks) expect(await write(sink, chunk)).toBeUndefined();
    const keep = chunks[0]!.length + chunks[1]!.length;
    expect(await sink.truncateTo(keep)).toBe(true);
    expect(readFileSync(path).equals(Buffer.concat(chunks.slice(0, 2)))).toBe(true);
    expect(((await write(sink, chunks[0]!)) as NodeJS.ErrnoException).code).toBe('ERR_ABANDONED');
    sink.destroy();
  });

  it('a descriptor it was given (stdout on /dev/full): the write is waited out until stop', async () => {
    const fd = openSync('/dev/full', 'w');
    const stop = new AbortController();
    const faults = retrying(stop.signal);
    const sink = quiet(FileSink.onDescriptor(fd, faults));
    const result = write(sink, Buffer.from('{"n":1}\n'));
    await failuresReach(faults, 2); // waited out: tried again
    stop.abort();
    expect(((await result) as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(faults.failures.length).toBeGreaterThan(1);
    sink.destroy();
    closeSync(fd);
  });

  it('a descriptor it was given (stdout redirected to a file) is never cut, and left open', async () => {
    const path = join(dir, 'stdout.ndjson');
    const fd = openSync(path, 'w');
    const sink = quiet(FileSink.onDescriptor(fd, NO_RETRIES));
    const chunks = numberedChunks(50_000, 20_000);
    for (const chunk of chunks) expect(await write(sink, chunk)).toBeUndefined();
    expect(await sink.truncateTo(chunks[0]!.length)).toBe(false);
    sink.destroy();
    await new Promise((resolve) => sink.once('close', resolve));
    expect(fstatSync(fd).size).toBe(Buffer.concat(chunks).length); // still open, and whole
    closeSync(fd);
  });

  it('marks the file it writes (device, inode, size), and a new sink on it cuts it back to a mark before writing on', async () => {
    const path = join(dir, 'out.ndjson');
    const sink = quiet(await FileSink.open(path, 'a', NO_RETRIES));
    const chunks = numberedChunks(40_000, 20_000);
    expect(await write(sink, chunks[0]!)).toBeUndefined();
    await sink.sync();
    const mark = (await sink.mark())!;
    expect(mark).toEqual({ dev: statSync(path).dev, ino: statSync(path).ino, born: statSync(path).birthtimeMs, size: chunks[0]!.length });
    expect(await write(sink, chunks[1]!)).toBeUndefined();
    sink.destroy();
    const again = quiet(await FileSink.open(path, 'a', NO_RETRIES));
    expect(await again.cutBackTo(mark)).toBe('cut');
    expect(await again.cutBackTo(mark)).toBe('as marked');
    expect(await again.cutBackTo({ ...mark, size: mark.size + 1 })).toBe('shorter');
    expect(await again.cutBackTo({ ...mark, ino: mark.ino + 1 })).toBe('another file');
    // The same inode number, given to a new file after the old one was deleted: born later.
    if (mark.born !== 0) expect(await again.cutBackTo({ ...mark, born: mark.born - 1 })).toBe('another file');
    expect(await write(again, chunks[1]!)).toBeUndefined();
    expect(readFileSync(path).equals(Buffer.concat(chunks))).toBe(true);
    again.destroy();
  });

  it('tells whether the file it writes is still at its path, moved away, or deleted', async () => {
    const path = join(dir, 'out.ndjson');
    const sink = quiet(await FileSink.open(path, 'a', NO_RETRIES));
    expect(await sink.condition()).toBe('at its path');
    renameSync(path, `${path}.1`);
    expect(await sink.condition()).toBe('moved');
    writeFileSync(path, '');
    expect(await sink.condition()).toBe('moved');
    await sink.reopen();
    expect(await sink.condition()).toBe('at its path');
    unlinkSync(path);
    expect(await sink.condition()).toBe('deleted');
    sink.destroy();
  });

  it('a descriptor it was given is not marked, so never cut back', async () => {
    const fd = openSync(join(dir, 'stdout.ndjson'), 'w');
    const sink = quiet(FileSink.onDescriptor(fd, NO_RETRIES));
    expect(await sink.mark()).toBeUndefined();
    expect(await sink.condition()).toBe('at its path');
    sink.destroy();
    await new Promise((resolve) => sink.once('close', resolve));
    closeSync(fd);
  });
});

/**
 * Keeps every thread of libuv's pool busy: each opens a FIFO for reading, which blocks until a
 * writer opens it. `release` opens them, so the threads are free again.
 */
class BusyThreadPool {
  private readonly fifos: string[] = [];
  private readonly readers: Promise<number>[] = [];

  constructor(dir: string) {
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    for (let i = 0; i < threads; i++) {
      const fifo = join(dir, `pool-${i}.fifo`);
      execFileSync('mkfifo', [fifo]);
      this.fifos.push(fifo);
      this.readers.push(openAsync(fifo, 'r'));
    }
  }

  async release(): Promise<void> {
    for (const fifo of this.fifos) {
      // Without blocking: a writer's open fails (ENXIO) until the FIFO's reader is in its open.
      await waitFor(
        `the reader of ${fifo} in its open`,
        async () => {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
          return true;
        },
        20_000,
        10,
      );
    }
    for (const fd of await Promise.all(this.readers)) closeSync(fd);
  }
}

describe("FileSink writing 'at once' (a follower's output)", () => {
  let dir: string;
  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'hidlog-sink-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes on the calling thread: done while every thread of libuv's pool is busy, where a pooled write waits", async () => {
    const atOnce = quiet(await FileSink.open(join(dir, 'at-once.ndjson'), 'a', NO_RETRIES, 'at once'));
    const pooled = quiet(await FileSink.open(join(dir, 'pooled.ndjson'), 'a', NO_RETRIES));
    const busy = new BusyThreadPool(dir);
    const line = Buffer.from('{"n":1}\n');
    let pooledDone = false;
    const pooledWrite = write(pooled, line).then((error) => {
      pooledDone = true;
      return error;
    });
    try {
      // A sleep, the point of the check: the pooled write does not end in 200 ms.
      await sleep(200);
      expect(pooledDone).toBe(false); // the pool is taken
      // A write through the pool would wait for as long as the pool is busy (a bound, not a wait: the race ends at the write).
      expect(await Promise.race([write(atOnce, line), sleep(5000).then(() => 'still waiting')])).toBeUndefined();
      expect(readFileSync(join(dir, 'at-once.ndjson'), 'utf8')).toBe('{"n":1}\n');
    } finally {
      await busy.release();
    }
    expect(await pooledWrite).toBeUndefined();
    expect(readFileSync(join(dir, 'pooled.ndjson'), 'utf8')).toBe('{"n":1}\n');
    atOnce.destroy();
    pooled.destroy();
  });

  it('writeNow: in the file and acknowledged on return, with no callback, when nothing is queued; otherwise through the stream, in order', async () => {
    const path = join(dir, 'out.ndjson');
    const sink = quiet(await FileSink.open(path, 'a', NO_RETRIES, 'at once'));
    const calls: (Error | null | undefined)[] = [];
    expect(sink.writeNow(Buffer.from('{"n":1}\n'), (error) => calls.push(error ?? undefined))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n');
    expect(sink.writableLength).toBe(0);
    sink.cork(); // something queued: a chunk given now goes behind it
    const queued = write(sink, Buffer.from('{"n":2}\n'));
    expect(sink.writeNow(Buffer.from('{"n":3}\n'), (error) => calls.push(error ?? undefined))).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n');
    sink.uncork();
    expect(await queued).toBeUndefined();
    await waitFor('the queued chunk acknowledged', async () => (calls.length > 0 ? true : undefined));
    expect(calls).toEqual([undefined]);
    expect(readFileSync(path, 'utf8')).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
    const pooled = quiet(await FileSink.open(join(dir, 'pooled.ndjson'), 'a', NO_RETRIES));
    const pooledDone = new Promise((resolve) => expect(pooled.writeNow(Buffer.from('{"n":1}\n'), resolve)).toBe(false));
    expect(await pooledDone).toBeFalsy();
    expect(readFileSync(join(dir, 'pooled.ndjson'), 'utf8')).toBe('{"n":1}\n');
    sink.destroy();
    pooled.destroy();
  });

  it('a FIFO is still written through the pool, as it may block: its write waits while the pool is busy', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = openAsync(fifo, 'r');
    const sink = quiet(await FileSink.open(fifo, 'a', NO_RETRIES, 'at once'));
    const fd = await reader;
    const busy = new BusyThreadPool(dir);
    const line = Buffer.from('{"n":1}\n');
    let done = false;
    const written = write(sink, line).then((error) => {
      done = true;
      return error;
    });
    // A sleep, the point of the check: the write does not end in 200 ms.
    await sleep(200);
    expect(done).toBe(false);
    await busy.release();
    expect(await written).toBeUndefined();
    const buffer = Buffer.alloc(64);
    expect(buffer.subarray(0, readSync(fd, buffer)).equals(line)).toBe(true);
    closeSync(fd);
    sink.destroy();
  });
});
