/**
 * The simulation against the closed forms: long Poisson runs must match Erlang B and Little's
 * law within statistical tolerance, and cold starts with idle expiry must follow the renewal
 * argument (the single-environment limit of the semi-Markov model, fact sheet §7.2).
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../harness/simulator/simulate.ts';
import { erlangB } from '../../harness/simulator/closed-forms.ts';
import { constantRate, experiment, fn, http, scenario } from './builder.ts';
import type { DurationDistribution } from '../../harness/experiment/types.ts';

function poissonRun(opts: { rate: number; durationMs: number; dist: DurationDistribution; reserved: number | null; expiryS?: number; seed?: number; initMs?: number }) {
  const exp = experiment({
    functions: [fn('f', { duration: opts.dist, reservedConcurrency: opts.reserved, timeoutSeconds: 900, initMs: { kind: 'constant', ms: opts.initMs ?? 0 } })],
    scenarios: [scenario('s', http('f'), constantRate(opts.rate, opts.durationMs, 100_000), { arrival: 'poisson' })],
    account: opts.expiryS !== undefined ? { idleExpirySeconds: opts.expiryS } : {},
    seed: opts.seed ?? 1,
  });
  return simulate(exp).totals.functions['f']!;
}

describe('Erlang B: a concurrency-limited sync function under Poisson arrivals (M/G/c/c)', () => {
  // a = 100/s × 0.1 s = 10 erlangs, c = 10 → B = 0.2146. 20 min ≈ 120,000 arrivals: the
  // standard error of the blocking fraction is well under 0.005 (batch means would say ≈ 0.003).
  const expected = erlangB(10, 10);
  const cases: Array<[string, DurationDistribution]> = [
    ['exponential', { kind: 'exponential', meanMs: 100 }],
    ['constant (insensitivity)', { kind: 'constant', ms: 100 }],
    ['lognormal (insensitivity)', { kind: 'lognormal', p50Ms: 80, p99Ms: 400 }],
  ];
  for (const [label, dist] of cases) {
    it(`${label}: throttle fraction ≈ B(10, a) with a from the distribution's mean`, () => {
      const meanMs = dist.kind === 'lognormal' ? 80 * Math.exp((Math.log(400 / 80) / 2.3263478740408408) ** 2 / 2) : 100;
      const b = erlangB(10, (100 * meanMs) / 1000);
      const t = poissonRun({ rate: 100, durationMs: 1_200_000, dist, reserved: 10 });
      const simulated = t.throttles / (t.invocations + t.throttles);
      expect(Math.abs(simulated - b)).toBeLessThan(0.012);
      expect(t.closedForms.erlangBThrottleProbability).toBeCloseTo(b, 2);
      if (dist.kind === 'exponential') expect(b).toBeCloseTo(expected, 6);
      // Carried load = a(1 − B) = time-averaged busy environments (Little's law on the carried traffic).
      expect(Math.abs(t.averageBusyEnvironments - ((100 * meanMs) / 1000) * (1 - b)) / ((100 * meanMs) / 1000)).toBeLessThan(0.03);
      expect(t.throttlesByReason['ReservedFunctionConcurrentInvocationLimitExceeded']).toBe(t.throttles);
    });
  }
  it('a light load on the same cap is almost never throttled, as B(10, 2) ≈ 4e-5 says', () => {
    const t = poissonRun({ rate: 20, durationMs: 600_000, dist: { kind: 'exponential', meanMs: 100 }, reserved: 10 });
    expect(t.throttles / (t.invocations + t.throttles)).toBeLessThan(0.001);
  });
});

describe("Little's law: mean concurrency = arrival rate × mean duration", () => {
  it('Poisson 50/s × uniform 100–300 ms → 10 busy environments on average', () => {
    const t = poissonRun({ rate: 50, durationMs: 600_000, dist: { kind: 'uniform', minMs: 100, maxMs: 300 }, reserved: null });
    expect(t.throttles).toBe(0);
    expect(Math.abs(t.averageBusyEnvironments - 10) / 10).toBeLessThan(0.03);
    expect(Math.abs(t.closedForms.littleConcurrency - t.averageBusyEnvironments) / 10).toBeLessThan(0.03);
  });
  it('with k6 (deterministic) arrivals too: 200/s × 50 ms = 10', () => {
    const exp = experiment({
      functions: [fn('f', { duration: { kind: 'exponential', meanMs: 50 }, initMs: { kind: 'constant', ms: 0 } })],
      scenarios: [scenario('s', http('f'), constantRate(200, 300_000))],
    });
    const t = simulate(exp).totals.functions['f']!;
    expect(Math.abs(t.averageBusyEnvironments - 10) / 10).toBeLessThan(0.03);
  });
});

describe('cold starts with idle expiry (SimFaaS-style, Poisson arrivals)', () => {
  // With λ·E[S] ≪ 1 a request is cold iff the previous one ended more than the expiry ago:
  // P(cold) ≈ exp(−λ·(expiry + E[S])), and one environment is alive a fraction 1 − P(cold) of the time.
  const expiryS = 60;
  for (const rate of [0.002, 0.01, 0.03]) {
    it(`λ = ${rate}/s, expiry ${expiryS} s: P(cold) ≈ exp(−λ·expiry), average environments ≈ 1 − P(cold)`, () => {
      const t = poissonRun({ rate, durationMs: Math.round(600 / rate) * 1000, dist: { kind: 'constant', ms: 100 }, reserved: null, expiryS, seed: 3 });
      const p = Math.exp(-rate * (expiryS + 0.1));
      const n = t.invocations;
      // 3.5 standard errors of a binomial proportion.
      expect(Math.abs(t.coldStartProbability - p)).toBeLessThan(3.5 * Math.sqrt((p * (1 - p)) / n) + 0.01);
      expect(Math.abs(t.averageEnvironments - (1 - Math.exp(-rate * expiryS)))).toBeLessThan(0.06);
      expect(t.peakConcurrency).toBeLessThanOrEqual(2);
    });
  }
  it('the SimFaaS setting (λ = 0.001/s, warm 2 s, expiry 600 s) over 1,000,000 s with series off', () => {
    const exp = experiment({
      functions: [fn('f', { duration: { kind: 'exponential', meanMs: 2000 }, timeoutSeconds: 900, initMs: { kind: 'constant', ms: 500 } })],
      scenarios: [scenario('s', http('f'), constantRate(1, 1_000_000_000, 100, 1_000_000), { arrival: 'poisson' })],
      seed: 4,
    });
    const r = simulate(exp, { series: false });
    expect(r.series.series).toEqual([]);
    const t = r.totals.functions['f']!;
    const p = Math.exp(-0.001 * 602);
    expect(t.invocations).toBeGreaterThan(850);
    // The totals carry the same closed form, with λ and E[S] from the run.
    expect(Math.abs(t.closedForms.coldStartProbabilityLowLoad! - p)).toBeLessThan(0.05);
    expect(Math.abs(t.coldStartProbability - p)).toBeLessThan(3.5 * Math.sqrt((p * (1 - p)) / t.invocations) + 0.01);
    expect(Math.abs(t.averageEnvironments - (1 - Math.exp(-0.6)))).toBeLessThan(0.05);
  });
  it('λ high ⇒ P(cold) → 0 and the environments stay near λ·E[S]; λ·expiry ≪ 1 ⇒ P(cold) → 1', () => {
    const busy = poissonRun({ rate: 200, durationMs: 120_000, dist: { kind: 'constant', ms: 100 }, reserved: null });
    expect(busy.coldStartProbability).toBeLessThan(0.002);
    expect(busy.averageEnvironments).toBeGreaterThan(busy.averageBusyEnvironments);
    expect(busy.averageEnvironments).toBeLessThan(busy.averageBusyEnvironments * 2.5);
    const sparse = poissonRun({ rate: 0.005, durationMs: 200_000_000, dist: { kind: 'constant', ms: 100 }, reserved: null, expiryS: 2, seed: 9 });
    expect(sparse.invocations).toBeGreaterThan(900);
    expect(sparse.coldStartProbability).toBeGreaterThan(0.95);
    expect(sparse.averageEnvironments).toBeLessThan(0.03);
  });
});
