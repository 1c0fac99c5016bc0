/**
 * The simulator's agenda, without allocation per event. Events pop in (time, insertion) order —
 * ties in time in the order they were pushed — which makes a run a pure function of its seed.
 * (time, sequence) is a strict total order, so the order events pop in does not depend on how
 * the agenda stores them.
 *
 * A calendar queue: nearly every event is due within a few seconds (invocations ending,
 * dispatch hops, the mappings' ticks), so events due within the next RING_BUCKETS milliseconds
 * sit in one-millisecond buckets (a ring), each a short list sorted by (time, sequence), with a
 * bitmap of the buckets in use; a push is a bucket insert and a pop takes the head of the
 * current bucket. Events due later (visibility timeouts, client and async retries, faults) wait
 * in a small binary heap and move into the ring when their bucket comes within reach. A binary
 * heap over every event cost several unpredictable comparisons per level on each pop.
 *
 * A push only fills a slot and lists it as incoming; the next peek or pop places it.
 *
 * Invariants (once incoming events are placed): every event in bucket k > current has
 * floor(time) = k; the current bucket holds every event with floor(time) ≤ current (a push
 * earlier than the current bucket joins it, in order); the overflow heap holds only events with
 * floor(time) ≥ current + RING_BUCKETS.
 */
/** `into`, a larger typed array of the same kind, holding `from`'s values first. */
export function grown<A extends Float64Array | Int32Array | Uint16Array | Uint8Array>(from: A, into: A): A {
  into.set(from);
  return into;
}

const RING_BITS = 12;
const RING_BUCKETS = 1 << RING_BITS;
const RING_MASK = RING_BUCKETS - 1;

export class EventQueue {
  // Events by slot: time, sequence, next slot in its bucket, payload.
  private nt: Float64Array;
  private ns: Float64Array;
  private nnext: Int32Array;
  private kind: Uint8Array;
  private argA: Int32Array;
  private argB: Int32Array;
  /** Free slots (a stack). */
  private freeSlots: Int32Array;
  private nFree: number;
  /** Slots pushed since the last peek or pop, not yet in a bucket or the overflow heap. */
  private incoming: Int32Array;
  private nIn = 0;
  // The ring: first and last slot of each bucket (-1: empty), and a bit per bucket in use.
  private readonly head = new Int32Array(RING_BUCKETS).fill(-1);
  private readonly tail = new Int32Array(RING_BUCKETS).fill(-1);
  private readonly bits = new Uint32Array(RING_BUCKETS >>> 5);
  /** floor(time) of the current bucket (an integer-valued double) and its ring position. */
  private curIdx = 0;
  private curPos = 0;
  private inRing = 0;
  /** Overflow: a binary min-heap of slots by (time, sequence). */
  private ov: Int32Array;
  private ovN = 0;
  private n = 0;
  private nextSeq = 0;
  /** The popped event, read by the loop after `pop()`. */
  t = 0;
  type = 0;
  a = 0;
  b = 0;

  constructor(capacity = 1024) {
    this.nt = new Float64Array(capacity);
    this.ns = new Float64Array(capacity);
    this.nnext = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.argA = new Int32Array(capacity);
    this.argB = new Int32Array(capacity);
    this.ov = new Int32Array(capacity);
    this.incoming = new Int32Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.nFree = capacity;
  }

  get size(): number {
    return this.n;
  }

  peekTime(): number {
    this.ready();
    return this.nextTime();
  }

  /**
   * Place the events pushed since and move to the earliest bucket in the ring, so nextTime() is a
   * plain read. With the ring empty the earliest event is the overflow heap's top, and the current
   * bucket stays where it is until that event really pops: a peek that jumped ahead to it (a load's
   * end, minutes away) would send every event pushed meanwhile into the one current bucket, a
   * sorted list walked on each push.
   */
  ready(): void {
    if (this.nIn > 0) this.placeIncoming();
    if (this.inRing > 0 && this.head[this.curPos] === -1) this.settle();
  }

