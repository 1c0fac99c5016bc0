/**
 * k6's executor schedules for the simulator (shared/reference/k6-contract.md §4.3–4.4): the
 * arrival times of constant- and ramping-arrival-rate (the curves are rules/arrival-rate.ts, the
 * engine's executors use the same), and the VU plan of ramping-vus.
 * A Poisson what-if uses the same rate curve with exponential gaps in "area" instead of unit ones.
 */
import type { Stage } from '../experiment/types.ts';
import { constantArrivalAt, constantArrivalPeriodNs, RateCurve, rampingArrivalTimes as rampingArrivalRateTimes } from '../rules/arrival-rate.ts';
import type { Rng } from '../contracts/distributions.ts';

export { RateCurve };

/** Successive arrival times (ms from the scenario start); `Infinity` when the schedule is over. */
export interface ArrivalSchedule {
  next(): number;
}

/**
 * constant-arrival-rate (`constant_arrival_rate.go: Run`): period T = timeUnit/rate truncated to
 * whole nanoseconds, iteration k due at k·T, the first at 0, none at or after `durationMs`.
 */
export function constantArrivalTimes(rate: number, timeUnitMs: number, durationMs: number): ArrivalSchedule {
  return new ConstantArrivals(constantArrivalPeriodNs(rate, timeUnitMs), durationMs);
}

/** A class rather than a closure's captured variables: `next()` runs once per arrival. */
class ConstantArrivals implements ArrivalSchedule {
  private k = 0;
  private readonly valid: boolean;
  constructor(
    private readonly periodNs: number,
    private readonly durationMs: number,
  ) {
    this.valid = periodNs > 0 && periodNs < Infinity;
  }

  next(): number {
    if (!this.valid) return Infinity;
    const t = constantArrivalAt(this.k, this.periodNs);
    if (t >= this.durationMs) return Infinity;
    this.k++;
    return t;
  }
}

/** ramping-arrival-rate: iteration i (1, 2, …) is due where the area under the rate curve equals i. */
export function rampingArrivalTimes(startRate: number, timeUnitMs: number, stages: readonly Stage[]): ArrivalSchedule {
  const due = rampingArrivalRateTimes(startRate, timeUnitMs, stages);
  return {
    next() {
      const r = due.next();
      return r.done ? Infinity : r.value;
    },
  };
}

/**
 * Poisson arrivals at the same (possibly ramping) rate: a non-homogeneous Poisson process by
 * time change: unit-mean exponential steps in area, mapped back through the rate curve.
 */
export function poissonArrivalTimes(curve: RateCurve, rng: Rng): ArrivalSchedule {
  let area = 0;
  return {
    next() {
      area += -Math.log(1 - rng.next());
      return curve.timeForArea(area);
    },
  };
}

export interface VuPlanStep {
  atMs: number;
  vus: number;
}

/**
 * ramping-vus VU plan (`ramping_vus.go: getRawExecutionSteps`), integer-nanosecond arithmetic:
 * ramping up, VU v (from+1…to) starts at stageStart + D·(v − from)/(to − from); ramping down, the
 * count drops to v − 1 at stageEnd − D·(to − v + 1)/(to − from); a zero-length stage jumps.
 */
export function rampingVusPlan(startVUs: number, stages: readonly Stage[]): VuPlanStep[] {
  const plan: VuPlanStep[] = [{ atMs: 0, vus: startVUs }];
  const push = (atNs: number, vus: number) => {
    const last = plan[plan.length - 1]!;
    const atMs = atNs / 1e6;
    if (last.atMs === atMs) last.vus = vus;
    else if (last.vus !== vus) plan.push({ atMs, vus });
  };
  let startNs = 0;
  let from = startVUs;
  for (const s of stages) {
    const d = Math.round(s.durationMs * 1e6);
    const to = s.target;
    if (d === 0) push(startNs, to);
    else if (to > from) {
      for (let v = from + 1; v <= to; v++) push(startNs + Math.floor((d * (v - from)) / (to - from)), v);
    } else if (to < from) {
      const endNs = startNs + d;
      for (let v = from; v > to; v--) push(endNs - Math.floor((d * (v - 1 - to)) / (from - to)), v - 1);
    }
    startNs += d;
    from = to;
  }
  return plan;
}
