import { describe, expect, it } from 'vitest';
import {
  cdfDuration,
  createRng,
  distributionProblem,
  durationSampler,
  fitDistributionDetailed,
  meanDuration,
  normalCdf,
  normalQuantile,
  quantileDuration,
  sampleDuration,
  type DurationDistribution,
} from '../../harness/contracts/distributions.ts';

function draw(dist: DurationDistribution, n: number, seed = 7): number[] {
  const rng = createRng(seed);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = sampleDuration(dist, rng);
  return out;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('createRng', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const sa = Array.from({ length: 100 }, () => a.next());
    const sb = Array.from({ length: 100 }, () => b.next());
    const sc = Array.from({ length: 100 }, () => c.next());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    for (const x of sa) expect(x >= 0 && x < 1).toBe(true);
  });

  it('is uniform: mean ≈ 1/2, variance ≈ 1/12, ten buckets each ≈ 10 %', () => {
    const r = createRng(1);
    const n = 200_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      sum += x;
      sq += x * x;
      buckets[Math.floor(x * 10)]!++;
    }
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    // χ² with 9 dof: 99.9 % quantile is 27.9.
    const chi = buckets.reduce((a, c) => a + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it('fork(label) is deterministic, independent of the parent position and differs by label', () => {
    const p1 = createRng(9);
    const p2 = createRng(9);
    p2.next();
    p2.next();
    const f1 = p1.fork('orders');
    const f2 = p2.fork('orders');
    const g = p1.fork('payments');
    const s1 = Array.from({ length: 20 }, () => f1.next());
    expect(Array.from({ length: 20 }, () => f2.next())).toEqual(s1);
    expect(Array.from({ length: 20 }, () => g.next())).not.toEqual(s1);
    // Forked streams are not correlated with each other.
    const a = p1.fork('x');
    const b = p1.fork('y');
    let cov = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) cov += (a.next() - 0.5) * (b.next() - 0.5);
    expect(Math.abs(cov / n)).toBeLessThan(0.005);
  });
});

