import type { LineWriter } from '../sinks/line-writer.js';

/** What delivery needs of an output: the counts of a LineWriter, and its shutdown steps. */
export type DeliveredOutput = Pick<LineWriter, 'bytesWritten' | 'bytesAccepted' | 'flushed' | 'takeBack'>;

interface Mark<K> {
  /** Undefined once the key's marks stopped counting (see disown). */
  key: K | undefined;
  offset: number;
  /** Each output's bytes written when reading reached `offset`. */
  written: number[];
}

/**
 * Ties each file's read position to the output its lines became, as Vector's acknowledgements
 * tie a checkpoint to what the sink took: a position counts as delivered, and may be saved, only
 * once every output has accepted all the bytes written by the time reading reached it. Marks are
 * settled in the order they were made, so what is delivered is always a prefix of what was read.
 */
export class Delivery<K> {
  private readonly marks: Mark<K>[] = [];
  private readonly delivered = new Map<K, number>();
  /** Each output's bytes written at the last settled mark: where the delivered positions leave it. */
  private settled: number[];
  /** After close: whether each output was left holding exactly what the delivered positions cover. */
  private cutBack: boolean[] | undefined;

  constructor(private readonly outputs: readonly DeliveredOutput[]) {
    this.settled = outputs.map((output) => output.bytesWritten);
  }

  /** Reading `key` starts at `offset`: nothing read from it yet, so nothing to wait for; what was read of it before no longer counts. */
  start(key: K, offset: number): void {
    this.disown(key);
    this.delivered.set(key, offset);
  }

  /** As start, for a `key` not known yet; one known goes on from where it is. */
  startIfNew(key: K, offset: number): void {
    if (!this.delivered.has(key)) this.start(key, offset);
  }

  /**
   * What was read of `from` goes on as `to`, read on from `offset`: a followed file closed into
   * remembered content, content found again in a file, a truncated file's unread rest. `to` holds
   * nothing past `offset` (a copytruncate copy that ends before what was read of the file): the
   * marks it takes over, settled later, reach no further, or a restart would find it shorter than
   * its saved position and read it all again.
   */
  continueAs(from: K, to: K, offset: number): void {
    const delivered = this.delivered.get(from);
    this.delivered.delete(from);
    this.delivered.set(to, Math.min(delivered ?? offset, offset));
    for (const mark of this.marks) {
      if (mark.key !== from) continue;
      mark.key = to;
      mark.offset = Math.min(mark.offset, offset);
    }
  }

  /** Reading `key` has reached `offset`; its lines so far are in what the outputs were given. */
  reached(key: K, offset: number): void {
    this.marks.push({ key, offset, written: this.outputs.map((output) => output.bytesWritten) });
  }

  /** Where a restart should read `key` from: the last position whose lines every output accepted. */
  offsetOf(key: K): number | undefined {
    this.settle();
    return this.delivered.get(key);
  }

  /**
   * Whether output `i` holds exactly the lines of the delivered positions, no more (so that its
   * size can be saved with them): it accepted all it was given and every mark is settled, or
   * close cut it back to them.
   */
  holdsExactly(i: number): boolean {
    if (this.cutBack) return this.cutBack[i]!;
    this.settle();
    return this.marks.length === 0 && this.outputs[i]!.bytesWritten === this.settled[i];
  }

  /** `key` is no longer followed. */
  forget(key: K): void {
    this.disown(key);
    this.delivered.delete(key);
  }

  /** The marks not settled yet stop counting for `key` (they still count for the outputs' bytes). */
  private disown(key: K): void {
    for (const mark of this.marks) if (mark.key === key) mark.key = undefined;
  }

  /**
   * Shutdown: the outputs get until `deadline` to accept what they were given; then each that
   * was given more than the delivered positions cover gives back what it holds beyond them (a
   * failed write may have left whole lines in a file), where it can (a file hidlog opened), so
   * that it ends exactly where the saved positions say.
   */
  async close(deadline: AbortSignal): Promise<void> {
    await Promise.all(this.outputs.map((output) => output.flushed(deadline)));
    this.settle();
    this.cutBack = await Promise.all(this.outputs.map((output, i) => (output.bytesWritten > this.settled[i]! ? output.takeBack(this.settled[i]!) : true)));
    // Final: a write that went through while the outputs were being cut back was cut off with the rest.
    this.marks.length = 0;
  }

  private settle(): void {
    if (this.marks.length === 0) return;
    const accepted = this.outputs.map((output) => output.bytesAccepted);
    let settled = 0;
    for (const mark of this.marks) {
      if (mark.written.some((bytes, i) => bytes > accepted[i]!)) break;
      if (mark.key !== undefined && this.delivered.has(mark.key)) this.delivered.set(mark.key, mark.offset);
      this.settled = mark.written;
      settled++;
    }
    this.marks.splice(0, settled);
  }
}
