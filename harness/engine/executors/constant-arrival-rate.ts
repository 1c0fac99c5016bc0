/**
 * constant-arrival-rate: iteration k starts at k·T with T = timeUnit/rate truncated to whole
 * nanoseconds, the first at t = 0, while k·T < duration (k6 `constant_arrival_rate.go: Run`,
 * k6-contract.md §4.3). Under a segment this instance takes only its striped share of the ticks.
 */
import { constantArrivalAt, constantArrivalPeriodNs } from '../../rules/arrival-rate.ts';
import { formatDuration } from '../duration.ts';
import { runArrivals } from './arrivals.ts';
import { FieldReader, stripedTicks } from './fields.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorPlan, ScenarioRuntime, SegmentShare } from './types.ts';

export interface ConstantArrivalRateConfig extends BaseScenarioConfig {
  readonly rate: number;
  readonly timeUnitMs: number;
  readonly durationMs: number;
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export interface ConstantArrivalRatePlan extends ExecutorPlan {
  readonly config: ConstantArrivalRateConfig;
  /** Period between global ticks, in ms (k6 truncates it to whole ns). */
  readonly periodMs: number;
  /** The same period in whole nanoseconds; tick k is due at k·periodNs, computed in integers. */
  readonly periodNs: number;
  readonly stripe: SegmentShare['stripe'];
}

/** Due times (ms) of this instance's ticks, in order; ends before `durationMs`. */
export function* constantArrivalTimes(plan: Pick<ConstantArrivalRatePlan, 'periodNs' | 'stripe' | 'durationMs'>): Generator<number> {
  for (const k of stripedTicks(plan.stripe)) {
    const at = constantArrivalAt(k, plan.periodNs);
    if (at >= plan.durationMs) return;
    yield at;
  }
}

export const constantArrivalRate: ExecutorDefinition<ConstantArrivalRateConfig> = {
  fields: ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  parse(base, raw, errors) {
    const f = new FieldReader(raw, `scenarios.${base.name}`, errors);
    const rate = f.int('rate', undefined, 1);
    const timeUnitMs = f.duration('timeUnit', 1000);
    if (timeUnitMs <= 0) f.error('timeUnit', 'must be more than 0');
    const preAllocatedVUs = f.int('preAllocatedVUs', undefined, 0);
    const maxVUs = f.has('maxVUs') ? f.int('maxVUs', preAllocatedVUs, 0) : preAllocatedVUs;
    if (maxVUs < preAllocatedVUs) f.error('maxVUs', `(${maxVUs}) must be at least preAllocatedVUs (${preAllocatedVUs})`);
    return { ...base, rate, timeUnitMs, durationMs: f.duration('duration', undefined, 1000), preAllocatedVUs, maxVUs };
  },
  plan(config, segment: SegmentShare): ConstantArrivalRatePlan {
    const periodNs = constantArrivalPeriodNs(config.rate, config.timeUnitMs);
    const pre = segment.scale(config.preAllocatedVUs);
    const max = Math.max(pre, segment.scale(config.maxVUs));
    const rate = config.rate * segment.length;
    return {
      config,
      periodMs: periodNs / 1e6,
      periodNs,
      stripe: (segment.forValue?.(config.maxVUs) ?? segment).stripe,
      preAllocatedVUs: pre,
      maxVUs: max,
      durationMs: config.durationMs,
      describe: () =>
        `${Math.round(rate * 100) / 100} iterations/${formatDuration(config.timeUnitMs)} for ${formatDuration(config.durationMs)} (maxVUs: ${pre}-${max}, gracefulStop: ${formatDuration(config.gracefulStopMs)})`,
    };
  },
  create(plan) {
    return new ConstantArrivalRate(plan as ConstantArrivalRatePlan);
  },
};

class ConstantArrivalRate implements Executor {
  constructor(readonly plan: ConstantArrivalRatePlan) {}
  progress(elapsedMs: number): number {
    return Math.min(1, Math.max(0, elapsedMs / this.plan.durationMs));
  }
  run(rt: ScenarioRuntime): Promise<void> {
    return runArrivals(rt, this.plan as ExecutorPlan, constantArrivalTimes(this.plan));
  }
}
