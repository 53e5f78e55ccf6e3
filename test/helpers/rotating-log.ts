// A log written and rotated as a service and logrotate would, for the crash tests
// (test/follow/crash*.cli.test.ts): records appended a batch at a time, the file rotated by rename
// and by copytruncate in turn, and on demand a backlog (what a service writes while hidlog is down).
import { appendFileSync, copyFileSync, existsSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** Record `n` (numbered across the whole log) of the log's content `f` (each rotation starts a new content), newline included. */
export type RecordText = (n: number, f: number) => string;

const BATCH = 60;
const PAUSE_MS = 20;
const ROTATE_MS = 1500;

/** Appends records to `log` a batch at a time, and rotates it now and then, until stopped. */
export class RotatingWriter {
  /** Records written so far; the next one is record `written`. */
  written = 0;
  /** Bytes written so far, across rotations. */
  bytes = 0;
  /** The content written to now (rotations so far). */
  content = 0;
  private stopped = false;
  readonly done: Promise<void>;

  constructor(
    private readonly log: string,
    private readonly record: RecordText,
  ) {
    writeFileSync(log, '');
    this.done = this.run();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  /** Appends at least `bytes` of records at once; returns how many records that was. */
  backlog(bytes: number): number {
    const first = this.written;
    let size = 0;
    while (size < bytes) {
      let batch = '';
      for (let i = 0; i < 1000; i++) batch += this.record(this.written++, this.content);
      this.append(batch);
      size += batch.length;
    }
    return this.written - first;
  }

  private async run(): Promise<void> {
    let lastRotation = Date.now();
    while (!this.stopped) {
      let batch = '';
      for (let i = 0; i < BATCH; i++) batch += this.record(this.written++, this.content);
      this.append(batch);
      if (Date.now() - lastRotation > ROTATE_MS) {
        this.rotate();
        lastRotation = Date.now();
      }
      await sleep(PAUSE_MS);
    }
  }

  private append(batch: string): void {
    appendFileSync(this.log, batch);
    this.bytes += Buffer.byteLength(batch);
  }

  /** By rename and a new file, or by copytruncate, in turn; both at once for the writer, so logrotate's own window does not open. */
  private rotate(): void {
    const rotated = `${this.log}.${++this.content}`;
    if (this.content % 2 === 0) {
      renameSync(this.log, rotated);
      writeFileSync(this.log, '');
    } else {
      copyFileSync(this.log, rotated);
      truncateSync(this.log, 0);
    }
  }
}
