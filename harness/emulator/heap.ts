/**
 * A binary min-heap keyed by a number (a due time), used for visibility/delay expiries and other
 * timers: O(log n) push and pop, no scans. Entries are never removed from the middle; callers
 * invalidate an entry lazily (e.g. a generation number on the item) and skip stale ones on pop.
 */
export class MinHeap<T> {
  private readonly keys: number[] = [];
  private readonly items: T[] = [];

  get size(): number {
    return this.keys.length;
  }
  /** Key of the smallest entry, or Infinity when empty. */
  peekKey(): number {
    return this.keys.length ? this.keys[0]! : Infinity;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(key: number, item: T): void {
    const keys = this.keys;
    const items = this.items;
    let i = keys.length;
    keys.push(key);
    items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! <= key) break;
      keys[i] = keys[p]!;
      items[i] = items[p]!;
      i = p;
    }
    keys[i] = key;
    items[i] = item;
  }
  pop(): T | undefined {
    const keys = this.keys;
    const items = this.items;
    const n = keys.length;
    if (n === 0) return undefined;
    const top = items[0];
    const lastKey = keys.pop()!;
    const lastItem = items.pop()!;
    if (n > 1) {
      let i = 0;
      const m = n - 1;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        const r = l + 1;
        const c = r < m && keys[r]! < keys[l]! ? r : l;
        if (keys[c]! >= lastKey) break;
        keys[i] = keys[c]!;
        items[i] = items[c]!;
        i = c;
      }
      keys[i] = lastKey;
      items[i] = lastItem;
    }
    return top;
  }
  clear(): void {
    this.keys.length = 0;
    this.items.length = 0;
  }
}
