import { describe, expect, it } from 'vitest';
import { aggregateSeries, checkExpectations, parseSeriesKey } from '../../harness/contracts/series-thresholds.ts';
import { parseSweep, runSweep, withKnob } from '../../harness/simulator/sweep.ts';
import { simulate } from '../../harness/simulator/simulate.ts';
import { isSquallError } from '../../harness/contracts/exit-codes.ts';
import type { SeriesFile } from '../../harness/contracts/series.ts';
import { constantRate, esm, experiment, fn, http, queue, scenario, sqsProducer } from './builder.ts';

const file: SeriesFile = {
  schema: 'squall.series/v1',
  source: 'test',
  startMs: 0,
  stepMs: 1000,
  series: [
    { name: 'lambda.throttles', labels: { function: 'a' }, unit: 'count', values: [1, 2, 3] },
    { name: 'lambda.throttles', labels: { function: 'b' }, unit: 'count', values: [10, 0, null] },
    { name: 'lambda.duration_p95_ms', labels: { function: 'a' }, unit: 'ms', values: [5, null, 7] },
    { name: 'lambda.duration_p95_ms', labels: { function: 'b' }, unit: 'ms', values: [9, 1, 2] },
  ],
};

describe('expectations on predicted series', () => {
  it('parses keys with labels in either k6 or Prometheus spelling', () => {
    expect(parseSeriesKey('sqs.moved_to_dlq{queue=jobs}')).toEqual({ name: 'sqs.moved_to_dlq', labels: { queue: 'jobs' } });
    expect(parseSeriesKey('lambda.errors{function:"x", reason = y}')).toEqual({ name: 'lambda.errors', labels: { function: 'x', reason: 'y' } });
  });
  it('sums matching series per step, then aggregates over steps; percentiles combine by max', () => {
    expect(aggregateSeries(file, 'lambda.throttles', 'sum')).toBe(16);
    expect(aggregateSeries(file, 'lambda.throttles', 'max')).toBe(11);
    expect(aggregateSeries(file, 'lambda.throttles', 'last')).toBe(3);
    expect(aggregateSeries(file, 'lambda.throttles{function=a}', 'avg')).toBe(2);
    expect(aggregateSeries(file, 'lambda.throttles{function=a}', 'min')).toBe(1);
    expect(aggregateSeries(file, 'lambda.duration_p95_ms', 'max')).toBe(9);
    expect(aggregateSeries(file, 'lambda.duration_p95_ms', 'last')).toBe(7);
    expect(aggregateSeries(file, 'lambda.throttles{function=zzz}', 'sum')).toBeNull();
  });
  it('met only when every threshold holds; a key matching nothing fails with a reason', () => {
    expect(checkExpectations(file, { 'lambda.throttles': ['sum>0', 'max<=11'] }).met).toBe(true);
    const r = checkExpectations(file, { 'lambda.throttles': ['sum>0'], 'sqs.deleted{queue=q}': ['sum>0'] });
    expect(r.met).toBe(false);
    expect(r.checks[1]!.reason).toMatch(/no predicted series/);
    expect(checkExpectations(file, { 'lambda.throttles': ['p(95)<3'] }).checks[0]!.reason).toMatch(/not <sum/);
  });
});

