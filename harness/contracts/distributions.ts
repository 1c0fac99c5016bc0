/**
 * Seeded randomness and duration distributions, shared by the simulator and the emulator's
 * synthetic functions so that "lognormal p50 40 ms, p99 300 ms" means the same thing in both.
 * The API is deliberately small and stable: `createRng(seed)` (sfc32 seeded through splitmix32,
 * `fork(label)` for independent named streams), `sampleDuration(dist, rng)`, `meanDuration(dist)`,
 * `quantileDuration(dist, q)` and `fitDistribution(samplesMs)` for `squall calibrate`.
 * Every sample uses exactly one draw from the stream (inverse-CDF sampling), so adding a
 * distribution kind never shifts the random stream of the others.
 */
import type { DurationDistribution } from '../experiment/types.ts';

export type { DurationDistribution };

export interface Rng {
  /** The 32-bit seed this stream was created from. */
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** An independent stream derived from this stream's seed and `label` (not from its position). */
  fork(label: string): Rng;
}

/** splitmix32: spreads a 32-bit seed over the sfc32 state so that seeds 1, 2, 3 give unrelated streams. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [state, z >>> 0];
}

/** FNV-1a over the label, mixed with the parent seed. */
function forkSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h)[1];
}

class Sfc32 implements Rng {
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    let s = this.seed;
    let v: number;
    [s, v] = splitmix32(s);
    this.a = v;
    [s, v] = splitmix32(s);
    this.b = v;
    [, v] = splitmix32(s);
    this.c = v;
    this.d = 1;
    // Warm up: sfc32's first outputs are correlated with the seed.
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    // Each field read once (the same arithmetic as field by field): a smaller body the optimiser inlines more readily.
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  fork(label: string): Rng {
    return new Sfc32(forkSeed(this.seed, label));
  }
}

/** A seeded stream; any number is reduced to 32 bits (`seed >>> 0`). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  return new Sfc32(Math.trunc(seed) >>> 0);
}

// ---------------------------------------------------------------------------------------------
// Normal distribution helpers

/** z-score of the 99th percentile: the lognormal's σ = ln(p99/p50) / 2.3263. */
export const Z99 = 2.3263478740408408;

/** Standard normal CDF via erfc (W. J. Cody-style rational approximation, |error| < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const y =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  // y = erfc(x)
  return z >= 0 ? 1 - 0.5 * y : 0.5 * y;
}

function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * Inverse standard normal CDF (Acklam's algorithm, relative error < 1.2e-9). The coefficients
 * are written out in Horner form (the same operations in the same order as indexing coefficient
 * arrays), and the central region, where 95 % of draws land, is a function small enough for the
 * optimiser to inline: the simulator calls this once per sampled duration.
 */
export function normalQuantile(p: number): number {
  // Outside (pLow, 1 − pLow), including p ≤ 0, p ≥ 1 (NaN falls through to NaN here, as it always did).
  if (p < 0.02425 || p > 1 - 0.02425) return normalQuantileTail(p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r + -2.759285104469687e2) * r + 1.38357751867269e2) * r + -3.066479806614716e1) * r + 2.506628277459239) * q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r + -1.556989798598866e2) * r + 6.680131188771972e1) * r + -1.328068155288572e1) * r + 1)
  );
}

