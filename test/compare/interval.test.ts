/**
 * Judging measured figures against the simulator's prediction interval, over one common window.
 */
import { describe, expect, it } from 'vitest';
import type { Series, SeriesFile } from '../../harness/contracts/series.ts';
import { compareSeries, intervalBand } from '../../harness/compare/compare.ts';
import type { ResolvedExpect, Tolerance } from '../../harness/experiment/types.ts';
import { formatPredictions } from '../../harness/cli/run-summary.ts';

const tol = (t: Partial<Tolerance>): Tolerance => ({ relative: null, absolute: null, on: 'total', interval: null, ...t });
const expect95 = (predictions: Record<string, Tolerance>): ResolvedExpect => ({ thresholds: {}, predictions, messages: 'off' });
const file = (source: string, series: Series[], extra: Partial<SeriesFile> = {}): SeriesFile => ({ schema: 'squall.series/v1', source, startMs: 0, stepMs: 1000, series, ...extra });

describe('interval tolerances', () => {
  const predicted = file(
    'simulator',
    [
      { name: 'sqs.moved_to_dlq', labels: { queue: 'q' }, unit: 'messages', values: [0, 20, 10, 0], lower: [0, 10, 5, 0], upper: [0, 35, 15, 0], total: { value: 30, lower: 18.4, upper: 47.2 } },
      { name: 'sqs.visible', labels: { queue: 'q' }, unit: 'messages', values: [0, 10, 10, 10], lower: [0, 8, 8, 8], upper: [0, 12, 12, 12], total: { value: 7.5, lower: 6, upper: 9 } },
    ],
    { interval: { level: 0.95, runs: 20, seed: 1 }, window: { steps: 4, loadSteps: 2 } },
  );

  it('passes inside the predicted interval, fails outside, and counts are judged as whole numbers', () => {
    const at = (n: number) =>
      compareSeries(predicted, file('emulator', [{ name: 'sqs.moved_to_dlq', labels: { queue: 'q' }, unit: 'messages', values: [0, n, 0, 0] }]), expect95({ default: tol({ interval: 0.95 }) })).series.find(
        (s) => s.name === 'sqs.moved_to_dlq',
      )!;
    // [18.4, 47.2] → whole messages 18..48.
    expect(at(18).verdict).toBe('pass');
    expect(at(48).verdict).toBe('pass');
    expect(at(17).verdict).toBe('fail');
    expect(at(49).verdict).toBe('fail');
    expect(at(30).interval).toEqual({ level: 0.95, lower: 18.4, upper: 47.2, passBand: [18, 48] });
    // The CLI's summary says over which window and against which band.
    const c = compareSeries(predicted, file('emulator', [{ name: 'sqs.moved_to_dlq', labels: { queue: 'q' }, unit: 'messages', values: [0, 60, 0, 0] }]), expect95({ default: tol({ interval: 0.95 }) }));
    const text = formatPredictions(c);
    expect(text).toContain('  over 4 s (load 2 s + tail), intervals from 20 simulator seeds');
    expect(text).toContain('sqs.moved_to_dlq{queue=q}: measured 60 vs predicted 30 (fail; 95 % interval 18.4–47.2, passes 18–48)');
  });

  it('absolute/relative widen the interval by known measurement noise (the larger applies)', () => {
    expect(intervalBand(10, 20, 15, tol({ interval: 0.95, absolute: 2 }), false)).toEqual([8, 22]);
    expect(intervalBand(10, 20, 15, tol({ interval: 0.95, absolute: 2, relative: 0.2 }), false)).toEqual([7, 23]);
  });

  it('forms every figure over the common window: a measured gauge recorded past it is cut, one shorter is not padded with zeros', () => {
    // The measured side covers 6 steps (a longer tail); only the window's 4 count.
    const measured = file('emulator', [{ name: 'sqs.visible', labels: { queue: 'q' }, unit: 'messages', values: [0, 10, 10, 10, 0, 0] }]);
    const c = compareSeries(predicted, measured, expect95({ default: tol({ interval: 0.95 }) }));
    const v = c.series.find((s) => s.name === 'sqs.visible')!;
    expect(v.measured).toBe(7.5);
    expect(v.steps).toEqual({ predicted: 4, measured: 4 });
    expect(v.verdict).toBe('pass');
    expect(c.window).toMatchObject({ steps: 4, loadSteps: 2, prediction: { level: 0.95, runs: 20, seed: 1 } });
    // A gap (no sample) is left out of the mean, and says so in the step count.
    const gap = compareSeries(predicted, file('emulator', [{ name: 'sqs.visible', labels: { queue: 'q' }, unit: 'messages', values: [0, 10, null, 10] }]), expect95({})).series.find((s) => s.name === 'sqs.visible')!;
    expect(gap.measured).toBeCloseTo(20 / 3, 9);
    expect(gap.steps.measured).toBe(3);
  });

  it('on: step judges each step against its own band', () => {
    const measured = file('emulator', [{ name: 'sqs.moved_to_dlq', labels: { queue: 'q' }, unit: 'messages', values: [0, 36, 5, 1] }]);
    const c = compareSeries(predicted, measured, expect95({ 'sqs.moved_to_dlq': tol({ interval: 0.95, on: 'step' }) }));
    expect(c.series.find((s) => s.name === 'sqs.moved_to_dlq')!.failedSteps).toEqual([1, 3]);
  });

  it('a one-seed prediction has no spread: its interval is the point', () => {
    const one = file('simulator', [{ name: 'lambda.throttles', labels: { function: 'f' }, unit: 'count', values: [5, 5] }]);
    const judge = (n: number) => compareSeries(one, file('emulator', [{ name: 'lambda.throttles', labels: { function: 'f' }, unit: 'count', values: [n, 0] }]), expect95({ default: tol({ interval: 0.95 }) })).series[0]!.verdict;
    expect(judge(10)).toBe('pass');
    expect(judge(11)).toBe('fail');
  });
});
