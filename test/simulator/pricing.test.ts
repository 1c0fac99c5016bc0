import { describe, expect, it } from 'vitest';
import { lambdaCost, tieredDurationUsd } from '../../harness/simulator/pricing.ts';
import { erlangB, erlangCarried, littleConcurrency, coldStartProbabilityLowLoad } from '../../harness/simulator/closed-forms.ts';

describe('lambdaCost: hand-computed cases from the AWS pricing page formula (§6)', () => {
  it('512 MB, 3 M requests × 1 s, free tier → $18.33 duration + $0.40 requests = $18.73', () => {
    // 3e6 × 1 s × 0.5 GB = 1.5e6 GB-s; − 400,000 free = 1.1e6 × $0.0000166667 = $18.33337; requests (3e6 − 1e6) × $0.2/M = $0.40.
    const c = lambdaCost({ architecture: 'x86_64', memoryMB: 512, requests: 3e6, durationMs: 1000, freeTier: true });
    expect(c.gbSeconds).toBe(1_500_000);
    expect(c.durationUsd).toBeCloseTo(18.33337, 4);
    expect(c.requestUsd).toBeCloseTo(0.4, 9);
    expect(c.totalUsd).toBeCloseTo(18.73337, 4);
  });
  it('128 MB, 30 M requests × 200 ms, free tier → $5.83 + $5.80 = $11.63', () => {
    const c = lambdaCost({ architecture: 'x86_64', memoryMB: 128, requests: 30e6, durationMs: 200, freeTier: true });
    expect(c.gbSeconds).toBe(750_000);
    expect(c.durationUsd).toBeCloseTo(350_000 * 0.0000166667, 6);
    expect(c.requestUsd).toBeCloseTo(5.8, 9);
    expect(c.totalUsd).toBeCloseTo(11.6333, 3);
  });
  it('without the free tier every request and GB-s is billed; arm64 is cheaper per GB-s', () => {
    const x = lambdaCost({ architecture: 'x86_64', memoryMB: 1024, requests: 1e6, durationMs: 100, freeTier: false });
    expect(x.totalUsd).toBeCloseTo(0.2 + 100_000 * 0.0000166667, 9);
    const a = lambdaCost({ architecture: 'arm64', memoryMB: 1024, requests: 1e6, durationMs: 100, freeTier: false });
    expect(a.totalUsd).toBeCloseTo(0.2 + 100_000 * 0.0000133334, 9);
  });
  it('rounds each request up to 1 ms', () => {
    const c = lambdaCost({ architecture: 'x86_64', memoryMB: 1024, requests: 1000, durationMs: 10.2, freeTier: false });
    expect(c.gbSeconds).toBeCloseTo(1000 * 0.011, 9);
  });
  it('crosses duration tiers (x86_64: 6 B at tier 1, 9 B at tier 2, rest at tier 3)', () => {
    expect(tieredDurationUsd(20e9, 'x86_64')).toBeCloseTo(6e9 * 0.0000166667 + 9e9 * 0.000015 + 5e9 * 0.0000133334, 0);
    expect(tieredDurationUsd(8e9, 'arm64')).toBeCloseTo(7.5e9 * 0.0000133334 + 0.5e9 * 0.0000120001, 0);
  });
  it('provisioned concurrency: allocation rounded to 5 minutes, duration at the PC rate', () => {
    // 10 × 1 GB for 1 h 1 s → billed 3,900 s (13 × 300 s): 39,000 GB-s × $0.0000041667.
    const c = lambdaCost({
      architecture: 'x86_64',
      memoryMB: 1024,
      requests: 0,
      durationMs: 0,
      freeTier: false,
      provisioned: { concurrency: 10, secondsEnabled: 3601, requests: 100_000, durationMs: 100 },
    });
    expect(c.provisionedAllocationUsd).toBeCloseTo(39_000 * 0.0000041667, 9);
    expect(c.provisionedDurationUsd).toBeCloseTo(10_000 * 0.0000097222, 9);
    expect(c.provisionedRequestUsd).toBeCloseTo(0.02, 9);
  });
  it('ephemeral storage above 512 MB is billed per GB-s', () => {
    const c = lambdaCost({ architecture: 'x86_64', memoryMB: 1024, requests: 1000, durationMs: 1000, ephemeralStorageMB: 1536, freeTier: false });
    expect(c.ephemeralUsd).toBeCloseTo(1000 * 1 * 0.0000000309, 12);
  });
});

describe('closed forms', () => {
  it('Little: 100/s × 250 ms = 25 concurrent', () => {
    expect(littleConcurrency(100, 250)).toBe(25);
  });
  it('Erlang B matches the textbook values', () => {
    // B(1, 1) = 1/2; B(2, 1) = 1/5; B(10, 5) ≈ 0.01838.
    expect(erlangB(1, 1)).toBeCloseTo(0.5, 12);
    expect(erlangB(2, 1)).toBeCloseTo(0.2, 12);
    expect(erlangB(10, 5)).toBeCloseTo(0.018385, 5);
    expect(erlangB(0, 3)).toBe(1);
    expect(erlangCarried(10, 5)).toBeCloseTo(5 * (1 - 0.018385), 4);
  });
  it('cold-start estimate tends to 1 for sparse traffic and to 0 for dense traffic', () => {
    expect(coldStartProbabilityLowLoad(0.0001, 600)).toBeGreaterThan(0.9);
    expect(coldStartProbabilityLowLoad(1, 600)).toBeLessThan(1e-100);
  });
});
