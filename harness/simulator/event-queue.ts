/**
 * The simulator's agenda: a binary min-heap over typed arrays, so the hot loop pushes and pops
 * events without allocating. Ties in time pop in insertion order, which makes a run a pure
 * function of its seed: (time, sequence) is a strict total order, so the order events pop in
 * does not depend on how the heap arranges them.
 *
 * The heap moves only the (time, sequence) key, interleaved in one array, and a slot number;
 * an event's type and two integer arguments are written once into their slot and read once
 * when it pops. A pop walks the hole left at the root down to a leaf along the smaller
 * children, then lifts the last entry into it from there (it usually belongs near the bottom),
 * which costs one comparison per level instead of two.
 */
export class EventQueue {
  /** key[2i]: time, key[2i + 1]: sequence of heap entry i. */
  private key: Float64Array;
  /** Payload slot of heap entry i. */
  private slot: Int32Array;
  private kind: Uint8Array;
  private argA: Int32Array;
  private argB: Int32Array;
  /** Free payload slots (a stack). */
  private freeSlots: Int32Array;
  private nFree: number;
  private n = 0;
  private nextSeq = 0;
  /** The popped event, read by the loop after `pop()`. */
  t = 0;
  type = 0;
  a = 0;
  b = 0;

  constructor(capacity = 1024) {
    this.key = new Float64Array(2 * capacity);
    this.slot = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.argA = new Int32Array(capacity);
    this.argB = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.nFree = capacity;
  }

  get size(): number {
    return this.n;
  }

  peekTime(): number {
    return this.n > 0 ? this.key[0]! : Infinity;
  }

  push(t: number, type: number, a: number, b: number): void {
    if (this.nFree === 0) this.grow();
    const sl = this.freeSlots[--this.nFree]!;
    this.kind[sl] = type;
    this.argA[sl] = a;
    this.argB[sl] = b;
    const key = this.key;
    const slots = this.slot;
    const s = this.nextSeq++;
    let i = this.n++;
    // Sift up. The new entry's sequence is the largest yet, so a parent at an equal time stays above it.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = key[2 * p]!;
      if (pt <= t) break;
      key[2 * i] = pt;
      key[2 * i + 1] = key[2 * p + 1]!;
      slots[i] = slots[p]!;
      i = p;
    }
    key[2 * i] = t;
    key[2 * i + 1] = s;
    slots[i] = sl;
  }

  /** Pops the earliest event into `t`, `type`, `a`, `b`; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    const key = this.key;
    const slots = this.slot;
    const top = slots[0]!;
    this.t = key[0]!;
    this.type = this.kind[top]!;
    this.a = this.argA[top]!;
    this.b = this.argB[top]!;
    this.freeSlots[this.nFree++] = top;
    const last = --this.n;
    if (last === 0) return true;
    const t = key[2 * last]!;
    const s = key[2 * last + 1]!;
    const sl = slots[last]!;
    // The hole at the root goes down to a leaf along the smaller children (entries [0, last) remain).
    let i = 0;
    let c = 1;
    while (c < last) {
      const r = c + 1;
      if (r < last) {
        const tc = key[2 * c]!;
        const tr = key[2 * r]!;
        if (tr < tc || (tr === tc && key[2 * r + 1]! < key[2 * c + 1]!)) c = r;
      }
      key[2 * i] = key[2 * c]!;
      key[2 * i + 1] = key[2 * c + 1]!;
      slots[i] = slots[c]!;
      i = c;
      c = 2 * i + 1;
    }
    // Then the last entry rises from there to its place.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = key[2 * p]!;
      if (pt < t || (pt === t && key[2 * p + 1]! < s)) break;
      key[2 * i] = pt;
      key[2 * i + 1] = key[2 * p + 1]!;
      slots[i] = slots[p]!;
      i = p;
    }
    key[2 * i] = t;
    key[2 * i + 1] = s;
    slots[i] = sl;
    return true;
  }

  private grow(): void {
    const cap = this.slot.length;
    const next = cap * 2;
    const key = new Float64Array(2 * next);
    key.set(this.key);
    this.key = key;
    const slots = new Int32Array(next);
    slots.set(this.slot);
    this.slot = slots;
    const kind = new Uint8Array(next);
    kind.set(this.kind);
    this.kind = kind;
    const a = new Int32Array(next);
    a.set(this.argA);
    this.argA = a;
    const b = new Int32Array(next);
    b.set(this.argB);
    this.argB = b;
    // Every slot was in use: the new ones are the free ones.
    const free = new Int32Array(next);
    for (let i = 0; i < cap; i++) free[i] = next - 1 - i;
    this.freeSlots = free;
    this.nFree = cap;
  }
}

/*
 * Double-ended rings of numbers in a typed array (power-of-two capacity) that grow as needed:
 * message ids and idle environments' stacks (int32), idle-since times (float64). Two classes
 * written out rather than one generic base: every ring operation is on the simulator's hot
 * path, and one set of methods over both element kinds made each access polymorphic.
 */

