/**
 * Executor plans and schedules against k6's test vectors (k6-contract.md §4.3–4.4) without
 * running time, plus the option shortcuts and strict config validation (exit 104).
 */
import { describe, expect, it } from 'vitest';
import { K6_EXIT, SquallError } from '../../harness/contracts/exit-codes.ts';
import { parseDuration } from '../../harness/engine/duration.ts';
import { constantArrivalTimes, type ConstantArrivalRatePlan } from '../../harness/engine/executors/constant-arrival-rate.ts';
import { planScenario } from '../../harness/engine/executors/index.ts';
import { rampingArrivalTimes, stripedRampingTimes, type RampingArrivalRatePlan } from '../../harness/engine/executors/ramping-arrival-rate.ts';
import { rampingVUSteps, type RampingVUsPlan } from '../../harness/engine/executors/ramping-vus.ts';
import type { SharedIterationsPlan } from '../../harness/engine/executors/shared-iterations.ts';
import { WHOLE_TEST } from '../../harness/engine/executors/types.ts';
import { resolveOptions } from '../../harness/engine/options.ts';
import { ExecutionTuple, segmentShare, workerTuples } from '../../harness/engine/segments.ts';

function take<T>(it: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  for (let r = it.next(); !r.done && out.length < n; r = it.next()) out.push(r.value);
  return out;
}

describe('durations (k6 ParseExtendedDuration)', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['1d2h', 93_600_000],
    ['1.5s', 1500],
    [250, 250],
    ['250', 250],
    ['0', 0],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', 'abc', '10x', '1s2', null])('%s is not a duration', (t) => expect(parseDuration(t)).toBeUndefined());
});

describe('ramping-arrival-rate (k6 TestRampingArrivalRateCal)', () => {
  it('startRate 0, stages [5s→1, 1s→1, 5s→0] ⇒ 3.162s, 4.472s, 5.5s, 6.527s, 7.837s, 11s', () => {
    const times = take(rampingArrivalTimes(0, 1000, [{ durationMs: 5000, target: 1 }, { durationMs: 1000, target: 1 }, { durationMs: 5000, target: 0 }]), 100);
    const expected = [3162, 4472, 5500, 6527, 7837, 11000];
    expect(times).toHaveLength(expected.length);
    times.forEach((t, i) => expect(Math.abs(t - (expected[i] as number))).toBeLessThan(1));
  });
  it('a constant rate r puts the first event at 1/r, not at 0', () => {
    expect(take(rampingArrivalTimes(10, 1000, [{ durationMs: 1000, target: 10 }]), 3)).toEqual([100, 200, 300]);
  });
  it('striping: two halves of 0,1/2,1 take every other event and together all of them', () => {
    const config = resolveOptions({ scenarios: { r: { executor: 'ramping-arrival-rate', startRate: 0, preAllocatedVUs: 2, stages: [{ duration: '5s', target: 1 }, { duration: '1s', target: 1 }, { duration: '5s', target: 0 }] } } }, {}).scenarios[0]!;
    const [a, b] = workerTuples(2).map((t) => stripedRampingTimes(planScenario(config, segmentShare(t)) as RampingArrivalRatePlan));
    const ta = take(a!, 100);
    const tb = take(b!, 100);
    expect(ta.length + tb.length).toBe(6);
    expect([...ta, ...tb].sort((x, y) => x - y).map(Math.round)).toEqual([3162, 4472, 5500, 6528, 7838, 11000]);
  });
});