describe('--sweep', () => {
  const exp = experiment({
    functions: [fn('api', { duration: { kind: 'exponential', meanMs: 100 }, reservedConcurrency: 1, initMs: { kind: 'constant', ms: 0 } })],
    scenarios: [scenario('load', http('api'), constantRate(100, 120_000), { arrival: 'poisson' })],
    thresholds: { 'lambda.throttles{function=api}': ['sum<=120'] },
  });
  it('parses ranges, steps and lists; resolves short knobs to their field', () => {
    expect(parseSweep('reservedConcurrency=1..5', exp).values).toEqual([1, 2, 3, 4, 5]);
    expect(parseSweep('reservedConcurrency=0..100:25', exp).values).toEqual([0, 25, 50, 75, 100]);
    expect(parseSweep('memoryMB=128,256,1024', exp).path).toEqual(['system', 'functions', 'api', 'memoryMB']);
    expect(parseSweep('rate=10..20:10', exp).path).toEqual(['load', 'scenarios', 'load', 'rate']);
    expect(parseSweep('system.functions.api.timeoutSeconds=1..3', exp).path).toEqual(['system', 'functions', 'api', 'timeoutSeconds']);
  });
  it('refuses unknown knobs, empty ranges and ambiguous targets with a hint', () => {
    for (const bad of ['nonsense=1..3', 'reservedConcurrency=5..1', 'reservedConcurrency', 'batchSize=1..3', 'reservedConcurrency@other=1..2']) {
      try {
        parseSweep(bad, exp);
        throw new Error(`accepted ${bad}`);
      } catch (e) {
        expect(isSquallError(e)).toBe(true);
        if (isSquallError(e)) {
          expect(e.exitCode).toBe(2);
          expect(e.hint).toBeTruthy();
        }
      }
    }
    const two = experiment({ functions: [fn('a'), fn('b')] });
    expect(() => parseSweep('memoryMB=128..256', two)).toThrow(/ambiguous/);
    expect(parseSweep('memoryMB@b=128..256:128', two).path).toEqual(['system', 'functions', 'b', 'memoryMB']);
  });
  it('withKnob changes a copy only', () => {
    const c = withKnob(exp, ['system', 'functions', 'api', 'reservedConcurrency'], 7);
    expect(c.system.functions['api']!.reservedConcurrency).toBe(7);
    expect(exp.system.functions['api']!.reservedConcurrency).toBe(1);
  });
  it('finds the smallest reserved concurrency whose prediction meets the thresholds (Erlang-B shaped)', () => {
    const s = runSweep(exp, parseSweep('reservedConcurrency=8..24', exp));
    expect(s.rows.length).toBe(17);
    const th = s.columns['throttles']!.map((v) => v ?? 0);
    // Throttles fall as the cap grows (Erlang B: a = 10 erlangs).
    expect(th[0]!).toBeGreaterThan(th[16]!);
    const k = s.smallestMeeting!;
    expect(k).not.toBeNull();
    const row = s.rows.find((r) => r.value === k)!;
    expect(row.met).toBe(true);
    expect(row.throttles).toBeLessThanOrEqual(120);
    const below = s.rows.find((r) => r.value === k - 1);
    if (below) expect(below.met).toBe(false);
    // Erlang B says B(c, 10) ≤ 120/12000 = 1 % from c = 18 on (B(17,10) ≈ 1.4 %, B(18,10) ≈ 0.7 %).
    expect(k).toBeGreaterThanOrEqual(16);
    expect(k).toBeLessThanOrEqual(19);
    expect(s.columns['lambda.throttles{function=api} sum<=120']!.length).toBe(17);
  });
  it('sweeps an event source knob (batchSize) with the SQS path', () => {
    // Five pollers at most and 200 ms per batch: messages wait, so every receive fills its batch.
    const e = experiment({
      functions: [fn('w', { duration: { kind: 'constant', ms: 200 } })],
      queues: [queue('q')],
      eventSources: [esm('q', 'w', { maximumConcurrency: 5 })],
      scenarios: [scenario('p', sqsProducer('q', 10), constantRate(20, 10_000))],
      thresholds: { 'esm.batches': ['sum<=500'] },
    });
    const s = runSweep(e, parseSweep('batchSize=1,2,5,10', e));
    const inv = s.rows.map((r) => r.invocations);
    // 2,000 messages: one invoke per message at batch size 1, about 2,000 / batch size above.
    expect(inv[0]).toBe(2000);
    expect(inv[1]!).toBeGreaterThanOrEqual(1000);
    expect(inv[1]!).toBeLessThan(1100);
    expect(inv[2]!).toBeLessThan(450);
    expect(inv[3]!).toBeLessThan(300);
    for (const r of s.rows) expect(r.met).toBe(r.invocations <= 500);
    expect(s.smallestMeeting).toBe(5);
  });
;
});

