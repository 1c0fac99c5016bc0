import { describe, expect, it } from 'vitest';
import { constantArrivalTimes, poissonArrivalTimes, rampingArrivalTimes, rampingVusPlan, RateCurve } from '../../harness/simulator/k6-schedule.ts';
import { createRng } from '../../harness/contracts/distributions.ts';

function drain(s: { next(): number }, max = 1e7): number[] {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const t = s.next();
    if (!Number.isFinite(t)) break;
    out.push(t);
  }
  return out;
}

describe('constant-arrival-rate (k6 constant_arrival_rate.go)', () => {
  it('first iteration at 0, period timeUnit/rate, 50/s for 5 s → 250 (k6 TestConstantArrivalRateRunCorrectRate: 250 ± 2)', () => {
    const ts = drain(constantArrivalTimes(50, 1000, 5000));
    expect(ts.length).toBe(250);
    expect(ts[0]).toBe(0);
    expect(ts[1]).toBeCloseTo(20, 9);
    expect(ts[249]).toBeCloseTo(4980, 9);
  });
  it('truncates the period to whole nanoseconds like k6 (3 per second → 333333333 ns)', () => {
    const ts = drain(constantArrivalTimes(3, 1000, 2000));
    expect(ts).toEqual([0, 333.333333, 666.666666, 999.999999, 1333.333332, 1666.666665, 1999.999998]);
  });
  it('a zero rate or time unit schedules nothing (never NaN)', () => {
    expect(drain(constantArrivalTimes(0, 1000, 5000))).toEqual([]);
    expect(drain(constantArrivalTimes(10, 0, 5000))).toEqual([]);
    expect(drain(rampingArrivalTimes(0, 1000, [{ durationMs: 5000, target: 0 }]))).toEqual([]);
    expect(drain(rampingArrivalTimes(5, 0, [{ durationMs: 5000, target: 5 }]))).toEqual([]);
  });
  it('honours timeUnit (rate 30 per minute for 10 s → every 2 s)', () => {
    expect(drain(constantArrivalTimes(30, 60_000, 10_000))).toEqual([0, 2000, 4000, 6000, 8000]);
  });
});

describe('ramping-arrival-rate (k6 ramping_arrival_rate.go: cal)', () => {
  it('matches TestRampingArrivalRateCal: 3.162s, 4.472s, 5.5s, 6.527s, 7.837s, 11s', () => {
    const ts = drain(
      rampingArrivalTimes(0, 1000, [
        { durationMs: 5000, target: 1 },
        { durationMs: 1000, target: 1 },
        { durationMs: 5000, target: 0 },
      ]),
    );
    const expected = [3162.27766, 4472.13595, 5500, 6527.86405, 7837.72234, 11000];
    expect(ts.length).toBe(expected.length);
    ts.forEach((t, i) => expect(t).toBeCloseTo(expected[i]!, 3));
  });
  it('a constant rate puts the first iteration at 1/r, not at 0', () => {
    const ts = drain(rampingArrivalTimes(10, 1000, [{ durationMs: 1000, target: 10 }]));
    expect(ts.length).toBe(10);
    expect(ts[0]).toBeCloseTo(100, 9);
    expect(ts[9]).toBeCloseTo(1000, 9);
  });
  it('the count over a ramp equals the area under the rate curve', () => {
    const ts = drain(rampingArrivalTimes(0, 1000, [{ durationMs: 60_000, target: 100 }]));
    expect(ts.length).toBe(3000);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
  });
});

describe('ramping-vus plan (k6 ramping_vus.go)', () => {
  it('matches TestRampingVUsConfigExecutionPlanExample for its first three stages', () => {
    const plan = rampingVusPlan(4, [
      { durationMs: 2000, target: 6 },
      { durationMs: 5000, target: 1 },
      { durationMs: 4000, target: 5 },
    ]);
    expect(plan).toEqual([
      { atMs: 0, vus: 4 },
      { atMs: 1000, vus: 5 },
      { atMs: 2000, vus: 6 },
      { atMs: 3000, vus: 5 },
      { atMs: 4000, vus: 4 },
      { atMs: 5000, vus: 3 },
      { atMs: 6000, vus: 2 },
      { atMs: 7000, vus: 1 },
      { atMs: 8000, vus: 2 },
      { atMs: 9000, vus: 3 },
      { atMs: 10000, vus: 4 },
      { atMs: 11000, vus: 5 },
    ]);
  });
  it('a zero-length stage jumps immediately', () => {
    expect(rampingVusPlan(1, [{ durationMs: 0, target: 10 }, { durationMs: 1000, target: 10 }])).toEqual([{ atMs: 0, vus: 10 }]);
  });
});

describe('Poisson arrivals', () => {
  it('have the curve’s mean count and exponential gaps (CV ≈ 1)', () => {
    const curve = new RateCurve(100, 1000, [{ durationMs: 600_000, target: 100 }]);
    const ts = drain(poissonArrivalTimes(curve, createRng(5)));
    // 60,000 expected; sd √60000 ≈ 245.
    expect(Math.abs(ts.length - 60_000)).toBeLessThan(1000);
    const gaps = ts.slice(1).map((t, i) => t - ts[i]!);
    const m = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - m) ** 2, 0) / gaps.length);
    expect(m).toBeCloseTo(10, 0);
    expect(sd / m).toBeGreaterThan(0.97);
    expect(sd / m).toBeLessThan(1.03);
  });
});
