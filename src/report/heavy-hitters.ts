// The most frequent values of a field of any cardinality, in bounded memory: Space-Saving
// (Metwally, Agrawal, El Abbadi 2005). Up to `capacity` distinct values every count is exact;
// past it, a new value takes the place of the least counted one and inherits its count as a
// possible overcount (`error`), so a value's true count lies in [count - error, count], and any
// value seen more than total / capacity times is certain to be kept.

export interface Hitter<P> {
  value: string;
  count: number;
  /** At most this much of `count` may belong to values this one replaced. */
  error: number;
  /** What the caller keeps about the value while it is tracked (fresh when it enters). */
  payload: P;
  heapIndex: number;
}

/** A sketch's values as data: what a report's partial keeps of it. */
export interface SketchState<P> {
  total: number;
  replacements: number;
  hitters: readonly { value: string; count: number; error: number; payload: P }[];
}

export class HeavyHitters<P> {
  private readonly byValue = new Map<string, Hitter<P>>();
  // A min-heap on count: the root is the value to replace.
  private readonly heap: Hitter<P>[] = [];
  /** Every value added, with repetitions. */
  total = 0;
  /** Values that replaced another: 0 means every count is exact. */
  replacements = 0;

  constructor(
    readonly capacity: number,
    private readonly newPayload: () => P,
  ) {}

  /** Counts one occurrence of `value`; returns its entry. */
  add(value: string): Hitter<P> {
    this.total++;
    let hitter = this.byValue.get(value);
    if (hitter) {
      hitter.count++;
      this.siftDown(hitter.heapIndex);
      return hitter;
    }
    if (this.heap.length < this.capacity) {
      hitter = { value, count: 1, error: 0, payload: this.newPayload(), heapIndex: this.heap.length };
      this.heap.push(hitter);
      this.byValue.set(value, hitter);
      this.siftUp(hitter.heapIndex);
      return hitter;
    }
    hitter = this.heap[0]!;
    this.replacements++;
    this.byValue.delete(hitter.value);
    hitter.value = value;
    hitter.error = hitter.count;
    hitter.count++;
    hitter.payload = this.newPayload();
    this.byValue.set(value, hitter);
    this.siftDown(0);
    return hitter;
  }

  /** The tracked values, in no particular order. */
  hitters(): readonly Hitter<P>[] {
    return this.heap;
  }

  /**
   * Adds another sketch's counts (Space-Saving summaries merge, Agarwal et al. 2012): a value
   * either one lacks gets, from a sketch that replaced values, that sketch's least count as a
   * possible overcount; then the most counted values, up to capacity, are kept (ties by value).
   * While neither sketch replaced a value and together they hold at most capacity values, every
   * count stays exact, as one sketch over both inputs would have it.
   */
  merge(other: SketchState<P>, mergePayload: (into: P, from: P) => void): void {
    const floor = (replaced: number, hitters: readonly { count: number }[]) =>
      replaced === 0 ? 0 : hitters.reduce((least, h) => Math.min(least, h.count), Number.POSITIVE_INFINITY);
    const mine = floor(this.replacements, this.heap);
    const theirs = floor(other.replacements, other.hitters);
    const merged = new Map<string, { value: string; count: number; error: number; payload: P }>();
    for (const hitter of this.heap)
      merged.set(hitter.value, { value: hitter.value, count: hitter.count + theirs, error: hitter.error + theirs, payload: hitter.payload });
    for (const hitter of other.hitters) {
      const known = merged.get(hitter.value);
      if (known) {
        known.count += hitter.count - theirs;
        known.error += hitter.error - theirs;
        mergePayload(known.payload, hitter.payload);
      } else {
        const payload = this.newPayload();
        mergePayload(payload, hitter.payload);
        merged.set(hitter.value, { value: hitter.value, count: hitter.count + mine, error: hitter.error + mine, payload });
      }
    }
    const kept = [...merged.values()].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    this.total += other.total;
    this.replacements += other.replacements + Math.max(0, kept.length - this.capacity);
    this.heap.length = 0;
    this.byValue.clear();
    for (const { value, count, error, payload } of kept.slice(0, this.capacity)) {
      const hitter: Hitter<P> = { value, count, error, payload, heapIndex: this.heap.length };
      this.heap.push(hitter);
      this.byValue.set(value, hitter);
      this.siftUp(hitter.heapIndex);
    }
  }

  private siftUp(at: number): void {
    const heap = this.heap;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (heap[parent]!.count <= heap[at]!.count) return;
      this.swap(at, parent);
      at = parent;
    }
  }

  private siftDown(at: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) return;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.count < heap[left]!.count ? right : left;
      if (heap[at]!.count <= heap[child]!.count) return;
      this.swap(at, child);
      at = child;
    }
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    const first = heap[a]!;
    heap[a] = heap[b]!;
    heap[b] = first;
    heap[a]!.heapIndex = a;
    heap[b]!.heapIndex = b;
  }
}
