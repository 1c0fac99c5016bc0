/**
 * The one AWS Lambda cost model (us-east-1 list prices from contracts/aws-facts.ts, formula of
 * shared/reference/aws-lambda-sqs-facts.md §6). `squall cost`, every simulated run's cost and
 * the report all call `lambdaCost`, so a price change lands in one place.
 */
import { LAMBDA_PRICES } from '../contracts/aws-facts.ts';

export type Architecture = 'x86_64' | 'arm64';

/** Seconds in the "month" used for projections: 30 days (AWS's pricing examples use a 30-day month). */
export const MONTH_SECONDS = 30 * 24 * 3600;

export interface ProvisionedUsage {
  /** Provisioned environments configured. */
  concurrency: number;
  /** How long PC was enabled; billed in 5-minute increments [§6]. */
  secondsEnabled: number;
  /** Requests served by provisioned environments (the rest spill over to on-demand). */
  requests: number;
  /** Average billed duration of those requests (ms). */
  durationMs: number;
}

export interface LambdaCostInput {
  architecture: Architecture;
  memoryMB: number;
  /** On-demand requests. */
  requests: number;
  /** Average billed duration per on-demand request in ms (rounded up to 1 ms per request [§1.6]); ignored when `gbSeconds` is set. */
  durationMs?: number;
  /** Exact on-demand GB-seconds already summed per invocation (the simulator's path). */
  gbSeconds?: number;
  /** Ephemeral storage configured (MB); above 512 MB is billed [§6]. */
  ephemeralStorageMB?: number;
  /** Apply the monthly free tier (1 M requests + 400,000 GB-s); not applied to provisioned charges. */
  freeTier: boolean;
  provisioned?: ProvisionedUsage | null;
}

export interface LambdaCostBreakdown {
  requests: number;
  gbSeconds: number;
  billableRequests: number;
  billableGbSeconds: number;
  requestUsd: number;
  durationUsd: number;
  ephemeralUsd: number;
  provisionedAllocationUsd: number;
  provisionedDurationUsd: number;
  provisionedRequestUsd: number;
  totalUsd: number;
}

/** Duration charge over the monthly tiers (6 B / 15 B GB-s on x86_64, 7.5 B / 18.75 B on arm64) [§6]. */
export function tieredDurationUsd(gbSeconds: number, architecture: Architecture): number {
  let rest = gbSeconds;
  let lower = 0;
  let usd = 0;
  for (const [upper, price] of LAMBDA_PRICES.durationTiers[architecture]) {
    if (rest <= 0) break;
    const inTier = Math.min(rest, upper - lower);
    usd += inTier * price;
    rest -= inTier;
    lower = upper;
  }
  return usd;
}

/** Billed duration: rounded up to the billing granularity, 1 ms [§1.6] (at 1 ms, without dividing by 1: the simulator calls this per invocation). */
export function billedDurationMs(ms: number): number {
  const g = LAMBDA_PRICES.durationGranularityMs;
  return g === 1 ? Math.ceil(ms) : Math.ceil(ms / g) * g;
}

/** GB-seconds of one invocation: memory in GB × duration rounded up to 1 ms [§1.6, §6]. */
export function invocationGbSeconds(memoryMB: number, billedMs: number): number {
  return (memoryMB / 1024) * (billedDurationMs(billedMs) / 1000);
}

/**
 * Monthly (or per-run, with `freeTier: false`) Lambda charges:
 * requests × $0.20/M + tiered GB-s + ephemeral GB-s, plus provisioned concurrency
 * (allocation per GB-s over the enabled time rounded to 5 minutes, duration at the PC rate, requests).
 */
export function lambdaCost(input: LambdaCostInput): LambdaCostBreakdown {
  const memGb = input.memoryMB / 1024;
  const gbSeconds =
    input.gbSeconds ?? input.requests * memGb * (billedDurationMs(input.durationMs ?? 0) / 1000);
  const billableRequests = input.freeTier ? Math.max(0, input.requests - LAMBDA_PRICES.freeTierRequests) : input.requests;
  const billableGbSeconds = input.freeTier ? Math.max(0, gbSeconds - LAMBDA_PRICES.freeTierGbSeconds) : gbSeconds;
  const requestUsd = (billableRequests * LAMBDA_PRICES.requestPerMillion) / 1e6;
  const durationUsd = tieredDurationUsd(billableGbSeconds, input.architecture);
  const seconds = memGb > 0 ? gbSeconds / memGb : 0;
  const extraEphemeralGb = Math.max(0, (input.ephemeralStorageMB ?? 512) - 512) / 1024;
  const ephemeralUsd = extraEphemeralGb * seconds * LAMBDA_PRICES.ephemeralPerGbSecond;
  let provisionedAllocationUsd = 0;
  let provisionedDurationUsd = 0;
  let provisionedRequestUsd = 0;
  const pc = input.provisioned;
  if (pc && pc.concurrency > 0) {
    const prices = LAMBDA_PRICES.provisioned[input.architecture];
    const inc = LAMBDA_PRICES.provisionedBillingIncrementSeconds;
    const billedSeconds = Math.ceil(pc.secondsEnabled / inc) * inc;
    provisionedAllocationUsd = pc.concurrency * memGb * billedSeconds * prices.allocatedPerGbSecond;
    provisionedDurationUsd = pc.requests * invocationGbSeconds(input.memoryMB, pc.durationMs) * prices.durationPerGbSecond;
    provisionedRequestUsd = (pc.requests * LAMBDA_PRICES.requestPerMillion) / 1e6;
  }
  const totalUsd = requestUsd + durationUsd + ephemeralUsd + provisionedAllocationUsd + provisionedDurationUsd + provisionedRequestUsd;
  return {
    requests: input.requests,
    gbSeconds,
    billableRequests,
    billableGbSeconds,
    requestUsd,
    durationUsd,
    ephemeralUsd,
    provisionedAllocationUsd,
    provisionedDurationUsd,
    provisionedRequestUsd,
    totalUsd,
  };
}