describe('normal helpers', () => {
  it('normalQuantile inverts normalCdf', () => {
    for (const p of [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263, 4);
  });
});

describe('sampleDuration converges to each distribution', () => {
  const n = 100_000;
  it('constant', () => {
    expect(new Set(draw({ kind: 'constant', ms: 12 }, 1000))).toEqual(new Set([12]));
  });
  it('uniform', () => {
    const xs = draw({ kind: 'uniform', minMs: 10, maxMs: 30 }, n);
    expect(avg(xs)).toBeCloseTo(20, 0);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThan(30);
    expect(pct(xs, 25)).toBeCloseTo(15, 0);
  });
  it('exponential', () => {
    const d: DurationDistribution = { kind: 'exponential', meanMs: 50 };
    const xs = draw(d, n);
    expect(Math.abs(avg(xs) - 50) / 50).toBeLessThan(0.02);
    expect(Math.abs(pct(xs, 50) - 50 * Math.LN2) / (50 * Math.LN2)).toBeLessThan(0.03);
  });
  it('lognormal from p50/p99', () => {
    const d: DurationDistribution = { kind: 'lognormal', p50Ms: 40, p99Ms: 300 };
    const xs = draw(d, n);
    expect(Math.abs(pct(xs, 50) - 40) / 40).toBeLessThan(0.02);
    expect(Math.abs(pct(xs, 99) - 300) / 300).toBeLessThan(0.05);
    expect(Math.abs(avg(xs) - meanDuration(d)) / meanDuration(d)).toBeLessThan(0.02);
    const sigma = Math.log(300 / 40) / 2.3263478740408408;
    expect(meanDuration(d)).toBeCloseTo(40 * Math.exp((sigma * sigma) / 2), 6);
  });
  it('normal truncated at 0: no negatives, and the mean is the truncated mean (not μ)', () => {
    const d: DurationDistribution = { kind: 'normal', meanMs: 10, stddevMs: 10 };
    const xs = draw(d, n);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    // μ + σ φ(1)/(1 − Φ(−1)) = 10 + 10·0.24197/0.84134 = 12.876
    expect(meanDuration(d)).toBeCloseTo(12.876, 2);
    expect(Math.abs(avg(xs) - 12.876)).toBeLessThan(0.15);
    const far: DurationDistribution = { kind: 'normal', meanMs: 100, stddevMs: 5 };
    expect(meanDuration(far)).toBeCloseTo(100, 6);
    expect(Math.abs(avg(draw(far, 20_000)) - 100)).toBeLessThan(0.15);
  });
  it('empirical = piecewise-linear inverse CDF', () => {
    const d: DurationDistribution = {
      kind: 'empirical',
      percentiles: [
        { p: 0, ms: 0 },
        { p: 50, ms: 10 },
        { p: 100, ms: 110 },
      ],
    };
    expect(quantileDuration(d, 0.25)).toBeCloseTo(5, 9);
    expect(quantileDuration(d, 0.75)).toBeCloseTo(60, 9);
    // Mean = 0.5·5 + 0.5·60 = 32.5
    expect(meanDuration(d)).toBeCloseTo(32.5, 9);
    const xs = draw(d, n);
    expect(Math.abs(avg(xs) - 32.5)).toBeLessThan(0.5);
    expect(Math.abs(pct(xs, 90) - 90)).toBeLessThan(1.5);
    // Flat tails when the points do not cover 0..100.
    const partial: DurationDistribution = { kind: 'empirical', percentiles: [{ p: 10, ms: 5 }, { p: 90, ms: 15 }] };
    expect(quantileDuration(partial, 0.01)).toBe(5);
    expect(quantileDuration(partial, 0.99)).toBe(15);
    expect(meanDuration(partial)).toBeCloseTo(10, 9);
    expect(cdfDuration(partial, 10)).toBeCloseTo(0.5, 9);
  });
});

describe('durationSampler', () => {
  it('draws exactly what sampleDuration draws, for every kind', () => {
    const dists: DurationDistribution[] = [
      { kind: 'constant', ms: 5 },
      { kind: 'uniform', minMs: 1, maxMs: 9 },
      { kind: 'normal', meanMs: 10, stddevMs: 4 },
      { kind: 'lognormal', p50Ms: 20, p99Ms: 90 },
      { kind: 'exponential', meanMs: 7 },
      { kind: 'empirical', percentiles: [{ p: 0, ms: 1 }, { p: 100, ms: 3 }] },
    ];
    for (const d of dists) {
      const a = createRng(11);
      const b = createRng(11);
      const s = durationSampler(d);
      for (let i = 0; i < 200; i++) expect(s(b)).toBe(sampleDuration(d, a));
    }
  });
});

describe('fitDistribution', () => {
  it('recognises lognormal samples and recovers p50/p99', () => {
    const fit = fitDistributionDetailed(draw({ kind: 'lognormal', p50Ms: 30, p99Ms: 200 }, 5000, 3));
    expect(fit.chosen).toBe('lognormal');
    if (fit.dist.kind !== 'lognormal') throw new Error('expected lognormal');
    expect(Math.abs(fit.dist.p50Ms - 30) / 30).toBeLessThan(0.05);
    expect(Math.abs(fit.dist.p99Ms - 200) / 200).toBeLessThan(0.1);
  });
  it('recognises normal samples', () => {
    const fit = fitDistributionDetailed(draw({ kind: 'normal', meanMs: 100, stddevMs: 10 }, 5000, 4));
    expect(fit.chosen).toBe('normal');
    if (fit.dist.kind !== 'normal') throw new Error('expected normal');
    expect(fit.dist.meanMs).toBeCloseTo(100, 0);
    expect(fit.dist.stddevMs).toBeCloseTo(10, 0);
  });
  it('falls back to empirical for a bimodal sample neither model explains', () => {
    const xs = [...draw({ kind: 'uniform', minMs: 5, maxMs: 6 }, 2500, 5), ...draw({ kind: 'uniform', minMs: 200, maxMs: 210 }, 2500, 6)];
    const fit = fitDistributionDetailed(xs);
    expect(fit.chosen).toBe('empirical');
    expect(fit.ks.empirical).toBeLessThan(fit.critical);
    expect(Math.abs(meanDuration(fit.dist) - avg(xs)) / avg(xs)).toBeLessThan(0.02);
  });
  it('refuses an empty sample clearly', () => {
    expect(() => fitDistributionDetailed([])).toThrow(/no finite/);
  });
});

describe('distributionProblem', () => {
  it('accepts valid and names the problem in invalid parameters', () => {
    expect(distributionProblem({ kind: 'lognormal', p50Ms: 10, p99Ms: 50 })).toBeNull();
    expect(distributionProblem({ kind: 'lognormal', p50Ms: 50, p99Ms: 10 })).toMatch(/p50Ms ≤ p99Ms/);
    expect(distributionProblem({ kind: 'empirical', percentiles: [{ p: 50, ms: 3 }, { p: 40, ms: 4 }] })).toMatch(/ascend/);
    expect(distributionProblem({ kind: 'exponential', meanMs: 0 })).toMatch(/> 0/);
  });
});
