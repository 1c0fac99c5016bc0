/**
 * One k6 scenario as the simulator sees it: an executor that starts iterations (open loop for
 * the arrival-rate executors, with dropped iterations when no VU is free; closed loop for the
 * VU executors, where a VU's next iteration waits for the response and the think time), and a
 * template that says what one iteration does to the system (sync invoke, async invoke, SQS send).
 * Per-scenario counters feed the client-side series (`http.*`, `k6.*`).
 */
import type { Rng } from '../contracts/distributions.ts';
import type { PoisonKind, ResolvedScenario } from '../experiment/types.ts';
import { constantArrivalTimes, poissonArrivalTimes, rampingArrivalTimes, rampingVusPlan, RateCurve, type ArrivalSchedule, type VuPlanStep } from './k6-schedule.ts';
import { LogHistogram } from './step-histogram.ts';
import { POISON_INVALID_JSON, POISON_MARKER, POISON_OVERSIZED } from './queue-model.ts';

export type IterationKind = 'sync' | 'async' | 'sqs';

export interface ScenarioTotalsRaw {
  iterations: number;
  droppedIterations: number;
  requests: number;
  status2xx: number;
  status4xx: number;
  status429: number;
  status5xx: number;
  /** k6 http_req_failed count. */
  failed: number;
}

export function poisonKindCode(k: PoisonKind): number {
  return k === 'marker' ? POISON_MARKER : k === 'invalid-json' ? POISON_INVALID_JSON : POISON_OVERSIZED;
}

export class ScenarioModel {
  readonly index: number;
  readonly name: string;
  readonly def: ResolvedScenario;
  readonly kind: IterationKind;
  /** Function index (sync/async) or queue index (sqs). */
  readonly target: number;
  readonly startMs: number;
  /** End of the regular duration (no new iterations from then on). */
  readonly endMs: number;
  /** endMs + gracefulStop: k6 interrupts whatever still runs then. */
  hardStopMs = Infinity;
  readonly open: boolean;
  readonly rng: Rng;
  // Template parameters read on the hot path.
  readonly retryAttempts: number;
  /** HTTP status of a function error: 502 through a function URL, 200 through the Invoke API. */
  readonly errorStatus: number;
  readonly expected2xx: boolean;
  readonly expectedStatuses: ReadonlySet<number> | null;
  /** k6's verdict per status code below 1000 (1: expected), so a response does no Set lookup. */
  private readonly okStatus = new Uint8Array(1000);
  readonly sqsBatch: number;
  readonly poisonRatio: number;
  readonly poisonKind: number;
  /** Poison accumulator (ratio added per message; a poison message each time it reaches 1). */
  poisonAcc = 0;

  // Open loop.
  schedule: ArrivalSchedule | null = null;
  vusAllocated = 0;
  vusBusy = 0;
  maxVUs = 0;
  // Closed loop.
  plan: VuPlanStep[] = [];
  activeVUs = 0;
  vuRunning: Uint8Array = new Uint8Array(0);
  /** When a ramped-down VU's iteration is interrupted (Infinity while the VU is active). */
  vuDeadline: Float64Array = new Float64Array(0);
  vuIterationsLeft: Int32Array = new Int32Array(0);
  sharedLeft = 0;

  readonly t: ScenarioTotalsRaw = { iterations: 0, droppedIterations: 0, requests: 0, status2xx: 0, status4xx: 0, status429: 0, status5xx: 0, failed: 0 };
  sIterations = 0;
  sDropped = 0;
  sRequests = 0;
  s2xx = 0;
  s4xx = 0;
  s429 = 0;
  s5xx = 0;
  sFailed = 0;
  readonly stepLatency = new LogHistogram();
  readonly runLatency = new LogHistogram();

