/**
 * per-vu-iterations: each VU runs exactly `iterations` iterations; at `maxDuration` every VU
 * reports its remaining ones as `dropped_iterations` (k6 `lib/executor/per_vu_iterations.go`,
 * k6-contract.md §4.2). Segments scale only `vus`, never `iterations`.
 */
import { formatDuration } from '../duration.ts';
import { FieldReader } from './fields.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorPlan, ScenarioRuntime, SegmentShare } from './types.ts';
import { fixedVUsPlan, runFixedVUs } from './vu-loop.ts';

export interface PerVUIterationsConfig extends BaseScenarioConfig {
  readonly vus: number;
  readonly iterations: number;
  readonly maxDurationMs: number;
}

export interface PerVUIterationsPlan extends ExecutorPlan {
  readonly config: PerVUIterationsConfig;
  readonly vus: number;
}

export const perVUIterations: ExecutorDefinition<PerVUIterationsConfig> = {
  fields: ['vus', 'iterations', 'maxDuration'],
  parse(base, raw, errors) {
    const f = new FieldReader(raw, `scenarios.${base.name}`, errors);
    return {
      ...base,
      vus: f.int('vus', 1, 0),
      iterations: f.int('iterations', 1, 0),
      maxDurationMs: f.duration('maxDuration', 600_000, 1000),
    };
  },
  plan(config, segment: SegmentShare): PerVUIterationsPlan {
    const vus = segment.scale(config.vus);
    return fixedVUsPlan(
      config,
      vus,
      config.maxDurationMs,
      () => `${config.iterations} iterations for each of ${vus} VUs (maxDuration: ${formatDuration(config.maxDurationMs)}, gracefulStop: ${formatDuration(config.gracefulStopMs)})`,
    );
  },
  create(plan) {
    return new PerVUIterations(plan as PerVUIterationsPlan);
  },
};

class PerVUIterations implements Executor {
  private started = 0;
  constructor(readonly plan: PerVUIterationsPlan) {}

  progress(): number {
    const total = this.plan.vus * this.plan.config.iterations;
    return total === 0 ? 1 : this.started / total;
  }

  async run(rt: ScenarioRuntime): Promise<void> {
    const { vus, durationMs, config } = this.plan;
    const startedPerVU = new Array<number>(vus).fill(0);
    await runFixedVUs(rt, vus, durationMs, config.gracefulStopMs, (i) => {
      if ((startedPerVU[i] as number) >= config.iterations || rt.now() >= durationMs) return false;
      startedPerVU[i] = (startedPerVU[i] as number) + 1;
      this.started++;
      return true;
    });
    for (const n of startedPerVU) if (config.iterations > n) rt.addDropped(config.iterations - n);
  }
}
