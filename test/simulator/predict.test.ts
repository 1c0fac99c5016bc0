/**
 * The prediction a run is judged against: N seeds of the simulator on the run's window, with a
 * per-step and per-total interval from their spread, computed in-process and on a worker thread.
 */
import { describe, expect, it } from 'vitest';
import { seriesTotal } from '../../harness/contracts/series.ts';
import { onWindow, predict, quantile } from '../../harness/simulator/predict.ts';
import { startPrediction } from '../../harness/simulator/predict-thread.ts';
import { constantRate, experiment, fn, http, scenario } from './builder.ts';

// Poisson arrivals at 20/s against 3 environments of a 100-400 ms function: throttles move between seeds.
const exp = experiment({
  functions: [fn('api', { duration: { kind: 'lognormal', p50Ms: 100, p99Ms: 400 }, reservedConcurrency: 3 })],
  scenarios: [scenario('s', http('api', 0), constantRate(20, 10_000), { arrival: 'poisson' })],
  seed: 7,
});
const window = { steps: 15, loadSteps: 10 };

describe('predict: intervals from the simulator’s own spread', () => {
  it('quantiles interpolate linearly between order statistics', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(quantile([4], 0.975)).toBe(4);
  });

  it('extends a run that went idle with its idle state: sums 0, gauges their last value, percentiles no data', () => {
    expect(onWindow({ name: 'lambda.invocations', labels: {}, unit: 'count', values: [3, 1] }, 4)).toEqual([3, 1, 0, 0]);
    expect(onWindow({ name: 'lambda.environments', labels: {}, unit: 'environments', values: [2, 3] }, 4)).toEqual([2, 3, 3, 3]);
    expect(onWindow({ name: 'lambda.duration_p95_ms', labels: {}, unit: 'ms', values: [9, null] }, 3)).toEqual([9, null, null]);
    expect(onWindow({ name: 'lambda.invocations', labels: {}, unit: 'count', values: [1, 2, 3, 4] }, 2)).toEqual([1, 2]);
  });

  it('every series covers the window, with lower ≤ mean ≤ upper per step and a total interval', () => {
    const p = predict(exp, { runs: 12, level: 0.95, window, drainLimitMs: 5000 });
    expect(p.file.interval).toEqual({ level: 0.95, runs: 12, seed: 7 });
    expect(p.file.window).toEqual(window);
    const throttles = p.file.series.find((s) => s.name === 'lambda.throttles')!;
    for (const s of p.file.series) {
      expect(s.values).toHaveLength(15);
      for (let i = 0; i < 15; i++) {
        const v = s.values[i];
        if (v === null || v === undefined) continue;
        expect(s.lower![i]!).toBeLessThanOrEqual(v + 1e-9);
        expect(s.upper![i]!).toBeGreaterThanOrEqual(v - 1e-9);
      }
    }
    // The throttle count is random: its interval has width, and holds the mean series' figure.
    expect(throttles.total!.upper! - throttles.total!.lower!).toBeGreaterThan(0);
    expect(throttles.total!.value!).toBeGreaterThanOrEqual(throttles.total!.lower!);
    expect(throttles.total!.value!).toBeLessThanOrEqual(throttles.total!.upper!);
    // The tail holds no arrivals: requests are 0 there, in every seed.
    const req = p.file.series.find((s) => s.name === 'http.requests')!;
    expect(req.upper!.slice(11)).toEqual([0, 0, 0, 0]);
  });

  it('the 95 % interval from 20 seeds holds most totals of 20 other seeds (it is a prediction interval)', () => {
    const p = predict(exp, { runs: 20, level: 0.95, window, drainLimitMs: 5000 });
    let inside = 0;
    const n = 20;
    for (let k = 0; k < n; k++) {
      const one = predict(exp, { seed: 5000 + k, runs: 1, level: 0.95, window, drainLimitMs: 5000 });
      const t = seriesTotal(one.file.series.find((s) => s.name === 'lambda.throttles')!)!;
      const band = p.file.series.find((s) => s.name === 'lambda.throttles')!.total!;
      if (t >= band.lower! && t <= band.upper!) inside++;
    }
    // With 20 seeds the 95 % band is close to their range: expect ≥ 15 of 20 fresh seeds inside.
    expect(inside).toBeGreaterThanOrEqual(15);
  });

  it('runs on a worker thread and gives exactly the in-process result', async () => {
    const opts = { runs: 4, level: 0.9, window, drainLimitMs: 5000 };
    const pending = startPrediction(exp, opts);
    const fromWorker = await pending.result();
    const inProcess = predict(exp, opts);
    expect(fromWorker.file).toEqual(inProcess.file);
    expect(fromWorker.totals).toEqual(inProcess.totals);
  });

  it('a calibrated client path puts its draws into the client latency', () => {
    const flat = predict(exp, { runs: 1, level: 0.95, window, drainLimitMs: 5000 });
    const slow = predict(exp, { runs: 1, level: 0.95, window, drainLimitMs: 5000, clientRttSamplesMs: [40, 40, 40] });
    const p50 = (r: typeof flat, name: string) => seriesTotal(r.file.series.find((s) => s.name === name)!)!;
    // 39 ms more per response (40 ms path instead of the flat 1 ms) on every percentile.
    expect(p50(slow, 'http.latency_p50_ms') - p50(flat, 'http.latency_p50_ms')).toBeGreaterThan(30);
    expect(p50(slow, 'http.latency_p50_ms') - p50(flat, 'http.latency_p50_ms')).toBeLessThan(48);
  });
});
