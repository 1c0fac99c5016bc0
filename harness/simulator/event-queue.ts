/**
 * The simulator's agenda: a binary min-heap over parallel typed arrays (time, sequence, type,
 * two integer arguments), so the hot loop pushes and pops events without allocating. Ties in
 * time pop in insertion order, which makes a run a pure function of its seed.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Uint8Array;
  private argA: Int32Array;
  private argB: Int32Array;
  private n = 0;
  private nextSeq = 0;
  /** The popped event, read by the loop after `pop()`. */
  t = 0;
  type = 0;
  a = 0;
  b = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.argA = new Int32Array(capacity);
    this.argB = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  push(t: number, type: number, a: number, b: number): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = this.nextSeq++;
    // Sift up.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.time[p]!;
      if (pt < t || (pt === t && this.seq[p]! < s)) break;
      this.time[i] = pt;
      this.seq[i] = this.seq[p]!;
      this.kind[i] = this.kind[p]!;
      this.argA[i] = this.argA[p]!;
      this.argB[i] = this.argB[p]!;
      i = p;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kind[i] = type;
    this.argA[i] = a;
    this.argB[i] = b;
  }

  /** Pops the earliest event into `t`, `type`, `a`, `b`; returns false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    this.t = this.time[0]!;
    this.type = this.kind[0]!;
    this.a = this.argA[0]!;
    this.b = this.argB[0]!;
    const last = --this.n;
    if (last === 0) return true;
    const t = this.time[last]!;
    const s = this.seq[last]!;
    const k = this.kind[last]!;
    const a = this.argA[last]!;
    const b = this.argB[last]!;
    let i = 0;
    const half = last >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      const r = c + 1;
      if (r < last && (this.time[r]! < this.time[c]! || (this.time[r]! === this.time[c]! && this.seq[r]! < this.seq[c]!))) c = r;
      const ct = this.time[c]!;
      if (t < ct || (t === ct && s < this.seq[c]!)) break;
      this.time[i] = ct;
      this.seq[i] = this.seq[c]!;
      this.kind[i] = this.kind[c]!;
      this.argA[i] = this.argA[c]!;
      this.argB[i] = this.argB[c]!;
      i = c;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kind[i] = k;
    this.argA[i] = a;
    this.argB[i] = b;
    return true;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const g = <T extends Float64Array | Uint8Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const x = make(cap);
      x.set(old);
      return x;
    };
    this.time = g(this.time, (n) => new Float64Array(n));
    this.seq = g(this.seq, (n) => new Float64Array(n));
    this.kind = g(this.kind, (n) => new Uint8Array(n));
    this.argA = g(this.argA, (n) => new Int32Array(n));
    this.argB = g(this.argB, (n) => new Int32Array(n));
  }
}

type NumberArray = Int32Array | Float64Array;

/**
 * A double-ended ring of numbers in a typed array (power-of-two capacity) that grows as needed:
 * message ids and idle environments' stacks (int32), idle-since times (float64).
 */
class TypedDeque<A extends NumberArray> {
  private buf: A;
  private head = 0;
  length = 0;

  constructor(private readonly make: (n: number) => A, capacity = 64) {
    this.buf = make(capacity);
  }

  pushBack(x: number): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = x;
    this.length++;
  }

  popBack(): number {
    this.length--;
    return this.buf[(this.head + this.length) & (this.buf.length - 1)]!;
  }

  popFront(): number {
    const x = this.buf[this.head]!;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return x;
  }

  front(): number {
    return this.buf[this.head]!;
  }

  private grow(): void {
    const next = this.make(this.buf.length * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & (this.buf.length - 1)]!;
    this.buf = next;
    this.head = 0;
  }
}

export class IntDeque extends TypedDeque<Int32Array> {
  constructor(capacity = 64) {
    super((n) => new Int32Array(n), capacity);
  }
}

export class FloatDeque extends TypedDeque<Float64Array> {
  constructor(capacity = 64) {
    super((n) => new Float64Array(n), capacity);
  }
}