describe('constant-arrival-rate (k6 constant_arrival_rate.go)', () => {
  const plan = (rate: number, timeUnit = '1s', duration = '5s'): ConstantArrivalRatePlan => {
    const c = resolveOptions({ scenarios: { c: { executor: 'constant-arrival-rate', rate, timeUnit, duration, preAllocatedVUs: 5 } } }, {}).scenarios[0]!;
    return planScenario(c, WHOLE_TEST) as ConstantArrivalRatePlan;
  };
  it('50/s for 5 s: ticks at k·20ms from t = 0, 250 of them', () => {
    const times = [...constantArrivalTimes(plan(50))];
    expect(times).toHaveLength(250);
    expect(times.slice(0, 3)).toEqual([0, 20, 40]);
    expect(times[249]).toBe(4980);
  });
  it('truncates the period to whole nanoseconds (timeUnit 1s / rate 3)', () => {
    const p = plan(3, '1s', '1s');
    expect(p.periodMs).toBe(333.333333);
    // 3·T = 999.999999 ms is still inside the duration: the tick k6 calls racy at the very end.
    expect([...constantArrivalTimes(p)]).toEqual([0, 333.333333, 666.666666, 999.999999]);
  });
  it('2000/s for 20 s gives exactly 40,000 ticks', () => {
    expect([...constantArrivalTimes(plan(2000, '1s', '20s'))]).toHaveLength(40_000);
  });
  it('under 3 workers each takes every third tick and together all ticks once', () => {
    const c = resolveOptions({ scenarios: { c: { executor: 'constant-arrival-rate', rate: 40, duration: '1s', preAllocatedVUs: 3 } } }, {}).scenarios[0]!;
    const parts = workerTuples(3).map((t) => [...constantArrivalTimes(planScenario(c, segmentShare(t)) as ConstantArrivalRatePlan)]);
    expect(parts[0]!.slice(0, 3)).toEqual([0, 75, 150]);
    const all = parts.flat();
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
  });
});

describe('ramping-vus plan (k6 TestRampingVUsConfigExecutionPlanExample)', () => {
  it('startVUs 4, [2s→6, 5s→1, 4s→5] ⇒ 4@0 5@1 6@2 5@3 4@4 3@5 2@6 1@7 2@8 3@9 4@10 5@11', () => {
    const steps = rampingVUSteps(4, [
      { durationMs: 2000, target: 6 },
      { durationMs: 5000, target: 1 },
      { durationMs: 4000, target: 5 },
    ]);
    expect(steps.map((s) => [s.atMs, s.vus])).toEqual([
      [0, 4], [1000, 5], [2000, 6], [3000, 5], [4000, 4], [5000, 3], [6000, 2], [7000, 1], [8000, 2], [9000, 3], [10000, 4], [11000, 5],
    ]);
  });
  it('a zero-duration stage jumps at once', () => {
    expect(rampingVUSteps(1, [{ durationMs: 0, target: 10 }, { durationMs: 1000, target: 10 }])).toEqual([
      { atMs: 0, vus: 1 },
      { atMs: 0, vus: 10 },
    ]);
  });
  it('plans maxVUs from the steps and scales targets by segment', () => {
    const c = resolveOptions({ stages: [{ duration: '1s', target: 10 }, { duration: '1s', target: 0 }] }, {}).scenarios[0]!;
    expect(c.executor).toBe('ramping-vus');
    const halves = workerTuples(2).map((t) => planScenario(c, segmentShare(t)) as RampingVUsPlan);
    expect(halves.map((p) => p.maxVUs)).toEqual([5, 5]);
  });
});

describe('shared-iterations under segments', () => {
  it('splits 10 iterations over 3 VUs by the VUs each instance has', () => {
    const c = resolveOptions({ vus: 3, iterations: 10 }, {}).scenarios[0]!;
    const plans = workerTuples(2).map((t) => planScenario(c, segmentShare(t)) as SharedIterationsPlan);
    expect(plans.map((p) => p.vus).reduce((a, b) => a + b)).toBe(3);
    expect(plans.map((p) => p.iterations).reduce((a, b) => a + b)).toBe(10);
  });
  it('a lone --execution-segment flag works', () => {
    const c = resolveOptions({ vus: 4, iterations: 8 }, {}).scenarios[0]!;
    const p = planScenario(c, segmentShare(ExecutionTuple.fromFlags('0:1/2', '0,1/2,1'))) as SharedIterationsPlan;
    expect([p.vus, p.iterations]).toEqual([2, 4]);
  });
});

