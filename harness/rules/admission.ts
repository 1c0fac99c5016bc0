/**
 * Lambda admission, as AWS accounts it (fact sheet §1.1–1.3): a free provisioned slot on the
 * invoked qualifier first, then the function's reserved pool, then the account's unreserved
 * pool; a lease on on-demand capacity that needs a *new* environment must also get a token from
 * the per-function scaling bucket (§1.4, rules/token-bucket.ts). The order follows LocalStack's
 * counting service (§1.3). Pure: the emulator and the simulator keep their own counters and
 * hand them in.
 */
import { SCALING_RATE_THROTTLE_REASON, type ThrottleReason } from '../contracts/aws-facts.ts';

export type Lease = 'provisioned' | 'on-demand';

/** admit() results: ≥ 0 a lease, < 0 a throttle (numbers, so the simulator's hot path allocates nothing). */
export const ADMIT_PROVISIONED = 0;
export const ADMIT_ON_DEMAND = 1;
export const ADMIT_THROTTLE_RESERVED = -1;
export const ADMIT_THROTTLE_ACCOUNT = -2;
/** Not from admit(): an on-demand lease refused by the empty scaling bucket (§1.4). */
export const ADMIT_THROTTLE_RATE = -3;

/**
 * Throttle Reasons by index (-code - 1). The scaling-rate Reason is UNCONFIRMED on AWS (§8 item
 * 2); aws-facts picks the enum's function-level rate reason.
 */
export const THROTTLE_REASON_BY_INDEX: readonly ThrottleReason[] = [
  'ReservedFunctionConcurrentInvocationLimitExceeded',
  'ConcurrentInvocationLimitExceeded',
  SCALING_RATE_THROTTLE_REASON,
];

export function throttleReason(code: number): ThrottleReason {
  return THROTTLE_REASON_BY_INDEX[-code - 1]!;
}

/**
 * Which pool an invocation runs on, or the throttle (§1.3 order, §1.5 Reasons).
 * @param provisionedIdle provisioned environments of the invoked qualifier that are allocated and idle
 * @param reserved reserved concurrency, or null when the function draws from the unreserved pool
 * @param provisionedTotal Σ provisioned concurrency of the function (it comes out of its reserved pool)
 * @param onDemandBusy on-demand executions of the function running now
 * @param unreservedFree executions still free in the unreserved pool (see unreservedAvailable)
 */
export function admit(provisionedIdle: number, reserved: number | null, provisionedTotal: number, onDemandBusy: number, unreservedFree: number): number {
  if (provisionedIdle > 0) return ADMIT_PROVISIONED;
  if (reserved !== null) return reserved - provisionedTotal - onDemandBusy > 0 ? ADMIT_ON_DEMAND : ADMIT_THROTTLE_RESERVED;
  return unreservedFree > 0 ? ADMIT_ON_DEMAND : ADMIT_THROTTLE_ACCOUNT;
}

/** Executions the unreserved pool still has: limit − Σ reserved − Σ provisioned without reserved − unreserved on-demand running (§1.1). */
export function unreservedAvailable(limit: number, reservedSum: number, unreservedProvisionedSum: number, unreservedBusy: number): number {
  return limit - reservedSum - unreservedProvisionedSum - unreservedBusy;
}
