/**
 * Lambda's concurrency accounting in the emulator: one account limit, an unreserved minimum that
 * reservations may not eat into, reserved concurrency as a private pool (0 throttles everything),
 * provisioned concurrency as pre-allocated slots per qualifier with spillover to on-demand, and a
 * per-function token bucket on *new* environments (reference §1.1–1.4). The rules themselves
 * (admission order and Reason, the bucket) are rules/admission.ts and rules/token-bucket.ts,
 * shared with the simulator; this module keeps the emulator's counters (per qualifier, per pool)
 * and validates the configuration APIs. It never throws on the hot path (acquire returns a lease
 * kind or the throttle reason).
 */
import type { Clock } from '../../../contracts/clock.ts';
import { SCALING_RATE_THROTTLE_REASON, type ThrottleReason } from '../../../contracts/aws-facts.ts';
import type { ResolvedAccount } from '../../../experiment/types.ts';
import { ADMIT_PROVISIONED, admit, throttleReason, unreservedAvailable, type Lease } from '../../../rules/admission.ts';
import { bucketShape, TokenBucket as RuleBucket } from '../../../rules/token-bucket.ts';

export type LeaseKind = Lease;

export { SCALING_RATE_THROTTLE_REASON };

/** The shared scaling bucket (rules/token-bucket.ts) read on the emulator's clock. */
export class TokenBucket {
  private readonly bucket: RuleBucket;
  constructor(
    private readonly clock: Clock,
    shape: ReturnType<typeof bucketShape>,
  ) {
    this.bucket = new RuleBucket(shape, clock.now());
  }
  take(): boolean {
    return this.bucket.take(this.clock.now());
  }
  available(): number {
    return this.bucket.available(this.clock.now());
  }
  reconfigure(shape: ReturnType<typeof bucketShape>): void {
    this.bucket.reconfigure(shape);
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
    const shape = bucketShape(account.scalingRate);
    for (const f of this.fns.values()) f.bucket.reconfigure(shape);
  }

  register(name: string): FunctionConcurrency {
    const f = new FunctionConcurrency(name, new TokenBucket(this.clock, bucketShape(this.account.scalingRate)));
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
    const slots = qualifier !== null && f.provisioned.size > 0 ? f.provisioned.get(qualifier) : undefined;
    const code = admit(
      slots ? slots.allocated - slots.busy : 0,
      f.reserved,
      f.reserved === null ? 0 : f.provisionedTotal(),
      f.runningOnDemand,
      unreservedAvailable(this.account.concurrencyLimit, this.reservedSum, this.unreservedProvisionedSum, this.unreservedRunning),
    );
    if (code < 0) return throttleReason(code);
    if (code === ADMIT_PROVISIONED) {
      slots!.busy++;
      f.provisionedBusy++;
    } else {
      f.runningOnDemand++;
      if (f.reserved === null) this.unreservedRunning++;
    }
    this.notePeak(f);
    return code === ADMIT_PROVISIONED ? 'provisioned' : 'on-demand';
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
