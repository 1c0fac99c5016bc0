/**
 * shared-iterations: `vus` VUs pull from one shared counter of `iterations` until it is used up or
 * `maxDuration` passes; what was never started is reported once as `dropped_iterations`
 * (k6 `lib/executor/shared_iterations.go`, k6-contract.md §4.2). Segments scale both vus and iterations.
 */
import { formatDuration } from '../duration.ts';
import { FieldReader } from './fields.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorPlan, ScenarioRuntime, SegmentShare } from './types.ts';
import { fixedVUsPlan, runFixedVUs } from './vu-loop.ts';

export interface SharedIterationsConfig extends BaseScenarioConfig {
  readonly vus: number;
  readonly iterations: number;
  readonly maxDurationMs: number;
}

export interface SharedIterationsPlan extends ExecutorPlan {
  readonly config: SharedIterationsConfig;
  readonly vus: number;
  readonly iterations: number;
}

export const sharedIterations: ExecutorDefinition<SharedIterationsConfig> = {
  fields: ['vus', 'iterations', 'maxDuration'],
  parse(base, raw, errors) {
    const f = new FieldReader(raw, `scenarios.${base.name}`, errors);
    const vus = f.int('vus', 1, 0);
    const iterations = f.int('iterations', 1, 0);
    // k6: "the number of iterations should be more than or equal to the number of VUs".
    if (iterations < vus) f.error('iterations', `(${iterations}) must be at least vus (${vus})`);
    return { ...base, vus, iterations, maxDurationMs: f.duration('maxDuration', 600_000, 1000) };
  },
  plan(config, segment: SegmentShare): SharedIterationsPlan {
    const vus = segment.scale(config.vus);
    const iterations = (segment.forValue?.(config.vus) ?? segment).scale(config.iterations);
    const describe = () => `${iterations} iterations shared among ${vus} VUs (maxDuration: ${formatDuration(config.maxDurationMs)}, gracefulStop: ${formatDuration(config.gracefulStopMs)})`;
    return { ...fixedVUsPlan(config, vus, config.maxDurationMs, describe), iterations };
  },
  create(plan) {
    return new SharedIterations(plan as SharedIterationsPlan);
  },
};

class SharedIterations implements Executor {
  private started = 0;
  constructor(readonly plan: SharedIterationsPlan) {}

  progress(): number {
    return this.plan.iterations === 0 ? 1 : this.started / this.plan.iterations;
  }

  async run(rt: ScenarioRuntime): Promise<void> {
    const { vus, iterations, durationMs, config } = this.plan;
    await runFixedVUs(rt, Math.min(vus, iterations), durationMs, config.gracefulStopMs, () => {
      if (this.started >= iterations || rt.now() >= durationMs) return false;
      this.started++;
      return true;
    });
    if (iterations > this.started) rt.addDropped(iterations - this.started);
  }
}
