import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../../harness/simulator/step-histogram.ts';

describe('LogHistogram', () => {
  it('percentiles within 0.5 % of the exact order statistics', () => {
    const h = new LogHistogram();
    const xs: number[] = [];
    for (let i = 1; i <= 10_000; i++) {
      const x = i * 0.37 + (i % 7) * 13.1;
      xs.push(x);
      h.record(x);
    }
    xs.sort((a, b) => a - b);
    for (const p of [1, 50, 95, 99, 100]) {
      const exact = xs[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)]!;
      expect(Math.abs(h.percentile(p)! - exact) / exact).toBeLessThan(0.005);
    }
  });
  it('is empty after reset, handles 0 and huge values', () => {
    const h = new LogHistogram();
    expect(h.percentile(50)).toBeNull();
    h.record(0);
    h.record(1e12);
    expect(h.percentile(1)).toBe(0.01);
    expect(h.percentile(100)!).toBeGreaterThan(1e9);
    h.reset();
    expect(h.percentile(50)).toBeNull();
    h.record(42);
    expect(h.percentile(50)!).toBeCloseTo(42, 0);
  });
  it('percentilesInto gives what percentile gives, in one pass', () => {
    const h = new LogHistogram();
    const out: Array<number | null> = [0, 0, 0, 0, 0, 0];
    const ps = [0, 1, 50, 95, 99, 100];
    h.percentilesInto(ps, out);
    expect(out).toEqual(ps.map(() => null));
    for (let n = 1; n <= 400; n++) {
      h.record(((n * 7919) % 1000) * 0.173 + (n % 3 === 0 ? 5000 : 0));
      h.percentilesInto(ps, out);
      expect(out).toEqual(ps.map((p) => h.percentile(p)));
    }
  });
  it('drainInto is addFrom then reset', () => {
    const [a, b, runA, runB] = [new LogHistogram(), new LogHistogram(), new LogHistogram(), new LogHistogram()];
    for (let step = 0; step < 20; step++) {
      for (let n = 0; n < step * 7; n++) {
        const x = ((n * 7919 + step * 104729) % 5000) * 0.37;
        a.record(x);
        b.record(x);
      }
      runA.addFrom(a);
      a.reset();
      b.drainInto(runB);
      expect(b.total).toBe(0);
      expect(b.percentile(50)).toBeNull();
      expect(runB.total).toBe(runA.total);
      expect(Array.from(runB.counts)).toEqual(Array.from(runA.counts));
      for (const p of [1, 50, 99]) expect(runB.percentile(p)).toBe(runA.percentile(p));
    }
  });
});
