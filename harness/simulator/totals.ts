/**
 * The totals of a simulated run, with stable field names (`squall simulate --json` prints them
 * and the report reads them): per scenario, function, queue and event source mapping, plus the
 * closed forms beside them and the cost from the one pricing model. Averages over environments
 * are time-weighted over the load window [0, load.durationMs].
 */
import { dict } from '../contracts/dict.ts';
import { meanDuration } from '../contracts/distributions.ts';
import type { Simulation } from './simulation.ts';
import { THROTTLE_REASON_BY_INDEX } from '../rules/admission.ts';
import type { ScenarioTotalsRaw } from './scenario-model.ts';
import { coldStartProbabilityLowLoad, erlangB, littleConcurrency } from './closed-forms.ts';
import { lambdaCost, MONTH_SECONDS } from './pricing.ts';

export const TOTALS_SCHEMA = 'squall.simulation-totals/v1';

/** A scenario's counts (fields of ScenarioTotalsRaw: iterations … failed) plus its latency percentiles. */
export interface ScenarioTotals extends ScenarioTotalsRaw {
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
}

export interface FunctionTotals {
  invocations: number;
  errors: number;
  timeouts: number;
  throttles: number;
  /** Keyed by ThrottleReason; only reasons that occurred. */
  throttlesByReason: Record<string, number>;
  coldStarts: number;
  /** coldStarts / invocations (0 without invocations). */
  coldStartProbability: number;
  provisionedInvocations: number;
  /** Time-weighted environments alive (busy + idle, provisioned included) over the load window. */
  averageEnvironments: number;
  averageBusyEnvironments: number;
  averageIdleEnvironments: number;
  peakConcurrency: number;
  peakEnvironments: number;
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  asyncEvents: number;
  asyncRetries: number;
  /** Async events discarded or sent to the on-failure destination. */
  asyncDropped: number;
  /** On-demand GB-seconds billed (INIT included on cold starts). */
  gbSeconds: number;
  /** This run's charges at list price, no free tier. */
  costUsd: number;
  /** The same traffic for a 30-day month: tiers applied, no free tier. */
  projectedMonthlyUsd: number;
  closedForms: {
    /** Invocations per second over the load window (carried load). */
    arrivalRatePerSecond: number;
    /** Mean busy time per invocation: mean duration + P(cold) × mean init (ms). */
    meanServiceMs: number;
    /** Little's law: arrival rate × mean service time. Compare with averageBusyEnvironments. */
    littleConcurrency: number;
    /** Concurrency cap used for Erlang B: reserved concurrency, else the account's unreserved pool. */
    concurrencyCap: number;
    /** Offered load in erlangs: (invocations + throttles) per second × mean service time. */
    offeredErlangs: number;
    /** Erlang-B throttle probability for that cap and load (exact for Poisson arrivals without retries). */
    erlangBThrottleProbability: number;
    /** Throttles / (invocations + throttles) in the simulation, for comparison. */
    simulatedThrottleProbability: number;
    /**
     * exp(−λ·(expiry + E[S])): P(cold) for Poisson arrivals when one environment suffices (the
     * single-environment limit of the semi-Markov model, §7.2); null when offered load ≥ 0.1 erlang.
     */
    coldStartProbabilityLowLoad: number | null;
  };
}

export interface QueueTotals {
  sent: number;
  received: number;
  deleted: number;
  deadLettered: number;
  expired: number;
  peakBacklog: number;
  /** Messages visible, in flight or delayed when the simulation stopped. */
  finalBacklog: number;
  /** From the end of the load until the queue was first empty, at step resolution; null = not within the drain limit. */
  timeToDrainMs: number | null;
}

export interface MappingTotals {
  batches: number;
  failedBatches: number;
  partialBatches: number;
  throttledAttempts: number;
  messagesDeleted: number;
  peakConcurrency: number;
  peakPollers: number;
}

export interface SimulationTotals {
  schema: typeof TOTALS_SCHEMA;
  seed: number;
  runs: number;
  loadDurationMs: number;
  simulatedMs: number;
  scenarios: Record<string, ScenarioTotals>;
  functions: Record<string, FunctionTotals>;
  queues: Record<string, QueueTotals>;
  mappings: Record<string, MappingTotals>;
  costUsd: number;
  projectedMonthlyUsd: number;
}

