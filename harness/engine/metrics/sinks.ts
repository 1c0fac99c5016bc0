/**
 * Metric sinks with k6's semantics (`metrics/sink.go`, k6-contract.md §1.1): counter sums, gauge
 * keeps the last ingested value plus min/max, rate counts non-zero samples, trend keeps count/sum/
 * min/max and an HDR-style histogram (histogram.ts). A trend also keeps its exact values while
 * there are at most EXACT_CAP of them, so small tests get k6's exact interpolated percentiles; past
 * that, memory stays flat and percentiles come from the histogram (within 0.1 %, recorded in µs).
 * Every sink can be snapshotted to JSON and merged, so `--workers` processes add up exactly.
 */
import { LogLinearHistogram } from './histogram.ts';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export const EXACT_CAP = 100_000;

export class CounterSink {
  readonly type = 'counter';
  count = 0;
  add(v: number): void {
    this.count += v;
  }
  get empty(): boolean {
    return this.count === 0;
  }
  snapshot(): CounterSnapshot {
    return { type: 'counter', count: this.count };
  }
  merge(s: CounterSnapshot): void {
    this.count += s.count;
  }
}

export class GaugeSink {
  readonly type = 'gauge';
  value = 0;
  min = 0;
  max = 0;
  n = 0;
  add(v: number): void {
    if (this.n === 0 || v < this.min) this.min = v;
    if (this.n === 0 || v > this.max) this.max = v;
    this.value = v;
    this.n++;
  }
  get empty(): boolean {
    return this.n === 0;
  }
  snapshot(): GaugeSnapshot {
    return { type: 'gauge', value: this.value, min: this.min, max: this.max, n: this.n };
  }
  merge(s: GaugeSnapshot): void {
    if (s.n === 0) return;
    if (this.n === 0 || s.min < this.min) this.min = s.min;
    if (this.n === 0 || s.max > this.max) this.max = s.max;
    // "Last ingested" across processes has no order; the sum keeps vus/vus_max meaningful
    // (each worker reports its own share), which is what a merged k6 run would show.
    this.value = this.n === 0 ? s.value : this.value + s.value;
    this.n += s.n;
  }
}

export class RateSink {
  readonly type = 'rate';
  passes = 0;
  total = 0;
  add(v: number): void {
    this.total++;
    if (v !== 0) this.passes++;
  }
  get empty(): boolean {
    return this.total === 0;
  }
  snapshot(): RateSnapshot {
    return { type: 'rate', passes: this.passes, total: this.total };
  }
  merge(s: RateSnapshot): void {
    this.passes += s.passes;
    this.total += s.total;
  }
}

export class TrendSink {
  readonly type = 'trend';
  count = 0;
  sum = 0;
  min = 0;
  max = 0;
  private exact: Float64Array | undefined = new Float64Array(64);
  private sorted = true;
  /** Values in µs (HDR-style, see histogram.ts). */
  private readonly hist = new LogLinearHistogram();

  add(v: number): void {
    if (this.count === 0 || v < this.min) this.min = v;
    if (this.count === 0 || v > this.max) this.max = v;
    this.sum += v;
    const ex = this.exact;
    if (ex !== undefined) {
      if (this.count === ex.length) {
        if (ex.length >= EXACT_CAP) this.dropExact();
        else {
          const grown = new Float64Array(Math.min(EXACT_CAP, ex.length * 2));
          grown.set(ex);
          this.exact = grown;
        }
      }
      if (this.exact !== undefined) {
        this.exact[this.count] = v;
        this.sorted = false;
      }
    }
    this.hist.record(v * 1000);
    this.count++;
  }

