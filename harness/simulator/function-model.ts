/**
 * One Lambda function on the virtual clock: the simulator's state layout (counters and a deque
 * of idle-since times) for the shared rules — admission in AWS's order (rules/admission.ts), the
 * per-function scaling bucket on *new* environments (rules/token-bucket.ts), and environment
 * choice: the most recently used idle environment is reused first and the least recently used
 * expires first (rules/environments.ts). Environment counts are integrated over time exactly,
 * with expiries accounted at their own instants, so averages are time-weighted without a
 * per-environment event.
 */
import { durationSampler, type DurationDistribution, type Rng } from '../contracts/distributions.ts';
import { ADMIT_ON_DEMAND, ADMIT_PROVISIONED, ADMIT_THROTTLE_RATE, admit, unreservedAvailable } from '../rules/admission.ts';
import { afterInvoke, idleExpiresAt } from '../rules/environments.ts';
import { durationScale } from '../rules/memory-cpu.ts';
import { bucketShape, TokenBucket } from '../rules/token-bucket.ts';
import type { PoisonRule, ResolvedAccount, ResolvedFunction } from '../experiment/types.ts';
import { Deque } from './event-queue.ts';
import { FunctionFaults } from './function-faults.ts';
import { LogHistogram } from './step-histogram.ts';

/** acquire() results: ≥ 0 runs, < 0 throttles. */
export const ACQ_PROVISIONED = 0;
export const ACQ_WARM = 1;
export const ACQ_COLD = 2;
// Throttle codes (< 0) and their Reasons are admission's: rules/admission.ts.

/** The account's shared pool, with the sums every function's admission needs. */
export class AccountModel {
  limit: number;
  /** Σ reserved concurrency of functions that have one. */
  reservedSum = 0;
  /** Σ provisioned concurrency of functions without reserved concurrency (it comes out of the unreserved pool). */
  unreservedProvisionedSum = 0;
  /** On-demand executions running in the unreserved pool. */
  unreservedBusy = 0;
  readonly bucket: ReturnType<typeof bucketShape>;
  readonly idleExpiryMs: number;

  constructor(a: ResolvedAccount) {
    this.limit = a.concurrencyLimit;
    this.bucket = bucketShape(a.scalingRate);
    this.idleExpiryMs = a.idleExpirySeconds * 1000;
  }

  /** Executions still available in the unreserved pool. */
  unreservedAvailable(): number {
    return unreservedAvailable(this.limit, this.reservedSum, this.unreservedProvisionedSum, this.unreservedBusy);
  }
}

export interface FunctionTotalsRaw {
  invocations: number;
  errors: number;
  timeouts: number;
  throttles: number;
  throttlesByReason: number[];
  coldStarts: number;
  provisionedInvocations: number;
  peakConcurrency: number;
  peakEnvironments: number;
  gbSeconds: number;
  provisionedGbSeconds: number;
  asyncEvents: number;
  asyncRetries: number;
  asyncDropped: number;
  /** ∫ environments dt and ∫ busy dt over the load window (ms·environments). */
  envIntegral: number;
  busyIntegral: number;
}

export class FunctionModel {
  readonly name: string;
  readonly index: number;
  readonly def: ResolvedFunction;
  memoryMB: number;
  /** GB-seconds per billed millisecond (memory / 1024 / 1000), for the hot path. */
  readonly gbPerMs: number;
  readonly timeoutMs: number;
  readonly duration: DurationDistribution;
  readonly initMs: DurationDistribution;
  readonly sampleDuration: (rng: Rng) => number;
  readonly sampleInit: (rng: Rng) => number;
  readonly errorRate: number;
  readonly poison: PoisonRule | null;
  readonly rng: Rng;
  readonly account: AccountModel;
  /** Function faults in force (SQUALL_FAULTS on a real target). */
  readonly faults = new FunctionFaults();