export function buildTotals(sim: Simulation, seed = 0): SimulationTotals {
  const loadMs = Math.max(1, sim.loadEndMs);
  const scenarios = dict<ScenarioTotals>();
  for (const sc of sim.scenarios) {
    const t = sc.t;
    scenarios[sc.name] = {
      ...t,
      latencyP50Ms: sc.runLatency.percentile(50),
      latencyP95Ms: sc.runLatency.percentile(95),
      latencyP99Ms: sc.runLatency.percentile(99),
    };
  }
  const functions = dict<FunctionTotals>();
  let costUsd = 0;
  let monthlyUsd = 0;
  for (const fn of sim.functions) {
    const t = fn.t;
    const byReason: Record<string, number> = {};
    THROTTLE_REASON_BY_INDEX.forEach((r, i) => {
      if (t.throttlesByReason[i]! > 0) byReason[r] = t.throttlesByReason[i]!;
    });
    const avgEnv = t.envIntegral / loadMs;
    const avgBusy = t.busyIntegral / loadMs;
    const pCold = t.invocations > 0 ? t.coldStarts / t.invocations : 0;
    const meanService = meanDuration(fn.duration) + pCold * meanDuration(fn.initMs);
    const rate = (t.invocations * 1000) / loadMs;
    const offeredRate = ((t.invocations + t.throttles) * 1000) / loadMs;
    const cap = fn.reserved ?? Math.max(0, sim.account.limit - sim.account.reservedSum);
    const onDemand = t.invocations - t.provisionedInvocations;
    const pc = fn.def.provisionedConcurrency;
    const pcUsage = (seconds: number, scale: number) =>
      pc > 0
        ? {
            concurrency: pc,
            secondsEnabled: seconds,
            requests: t.provisionedInvocations * scale,
            durationMs: t.provisionedInvocations > 0 ? (t.provisionedGbSeconds / t.provisionedInvocations / (fn.memoryMB / 1024)) * 1000 : 0,
          }
        : null;
    const run = lambdaCost({
      architecture: fn.def.architecture,
      memoryMB: fn.memoryMB,
      requests: onDemand,
      gbSeconds: t.gbSeconds,
      freeTier: false,
      provisioned: pcUsage(loadMs / 1000, 1),
    });
    const scale = (MONTH_SECONDS * 1000) / loadMs;
    const month = lambdaCost({
      architecture: fn.def.architecture,
      memoryMB: fn.memoryMB,
      requests: onDemand * scale,
      gbSeconds: t.gbSeconds * scale,
      freeTier: false,
      provisioned: pcUsage(MONTH_SECONDS, scale),
    });
    costUsd += run.totalUsd;
    monthlyUsd += month.totalUsd;
    const attempts = t.invocations + t.throttles;
    functions[fn.name] = {
      invocations: t.invocations,
      errors: t.errors,
      timeouts: t.timeouts,
      throttles: t.throttles,
      throttlesByReason: byReason,
      coldStarts: t.coldStarts,
      coldStartProbability: pCold,
      provisionedInvocations: t.provisionedInvocations,
      averageEnvironments: avgEnv,
      averageBusyEnvironments: avgBusy,
      averageIdleEnvironments: Math.max(0, avgEnv - avgBusy),
      peakConcurrency: t.peakConcurrency,
      peakEnvironments: t.peakEnvironments,
      durationP50Ms: fn.runDurations.percentile(50),
      durationP95Ms: fn.runDurations.percentile(95),
      asyncEvents: t.asyncEvents,
      asyncRetries: t.asyncRetries,
      asyncDropped: t.asyncDropped,
      gbSeconds: t.gbSeconds,
      costUsd: run.totalUsd,
      projectedMonthlyUsd: month.totalUsd,
      closedForms: {
        arrivalRatePerSecond: rate,
        meanServiceMs: meanService,
        littleConcurrency: littleConcurrency(rate, meanService),
        concurrencyCap: cap,
        offeredErlangs: (offeredRate * meanService) / 1000,
        erlangBThrottleProbability: erlangB(cap, (offeredRate * meanService) / 1000),
        simulatedThrottleProbability: attempts > 0 ? t.throttles / attempts : 0,
        coldStartProbabilityLowLoad:
          (offeredRate * meanService) / 1000 < 0.1 ? coldStartProbabilityLowLoad(rate, sim.account.idleExpiryMs / 1000 + meanService / 1000) : null,
      },
    };
  }
  const queues = dict<QueueTotals>();
  for (const q of sim.queues) {
    const drained = sim.drainedAt(q.index);
    queues[q.name] = {
      sent: q.t.sent,
      received: q.t.received,
      deleted: q.t.deleted,
      deadLettered: q.t.movedToDlq,
      expired: q.t.expired,
      peakBacklog: q.t.peakBacklog,
      finalBacklog: q.backlog,
      timeToDrainMs: drained === null ? null : Math.max(0, drained - sim.loadEndMs),
    };
  }
  const mappings = dict<MappingTotals>();
  for (const m of sim.mappings) {
    mappings[m.id] = {
      batches: m.t.batches,
      failedBatches: m.t.failedBatches,
      partialBatches: m.t.partialBatches,
      throttledAttempts: m.t.throttledAttempts,
      messagesDeleted: m.t.messagesProcessed,
      peakConcurrency: m.t.peakConcurrency,
      peakPollers: m.t.peakPollers,
    };
  }
  return {
    schema: TOTALS_SCHEMA,
    seed,
    runs: 1,
    loadDurationMs: sim.loadEndMs,
    simulatedMs: sim.simulatedMs,
    scenarios,
    functions,
    queues,
    mappings,
    costUsd,
    projectedMonthlyUsd: monthlyUsd,
  };
}
