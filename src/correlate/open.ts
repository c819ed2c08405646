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
  /**
   * The one open request, while at most one is (nearly always: a reply comes before the next poll). The lists are
   * made only when a second opens: on a capture of 100 k clients, two arrays per path are 30 MB the collector
   * would copy and trace for nothing.
   */
  private one: T | undefined = undefined;
  /** Insertion order; used while two to SMALL requests are open (then `one` is undefined). */
  private list: T[] | undefined = undefined;
  /**
   * list[i].key, side by side: a lookup reads one short array of unboxed doubles instead of visiting each open
   * request (old ones, never answered, sit in memory that is no longer in the cache).
   */
  private keys: number[] | undefined = undefined;
  /** Used instead of `list` once more than SMALL were open at once, until the path has none open again. */
  private map: Map<number, T> | undefined;

  get size(): number {
    if (this.map !== undefined) return this.map.size;
    if (this.list !== undefined) return this.list.length;
    return this.one === undefined ? 0 : 1;
  }

  get(key: number): T | undefined {
    const one = this.one;
    if (one !== undefined) return one.key === key ? one : undefined;
    if (this.map !== undefined) return this.map.get(key);
    const keys = this.keys;
    if (keys === undefined) return undefined;
    // Newest first: a reply usually answers the latest request (older open ones tend to be lost).
    for (let i = keys.length - 1; i >= 0; i--) if (keys[i] === key) return this.list![i];
    return undefined;
  }

  /** The open request with `q`'s key (get(q.key), without a double argument: see pendingFor in ./path-state.ts). */
  sameKey(q: T): T | undefined {
    const key = q.key;
    const one = this.one;
    if (one !== undefined) return one.key === key ? one : undefined;
    return this.get(key);
  }

  /** Adds a request whose key is not open (the caller finished any older one with the same key first). */
  add(q: T): void {
    if (this.map !== undefined) {
      this.map.set(q.key, q);
      return;
    }
    const list = this.list;
    if (list === undefined) {
      const one = this.one;
      if (one === undefined) {
        this.one = q;
        return;
      }
      this.list = [one, q];
      this.keys = [one.key, q.key];
      this.one = undefined;
      return;
    }
    if (list.length < SMALL) {
      list.push(q);
      this.keys!.push(q.key);
      return;
    }
    const map = new Map<number, T>();
    for (let i = 0; i < list.length; i++) map.set((list[i] as T).key, list[i] as T);
    map.set(q.key, q);
    this.list = undefined;
    this.keys = undefined;
    this.map = map;
  }

  /** Removes the request open under `key`, if any. */
  delete(key: number): void {
    const one = this.one;
    if (one !== undefined) {
      if (one.key === key) this.one = undefined;
      return;
    }
    const map = this.map;
    if (map !== undefined) {
      map.delete(key);
      if (map.size === 0) this.map = undefined;
      return;
    }
    const list = this.list;
    const keys = this.keys;
    if (list === undefined || keys === undefined) return;
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
      // Back to the single slot once one is left: the lists go with it.
      if (list.length === 1) {
        this.one = list[0];
        this.list = undefined;
        this.keys = undefined;
      }
      return;
    }
  }

  /** The open requests in sending order (a copy: the caller may delete while it walks them). */
  values(): T[] {
    if (this.one !== undefined) return [this.one];
    if (this.map !== undefined) return [...this.map.values()];
    return this.list === undefined ? [] : this.list.slice();
  }

  /** The most recently sent open request that satisfies `match`. */
  latest(match: (q: T) => boolean): T | undefined {
    const one = this.one;
    if (one !== undefined) return match(one) ? one : undefined;
    let found: T | undefined;
    if (this.map !== undefined) {
      for (const q of this.map.values()) if (match(q)) found = q;
      return found;
    }
    const list = this.list;
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (match(list[i] as T)) return list[i];
    return undefined;
  }
}
