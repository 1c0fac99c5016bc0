import { describe, expect, it } from 'vitest';
import type { SeriesFile, SeriesName } from '../../harness/contracts/series.ts';
import { compareSeries, toleranceFor } from '../../harness/compare/compare.ts';
import { parseSeriesKey } from '../../harness/contracts/series-thresholds.ts';
import type { ResolvedExpect } from '../../harness/experiment/types.ts';

const file = (source: string, series: Array<[SeriesName, Record<string, string>, Array<number | null>]>): SeriesFile => ({
  schema: 'squall.series/v1',
  source,
  startMs: 0,
  stepMs: 1000,
  series: series.map(([name, labels, values]) => ({ name, labels, unit: 'count', values })),
});

const expectations = (e: Partial<ResolvedExpect>): ResolvedExpect => ({ thresholds: {}, predictions: {}, messages: 'off', ...e });

describe('compare', () => {
  const predicted = file('simulator', [
    ['lambda.invocations', { function: 'f' }, [10, 10, 10]],
    ['lambda.throttles', { function: 'f' }, [0, 50, 0]],
    ['lambda.concurrency', { function: 'f' }, [2, 5, 3]],
  ]);
  const measured = file('emulator', [
    ['lambda.invocations', { function: 'f' }, [10, 9, 10]],
    ['lambda.throttles', { function: 'f' }, [0, 70, 0]],
    ['lambda.concurrency', { function: 'f' }, [2, 6, 3]],
    ['lambda.errors', { function: 'f' }, [0, 0, 1]],
  ]);

  it('totals by kind, applies the most specific tolerance, and gives verdicts', () => {
    const c = compareSeries(predicted, measured, expectations({
      predictions: {
        default: { relative: 0.1, absolute: null, on: 'total', interval: null },
        'lambda.throttles': { relative: 0.1, absolute: 5, on: 'total', interval: null },
        'lambda.concurrency{function=f}': { relative: null, absolute: 1, on: 'total', interval: null },
      },
    }));
    const by = Object.fromEntries(c.series.map((s) => [s.key, s]));
    expect(by['lambda.invocations{function=f}']).toMatchObject({ predicted: 30, measured: 29, verdict: 'pass' });
    expect(by['lambda.throttles{function=f}']).toMatchObject({ predicted: 50, measured: 70, error: 20, verdict: 'fail' });
    expect(by['lambda.concurrency{function=f}']).toMatchObject({ predicted: 5, measured: 6, verdict: 'pass' });
    expect(by['lambda.errors{function=f}']).toMatchObject({ predicted: null, measured: 1, verdict: 'skipped' });
    expect(c.verdict.predictions).toBe('fail');
  });

  it('per-step tolerances name the steps that miss', () => {
    const c = compareSeries(predicted, measured, expectations({ predictions: { 'lambda.throttles': { relative: 0.1, absolute: 1, on: 'step', interval: null } } }));
    expect(c.series.find((s) => s.name === 'lambda.throttles')).toMatchObject({ verdict: 'fail', failedSteps: [1] });
  });

  it('evaluates series thresholds on measured data', () => {
    const c = compareSeries(predicted, measured, expectations({ thresholds: { 'lambda.throttles{function=f}': ['sum>0', 'max<50'], 'lambda.errors': ['sum==0'] } }));
    expect(c.thresholds.map((t) => [t.expression, t.value, t.ok])).toEqual([
      ['sum>0', 70, true],
      ['max<50', 70, false],
      ['sum==0', 1, false],
    ]);
    expect(c.verdict.thresholds).toBe('fail');
  });

  it('parses selectors in both label syntaxes', () => {
    expect(parseSeriesKey('sqs.sent{queue=a, x:y}')).toEqual({ name: 'sqs.sent', labels: { queue: 'a', x: 'y' } });
    expect(toleranceFor({ name: 'sqs.sent', labels: { queue: 'b' }, unit: 'messages', values: [] }, { 'sqs.sent{queue=a}': { relative: 1, absolute: null, on: 'total', interval: null } })).toBeNull();
  });
});