export class IntDeque {
  private buf: Int32Array;
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 64) {
    this.buf = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  pushBack(x: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & this.mask] = x;
    this.length++;
  }

  popBack(): number {
    this.length--;
    return this.buf[(this.head + this.length) & this.mask]!;
  }

  popFront(): number {
    const x = this.buf[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return x;
  }

  front(): number {
    return this.buf[this.head]!;
  }

  private grow(): void {
    const next = new Int32Array(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & this.mask]!;
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

export class FloatDeque {
  private buf: Float64Array;
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 64) {
    this.buf = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  pushBack(x: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & this.mask] = x;
    this.length++;
  }

  popBack(): number {
    this.length--;
    return this.buf[(this.head + this.length) & this.mask]!;
  }

  popFront(): number {
    const x = this.buf[this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return x;
  }

  front(): number {
    return this.buf[this.head]!;
  }

  private grow(): void {
    const next = new Float64Array(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & this.mask]!;
    this.buf = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}

/**
 * A growable list of int32 ids that keeps its storage when cleared (a batch's messages: a
 * `number[]` emptied with `length = 0` gives its storage back and reallocates on every reuse).
 */
export class IdList {
  ids: Int32Array;
  length = 0;

  constructor(capacity = 16) {
    this.ids = new Int32Array(capacity);
  }

  push(x: number): void {
    if (this.length === this.ids.length) {
      const next = new Int32Array(this.ids.length * 2);
      next.set(this.ids);
      this.ids = next;
    }
    this.ids[this.length++] = x;
  }
}

/** A ring of (int32, int32) pairs: an id with its generation (ids are recycled). */
export class IntPairDeque {
  private buf: Int32Array;
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = 64) {
    this.buf = new Int32Array(2 * capacity);
    this.mask = capacity - 1;
  }

  pushBack(x: number, y: number): void {
    if (2 * this.length === this.buf.length) this.grow();
    const i = 2 * ((this.head + this.length) & this.mask);
    this.buf[i] = x;
    this.buf[i + 1] = y;
    this.length++;
  }

  popFront(): number {
    const x = this.buf[2 * this.head]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return x;
  }

  front(): number {
    return this.buf[2 * this.head]!;
  }

  /** The second number of the front pair. */
  frontSecond(): number {
    return this.buf[2 * this.head + 1]!;
  }

  private grow(): void {
    const cap = this.mask + 1;
    const next = new Int32Array(4 * cap);
    for (let i = 0; i < this.length; i++) {
      const j = 2 * ((this.head + i) & this.mask);
      next[2 * i] = this.buf[j]!;
      next[2 * i + 1] = this.buf[j + 1]!;
    }
    this.buf = next;
    this.mask = 2 * cap - 1;
    this.head = 0;
  }
}

/**
 * A ring of timed records — a due time and four int32s — for receives waiting on their
 * visibility timeout: one ring instead of five parallel ones. `popFront()` leaves the popped
 * record's integers in `a`, `b`, `c`, `d`.
 */
export class DueRing {
  private due: Float64Array;
  private ints: Int32Array;
  private mask: number;
  private head = 0;
  length = 0;
  a = 0;
  b = 0;
  c = 0;
  d = 0;

  constructor(capacity = 64) {
    this.due = new Float64Array(capacity);
    this.ints = new Int32Array(4 * capacity);
    this.mask = capacity - 1;
  }

  pushBack(due: number, a: number, b: number, c: number, d: number): void {
    if (this.length === this.due.length) this.grow();
    const i = (this.head + this.length) & this.mask;
    this.due[i] = due;
    const j = 4 * i;
    this.ints[j] = a;
    this.ints[j + 1] = b;
    this.ints[j + 2] = c;
    this.ints[j + 3] = d;
    this.length++;
  }

  frontDue(): number {
    return this.due[this.head]!;
  }

  popFront(): void {
    const j = 4 * this.head;
    this.a = this.ints[j]!;
    this.b = this.ints[j + 1]!;
    this.c = this.ints[j + 2]!;
    this.d = this.ints[j + 3]!;
    this.head = (this.head + 1) & this.mask;
    this.length--;
  }

  private grow(): void {
    const cap = this.due.length;
    const due = new Float64Array(2 * cap);
    const ints = new Int32Array(8 * cap);
    for (let i = 0; i < this.length; i++) {
      const k = (this.head + i) & this.mask;
      due[i] = this.due[k]!;
      for (let f = 0; f < 4; f++) ints[4 * i + f] = this.ints[4 * k + f]!;
    }
    this.due = due;
    this.ints = ints;
    this.mask = 2 * cap - 1;
    this.head = 0;
  }
}
