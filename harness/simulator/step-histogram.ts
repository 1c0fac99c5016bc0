/**
 * A log-bucketed histogram (≈1 % relative precision, 0.01 ms to ~30 h) for latency and
 * duration percentiles per step and per run. It is reset by zeroing a small counts array, so
 * per-step percentiles cost nothing per request beyond one increment; no samples are retained.
 */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const MIN_MS = 0.01;
const BUCKETS = 2000;

export class LogHistogram {
  readonly counts = new Float64Array(BUCKETS + 1);
  total = 0;
  private minIdx = BUCKETS;
  private maxIdx = 0;

  record(ms: number): void {
    let i = ms <= MIN_MS ? 0 : 1 + Math.floor(Math.log(ms / MIN_MS) / LOG_GROWTH);
    if (i > BUCKETS) i = BUCKETS;
    this.counts[i]!++;
    this.total++;
    if (i < this.minIdx) this.minIdx = i;
    if (i > this.maxIdx) this.maxIdx = i;
  }

  /** Value at percentile p (0–100): the bucket's upper bound, or null without samples. */
  percentile(p: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = this.minIdx; i <= this.maxIdx; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === 0 ? MIN_MS : Math.round(MIN_MS * GROWTH ** i * 100) / 100;
    }
    return Math.round(MIN_MS * GROWTH ** this.maxIdx * 100) / 100;
  }

  reset(): void {
    if (this.total === 0) return;
    this.counts.fill(0, this.minIdx, this.maxIdx + 1);
    this.total = 0;
    this.minIdx = BUCKETS;
    this.maxIdx = 0;
  }
}
