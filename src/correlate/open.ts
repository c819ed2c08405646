/**
 * The open (not yet answered) requests of one client↔server path, in the order they were sent, found by the key of
 * their transmit timestamp (./clock.ts timestampKey: a reply's origin must equal it, RFC 5905 §8).
 *
 * Why not just a Map: a path usually has zero or one request open, so its Map would empty after nearly every reply,
 * and V8 shrinks an emptied Map by allocating a new table (OrderedHashTable::Shrink) — once per exchange. A short
 * array scanned for the key costs less and allocates nothing. A path with many open requests at once (a client
 * hammering a silent server) switches to a Map, so a lookup never scans more than SMALL entries.
 */
const SMALL = 16;

export interface OpenRequest {
  /** timestampKey(transmit) of the request. */
  readonly key: number;
}

export class OpenRequests<T extends OpenRequest> {
  /** Insertion order; used while at most SMALL requests are open. */
  private readonly list: T[] = [];
  /**
   * list[i].key, side by side: a lookup reads one short array of unboxed doubles instead of visiting each open
   * request (old ones, never answered, sit in memory that is no longer in the cache).
   */
  private readonly keys: number[] = [];
  /** Used instead of `list` once more than SMALL were open at once, until the path has none open again. */
  private map: Map<number, T> | undefined;

  get size(): number {
    return this.map !== undefined ? this.map.size : this.list.length;
  }

  get(key: number): T | undefined {
    if (this.map !== undefined) return this.map.get(key);
    // Newest first: a reply usually answers the latest request (older open ones tend to be lost).
    const keys = this.keys;
    for (let i = keys.length - 1; i >= 0; i--) if (keys[i] === key) return this.list[i];
    return undefined;
  }

  /** Adds a request whose key is not open (the caller finished any older one with the same key first). */
  add(q: T): void {
    if (this.map !== undefined) {
      this.map.set(q.key, q);
      return;
    }
    const list = this.list;
    if (list.length < SMALL) {
      list.push(q);
      this.keys.push(q.key);
      return;
    }
    const map = new Map<number, T>();
    for (let i = 0; i < list.length; i++) map.set((list[i] as T).key, list[i] as T);
    map.set(q.key, q);
    list.length = 0;
    this.keys.length = 0;
    this.map = map;
  }

  /** Removes the request open under `key`, if any. */
  delete(key: number): void {
    const map = this.map;
    if (map !== undefined) {
      map.delete(key);
      if (map.size === 0) this.map = undefined;
      return;
    }
    const list = this.list;
    const keys = this.keys;
    const n = keys.length;
    for (let i = n - 1; i >= 0; i--) {
      if (keys[i] !== key) continue;
      // Shift the rest down and drop the last: keeps the sending order without splice's result array (and
      // without `length = n - 1`, which V8 does in the runtime, not inline).
      for (let j = i + 1; j < n; j++) {
        list[j - 1] = list[j] as T;
        keys[j - 1] = keys[j] as number;
      }
      list.pop();
      keys.pop();
      return;
    }
  }

  /** The open requests in sending order (a copy: the caller may delete while it walks them). */
  values(): T[] {
    return this.map !== undefined ? [...this.map.values()] : this.list.slice();
  }

  /** The most recently sent open request that satisfies `match`. */
  latest(match: (q: T) => boolean): T | undefined {
    let found: T | undefined;
    if (this.map !== undefined) {
      for (const q of this.map.values()) if (match(q)) found = q;
      return found;
    }
    const list = this.list;
    for (let i = list.length - 1; i >= 0; i--) if (match(list[i] as T)) return list[i];
    return undefined;
  }
}
