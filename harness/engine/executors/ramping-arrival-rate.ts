/**
 * ramping-arrival-rate: the rate moves linearly from `startRate` through each stage's target;
 * iteration i (1, 2, ...) is due when the area under the rate curve reaches i, so the first is not
 * at t = 0 (k6 `ramping_arrival_rate.go: cal`, k6-contract.md §4.3; test vector
 * `TestRampingArrivalRateCal`); the curve itself is rules/arrival-rate.ts, shared with the simulator.
 */
import { rampingArrivalTimes } from '../../rules/arrival-rate.ts';
import { formatDuration } from '../duration.ts';
import { runArrivals } from './arrivals.ts';
import { FieldReader, stripedTicks } from './fields.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorPlan, ScenarioRuntime, SegmentShare, Stage } from './types.ts';

export interface RampingArrivalRateConfig extends BaseScenarioConfig {
  readonly startRate: number;
  readonly timeUnitMs: number;
  readonly stages: readonly Stage[];
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export interface RampingArrivalRatePlan extends ExecutorPlan {
  readonly config: RampingArrivalRateConfig;
  readonly stripe: SegmentShare['stripe'];
}

export { rampingArrivalTimes };

export const rampingArrivalRate: ExecutorDefinition<RampingArrivalRateConfig> = {
  fields: ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
  parse(base, raw, errors) {
    const f = new FieldReader(raw, `scenarios.${base.name}`, errors);
    const startRate = f.int('startRate', 0, 0);
    const timeUnitMs = f.duration('timeUnit', 1000);
    if (timeUnitMs <= 0) f.error('timeUnit', 'must be more than 0');
    const preAllocatedVUs = f.int('preAllocatedVUs', undefined, 0);
    const maxVUs = f.has('maxVUs') ? f.int('maxVUs', preAllocatedVUs, 0) : preAllocatedVUs;
    if (maxVUs < preAllocatedVUs) f.error('maxVUs', `(${maxVUs}) must be at least preAllocatedVUs (${preAllocatedVUs})`);
    return { ...base, startRate, timeUnitMs, stages: f.stages('stages', true), preAllocatedVUs, maxVUs };
  },
  plan(config, segment: SegmentShare): RampingArrivalRatePlan {
    const pre = segment.scale(config.preAllocatedVUs);
    const max = Math.max(pre, segment.scale(config.maxVUs));
    const durationMs = config.stages.reduce((t, s) => t + s.durationMs, 0);
    const peak = config.stages.reduce((m, s) => Math.max(m, s.target), config.startRate) * segment.length;
    return {
      config,
      stripe: (segment.forValue?.(config.maxVUs) ?? segment).stripe,
      preAllocatedVUs: pre,
      maxVUs: max,
      durationMs,
      describe: () =>
        `Up to ${Math.round(peak * 100) / 100} iterations/${formatDuration(config.timeUnitMs)} for ${formatDuration(durationMs)} over ${config.stages.length} stages (maxVUs: ${pre}-${max}, gracefulStop: ${formatDuration(config.gracefulStopMs)})`,
    };
  },
  create(plan) {
    return new RampingArrivalRate(plan as RampingArrivalRatePlan);
  },
};

/** This instance's due times: the global events at its striped indices (event i is tick i−1). */
export function* stripedRampingTimes(plan: RampingArrivalRatePlan): Generator<number> {
  const all = rampingArrivalTimes(plan.config.startRate, plan.config.timeUnitMs, plan.config.stages);
  let consumed = -1;
  let cur: IteratorResult<number> = { done: true, value: undefined };
  for (const k of stripedTicks(plan.stripe)) {
    while (consumed < k) {
      cur = all.next();
      consumed++;
      if (cur.done) return;
    }
    yield cur.value as number;
  }
}

class RampingArrivalRate implements Executor {
  constructor(readonly plan: RampingArrivalRatePlan) {}
  progress(elapsedMs: number): number {
    return this.plan.durationMs === 0 ? 1 : Math.min(1, Math.max(0, elapsedMs / this.plan.durationMs));
  }
  run(rt: ScenarioRuntime): Promise<void> {
    return runArrivals(rt, this.plan as ExecutorPlan, stripedRampingTimes(this.plan));
  }
}