describe('more rules', () => {
  it('a duration over the timeout ends at the timeout as an error', () => {
    const e = experiment({
      functions: [fn('f', { duration: { kind: 'constant', ms: 5000 }, timeoutSeconds: 1, initMs: { kind: 'constant', ms: 0 } })],
      scenarios: [scenario('s', http('f'), constantRate(10, 1000))],
    });
    const r = simulate(e);
    const t = r.totals.functions['f']!;
    expect(t.timeouts).toBe(10);
    expect(t.errors).toBe(10);
    expect(r.totals.scenarios['s']!.status5xx).toBe(10);
    expect(t.durationP50Ms!).toBeCloseTo(1000, -1);
  });
  it('a handler function without calibration gets the stated default and a warning', () => {
    const f = fn('h', { handler: { file: '/x.mjs', export: 'handler' } });
    f.synthetic = null;
    const r = simulate(experiment({ functions: [f], scenarios: [scenario('s', http('h'), constantRate(5, 1000))] }));
    expect(r.warnings.join('\n')).toMatch(/"h".*not been calibrated.*squall calibrate/);
    expect(r.totals.functions['h']!.invocations).toBe(5);
    const calibrated = fn('h', { handler: { file: '/x.mjs', export: 'handler' }, calibrated: { kind: 'constant', ms: 33 } });
    calibrated.synthetic = null;
    const r2 = simulate(experiment({ functions: [calibrated], scenarios: [scenario('s', http('h'), constantRate(5, 1000))] }));
    expect(r2.warnings).toEqual([]);
    expect(r2.totals.functions['h']!.durationP50Ms!).toBeCloseTo(33, 0);
  });
  it('update-event-source changes the batch size for its window, then restores it', () => {
    const e = experiment({
      functions: [fn('w', { duration: { kind: 'constant', ms: 10 } })],
      queues: [queue('q')],
      eventSources: [esm('q', 'w', { batchSize: 10 })],
      scenarios: [scenario('p', sqsProducer('q', 10), constantRate(10, 6000))],
      faults: [{ id: 0, action: 'update-event-source', eventSource: 'q->w', batchSize: 1, maximumConcurrency: null, atMs: 2000, forMs: 2000 }],
    });
    const b = simulate(e).series.series.find((s) => s.name === 'esm.batches')!.values;
    // Batch size 1 in [2 s, 4 s): one invoke per message; before and after, fewer.
    expect(b.slice(2, 4)).toEqual([100, 100]);
    for (const i of [0, 1, 4, 5]) expect(b[i]!).toBeLessThan(100);
  });
  it('k6 interrupts an iteration still running at the end + gracefulStop (30 s): no request, no iteration', () => {
    const run = (ms: number) =>
      simulate(
        experiment({
          functions: [fn('f', { duration: { kind: 'constant', ms }, timeoutSeconds: 60, initMs: { kind: 'constant', ms: 0 } })],
          scenarios: [scenario('s', http('f'), { executor: 'constant-vus', vus: 1, durationMs: 1000 })],
        }),
      ).totals;
    expect(run(20_000).scenarios['s']!.iterations).toBe(1);
    const late = run(40_000);
    expect(late.scenarios['s']!.iterations).toBe(0);
    expect(late.scenarios['s']!.requests).toBe(0);
    // The function still ran: the system side does not know the client gave up.
    expect(late.functions['f']!.invocations).toBe(1);
  });
  it('ramping-vus: a ramped-down VU may finish within gracefulRampDown, later it is interrupted', () => {
    const run = (gracefulRampDownMs: number) =>
      simulate(
        experiment({
          functions: [fn('f', { duration: { kind: 'constant', ms: 5000 }, timeoutSeconds: 60, initMs: { kind: 'constant', ms: 0 } })],
          scenarios: [
            scenario('s', http('f'), {
              executor: 'ramping-vus',
              startVUs: 2,
              stages: [
                { durationMs: 1000, target: 2 },
                { durationMs: 0, target: 1 },
                { durationMs: 19_000, target: 1 },
              ],
              gracefulRampDownMs,
            }),
          ],
        }),
      ).totals.scenarios['s']!;
    // VU 0 runs 4 iterations of 5 s in 20 s; VU 1 is ramped down at 1 s, its first iteration ends at 5 s.
    expect(run(10_000).iterations).toBe(5);
    expect(run(1_000).iterations).toBe(4);
  });
  it('--runs: a throttle reason missing from some runs counts as 0 there', () => {
    const e = experiment({
      functions: [fn('f', { duration: { kind: 'exponential', meanMs: 100 }, reservedConcurrency: 3 })],
      scenarios: [scenario('s', http('f'), constantRate(5, 2000), { arrival: 'poisson' })],
    });
    const singles = [0, 1, 2, 3, 4, 5].map((seed) => simulate(e, { seed }).totals.functions['f']!.throttlesByReason['ReservedFunctionConcurrentInvocationLimitExceeded'] ?? 0);
    const mean = simulate(e, { seed: 0, runs: 6 }).totals.functions['f']!.throttlesByReason['ReservedFunctionConcurrentInvocationLimitExceeded'] ?? 0;
    expect(mean).toBeCloseTo(singles.reduce((a, b) => a + b, 0) / 6, 9);
  });
  it('async events older than MaximumEventAge are dropped instead of retried', () => {
    const f = fn('f', { duration: { kind: 'constant', ms: 10 }, errorRate: 1 });
    f.async.maximumEventAgeSeconds = 90;
    const t = simulate(experiment({ functions: [f], scenarios: [scenario('s', invoke('f'), constantRate(2, 1000))] })).totals.functions['f']!;
    // First retry at +60 s fits, the second (+120 s) would be past 90 s: two runs per event.
    expect(t.invocations).toBe(4);
    expect(t.asyncDropped).toBe(2);
  });
});

function invoke(fnName: string) {
  return { template: 'lambda-invoke', function: fnName, invocationType: 'Event', payload: '{}', retryOn429: 1 } as const;
}
