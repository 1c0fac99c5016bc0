/**
 * ramping-vus: the number of looping VUs follows `stages`. VUs removed while ramping down may
 * finish their iteration within `gracefulRampDown`; after the last stage, `gracefulStop` applies.
 * The VU-count plan is k6's exactly (`lib/executor/ramping_vus.go: getRawExecutionSteps`,
 * k6-contract.md §4.4), worked in integer nanoseconds as k6 does.
 */
import { formatDuration } from '../duration.ts';
import { FieldReader, raceDeadline } from './fields.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorPlan, ScenarioRuntime, SegmentShare, Stage, VuHandle } from './types.ts';
import { acquireAll } from './vu-loop.ts';

export interface RampingVUsConfig extends BaseScenarioConfig {
  readonly startVUs: number;
  readonly stages: readonly Stage[];
  readonly gracefulRampDownMs: number;
}

export interface VuStep {
  readonly atMs: number;
  readonly vus: number;
}

export interface RampingVUsPlan extends ExecutorPlan {
  readonly config: RampingVUsConfig;
  readonly steps: readonly VuStep[];
}

/** k6's VU-count steps for a start count and stages (targets already scaled). */
export function rampingVUSteps(startVUs: number, stages: readonly Stage[]): VuStep[] {
  const steps: VuStep[] = [{ atMs: 0, vus: startVUs }];
  const push = (atNs: number, vus: number): void => {
    const last = steps[steps.length - 1] as VuStep;
    if (last.vus === vus) return;
    steps.push({ atMs: atNs / 1e6, vus });
  };
  let from = startVUs;
  let startNs = 0;
  for (const st of stages) {
    const to = st.target;
    const dNs = Math.round(st.durationMs * 1e6);
    const endNs = startNs + dNs;
    if (dNs === 0) {
      push(startNs, to);
    } else if (to > from) {
      for (let v = from + 1; v <= to; v++) push(startNs + Math.trunc((dNs * (v - from)) / (to - from)), v);
    } else if (to < from) {
      for (let v = from; v > to; v--) push(endNs - Math.trunc((dNs * (to - v + 1)) / (to - from)), v - 1);
    }
    from = to;
    startNs = endNs;
  }
  return steps;
}

export const rampingVUs: ExecutorDefinition<RampingVUsConfig> = {
  fields: ['startVUs', 'stages', 'gracefulRampDown'],
  parse(base, raw, errors) {
    const f = new FieldReader(raw, `scenarios.${base.name}`, errors);
    return {
      ...base,
      startVUs: f.int('startVUs', 1, 0),
      stages: f.stages('stages', true),
      gracefulRampDownMs: f.duration('gracefulRampDown', 30_000),
    };
  },
  plan(config, segment: SegmentShare): RampingVUsPlan {
    const stages = config.stages.map((s) => ({ durationMs: s.durationMs, target: segment.scale(s.target) }));
    const startVUs = segment.scale(config.startVUs);
    const steps = rampingVUSteps(startVUs, stages);
    const maxVUs = steps.reduce((m, s) => Math.max(m, s.vus), 0);
    const durationMs = stages.reduce((t, s) => t + s.durationMs, 0);
    return {
      config,
      steps,
      preAllocatedVUs: maxVUs,
      maxVUs,
      durationMs,
      describe: () =>
        `Up to ${maxVUs} looping VUs for ${formatDuration(durationMs)} over ${stages.length} stages (gracefulRampDown: ${formatDuration(config.gracefulRampDownMs)}, gracefulStop: ${formatDuration(config.gracefulStopMs)})`,
    };
  },
  create(plan) {
    return new RampingVUs(plan as RampingVUsPlan);
  },
};

interface Slot {
  readonly vu: VuHandle;
  active: boolean;
  /** Bumped at every deactivation, so an old gracefulRampDown deadline does not hit a new run. */
  gen: number;
  loop: Promise<void> | undefined;
}

class RampingVUs implements Executor {
  constructor(readonly plan: RampingVUsPlan) {}

  progress(elapsedMs: number): number {
    return this.plan.durationMs === 0 ? 1 : Math.min(1, Math.max(0, elapsedMs / this.plan.durationMs));
  }

  async run(rt: ScenarioRuntime): Promise<void> {
    const { steps, durationMs, config } = this.plan;
    const slots: Slot[] = acquireAll(rt, this.plan.maxVUs).map((vu) => ({ vu, active: false, gen: 0, loop: undefined }));
    const loopOf = (slot: Slot): Promise<void> =>
      (async () => {
        while (slot.active && !rt.stopped && rt.now() < durationMs) {
          const completed = await rt.runIteration(slot.vu).done;
          if (!completed) break;
        }
        slot.loop = undefined;
      })();
    const apply = (target: number): void => {
      slots.forEach((slot, i) => {
        if (i < target) {
          if (!slot.active) {
            slot.active = true;
            if (!slot.loop) slot.loop = loopOf(slot);
          }
        } else if (slot.active) {
          slot.active = false;
          const gen = ++slot.gen;
          // The ramped-down VU may finish its iteration within gracefulRampDown, then it is cut.
          void rt.waitUntil(rt.now() + config.gracefulRampDownMs).then(() => {
            if (slot.gen === gen && !slot.active && slot.loop) rt.interrupt(slot.vu);
          });
        }
      });
      rt.setActiveVUs(target);
    };
    for (const step of steps) {
      if (step.atMs >= durationMs && durationMs > 0) break;
      await rt.waitUntil(step.atMs);
      if (rt.stopped) break;
      apply(step.vus);
    }
    await rt.waitUntil(durationMs);
    for (const s of slots) s.active = false;
    const running = slots.flatMap((s) => (s.loop ? [s.loop] : []));
    await raceDeadline(running, rt.waitUntil(durationMs + config.gracefulStopMs));
    rt.interruptAll();
    rt.setActiveVUs(0);
    for (const s of slots) rt.releaseVU(s.vu);
  }
}
