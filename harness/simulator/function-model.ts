/**
 * One Lambda function on the virtual clock: concurrency accounting (account pool, reserved,
 * provisioned with spillover; order of LocalStack's counting service, fact sheet §1.3), the
 * per-function scaling token bucket on *new* environments (§1.4), and execution environments:
 * idle ones form a stack, the most recently used is reused first (SimFaaS's router, §7.1) and
 * the least recently used expires first after the idle expiry (§7.2). Environment counts are
 * integrated over time exactly, with expiries accounted at their own instants, so averages
 * are time-weighted without a per-environment event.
 */
import type { ThrottleReason } from '../contracts/aws-facts.ts';
import { durationSampler, type DurationDistribution, type Rng } from '../contracts/distributions.ts';
import type { PoisonRule, ResolvedAccount, ResolvedFunction } from '../experiment/types.ts';
import { FloatDeque } from './event-queue.ts';
import { LogHistogram } from './step-histogram.ts';

/** acquire() results: ≥ 0 runs, < 0 throttles. */
export const ACQ_PROVISIONED = 0;
export const ACQ_WARM = 1;
export const ACQ_COLD = 2;
export const ACQ_THROTTLE_RESERVED = -1;
export const ACQ_THROTTLE_ACCOUNT = -2;
export const ACQ_THROTTLE_RATE = -3;

/**
 * Throttle reasons by index (-code - 1). The scaling-rate reason is UNCONFIRMED on AWS (§8 item 2);
 * the emulator uses FunctionInvocationRateLimitExceeded, and so do we.
 */
export const THROTTLE_REASON_BY_INDEX: readonly ThrottleReason[] = [
  'ReservedFunctionConcurrentInvocationLimitExceeded',
  'ConcurrentInvocationLimitExceeded',
  'FunctionInvocationRateLimitExceeded',
];

/** The account's shared pool, with the sums every function's admission needs. */
export class AccountModel {
  limit: number;
  /** Σ reserved concurrency of functions that have one. */
  reservedSum = 0;
  /** Σ provisioned concurrency of functions without reserved concurrency (it comes out of the unreserved pool). */
  unreservedProvisionedSum = 0;
  /** On-demand executions running in the unreserved pool. */
  unreservedBusy = 0;
  readonly bucketCapacity: number;
  readonly refillPerMs: number;
  readonly idleExpiryMs: number;

  constructor(a: ResolvedAccount) {
    this.limit = a.concurrencyLimit;
    this.bucketCapacity = a.scalingRate.environments;
    this.refillPerMs = a.scalingRate.environments / (a.scalingRate.perSeconds * 1000);
    this.idleExpiryMs = a.idleExpirySeconds * 1000;
  }

  /** Executions still available in the unreserved pool. */
  unreservedAvailable(): number {
    return this.limit - this.reservedSum - this.unreservedProvisionedSum - this.unreservedBusy;
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

  reserved: number | null;
  provisioned: number;
  busyOnDemand = 0;
  busyProvisioned = 0;
  /** On-demand environments alive (busy + idle). */
  onDemandEnvs = 0;
  /** Idle-since times; back = most recently used. */
  private readonly idle = new FloatDeque(64);
  private tokens: number;
  private tokensAt = 0;
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
    this.sampleDuration = durationSampler(duration);
    this.sampleInit = durationSampler(def.coldStart.initMs);
    this.errorRate = def.synthetic?.errorRate ?? 0;
    this.poison = def.synthetic?.poison ?? null;
    this.account = account;
    this.rng = rng;
    this.reserved = null;
    this.provisioned = 0;
    this.tokens = account.bucketCapacity;
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
    const exp = this.account.idleExpiryMs;
    while (this.idle.length > 0 && this.idle.front() + exp <= now) {
      this.advance(this.idle.front() + exp);
      this.idle.popFront();
      this.onDemandEnvs--;
    }
    this.advance(now);
  }

  /** Admission (§1.3 order) and environment choice; never throws. */
  acquire(now: number): number {
    if (this.provisioned - this.busyProvisioned > 0) {
      this.advance(now);
      this.busyProvisioned++;
      this.notePeak();
      return ACQ_PROVISIONED;
    }
    if (this.reserved !== null) {
      if (this.reserved - this.provisioned - this.busyOnDemand <= 0) return ACQ_THROTTLE_RESERVED;
    } else if (this.account.unreservedAvailable() <= 0) return ACQ_THROTTLE_ACCOUNT;
    this.expire(now);
    if (this.idle.length > 0) {
      this.idle.popBack();
      this.busyOnDemand++;
      if (this.reserved === null) this.account.unreservedBusy++;
      this.notePeak();
      return ACQ_WARM;
    }
    const tk = this.tokens + (now - this.tokensAt) * this.account.refillPerMs;
    this.tokens = tk > this.account.bucketCapacity ? this.account.bucketCapacity : tk;
    this.tokensAt = now;
    if (this.tokens < 1) return ACQ_THROTTLE_RATE;
    this.tokens -= 1;
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

  /** An execution ended: its environment goes idle (on-demand) or back to the provisioned pool. */
  release(now: number, provisioned: boolean): void {
    this.advance(now);
    if (provisioned) {
      this.busyProvisioned--;
      return;
    }
    this.busyOnDemand--;
    if (this.reserved === null) this.account.unreservedBusy--;
    this.idle.pushBack(now);
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

  /** Freeze the time-weighted integrals (at the end of the load window). */
  snapshotIntegrals(now: number): void {
    this.expire(now);
    this.t.envIntegral = this.envIntegral;
    this.t.busyIntegral = this.busyIntegral;
  }
}
