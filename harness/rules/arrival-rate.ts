/**
 * k6's arrival-rate schedules as functions of time (k6-contract.md §4.3), one definition for the
 * engine's executors (engine/executors/) and the simulator's schedule (simulator/k6-schedule.ts):
 * - constant-arrival-rate (`constant_arrival_rate.go: Run`): period T = timeUnit/rate truncated to
 *   whole nanoseconds, tick k due at k·T, the first at 0.
 * - ramping-arrival-rate (`ramping_arrival_rate.go: cal`): the rate moves linearly from startRate
 *   through each stage's target; iteration i (1, 2, …) is due where the area under the rate curve
 *   reaches i, so the first is not at 0; fractional remainders carry over between stages. The same
 *   curve maps a Poisson process's exponential steps in area back to time.
 */

export interface RateStage {
  durationMs: number;
  target: number;
}

/** constant-arrival-rate's period in whole nanoseconds; Infinity when rate or time unit is not positive. */
export function constantArrivalPeriodNs(rate: number, timeUnitMs: number): number {
  return rate > 0 && timeUnitMs > 0 ? Math.trunc((timeUnitMs * 1e6) / rate) : Infinity;
}

/** Due time (ms) of tick k at a period of `periodNs` (computed in integer ns, as k6 does). */
export function constantArrivalAt(k: number, periodNs: number): number {
  return (k * periodNs) / 1e6;
}

interface RateSegment {
  startMs: number;
  durationMs: number;
  /** Rates in events per ms at the segment's start and end. */
  from: number;
  to: number;
  /** Events due before this segment (area under the curve up to its start). */
  areaBefore: number;
}

/** A piecewise-linear rate curve (events per ms) over consecutive stages. */
export class RateCurve {
  private readonly segments: RateSegment[] = [];
  readonly totalArea: number;
  readonly endMs: number;

  /** `startRate` and stage targets are per `timeUnitMs`, exactly like k6's options. */
  constructor(startRate: number, timeUnitMs: number, stages: readonly RateStage[]) {
    let t = 0;
    let area = 0;
    // A zero time unit has no rate at all (the loaders refuse it; never divide by it here).
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
   * The time x where the area under the curve equals `area`: within a stage with rates a→b over D
   * and n events left, x = n/b if a = b, else x = (a·D − √(D·(a²·D + 2·n·(b − a)))) / (a − b)
   * (negative radicand → 0). Infinity past the end.
   */
  timeForArea(area: number): number {
    if (area > this.totalArea + 1e-9) return Infinity;
    for (const s of this.segments) {
      const segArea = ((s.from + s.to) / 2) * s.durationMs;
      if (area <= s.areaBefore + segArea + 1e-9 && segArea > 0) {
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

/** ramping-arrival-rate: due time (ms) of every iteration i = 1, 2, … in order. */
export function* rampingArrivalTimes(startRate: number, timeUnitMs: number, stages: readonly RateStage[]): Generator<number> {
  const curve = new RateCurve(startRate, timeUnitMs, stages);
  for (let i = 1; ; i++) {
    const t = curve.timeForArea(i);
    if (t === Infinity) return;
    yield t;
  }
}
