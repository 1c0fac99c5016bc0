/**
 * Lambda's concurrency accounting, as AWS accounts it (reference §1.1–1.4): one account limit,
 * an unreserved minimum that reservations may not eat into, reserved concurrency as a private
 * pool (0 throttles everything), provisioned concurrency as pre-allocated slots per qualifier
 * with spillover to on-demand, and a per-function token bucket on *new* environments.
 *
 * The order of checks follows LocalStack's counting service (§1.3): a free provisioned slot on
 * the qualifier first, then the function's reserved pool, then the shared unreserved pool. The
 * model is pure arithmetic on integers behind an injected clock; it never throws on the hot path
 * (acquire returns a lease kind or the throttle reason).
 */
import type { Clock } from '../../../contracts/clock.ts';
import { SCALING_RATE_THROTTLE_REASON, type ThrottleReason } from '../../../contracts/aws-facts.ts';
import type { ResolvedAccount } from '../../../experiment/types.ts';

export type LeaseKind = 'provisioned' | 'on-demand';

export { SCALING_RATE_THROTTLE_REASON };

/** Continuous-refill token bucket: `capacity` tokens, `refillPerMs` tokens per ms, never above capacity (§1.4). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly clock: Clock,
    private capacity: number,
    private refillPerMs: number,
  ) {
    this.tokens = capacity;
    this.last = clock.now();
  }
  take(): boolean {
    const now = this.clock.now();
    const t = this.tokens + (now - this.last) * this.refillPerMs;
    this.tokens = t > this.capacity ? this.capacity : t;
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
  available(): number {
    const t = this.tokens + (this.clock.now() - this.last) * this.refillPerMs;
    return Math.floor(t > this.capacity ? this.capacity : t);
  }
  reconfigure(capacity: number, refillPerMs: number): void {
    this.capacity = capacity;
    this.refillPerMs = refillPerMs;
    if (this.tokens > capacity) this.tokens = capacity;
  }
}

export interface ProvisionedSlots {
  requested: number;
  /** Environments initialised so far (Status READY when allocated === requested). */
  allocated: number;
  /** Provisioned environments currently running an invocation. */
  busy: number;
}

export class FunctionConcurrency {
  reserved: number | null = null;
  readonly provisioned = new Map<string, ProvisionedSlots>();
  runningOnDemand = 0;
  /** Σ busy over `provisioned`, kept as a counter so the hot path never iterates the map. */
  provisionedBusy = 0;
  /** Highest number of concurrent executions seen. */
  peak = 0;
  readonly bucket: TokenBucket;
  constructor(
    readonly name: string,
    bucket: TokenBucket,
  ) {
    this.bucket = bucket;
  }
  provisionedTotal(): number {
    let n = 0;
    for (const p of this.provisioned.values()) n += p.requested;
    return n;
  }
  running(): number {
    return this.runningOnDemand + this.provisionedBusy;
  }
}

export class ConcurrencyModel {
  private readonly fns = new Map<string, FunctionConcurrency>();
  private reservedSum = 0;
  /** Σ provisioned of functions without reserved concurrency: it comes out of the unreserved pool. */
  private unreservedProvisionedSum = 0;
  /** On-demand executions of functions without reserved concurrency. */
  private unreservedRunning = 0;

  constructor(
    private readonly clock: Clock,
    private account: ResolvedAccount,
  ) {}

  get accountLimit(): number {
    return this.account.concurrencyLimit;
  }
  get unreservedMinimum(): number {
    return this.account.unreservedMinimum;
  }

  /** Replace the account settings (limit, unreserved minimum, scaling rate) for every function. */
  configureAccount(account: ResolvedAccount): void {
    this.account = account;
    const { capacity, perMs } = this.bucketShape();
    for (const f of this.fns.values()) f.bucket.reconfigure(capacity, perMs);
  }

  private bucketShape(): { capacity: number; perMs: number } {
    const { environments, perSeconds } = this.account.scalingRate;
    return { capacity: environments, perMs: environments / (perSeconds * 1000) };
  }

  register(name: string): FunctionConcurrency {
    const { capacity, perMs } = this.bucketShape();
    const f = new FunctionConcurrency(name, new TokenBucket(this.clock, capacity, perMs));
    this.fns.set(name, f);
    return f;
  }

  unregister(name: string): void {
    const f = this.fns.get(name);
    if (!f) return;
    if (f.reserved !== null) this.reservedSum -= f.reserved;
    else {
      this.unreservedProvisionedSum -= f.provisionedTotal();
      this.unreservedRunning -= f.runningOnDemand;
    }
    this.fns.delete(name);
  }

  get(name: string): FunctionConcurrency | undefined {
    return this.fns.get(name);
  }

  /** UnreservedConcurrentExecutions of GetAccountSettings: account limit − Σ reserved (§1.1). */
  unreservedConcurrentExecutions(): number {
    return this.account.concurrencyLimit - this.reservedSum;
  }

  /** Executions running now, all functions (ConcurrentExecutions metric). */
  totalRunning(): number {
    let n = 0;
    for (const f of this.fns.values()) n += f.running();
    return n;
  }

