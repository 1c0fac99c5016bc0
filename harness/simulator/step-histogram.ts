/**
 * A log-linear histogram for latency and duration percentiles per step and per run: the bucket is
 * read straight from the float's exponent and top 7 mantissa bits (128 sub-buckets per power of
 * two, ≤ 0.4 % relative error, 0.01 ms to years), so recording is a few integer operations with
 * no Math.log. It is reset by zeroing the used range; no samples are retained.
 */
const MIN_MS = 0.01;
const SUB_BITS = 7;
const SUB = 1 << SUB_BITS;
const MAX_EXP = 40;
const BUCKETS = 1 + MAX_EXP * SUB;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high 32-bit word of a float64 on this machine. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function bucketOf(ms: number): number {
  const x = ms / MIN_MS;
  if (!(x >= 1)) return 0;
  f64[0] = x;
  const hi = u32[HI]!;
  const exp = (hi >>> 20) - 1023;
  if (exp >= MAX_EXP) return BUCKETS - 1;
  return 1 + exp * SUB + ((hi >>> (20 - SUB_BITS)) & (SUB - 1));
}

/** Midpoint of a bucket in ms. */
function valueOf(i: number): number {
  if (i === 0) return MIN_MS;
  const exp = Math.floor((i - 1) / SUB);
  const sub = (i - 1) % SUB;
  return MIN_MS * 2 ** exp * (1 + (sub + 0.5) / SUB);
}

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;
  private minIdx = BUCKETS;
  private maxIdx = 0;

  record(ms: number): void {
    const i = bucketOf(ms);
    this.counts[i]!++;
    this.total++;
    if (i < this.minIdx) this.minIdx = i;
    if (i > this.maxIdx) this.maxIdx = i;
  }

  /** Value at percentile p (0–100), rounded to 0.01 ms; null without samples. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = this.minIdx; i <= this.maxIdx; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.round(valueOf(i) * 100) / 100;
    }
    return Math.round(valueOf(this.maxIdx) * 100) / 100;
  }

  /**
   * `percentile(ps[j])` for every j into `out[j]`, in one pass over the buckets (`ps` ascending):
   * the step aggregator reads several percentiles of each histogram every step.
   */
  percentilesInto(ps: readonly number[], out: Array<number | null>): void {
    if (this.total === 0) {
      for (let j = 0; j < ps.length; j++) out[j] = null;
      return;
    }
    let j = 0;
    let rank = Math.max(1, Math.ceil((ps[0]! / 100) * this.total));
    let seen = 0;
    for (let i = this.minIdx; i <= this.maxIdx && j < ps.length; i++) {
      seen += this.counts[i]!;
      while (seen >= rank) {
        out[j++] = Math.round(valueOf(i) * 100) / 100;
        if (j === ps.length) return;
        rank = Math.max(1, Math.ceil((ps[j]! / 100) * this.total));
      }
    }
    for (; j < ps.length; j++) out[j] = Math.round(valueOf(this.maxIdx) * 100) / 100;
  }

  /** Add another histogram's counts (a finished step into the run's histogram). */
  addFrom(o: LogHistogram): void {
    if (o.total === 0) return;
    for (let i = o.minIdx; i <= o.maxIdx; i++) this.counts[i]! += o.counts[i]!;
    this.total += o.total;
    if (o.minIdx < this.minIdx) this.minIdx = o.minIdx;
    if (o.maxIdx > this.maxIdx) this.maxIdx = o.maxIdx;
  }

  /** `into.addFrom(this)` then `this.reset()`, in one pass over the used range (a step into its run, every step). */
  drainInto(into: LogHistogram): void {
    if (this.total === 0) return;
    const c = this.counts;
    const o = into.counts;
    for (let i = this.minIdx; i <= this.maxIdx; i++) {
      o[i]! += c[i]!;
      c[i] = 0;
    }
    into.total += this.total;
    if (this.minIdx < into.minIdx) into.minIdx = this.minIdx;
    if (this.maxIdx > into.maxIdx) into.maxIdx = this.maxIdx;
    this.total = 0;
    this.minIdx = BUCKETS;
    this.maxIdx = 0;
  }

  reset(): void {
    if (this.total === 0) return;
    this.counts.fill(0, this.minIdx, this.maxIdx + 1);
    this.total = 0;
    this.minIdx = BUCKETS;
    this.maxIdx = 0;
  }
}