  constructor(index: number, def: ResolvedScenario, kind: IterationKind, target: number, rng: Rng) {
    this.index = index;
    this.name = def.name;
    this.def = def;
    this.kind = kind;
    this.target = target;
    this.rng = rng;
    this.startMs = def.startTimeMs;
    let retry = 1;
    let errorStatus = 200;
    let expected: ReadonlySet<number> | null = null;
    let sqsBatch = 0;
    let poisonRatio = 0;
    let poisonKind = 0;
    if (def.template === 'http') {
      retry = def.retryOn429;
      errorStatus = 502;
      expected = def.expectedStatuses.length > 0 ? new Set(def.expectedStatuses) : null;
    } else if (def.template === 'lambda-invoke') retry = def.retryOn429;
    else if (def.template === 'sqs-producer') {
      sqsBatch = def.batchSize;
      poisonRatio = def.poison?.ratio ?? 0;
      poisonKind = def.poison ? poisonKindCode(def.poison.kind) : 0;
    }
    this.retryAttempts = Math.max(1, retry);
    this.errorStatus = errorStatus;
    this.expectedStatuses = expected;
    this.expected2xx = expected === null;
    for (let s = 0; s < this.okStatus.length; s++) this.okStatus[s] = this.statusOk(s) ? 1 : 0;
    this.sqsBatch = sqsBatch;
    this.poisonRatio = poisonRatio;
    this.poisonKind = poisonKind;

    switch (def.executor) {
      case 'constant-arrival-rate': {
        this.open = true;
        this.endMs = this.startMs + def.durationMs;
        this.vusAllocated = def.preAllocatedVUs;
        this.maxVUs = Math.max(def.maxVUs, def.preAllocatedVUs);
        this.schedule =
          def.arrival === 'poisson'
            ? poissonArrivalTimes(new RateCurve(def.rate, def.timeUnitMs, [{ durationMs: def.durationMs, target: def.rate }]), rng.fork('arrivals'))
            : constantArrivalTimes(def.rate, def.timeUnitMs, def.durationMs);
        break;
      }
      case 'ramping-arrival-rate': {
        this.open = true;
        this.endMs = this.startMs + def.stages.reduce((a, s) => a + s.durationMs, 0);
        this.vusAllocated = def.preAllocatedVUs;
        this.maxVUs = Math.max(def.maxVUs, def.preAllocatedVUs);
        this.schedule =
          def.arrival === 'poisson'
            ? poissonArrivalTimes(new RateCurve(def.startRate, def.timeUnitMs, def.stages), rng.fork('arrivals'))
            : rampingArrivalTimes(def.startRate, def.timeUnitMs, def.stages);
        break;
      }
      case 'constant-vus':
        this.open = false;
        this.endMs = this.startMs + def.durationMs;
        this.plan = [{ atMs: 0, vus: def.vus }];
        break;
      case 'ramping-vus':
        this.open = false;
        this.endMs = this.startMs + def.stages.reduce((a, s) => a + s.durationMs, 0);
        this.plan = rampingVusPlan(def.startVUs, def.stages);
        break;
      case 'shared-iterations':
        this.open = false;
        this.endMs = this.startMs + def.maxDurationMs;
        this.plan = [{ atMs: 0, vus: def.vus }];
        this.sharedLeft = def.iterations;
        break;
      case 'per-vu-iterations':
        this.open = false;
        this.endMs = this.startMs + def.maxDurationMs;
        this.plan = [{ atMs: 0, vus: def.vus }];
        break;
    }
    this.hardStopMs = this.endMs + def.gracefulStopMs;
    if (!this.open) {
      const maxVus = this.plan.reduce((m, p) => Math.max(m, p.vus), 0);
      this.vuRunning = new Uint8Array(maxVus);
      this.vuDeadline = new Float64Array(maxVus).fill(Infinity);
      if (def.executor === 'per-vu-iterations') this.vuIterationsLeft = new Int32Array(maxVus).fill(def.iterations);
    }
  }

  /** May VU `vu` start another iteration at `now`? Consumes an iteration of the iteration-based executors. */
  takeIteration(vu: number, now: number): boolean {
    if (now >= this.endMs || vu >= this.activeVUs) return false;
    if (this.def.executor === 'shared-iterations') {
      if (this.sharedLeft <= 0) return false;
      this.sharedLeft--;
    } else if (this.def.executor === 'per-vu-iterations') {
      if (this.vuIterationsLeft[vu]! <= 0) return false;
      this.vuIterationsLeft[vu]!--;
    }
    return true;
  }

  /** Iterations the iteration-based executors never started before maxDuration (k6 dropped_iterations). */
  unstartedIterations(): number {
    if (this.def.executor === 'shared-iterations') return this.sharedLeft;
    if (this.def.executor === 'per-vu-iterations') {
      let n = 0;
      for (let i = 0; i < this.vuIterationsLeft.length; i++) n += this.vuIterationsLeft[i]!;
      return n;
    }
    return 0;
  }

  /** k6's http_req_failed rule: expectedStatuses, or 200–399 without them. */
  private statusOk(status: number): boolean {
    return this.expectedStatuses ? this.expectedStatuses.has(status) : status >= 200 && status < 400;
  }

  /** One response seen by the client, with k6's http_req_failed rule. */
  recordResponse(status: number, latencyMs: number): void {
    this.t.requests++;
    this.sRequests++;
    if (status === 429) {
      this.t.status429++;
      this.s429++;
    } else if (status >= 500) {
      this.t.status5xx++;
      this.s5xx++;
    } else if (status >= 400) {
      this.t.status4xx++;
      this.s4xx++;
    } else {
      this.t.status2xx++;
      this.s2xx++;
    }
    const ok = (status >>> 0) === status && status < 1000 ? this.okStatus[status] === 1 : this.statusOk(status);
    if (!ok) {
      this.t.failed++;
      this.sFailed++;
    }
    // The run's histogram takes each step's counts when the step is flushed.
    this.stepLatency.record(latencyMs);
  }

  /**
   * Active VUs for the `k6.vus` gauge. In arrival-rate executors current k6 counts a VU as active
   * only while it runs an iteration (the VU pool's worker loop in `ramping_arrival_rate.go`
   * increments the active count around each iteration; older k6 counted every pre-allocated VU),
   * which is also what squall's engine reports.
   */
  vusAt(now: number): number {
    if (now < this.startMs || now >= this.endMs) return 0;
    return this.open ? this.vusBusy : this.activeVUs;
  }
}