  /**
   * Check a PutFunctionConcurrency before applying it; returns AWS's message or null (§1.1, §1.2).
   */
  checkReserved(f: FunctionConcurrency, value: number): string | null {
    const pc = f.provisionedTotal();
    if (value < pc) return `ReservedConcurrentExecutions ${value} should not be lower than function's total provisioned concurrency [${pc}].`;
    const othersReserved = this.reservedSum - (f.reserved ?? 0);
    const othersUnreservedPc = this.unreservedProvisionedSum - (f.reserved === null ? pc : 0);
    const unreservedAfter = this.account.concurrencyLimit - othersReserved - value - othersUnreservedPc;
    if (unreservedAfter < this.account.unreservedMinimum) {
      return `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.account.unreservedMinimum}].`;
    }
    return null;
  }

  setReserved(f: FunctionConcurrency, value: number | null): void {
    const pc = f.provisionedTotal();
    // Move the function between the unreserved pool and its own pool, carrying its running count.
    if (f.reserved === null && value !== null) {
      this.unreservedProvisionedSum -= pc;
      this.unreservedRunning -= f.runningOnDemand;
    } else if (f.reserved !== null && value === null) {
      this.unreservedProvisionedSum += pc;
      this.unreservedRunning += f.runningOnDemand;
    }
    this.reservedSum += (value ?? 0) - (f.reserved ?? 0);
    f.reserved = value;
  }

  /** Check a PutProvisionedConcurrencyConfig; returns AWS's message or null (§1.1, §1.2). */
  checkProvisioned(f: FunctionConcurrency, qualifier: string, value: number): string | null {
    const current = f.provisioned.get(qualifier)?.requested ?? 0;
    const totalAfter = f.provisionedTotal() - current + value;
    if (f.reserved !== null) {
      if (totalAfter > f.reserved) return 'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function';
      return null;
    }
    const unreservedNow = this.account.concurrencyLimit - this.reservedSum - (this.unreservedProvisionedSum - f.provisionedTotal());
    if (totalAfter > unreservedNow) return `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${unreservedNow}].`;
    if (unreservedNow - totalAfter < this.account.unreservedMinimum) {
      return `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.account.unreservedMinimum}].`;
    }
    return null;
  }

  setProvisioned(f: FunctionConcurrency, qualifier: string, value: number): ProvisionedSlots {
    const before = f.provisionedTotal();
    let slots = f.provisioned.get(qualifier);
    if (!slots) {
      slots = { requested: 0, allocated: 0, busy: 0 };
      f.provisioned.set(qualifier, slots);
    }
    slots.requested = value;
    if (slots.allocated > value) slots.allocated = value;
    if (f.reserved === null) this.unreservedProvisionedSum += f.provisionedTotal() - before;
    return slots;
  }

  deleteProvisioned(f: FunctionConcurrency, qualifier: string): void {
    const slots = f.provisioned.get(qualifier);
    if (!slots) return;
    f.provisionedBusy -= slots.busy;
    if (f.reserved === null) this.unreservedProvisionedSum -= slots.requested;
    f.provisioned.delete(qualifier);
  }

  /**
   * Take one execution slot for an invocation of `f` on `qualifier`, or say why not. A
   * provisioned lease needs a provisioned environment allocated and idle; otherwise the
   * invocation spills over to on-demand concurrency (§1.3).
   */
  acquire(f: FunctionConcurrency, qualifier: string | null): LeaseKind | ThrottleReason {
    if (qualifier !== null && f.provisioned.size > 0) {
      const slots = f.provisioned.get(qualifier);
      if (slots && slots.busy < slots.allocated) {
        slots.busy++;
        f.provisionedBusy++;
        this.notePeak(f);
        return 'provisioned';
      }
    }
    if (f.reserved !== null) {
      if (f.reserved - f.provisionedTotal() - f.runningOnDemand <= 0) return 'ReservedFunctionConcurrentInvocationLimitExceeded';
      f.runningOnDemand++;
      this.notePeak(f);
      return 'on-demand';
    }
    if (this.account.concurrencyLimit - this.reservedSum - this.unreservedProvisionedSum - this.unreservedRunning <= 0) {
      return 'ConcurrentInvocationLimitExceeded';
    }
    f.runningOnDemand++;
    this.unreservedRunning++;
    this.notePeak(f);
    return 'on-demand';
  }

  release(f: FunctionConcurrency, kind: LeaseKind, qualifier: string | null): void {
    if (kind === 'provisioned') {
      const slots = qualifier === null ? undefined : f.provisioned.get(qualifier);
      if (slots && slots.busy > 0) {
        slots.busy--;
        f.provisionedBusy--;
      }
      return;
    }
    if (f.runningOnDemand > 0) {
      f.runningOnDemand--;
      if (f.reserved === null && this.fns.get(f.name) === f) this.unreservedRunning--;
    }
  }

  private notePeak(f: FunctionConcurrency): void {
    const r = f.running();
    if (r > f.peak) f.peak = r;
  }
}
