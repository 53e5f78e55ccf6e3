// Records a relative window has not decided on yet, in input order. They are kept in memory up
// to a limit, past it in a temporary file, so memory stays bounded however much is pending.
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Verdict } from './window.js';

const DEFAULT_MEMORY_LIMIT = 20_000;

export class HeldRecords<T> {
  private items: T[] = [];
  private head = 0;
  // The temporary file, once memory held too many; `fd` is closed when the file is read back.
  private spill: { dir: string; fd: number | undefined } | undefined;
  /** Records written to the temporary file so far. */
  spilled = 0;

  constructor(private readonly memoryLimit = DEFAULT_MEMORY_LIMIT) {}

  get size(): number {
    return this.spilled + this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length - this.head > this.memoryLimit) this.spillHeld();
  }

  /**
   * Hands on (`take`) or drops (`drop`) the held records at the front that now have a verdict, in
   * input order; stops at the first still pending. Records in the file wait for the end, and so do
   * records behind them that are in (dropping one out of order changes nothing counted).
   */
  settle(verdictOf: (item: T) => Verdict, take: (item: T) => void, drop: (item: T) => void): void {
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      const verdict = verdictOf(item);
      if (verdict === 'pending' || (verdict === 'in' && this.spill)) break;
      this.head++;
      if (verdict === 'in') take(item);
      else drop(item);
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Hands `each` every record still held, in input order; then nothing is held, and the file is gone. */
  async drain(each: (item: T) => void): Promise<void> {
    try {
      if (this.spill) {
        this.closeSpill();
        let carry = '';
        for await (const chunk of createReadStream(join(this.spill.dir, 'held.ndjson'), { encoding: 'utf8' })) {
          const lines = (carry + chunk).split('\n');
          carry = lines.pop()!;
          for (const line of lines) each(JSON.parse(line) as T);
        }
      }
      for (let i = this.head; i < this.items.length; i++) each(this.items[i]!);
    } finally {
      this.discard();
    }
  }

  /** Forgets everything held and removes the temporary file. */
  discard(): void {
    if (this.spill) {
      this.closeSpill();
      rmSync(this.spill.dir, { recursive: true, force: true });
      this.spill = undefined;
    }
    this.items = [];
    this.head = 0;
    this.spilled = 0;
  }

  private closeSpill(): void {
    if (this.spill?.fd === undefined) return;
    closeSync(this.spill.fd);
    this.spill.fd = undefined;
  }

  private spillHeld(): void {
    if (!this.spill) {
      const dir = mkdtempSync(join(tmpdir(), 'hidlog-report-'));
      this.spill = { dir, fd: openSync(join(dir, 'held.ndjson'), 'w') };
    }
    let text = '';
    for (let i = this.head; i < this.items.length; i++) text += JSON.stringify(this.items[i]) + '\n';
    writeSync(this.spill.fd!, text);
    this.spilled += this.items.length - this.head;
    this.items = [];
    this.head = 0;
  }
}