  /** The earliest event's time, after ready() (Infinity when empty): the current bucket's head, or with the ring empty the overflow's top. */
  nextTime(): number {
    if (this.n === 0) return Infinity;
    const h = this.head[this.curPos]!;
    return h !== -1 ? this.nt[h]! : this.nt[this.ov[0]!]!;
  }

  /**
   * Small enough for the optimiser to inline into every caller (a call would box the time):
   * the event goes into its slot and waits in `incoming` until the next peek or pop places it.
   * Placing later is the same as placing now: the current bucket only moves in peek and pop.
   */
  push(t: number, type: number, a: number, b: number): void {
    if (this.nFree === 0) this.grow();
    const sl = this.freeSlots[--this.nFree]!;
    this.nt[sl] = t;
    this.ns[sl] = this.nextSeq++;
    this.kind[sl] = type;
    this.argA[sl] = a;
    this.argB[sl] = b;
    this.n++;
    this.incoming[this.nIn++] = sl;
  }

  private placeIncoming(): void {
    for (let i = 0; i < this.nIn; i++) this.place(this.incoming[i]!);
    this.nIn = 0;
  }

  private place(sl: number): void {
    const t = this.nt[sl]!;
    // NaN and infinite times go to the overflow heap (never into a bucket).
    const rel = Math.floor(t) - this.curIdx;
    if (rel < RING_BUCKETS) this.toRing(sl, t, rel);
    else this.ovPush(sl);
  }

  /** Pops the earliest event into `t`, `type`, `a`, `b`; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    if (this.nIn > 0) this.placeIncoming();
    let pos = this.curPos;
    if (this.head[pos] === -1) {
      this.settle();
      pos = this.curPos;
    }
    let sl = this.head[pos]!;
    if (sl !== -1) {
      const next = this.nnext[sl]!;
      this.head[pos] = next;
      if (next === -1) {
        this.tail[pos] = -1;
        this.bits[pos >>> 5]! &= ~(1 << (pos & 31));
      }
      this.inRing--;
    } else sl = this.ovPop();
    this.n--;
    this.t = this.nt[sl]!;
    this.type = this.kind[sl]!;
    this.a = this.argA[sl]!;
    this.b = this.argB[sl]!;
    this.freeSlots[this.nFree++] = sl;
    return true;
  }

  /** Into bucket `rel` from the current one (≤ 0: the current one), in (time, sequence) order. */
  private toRing(sl: number, t: number, rel: number): void {
    const pos = rel > 0 ? (this.curPos + rel) & RING_MASK : this.curPos;
    const nt = this.nt;
    const nnext = this.nnext;
    this.inRing++;
    const last = this.tail[pos]!;
    if (last === -1) {
      nnext[sl] = -1;
      this.head[pos] = sl;
      this.tail[pos] = sl;
      this.bits[pos >>> 5]! |= 1 << (pos & 31);
      return;
    }
    const ns = this.ns;
    const s = ns[sl]!;
    // Usually it goes last (a push has the largest sequence yet).
    if (nt[last]! < t || (nt[last] === t && ns[last]! < s)) {
      nnext[sl] = -1;
      nnext[last] = sl;
      this.tail[pos] = sl;
      return;
    }
    let prev = -1;
    let cur = this.head[pos]!;
    while (nt[cur]! < t || (nt[cur] === t && ns[cur]! < s)) {
      prev = cur;
      cur = nnext[cur]!;
    }
    nnext[sl] = cur;
    if (prev === -1) this.head[pos] = sl;
    else nnext[prev] = sl;
  }