  reserved: number | null;
  provisioned: number;
  busyOnDemand = 0;
  busyProvisioned = 0;
  /** On-demand environments alive (busy + idle). */
  onDemandEnvs = 0;
  /** Idle-since times; back = most recently used. */
  private readonly idle = new Deque(64);
  private readonly bucket: TokenBucket;
  private lastT = 0;
  private envIntegral = 0;
  private busyIntegral = 0;

  readonly t: FunctionTotalsRaw = {
    invocations: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
    throttlesByReason: [0, 0, 0],
    coldStarts: 0,
    provisionedInvocations: 0,
    peakConcurrency: 0,
    peakEnvironments: 0,
    gbSeconds: 0,
    provisionedGbSeconds: 0,
    asyncEvents: 0,
    asyncRetries: 0,
    asyncDropped: 0,
    envIntegral: 0,
    busyIntegral: 0,
  };
  // Per-step counters, read and reset by the series collectors.
  sInvocations = 0;
  sErrors = 0;
  sThrottles = 0;
  readonly sThrottlesByReason = [0, 0, 0];
  sColdStarts = 0;
  sPeak = 0;
  sAsyncEvents = 0;
  sAsyncRetries = 0;
  sAsyncDropped = 0;
  readonly stepDurations = new LogHistogram();
  readonly runDurations = new LogHistogram();

  constructor(index: number, def: ResolvedFunction, duration: DurationDistribution, account: AccountModel, rng: Rng) {
    this.index = index;
    this.name = def.name;
    this.def = def;
    this.memoryMB = def.memoryMB;
    this.gbPerMs = def.memoryMB / 1024 / 1000;
    this.timeoutMs = def.timeoutSeconds * 1000;
    this.duration = duration;
    this.initMs = def.coldStart.initMs;
    // Memory is CPU: the declared duration stretches or shrinks with the function's memory.
    const scale = durationScale(def.cpu ?? null, def.memoryMB);
    const base = durationSampler(duration);
    this.sampleDuration = scale === 1 ? base : (r: Rng) => base(r) * scale;
    this.sampleInit = durationSampler(def.coldStart.initMs);
    this.errorRate = def.synthetic?.errorRate ?? 0;
    this.poison = def.synthetic?.poison ?? null;
    this.account = account;
    this.rng = rng;
    this.reserved = null;
    this.provisioned = 0;
    this.bucket = new TokenBucket(account.bucket, 0);
    this.setReserved(def.reservedConcurrency, 0);
    this.setProvisioned(def.provisionedConcurrency, 0);
  }

  get busy(): number {
    return this.busyOnDemand + this.busyProvisioned;
  }

  get environments(): number {
    return this.onDemandEnvs + this.provisioned;
  }

  /** Integrate environment and busy counts up to `now`. */
  advance(now: number): void {
    const dt = now - this.lastT;
    if (dt > 0) {
      this.envIntegral += dt * (this.onDemandEnvs + this.provisioned);
      this.busyIntegral += dt * (this.busyOnDemand + this.busyProvisioned);
      this.lastT = now;
    }
  }

  /** Reclaim idle environments whose expiry passed, each at its own instant. */
  expire(now: number): void {
    // The check inline (every acquire runs it), the reclaiming out of line.
    if (this.idle.length > 0 && idleExpiresAt(this.idle.front(), this.account.idleExpiryMs) <= now) this.reclaimExpired(now);
    this.advance(now);
  }

  private reclaimExpired(now: number): void {
    const exp = this.account.idleExpiryMs;
    while (this.idle.length > 0 && idleExpiresAt(this.idle.front(), exp) <= now) {
      this.advance(idleExpiresAt(this.idle.front(), exp));
      this.idle.popFront();
      this.onDemandEnvs--;
    }
  }

