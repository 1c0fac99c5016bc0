/**
 * A growable ring-buffer deque: O(1) push/shift at both ends without the O(n) cost of
 * `Array.prototype.shift`. Visible SQS messages and long-poll waiters live in these.
 */
export class Deque<T> {
  private buf: Array<T | undefined>;
  private head = 0;
  private len = 0;

  constructor(capacity = 16) {
    this.buf = new Array<T | undefined>(capacity);
  }
  get length(): number {
    return this.len;
  }
  push(item: T): void {
    if (this.len === this.buf.length) this.grow();
    this.buf[(this.head + this.len) % this.buf.length] = item;
    this.len++;
  }
  unshift(item: T): void {
    if (this.len === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) % this.buf.length;
    this.buf[this.head] = item;
    this.len++;
  }
  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) % this.buf.length;
    this.len--;
    return item;
  }
  peek(): T | undefined {
    return this.len === 0 ? undefined : this.buf[this.head];
  }
  /** Element `i` from the front (0 = front). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.len) return undefined;
    return this.buf[(this.head + i) % this.buf.length];
  }
  /** Remove every element for which `keep` is false, keeping order (O(n); for rare clean-ups). */
  filter(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = 0; i < this.len; i++) {
      const it = this.buf[(this.head + i) % this.buf.length] as T;
      if (keep(it)) kept.push(it);
    }
    this.clear();
    for (const it of kept) this.push(it);
  }
  clear(): void {
    this.buf = new Array<T | undefined>(16);
    this.head = 0;
    this.len = 0;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) % this.buf.length] as T;
  }
  private grow(): void {
    const next = new Array<T | undefined>(this.buf.length * 2);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) % this.buf.length];
    this.buf = next;
    this.head = 0;
  }
}