  /**
   * The current bucket is empty and events remain: move to the next bucket in use, or, with the
   * ring empty, jump to the earliest overflow event's bucket; then bring the overflow events
   * now within reach into the ring. With only unreachable times left (infinite), they pop
   * straight from the overflow heap.
   */
  private settle(): void {
    if (this.inRing > 0) {
      const d = this.distanceToNext();
      this.curIdx += d;
      this.curPos = (this.curPos + d) & RING_MASK;
    } else {
      const idx = Math.floor(this.nt[this.ov[0]!]!);
      if (!(idx < Infinity)) return;
      // The ring is empty: any position can be the current one.
      this.curIdx = idx;
    }
    const limit = this.curIdx + RING_BUCKETS;
    while (this.ovN > 0) {
      const top = this.ov[0]!;
      const tt = this.nt[top]!;
      if (!(Math.floor(tt) < limit)) break;
      this.ovPop();
      this.toRing(top, tt, Math.floor(tt) - this.curIdx);
    }
  }

  /** Buckets from the current one to the next one in use (the ring holds at least one event). */
  private distanceToNext(): number {
    const bits = this.bits;
    const words = bits.length;
    const start = (this.curPos + 1) & RING_MASK;
    let w = start >>> 5;
    let word = bits[w]! & (-1 << (start & 31));
    for (let k = 0; k <= words; k++) {
      if (word !== 0) {
        const p = (w << 5) | (31 - Math.clz32(word & -word));
        return (p - this.curPos) & RING_MASK;
      }
      w = w + 1 === words ? 0 : w + 1;
      word = bits[w]!;
    }
    throw new Error('EventQueue: ring count and bitmap disagree');
  }

  private ovLess(x: number, y: number): boolean {
    const tx = this.nt[x]!;
    const ty = this.nt[y]!;
    return tx < ty || (tx === ty && this.ns[x]! < this.ns[y]!);
  }

  private ovPush(sl: number): void {
    const ov = this.ov;
    let i = this.ovN++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.ovLess(sl, ov[p]!)) break;
      ov[i] = ov[p]!;
      i = p;
    }
    ov[i] = sl;
  }

  private ovPop(): number {
    const ov = this.ov;
    const top = ov[0]!;
    const last = --this.ovN;
    if (last > 0) {
      const x = ov[last]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= last) break;
        if (c + 1 < last && this.ovLess(ov[c + 1]!, ov[c]!)) c++;
        if (!this.ovLess(ov[c]!, x)) break;
        ov[i] = ov[c]!;
        i = c;
      }
      ov[i] = x;
    }
    return top;
  }

  private grow(): void {
    const cap = this.nt.length;
    const next = cap * 2;
    this.nt = grown(this.nt, new Float64Array(next));
    this.ns = grown(this.ns, new Float64Array(next));
    this.nnext = grown(this.nnext, new Int32Array(next));
    this.argA = grown(this.argA, new Int32Array(next));
    this.argB = grown(this.argB, new Int32Array(next));
    this.ov = grown(this.ov, new Int32Array(next));
    this.incoming = grown(this.incoming, new Int32Array(next));
    this.kind = grown(this.kind, new Uint8Array(next));
    // Every slot was in use: the new ones are the free ones.
    const free = new Int32Array(next);
    for (let i = 0; i < cap; i++) free[i] = next - 1 - i;
    this.freeSlots = free;
    this.nFree = cap;
  }
}

/*
 * A double-ended ring of numbers (power-of-two capacity) that grows as needed: message ids and
 * idle environments' idle-since times alike. One class over one element kind (float64, exact for
 * ids up to 2^53): every ring operation is on the simulator's hot path, and one set of methods
 * over two typed-array kinds made each access polymorphic.
 */

export class Deque {
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
    if (this.length === this.ids.length) this.ids = grown(this.ids, new Int32Array(this.ids.length * 2));
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

/**
 * Ids of records kept as parallel columns (a struct of arrays: invocations, client requests,
 * async events): a freed id is taken again before a new one appends a slot to every column.
 */
export class SlotIds {
  private readonly free: number[] = [];
  private n = 0;

  constructor(private readonly columns: readonly number[][]) {}

  take(): number {
    if (this.free.length > 0) return this.free.pop()!;
    for (const c of this.columns) c.push(0);
    return this.n++;
  }

  give(id: number): void {
    this.free.push(id);
  }
}
