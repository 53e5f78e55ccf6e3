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