describe('option shortcuts (k6 execution_config_shortcuts.go)', () => {
  const sc = (o: Record<string, unknown>, cli = {}) => resolveOptions(o, cli).scenarios;
  it('nothing → per-vu-iterations 1 VU × 1 iteration, named default', () => {
    expect(sc({})).toMatchObject([{ name: 'default', executor: 'per-vu-iterations', vus: 1, iterations: 1 }]);
  });
  it('vus only → shared-iterations with iterations = vus', () => {
    expect(sc({ vus: 5 })).toMatchObject([{ executor: 'shared-iterations', vus: 5, iterations: 5 }]);
  });
  it('duration → constant-vus; iterations + duration → shared-iterations with maxDuration', () => {
    expect(sc({ vus: 2, duration: '10s' })).toMatchObject([{ executor: 'constant-vus', vus: 2, durationMs: 10_000 }]);
    expect(sc({ iterations: 4, duration: '10s' })).toMatchObject([{ executor: 'shared-iterations', vus: 1, iterations: 4, maxDurationMs: 10_000 }]);
  });
  it('stages → ramping-vus with startVUs = vus', () => {
    expect(sc({ vus: 3, stages: [{ duration: '1s', target: 5 }] })).toMatchObject([{ executor: 'ramping-vus', startVUs: 3 }]);
  });
  it('CLI flags replace the script execution config, --stage too', () => {
    expect(sc({ scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }, { vus: 7, duration: '2s' })).toMatchObject([{ name: 'default', executor: 'constant-vus', vus: 7, durationMs: 2000 }]);
    expect(sc({}, { stages: ['1s:3', '2s:0'] })).toMatchObject([{ executor: 'ramping-vus', stages: [{ durationMs: 1000, target: 3 }, { durationMs: 2000, target: 0 }] }]);
  });
  it('scenario fields default as k6: gracefulStop 30s, exec default, maxVUs = preAllocatedVUs', () => {
    expect(sc({ scenarios: { x: { executor: 'constant-arrival-rate', rate: 1, duration: '1s', preAllocatedVUs: 3 } } })).toMatchObject([
      { gracefulStopMs: 30_000, exec: 'default', startTimeMs: 0, timeUnitMs: 1000, maxVUs: 3 },
    ]);
  });
});

describe('invalid configuration → exit 104 with every problem named', () => {
  const errorOf = (o: Record<string, unknown>, cli = {}): SquallError => {
    try {
      resolveOptions(o, cli);
    } catch (e) {
      return e as SquallError;
    }
    throw new Error('no error');
  };
  it('collects all errors with their paths', () => {
    const e = errorOf({
      scenarios: {
        'bad name!': { executor: 'constant-vus', duration: '1s' },
        a: { executor: 'constant-arrival-rate', duration: '1s' },
        b: { executor: 'nope' },
        c: { executor: 'shared-iterations', vus: 5, iterations: 2, bogus: 1 },
        d: { executor: 'constant-vus', duration: '10ms' },
      },
      summaryTrendStats: ['p(101)'],
    });
    expect(e).toBeInstanceOf(SquallError);
    expect(e.exitCode).toBe(K6_EXIT.invalidConfig);
    for (const part of [
      'scenarios.bad name!: scenario names may only contain',
      'scenarios.a.rate: is required',
      'scenarios.a.preAllocatedVUs: is required',
      'scenarios.b.executor: must be one of',
      'scenarios.c.iterations: (2) must be at least vus (5)',
      'scenarios.c.bogus: unknown field',
      'scenarios.d.duration: must be at least 1s',
      'summaryTrendStats: "p(101)"',
    ]) expect(e.message).toContain(part);
  });
  it('rejects mixing scenarios with shortcuts and stages with duration', () => {
    expect(errorOf({ duration: '1s', scenarios: { a: { executor: 'constant-vus', duration: '1s' } } }).message).toContain('"scenarios" cannot be combined');
    expect(errorOf({ duration: '1s', stages: [{ duration: '1s', target: 1 }] }).message).toContain('"stages" cannot be combined');
  });
  it('names the options it ignores instead of failing (k6 accepts them)', () => {
    const r = resolveOptions({ vus: 1, noConnectionReuse: true, hosts: { a: '1.2.3.4' }, ext: {} }, {});
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toContain('options.noConnectionReuse is not supported');
  });
  it('rejects externally-controlled (removed in k6 v2.0)', () => {
    expect(errorOf({ scenarios: { a: { executor: 'externally-controlled' } } }).message).toContain('removed in k6 v2.0');
  });
});