  /** Admission (§1.3 order) and environment choice; never throws. */
  acquire(now: number): number {
    const code = admit(this.provisioned - this.busyProvisioned, this.reserved, this.provisioned, this.busyOnDemand, this.account.unreservedAvailable());
    // The warm path here, the others out of line: this runs on every invocation and is inlined into it.
    if (code !== ADMIT_ON_DEMAND) return code === ADMIT_PROVISIONED ? this.acquireProvisioned(now) : code;
    this.expire(now);
    if (this.idle.length === 0) return this.acquireNew(now);
    this.idle.popBack();
    this.busyOnDemand++;
    if (this.reserved === null) this.account.unreservedBusy++;
    this.notePeak();
    return ACQ_WARM;
  }

  private acquireProvisioned(now: number): number {
    this.advance(now);
    this.busyProvisioned++;
    this.notePeak();
    return ACQ_PROVISIONED;
  }

  /** No idle environment: a new one needs a token from the scaling bucket. */
  private acquireNew(now: number): number {
    if (!this.bucket.take(now)) return ADMIT_THROTTLE_RATE;
    this.onDemandEnvs++;
    this.busyOnDemand++;
    if (this.reserved === null) this.account.unreservedBusy++;
    this.notePeak();
    const envs = this.onDemandEnvs + this.provisioned;
    if (envs > this.t.peakEnvironments) this.t.peakEnvironments = envs;
    return ACQ_COLD;
  }

  private notePeak(): void {
    const b = this.busyOnDemand + this.busyProvisioned;
    if (b > this.sPeak) this.sPeak = b;
    if (b > this.t.peakConcurrency) this.t.peakConcurrency = b;
  }

  /**
   * An execution ended: its environment goes idle (on-demand) or back to the provisioned pool; a
   * timed-out one is reset (rules/environments.ts afterInvoke): an on-demand environment ends, a
   * provisioned one is replaced at once (allocation is immediate here, see setProvisioned).
   */
  release(now: number, provisioned: boolean, timedOut: boolean): void {
    this.advance(now);
    if (provisioned) {
      this.busyProvisioned--;
      return;
    }
    this.busyOnDemand--;
    if (this.reserved === null) this.account.unreservedBusy--;
    if (afterInvoke(timedOut) === 'reset') this.onDemandEnvs--;
    else this.idle.pushBack(now);
  }

  recordThrottle(code: number): void {
    const i = -code - 1;
    this.t.throttles++;
    this.t.throttlesByReason[i]!++;
    this.sThrottles++;
    this.sThrottlesByReason[i]!++;
  }

  /** PutFunctionConcurrency / DeleteFunctionConcurrency: keeps the account sums consistent while executions run. */
  setReserved(value: number | null, now: number): void {
    this.advance(now);
    const acct = this.account;
    if (this.reserved === null) {
      acct.unreservedProvisionedSum -= this.provisioned;
      acct.unreservedBusy -= this.busyOnDemand;
    } else acct.reservedSum -= this.reserved;
    this.reserved = value;
    if (value === null) {
      acct.unreservedProvisionedSum += this.provisioned;
      acct.unreservedBusy += this.busyOnDemand;
    } else acct.reservedSum += value;
  }

  /** Provisioned environments are allocated at once (AWS's allocation rate is UNCONFIRMED, §1.3). */
  setProvisioned(value: number, now: number): void {
    this.advance(now);
    if (this.reserved === null) this.account.unreservedProvisionedSum += value - this.provisioned;
    this.provisioned = value;
    const envs = this.onDemandEnvs + this.provisioned;
    if (envs > this.t.peakEnvironments) this.t.peakEnvironments = envs;
  }

  /**
   * A configuration update (UpdateFunctionConfiguration, as function faults make): idle
   * environments are stopped, so the next invocations start cold; busy ones finish first.
   */
  drainIdle(now: number): void {
    this.expire(now);
    while (this.idle.length > 0) {
      this.idle.popFront();
      this.onDemandEnvs--;
    }
  }

  /** Freeze the time-weighted integrals (at the end of the load window). */
  snapshotIntegrals(now: number): void {
    this.expire(now);
    this.t.envIntegral = this.envIntegral;
    this.t.busyIntegral = this.busyIntegral;
  }
}
