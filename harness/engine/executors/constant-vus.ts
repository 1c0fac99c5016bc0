/**
 * constant-vus: a fixed number of VUs loop back-to-back for `duration`; iterations still running
 * at the end get `gracefulStop` to finish, then are interrupted (k6 `lib/executor/constant_vus.go`,
 * k6-contract.md §4.2).
 */
import { formatDuration } from '../duration.ts';
import { FieldReader } from './fields.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorPlan, ScenarioRuntime, SegmentShare } from './types.ts';
import { fixedVUsPlan, runFixedVUs } from './vu-loop.ts';

export interface ConstantVUsConfig extends BaseScenarioConfig {
  readonly vus: number;
  readonly durationMs: number;
}

export interface ConstantVUsPlan extends ExecutorPlan {
  readonly config: ConstantVUsConfig;
  readonly vus: number;
}

export const constantVUs: ExecutorDefinition<ConstantVUsConfig> = {
  fields: ['vus', 'duration'],
  parse(base, raw, errors) {
    const f = new FieldReader(raw, `scenarios.${base.name}`, errors);
    // k6 minDuration: 1s (lib/executor/base_config.go).
    return { ...base, vus: f.int('vus', 1, 0), durationMs: f.duration('duration', undefined, 1000) };
  },
  plan(config, segment: SegmentShare): ConstantVUsPlan {
    const vus = segment.scale(config.vus);
    return fixedVUsPlan(config, vus, config.durationMs, () => `${vus} looping VUs for ${formatDuration(config.durationMs)} (gracefulStop: ${formatDuration(config.gracefulStopMs)})`);
  },
  create(plan) {
    return new ConstantVUs(plan as ConstantVUsPlan);
  },
};

class ConstantVUs implements Executor {
  constructor(readonly plan: ConstantVUsPlan) {}

  progress(elapsedMs: number): number {
    return Math.min(1, Math.max(0, elapsedMs / this.plan.durationMs));
  }

  async run(rt: ScenarioRuntime): Promise<void> {
    const { vus, durationMs, config } = this.plan;
    await runFixedVUs(rt, vus, durationMs, config.gracefulStopMs, () => rt.now() < durationMs);
  }
}
