/** The `n` items of highest count, ties in the order of `compare`, and the rest. */
export function topN<T>(items: Iterable<T>, n: number, countOf: (item: T) => number, compare: (a: T, b: T) => number): { top: T[]; rest: T[] } {
  const sorted = [...items].sort((a, b) => countOf(b) - countOf(a) || compare(a, b));
  return { top: sorted.slice(0, n), rest: sorted.slice(n) };
}

export const byNumber = (a: number, b: number) => a - b;
export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