  private dropExact(): void {
    this.exact = undefined;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** k6 `TrendSink.P`: linear interpolation between sorted values at i = p·(n−1); 0 when empty. */
  percentile(p: number): number {
    const n = this.count;
    if (n === 0) return 0;
    if (this.exact !== undefined) {
      if (!this.sorted) {
        this.exact.subarray(0, n).sort();
        this.sorted = true;
      }
      const v = this.exact;
      if (n === 1) return v[0] as number;
      const i = p * (n - 1);
      const lo = Math.floor(i);
      const hi = Math.ceil(i);
      const a = v[lo] as number;
      return a + ((v[hi] as number) - a) * (i - lo);
    }
    if (p <= 0) return this.min;
    if (p >= 1) return this.max;
    const x = this.hist.percentile(p) / 1000;
    return Math.min(this.max, Math.max(this.min, x));
  }

  snapshot(): TrendSnapshot {
    return {
      type: 'trend',
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      exact: this.exact === undefined ? null : Array.from(this.exact.subarray(0, this.count)),
      hist: this.count === 0 ? null : this.hist.toSparse(),
    };
  }

  merge(s: TrendSnapshot): void {
    if (s.count === 0) return;
    if (this.exact !== undefined && s.exact !== null && this.count + s.count <= EXACT_CAP) {
      for (const v of s.exact) this.add(v);
      return;
    }
    if (s.hist !== null) this.hist.merge(LogLinearHistogram.fromSparse(s.hist));
    this.dropExact();
    if (this.count === 0 || s.min < this.min) this.min = s.min;
    if (this.count === 0 || s.max > this.max) this.max = s.max;
    this.sum += s.sum;
    this.count += s.count;
  }
}

export type Sink = CounterSink | GaugeSink | RateSink | TrendSink;

export interface CounterSnapshot { type: 'counter'; count: number }
export interface GaugeSnapshot { type: 'gauge'; value: number; min: number; max: number; n: number }
export interface RateSnapshot { type: 'rate'; passes: number; total: number }
export interface TrendSnapshot {
  type: 'trend';
  count: number;
  sum: number;
  min: number;
  max: number;
  exact: number[] | null;
  /** Sparse histogram buckets (µs), see histogram.ts. */
  hist: number[] | null;
}
export type SinkSnapshot = CounterSnapshot | GaugeSnapshot | RateSnapshot | TrendSnapshot;

export function newSink(type: MetricType): Sink {
  switch (type) {
    case 'counter':
      return new CounterSink();
    case 'gauge':
      return new GaugeSink();
    case 'rate':
      return new RateSink();
    case 'trend':
      return new TrendSink();
  }
}

export function mergeSnapshot(sink: Sink, s: SinkSnapshot): void {
  if (sink.type !== s.type) throw new Error(`cannot merge a ${s.type} snapshot into a ${sink.type} sink`);
  (sink as { merge(x: SinkSnapshot): void }).merge(s);
}

/**
 * One summary value of a sink, by k6's method names (`count`, `rate`, `value`, `min`, `max`, `avg`,
 * `med`, `p(N)`, plus `passes`/`fails` for rates). `durationSec` is the test-run time so far, used by
 * the counter's rate; undefined means "no rate" (k6 drops it when the elapsed time is 0).
 */
export function sinkValue(sink: Sink, method: string, durationSec: number): number | undefined {
  switch (sink.type) {
    case 'counter':
      if (method === 'count') return sink.count;
      if (method === 'rate') return durationSec > 0 ? sink.count / durationSec : undefined;
      return undefined;
    case 'gauge':
      if (method === 'value') return sink.value;
      if (method === 'min') return sink.min;
      if (method === 'max') return sink.max;
      return undefined;
    case 'rate':
      if (method === 'rate') return sink.total === 0 ? undefined : sink.passes / sink.total;
      if (method === 'passes') return sink.passes;
      if (method === 'fails') return sink.total - sink.passes;
      return undefined;
    case 'trend': {
      if (method === 'avg') return sink.avg;
      if (method === 'min') return sink.min;
      if (method === 'max') return sink.max;
      if (method === 'med') return sink.percentile(0.5);
      if (method === 'count') return sink.count;
      const m = /^p\((\d+(?:\.\d+)?)\)$/.exec(method);
      if (m) return sink.percentile(Number(m[1]) / 100);
      return undefined;
    }
  }
}
