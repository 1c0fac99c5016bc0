/**
 * k6's executor schedules, re-implemented for the simulator (the engine has its own; both are
 * checked against the same k6 test vectors, shared/reference/k6-contract.md §4.3–4.4):
 * the arrival times of constant- and ramping-arrival-rate, and the VU plan of ramping-vus.
 * A Poisson what-if uses the same rate curve with exponential gaps in "area" instead of unit ones.
 */
import type { Stage } from '../experiment/types.ts';
import type { Rng } from '../contracts/distributions.ts';

/** A piecewise-linear rate curve (events per ms) over consecutive stages. */
interface RateSegment {
  startMs: number;
  durationMs: number;
  /** Rates in events per ms at the segment's start and end. */
  from: number;
  to: number;
  /** Events due before this segment (area under the curve up to its start). */
  areaBefore: number;
}

export class RateCurve {
  private readonly segments: RateSegment[] = [];
  readonly totalArea: number;
  readonly endMs: number;

  /** `startRate` and stage targets are per `timeUnitMs`, exactly like k6's options. */
  constructor(startRate: number, timeUnitMs: number, stages: readonly Stage[]) {
    let t = 0;
    let area = 0;
    // A zero time unit has no rate at all (the loader refuses it; never divide by it here).
    const unit = timeUnitMs > 0 ? timeUnitMs : Infinity;
    let from = startRate / unit;
    for (const s of stages) {
      const to = s.target / unit;
      this.segments.push({ startMs: t, durationMs: s.durationMs, from, to, areaBefore: area });
      area += ((from + to) / 2) * s.durationMs;
      t += s.durationMs;
      from = to;
    }
    this.totalArea = area;
    this.endMs = t;
  }

  /** Rate (events per ms) at time t. */
  rateAt(t: number): number {
    for (const s of this.segments) {
      if (t < s.startMs + s.durationMs) {
        return s.durationMs <= 0 ? s.to : s.from + ((s.to - s.from) * (t - s.startMs)) / s.durationMs;
      }
    }
    return 0;
  }

  /**
   * The time x where the area under the curve equals `area` (k6 `ramping_arrival_rate.go: cal`):
   * within a stage with rates a→b over D and n events left, x = n/b if a = b, else
   * x = (a·D − √(D·(a²·D + 2·n·(b − a)))) / (a − b) (negative radicand → 0). Infinity past the end.
   */
  timeForArea(area: number): number {
    if (area > this.totalArea + 1e-9) return Infinity;
    for (const s of this.segments) {
      const segArea = ((s.from + s.to) / 2) * s.durationMs;
      if (area <= s.areaBefore + segArea + 1e-12 && segArea > 0) {
        const n = area - s.areaBefore;
        const a = s.from;
        const b = s.to;
        const d = s.durationMs;
        let x: number;
        if (a === b) x = n / b;
        else {
          const rad = d * (a * a * d + 2 * n * (b - a));
          x = (a * d - Math.sqrt(rad > 0 ? rad : 0)) / (a - b);
        }
        return s.startMs + Math.min(Math.max(x, 0), d);
      }
    }
    return Infinity;
  }
}

/** Successive arrival times (ms from the scenario start); `Infinity` when the schedule is over. */
export interface ArrivalSchedule {
  next(): number;
}

/**
 * constant-arrival-rate (`constant_arrival_rate.go: Run`): period T = timeUnit/rate truncated to
 * whole nanoseconds, iteration k due at k·T, the first at 0, none at or after `durationMs`.
 */
export function constantArrivalTimes(rate: number, timeUnitMs: number, durationMs: number): ArrivalSchedule {
  const periodNs = rate > 0 && timeUnitMs > 0 ? Math.trunc((timeUnitMs * 1e6) / rate) : Infinity;
  let k = 0;
  return {
    next() {
      if (!(periodNs > 0 && periodNs < Infinity)) return Infinity;
      const t = (k * periodNs) / 1e6;
      if (t >= durationMs) return Infinity;
      k++;
      return t;
    },
  };
}

/** ramping-arrival-rate: iteration i (1, 2, …) is due where the area under the rate curve equals i. */
export function rampingArrivalTimes(startRate: number, timeUnitMs: number, stages: readonly Stage[]): ArrivalSchedule {
  const curve = new RateCurve(startRate, timeUnitMs, stages);
  let i = 0;
  return {
    next() {
      i++;
      // An iteration due exactly at the end is racy in k6 (its own test vector includes it); we include it.
      return curve.timeForArea(i);
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