function normalQuantileTail(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const lower = p < 0.02425;
  const q = lower ? Math.sqrt(-2 * Math.log(p)) : Math.sqrt(-2 * Math.log(1 - p));
  const x =
    (((((-7.784894002430293e-3 * q + -3.223964580411365e-1) * q + -2.400758277161838) * q + -2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
    ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  return lower ? x : -x;
}

function lognormalSigma(p50Ms: number, p99Ms: number): number {
  return p50Ms > 0 && p99Ms > p50Ms ? Math.log(p99Ms / p50Ms) / Z99 : 0;
}

// ---------------------------------------------------------------------------------------------
// Quantiles, sampling, means

/**
 * The duration at quantile q ∈ [0, 1). Normal is truncated at 0 (conditioned on x ≥ 0, not
 * clamped, so no point mass at 0); empirical is the piecewise-linear inverse CDF through its
 * points, flat below the first and above the last point.
 */
export function quantileDuration(dist: DurationDistribution, q: number): number {
  switch (dist.kind) {
    case 'constant':
      return dist.ms;
    case 'uniform':
      return dist.minMs + q * (dist.maxMs - dist.minMs);
    case 'exponential':
      return -dist.meanMs * Math.log(1 - q);
    case 'lognormal': {
      const sigma = lognormalSigma(dist.p50Ms, dist.p99Ms);
      return sigma === 0 ? dist.p50Ms : dist.p50Ms * Math.exp(sigma * normalQuantile(q));
    }
    case 'normal': {
      if (dist.stddevMs <= 0) return Math.max(0, dist.meanMs);
      const lo = normalCdf(-dist.meanMs / dist.stddevMs);
      const x = dist.meanMs + dist.stddevMs * normalQuantile(lo + q * (1 - lo));
      return x > 0 && Number.isFinite(x) ? x : 0;
    }
    case 'empirical':
      return empiricalQuantile(dist.percentiles, q * 100);
  }
}

function empiricalQuantile(points: ReadonlyArray<{ p: number; ms: number }>, p: number): number {
  const n = points.length;
  if (n === 0) return 0;
  const first = points[0]!;
  if (p <= first.p) return first.ms;
  for (let i = 1; i < n; i++) {
    const hi = points[i]!;
    if (p <= hi.p) {
      const lo = points[i - 1]!;
      const span = hi.p - lo.p;
      return span <= 0 ? hi.ms : lo.ms + ((p - lo.p) / span) * (hi.ms - lo.ms);
    }
  }
  return points[n - 1]!.ms;
}

/** One duration in ms (≥ 0), one draw from `rng`. */
export function sampleDuration(dist: DurationDistribution, rng: Rng): number {
  return quantileDuration(dist, rng.next());
}

/**
 * The same draws as `sampleDuration(dist, rng)` (bit for bit), with the distribution's constants
 * computed once: for hot loops that sample one distribution millions of times.
 */
export function durationSampler(dist: DurationDistribution): (rng: Rng) => number {
  switch (dist.kind) {
    case 'constant': {
      const v = dist.ms;
      return (rng) => (rng.next(), v);
    }
    case 'exponential': {
      const m = dist.meanMs;
      return (rng) => -m * Math.log(1 - rng.next());
    }
    case 'lognormal': {
      const sigma = lognormalSigma(dist.p50Ms, dist.p99Ms);
      const p50 = dist.p50Ms;
      if (sigma === 0) return (rng) => (rng.next(), p50);
      return (rng) => p50 * Math.exp(sigma * normalQuantile(rng.next()));
    }
    default:
      return (rng) => quantileDuration(dist, rng.next());
  }
}

/** The exact mean where a closed form exists; for empirical, the integral of its inverse CDF. */
export function meanDuration(dist: DurationDistribution): number {
  switch (dist.kind) {
    case 'constant':
      return dist.ms;
    case 'uniform':
      return (dist.minMs + dist.maxMs) / 2;
    case 'exponential':
      return dist.meanMs;
    case 'lognormal': {
      const sigma = lognormalSigma(dist.p50Ms, dist.p99Ms);
      return dist.p50Ms * Math.exp((sigma * sigma) / 2);
    }
    case 'normal': {
      // Mean of N(μ, σ²) conditioned on x ≥ 0: μ + σ·φ(α)/(1 − Φ(α)), α = −μ/σ.
      const { meanMs: mu, stddevMs: s } = dist;
      if (s <= 0) return Math.max(0, mu);
      const alpha = -mu / s;
      const tail = 1 - normalCdf(alpha);
      return tail > 1e-12 ? mu + (s * normalPdf(alpha)) / tail : 0;
    }
    case 'empirical': {
      const pts = dist.percentiles;
      if (pts.length === 0) return 0;
      // Flat tails below the first and above the last point, trapezoids in between.
      let area = (pts[0]!.p / 100) * pts[0]!.ms;
      for (let i = 1; i < pts.length; i++) {
        const lo = pts[i - 1]!;
        const hi = pts[i]!;
        area += ((hi.p - lo.p) / 100) * ((lo.ms + hi.ms) / 2);
      }
      const last = pts[pts.length - 1]!;
      area += ((100 - last.p) / 100) * last.ms;
      return area;
    }
  }
}

/** CDF of a distribution at x ms (used by the fit's KS distance). */
export function cdfDuration(dist: DurationDistribution, x: number): number {
  switch (dist.kind) {
    case 'constant':
      return x >= dist.ms ? 1 : 0;
    case 'uniform':
      if (dist.maxMs <= dist.minMs) return x >= dist.minMs ? 1 : 0;
      return Math.min(1, Math.max(0, (x - dist.minMs) / (dist.maxMs - dist.minMs)));
    case 'exponential':
      return x <= 0 ? 0 : 1 - Math.exp(-x / dist.meanMs);
    case 'lognormal': {
      if (x <= 0) return 0;
      const sigma = lognormalSigma(dist.p50Ms, dist.p99Ms);
      if (sigma === 0) return x >= dist.p50Ms ? 1 : 0;
      return normalCdf(Math.log(x / dist.p50Ms) / sigma);
    }
    case 'normal': {
      if (x < 0) return 0;
      if (dist.stddevMs <= 0) return x >= dist.meanMs ? 1 : 0;
      const lo = normalCdf(-dist.meanMs / dist.stddevMs);
      const v = normalCdf((x - dist.meanMs) / dist.stddevMs);
      return lo >= 1 ? 1 : (v - lo) / (1 - lo);
    }
    case 'empirical': {
      const pts = dist.percentiles;
      if (pts.length === 0) return 1;
      if (x < pts[0]!.ms) return 0;
      for (let i = 1; i < pts.length; i++) {
        const lo = pts[i - 1]!;
        const hi = pts[i]!;
        if (x < hi.ms) return (lo.p + ((x - lo.ms) / (hi.ms - lo.ms)) * (hi.p - lo.p)) / 100;
      }
      return 1;
    }
  }
}

/**
 * A human-readable problem with a distribution's parameters, or null if it is usable. The
 * experiment loader reports these with the field path; sampling never throws.
 */
export function distributionProblem(dist: DurationDistribution): string | null {
  const finite = (...xs: number[]) => xs.every((x) => Number.isFinite(x));
  switch (dist.kind) {
    case 'constant':
      return finite(dist.ms) && dist.ms >= 0 ? null : 'constant: ms must be a number ≥ 0';
    case 'uniform':
      return finite(dist.minMs, dist.maxMs) && dist.minMs >= 0 && dist.maxMs >= dist.minMs ? null : 'uniform: need 0 ≤ minMs ≤ maxMs';
    case 'normal':
      return finite(dist.meanMs, dist.stddevMs) && dist.stddevMs >= 0 ? null : 'normal: need a finite meanMs and stddevMs ≥ 0';
    case 'lognormal':
      return finite(dist.p50Ms, dist.p99Ms) && dist.p50Ms > 0 && dist.p99Ms >= dist.p50Ms ? null : 'lognormal: need 0 < p50Ms ≤ p99Ms';
    case 'exponential':
      return finite(dist.meanMs) && dist.meanMs > 0 ? null : 'exponential: meanMs must be > 0';
    case 'empirical': {
      const pts = dist.percentiles;
      if (pts.length < 2) return 'empirical: need at least two percentile points';
      for (let i = 0; i < pts.length; i++) {
        const pt = pts[i]!;
        if (!finite(pt.p, pt.ms) || pt.p < 0 || pt.p > 100 || pt.ms < 0) return `empirical: point ${i} needs 0 ≤ p ≤ 100 and ms ≥ 0`;
        if (i > 0 && (pt.p <= pts[i - 1]!.p || pt.ms < pts[i - 1]!.ms)) return `empirical: points must ascend in p and not descend in ms (point ${i})`;
      }
      return null;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fitting (for `squall calibrate`)

export interface FitResult {
  dist: DurationDistribution;
  /** Kolmogorov–Smirnov distance of each candidate against the samples. */
  ks: { lognormal: number; normal: number; empirical: number };
  /** KS critical value at α = 0.05: 1.358 / √n. */
  critical: number;
  chosen: 'lognormal' | 'normal' | 'empirical';
}

/** Percentile points kept for an empirical fit: every whole percentile plus the far tail (0 and 100 pin the observed range). */
const EMPIRICAL_POINTS = [...Array.from({ length: 100 }, (_, i) => i), 99.5, 99.9, 100];

/**
 * Fit measured durations. Criterion (stated, so reports can quote it): compute the KS distance
 * D = sup|F_n − F| of a lognormal (log-moment fit, expressed as p50/p99) and a normal (moment
 * fit, truncated at 0); take the parametric one with the smaller D if D ≤ 1.358/√n (not
 * rejected at α = 0.05), because a two-parameter model extrapolates tails better than the
 * samples do; otherwise fall back to the empirical percentiles (which fit by construction).
 */
export function fitDistribution(samplesMs: readonly number[]): DurationDistribution {
  return fitDistributionDetailed(samplesMs).dist;
}

export function fitDistributionDetailed(samplesMs: readonly number[]): FitResult {
  const xs = samplesMs.filter((x) => Number.isFinite(x) && x >= 0).sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) throw new RangeError('fitDistribution: no finite, non-negative samples to fit');
  const q = (p: number) => {
    const pos = (p / 100) * (n - 1);
    const i = Math.floor(pos);
    const lo = xs[i]!;
    const hi = xs[Math.min(n - 1, i + 1)]!;
    return lo + (pos - i) * (hi - lo);
  };
  const empirical: DurationDistribution = {
    kind: 'empirical',
    percentiles: dedupePoints(EMPIRICAL_POINTS.map((p) => ({ p, ms: q(p) }))),
  };
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let m2 = 0;
  for (const x of xs) m2 += (x - mean) * (x - mean);
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const normal: DurationDistribution = { kind: 'normal', meanMs: mean, stddevMs: sd };

  const positives = xs.filter((x) => x > 0);
  let lognormal: DurationDistribution | null = null;
  if (positives.length >= 2) {
    let lm = 0;
    for (const x of positives) lm += Math.log(x);
    lm /= positives.length;
    let lv = 0;
    for (const x of positives) lv += (Math.log(x) - lm) ** 2;
    const ls = Math.sqrt(lv / (positives.length - 1));
    lognormal = { kind: 'lognormal', p50Ms: Math.exp(lm), p99Ms: Math.exp(lm + Z99 * ls) };
  }
  const ksOf = (d: DurationDistribution) => ksDistance(xs, d);
  const ks = { lognormal: lognormal ? ksOf(lognormal) : Infinity, normal: ksOf(normal), empirical: ksOf(empirical) };
  const critical = 1.358 / Math.sqrt(n);
  let chosen: FitResult['chosen'] = 'empirical';
  let dist: DurationDistribution = empirical;
  const bestParam = ks.lognormal <= ks.normal ? 'lognormal' : 'normal';
  if (Math.min(ks.lognormal, ks.normal) <= critical) {
    chosen = bestParam;
    dist = bestParam === 'lognormal' && lognormal ? lognormal : normal;
  }
  return { dist, ks, critical, chosen };
}

function dedupePoints(points: Array<{ p: number; ms: number }>): Array<{ p: number; ms: number }> {
  const out: Array<{ p: number; ms: number }> = [];
  for (const pt of points) {
    const last = out[out.length - 1];
    if (last && pt.p <= last.p) continue;
    out.push(pt);
  }
  return out;
}

/** KS distance between sorted samples and a distribution's CDF. */
export function ksDistance(sortedXs: readonly number[], dist: DurationDistribution): number {
  const n = sortedXs.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdfDuration(dist, sortedXs[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}
