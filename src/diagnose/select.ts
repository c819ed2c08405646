/**
 * The `k` first of `n` items in the order `compare` gives, without sorting all `n`: a bounded max-heap of the k
 * best so far (the worst kept on top), O(n log k). A report keeps REPORT_SERVERS (256) rows of a capture that can
 * have 100 k paths; sorting all of them was ~40 ms of a 3 s run. `compare` must be a total order on the indices
 * (tie-break on the index itself for the order a stable sort would give): then the result equals
 * `[...indices].sort(compare).slice(0, k)`, which test/diagnose/select.test.ts checks on random input.
 */
export function firstInOrder(n: number, k: number, compare: (i: number, j: number) => number): number[] {
  const size = Math.max(0, Math.min(k, n));
  const heap = new Array<number>(size);
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (used < size) {
      // Sift up: the new item climbs while it comes after its parent.
      let at = used++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (compare(heap[parent]!, i) >= 0) break;
        heap[at] = heap[parent]!;
        at = parent;
      }
      heap[at] = i;
    } else if (size > 0 && compare(i, heap[0]!) < 0) {
      siftDown(heap, size, i, compare);
    }
  }
  return heap.sort(compare);
}

/** Puts `item` at the root and lets it sink below every child that comes after it. */
function siftDown(heap: number[], size: number, item: number, compare: (i: number, j: number) => number): void {
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && compare(heap[right]!, heap[left]!) > 0 ? right : left;
    if (compare(heap[child]!, item) <= 0) break;
    heap[at] = heap[child]!;
    at = child;
  }
  heap[at] = item;
}
