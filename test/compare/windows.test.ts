import { describe, expect, it } from 'vitest';
import { firstDrainedStep, firstRecoveredStep, timeWindows, windowedComparison, type FaultSpan } from '../../harness/compare/windows.ts';
import { SERIES_SCHEMA, type Series, type SeriesFile } from '../../harness/contracts/series.ts';

const file = (series: Series[]): SeriesFile => ({ schema: SERIES_SCHEMA, source: 'test', startMs: 0, stepMs: 1000, series });
const s = (name: Series['name'], values: Array<number | null>, labels: Record<string, string> = {}): Series => ({ name, labels, unit: 'count', values });
const tol = { relative: 0.1, absolute: null, interval: null, on: 'total' as const };

describe('timeWindows', () => {
  it('splits the run at every fault start and end', () => {
    const faults: FaultSpan[] = [
      { id: 0, label: 'a', atMs: 10_000, forMs: 5000 },
      { id: 1, label: 'b', atMs: 20_000, forMs: 5000 },
    ];
    expect(timeWindows(faults, 40_000, 1000).map((w) => [w.kind, w.fromMs, w.toMs])).toEqual([
      ['before', 0, 10_000],
      ['fault', 10_000, 15_000],
      ['between', 15_000, 20_000],
      ['fault', 20_000, 25_000],
      ['after', 25_000, 40_000],
    ]);
  });
  it('a fault without a window lasts until the end; no fault gives one whole-run window', () => {
    expect(timeWindows([{ id: 3, label: 'x', atMs: 5000, forMs: null }], 20_000, 1000).map((w) => [w.kind, w.fromMs, w.toMs, w.faultId])).toEqual([
      ['before', 0, 5000, undefined],
      ['fault', 5000, 20_000, 3],
    ]);
    expect(timeWindows([], 20_000, 1000)).toEqual([{ kind: 'before', label: 'whole run (no fault)', fromMs: 0, toMs: 20_000 }]);
  });
});

describe('recovery', () => {
  it('finds the first step of a sustained run within tolerance', () => {
    const p = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    //                      end ↓   one lucky step ↓  recovered from step 7
    const m = [10, 10, 0, 0, 3, 10, 4, 10, 10, 10];
    expect(firstRecoveredStep(m, p, 4, tol, 3)).toBe(7);
    expect(firstRecoveredStep(m, p, 4, tol, 1)).toBe(5);
    expect(firstRecoveredStep([0, 0, 0], [10, 10, 10], 0, tol)).toBeNull();
  });
  it('a backlog drains when it is back to its pre-fault level', () => {
    expect(firstDrainedStep([0, 0, 50, 120, 80, 30, 2, 0], 4, 0)).toBe(7);
    expect(firstDrainedStep([0, 0, 50, 120, 80, 30, 2, 0], 4, 0, 2)).toBe(6);
    expect(firstDrainedStep([5, 50, 60], 1, 0)).toBeNull();
  });
});

describe('windowedComparison', () => {
  // 20 steps at 1 s; a fault from 5 s to 10 s throttles everything; throughput recovers at 12 s;
  // the queue builds a backlog during the fault and is empty again at 15 s (predicted: 13 s).
  const p2xx = Array.from({ length: 20 }, () => 10);
  const m2xx = [10, 10, 10, 10, 10, 0, 0, 0, 0, 0, 2, 5, 10, 10, 10, 10, 10, 10, 10, 10];
  const m429 = [0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 8, 5, 0, 0, 0, 0, 0, 0, 0, 0];
  const mVis = [0, 0, 0, 0, 0, 10, 20, 30, 40, 50, 40, 30, 20, 10, 5, 0, 0, 0, 0, 0];
  const pVis = [0, 0, 0, 0, 0, 10, 20, 30, 40, 50, 30, 15, 5, 0, 0, 0, 0, 0, 0, 0];
  const dlq = [0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9];
  const measured = file([
    s('http.status_2xx', m2xx, { scenario: 'a' }),
    s('http.status_429', m429, { scenario: 'a' }),
    s('sqs.visible', mVis, { queue: 'q' }),
    s('sqs.visible', dlq, { queue: 'q-dlq' }),
  ]);
  const predicted = file([s('http.status_2xx', p2xx, { scenario: 'a' }), s('sqs.visible', pVis, { queue: 'q' })]);
  const out = windowedComparison({
    predicted,
    measured,
    faults: [{ id: 0, label: 'reserved concurrency of f set to 0', atMs: 5000, forMs: 5000 }],
    endMs: 20_000,
    toleranceFor: () => tol,
    deadLetterQueues: ['q-dlq'],
  });

  it('forms each figure per window, with per-second rates for counts', () => {
    expect(out.windows.map((w) => w.window.kind)).toEqual(['before', 'fault', 'after']);
    const fig = (w: number, key: string) => out.windows[w]!.figures.find((f) => f.key === key)!;
    expect(fig(0, 'http.status_2xx{scenario=a}')).toMatchObject({ measured: 50, predicted: 50, measuredPerSecond: 10 });
    expect(fig(1, 'http.status_2xx{scenario=a}')).toMatchObject({ measured: 0, predicted: 50, measuredPerSecond: 0, predictedPerSecond: 5 * 10 / 5 });
    expect(fig(1, 'http.status_429{scenario=a}')).toMatchObject({ measured: 50, predicted: null });
    expect(fig(2, 'http.status_429{scenario=a}')!.measured).toBe(13);
    // Gauges are means over the window, not sums.
    expect(fig(1, 'sqs.visible{queue=q}')!.measured).toBe(30);
  });

  it('recovery: 2 s after the fault ended; backlog drained in 5 s (predicted 3 s); the DLQ is not a backlog', () => {
    expect(out.recoveries).toHaveLength(1);
    expect(out.recoveries[0]).toMatchObject({ faultId: 0, endMs: 10_000, throughput: 'http.status_2xx', recoveryMs: 2000, drainMs: 5000, predictedDrainMs: 3000, peakBacklog: 50 });
  });
});
