/**
 * Power tuning's arithmetic, pure: read a REPORT log line, trim the extremes, price an
 * invocation with squall's one cost model, and choose a memory size by AWS Lambda Power Tuning's
 * strategies (cost: cheapest, ties to the faster; speed: fastest, ties to the cheaper; balanced:
 * the least `w·cost/maxCost + (1−w)·duration/maxDuration`, w = `balancedWeight`), so a result
 * here reads the same as the tool every source note names.
 */
import { lambdaCost, type Architecture } from '../simulator/pricing.ts';

export type Strategy = 'cost' | 'speed' | 'balanced';

/** One invocation as its REPORT line tells it. */
export interface InvocationSample {
  durationMs: number;
  billedMs: number;
  /** Present on a cold start. */
  initMs: number | null;
  maxMemoryUsedMB: number | null;
  /** The invoke answered with FunctionError. */
  error: boolean;
}

/** Fields of a Lambda REPORT line: `REPORT RequestId: … Duration: 1.23 ms Billed Duration: 2 ms …`. */
export function parseReportLine(logTail: string): Omit<InvocationSample, 'error'> | null {
  const line = logTail.split('\n').find((l) => l.startsWith('REPORT '));
  if (!line) return null;
  const field = (name: string): number | null => {
    const m = new RegExp(`(?:^|\\t|\\s)${name}: ([0-9.]+) (?:ms|MB)`).exec(line);
    return m ? Number(m[1]) : null;
  };
  const durationMs = field('Duration');
  const billedMs = field('Billed Duration');
  if (durationMs === null || billedMs === null) return null;
  return { durationMs, billedMs, initMs: field('Init Duration'), maxMemoryUsedMB: field('Max Memory Used') };
}

/** Mean after discarding `discard` of the values at each end (Power Tuning's `discardTopBottom`). */
export function trimmedMean(values: readonly number[], discard: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * discard);
  const kept = sorted.length - 2 * cut > 0 ? sorted.slice(cut, sorted.length - cut) : sorted;
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Price of one invocation: its request plus its billed GB-seconds (first price tier, no free tier). */
export function invocationCostUsd(memoryMB: number, billedMs: number, architecture: Architecture): number {
  return lambdaCost({ architecture, memoryMB, requests: 1, durationMs: billedMs, freeTier: false }).totalUsd;
}

export interface PowerResult {
  memoryMB: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  /** Trimmed mean of Duration (ms). */
  averageMs: number;
  p50Ms: number;
  p95Ms: number;
  /** Trimmed mean of Billed Duration (ms). */
  averageBilledMs: number;
  costPerInvocationUsd: number;
  costPerMillionUsd: number;
  maxMemoryUsedMB: number | null;
  predicted: { averageMs: number; costPerInvocationUsd: number } | null;
}

export function summarize(memoryMB: number, samples: readonly InvocationSample[], o: { discardTopBottom: number; architecture: Architecture }): PowerResult {
  const ok = samples.filter((s) => !s.error);
  const use = ok.length > 0 ? ok : samples;
  const durations = use.map((s) => s.durationMs);
  const billed = use.map((s) => s.billedMs);
  const averageBilledMs = trimmedMean(billed, o.discardTopBottom);
  // Cost from the average of per-invocation prices: billed duration is rounded per invocation.
  const cost = trimmedMean(use.map((s) => invocationCostUsd(memoryMB, s.billedMs, o.architecture)), o.discardTopBottom);
  const mem = samples.map((s) => s.maxMemoryUsedMB).filter((m): m is number => m !== null);
  return {
    memoryMB,
    invocations: samples.length,
    errors: samples.length - ok.length,
    coldStarts: samples.filter((s) => s.initMs !== null).length,
    averageMs: trimmedMean(durations, o.discardTopBottom),
    p50Ms: percentile(durations, 50),
    p95Ms: percentile(durations, 95),
    averageBilledMs,
    costPerInvocationUsd: cost,
    costPerMillionUsd: cost * 1e6,
    maxMemoryUsedMB: mem.length ? Math.max(...mem) : null,
    predicted: null,
  };
}

export interface Choice {
  strategy: Strategy;
  memoryMB: number;
  reason: string;
}

/** The memory size a strategy picks (Power Tuning's analyzer), with a sentence saying why. */
export function choose(results: readonly PowerResult[], strategy: Strategy, balancedWeight = 0.5): Choice {
  const usable = results.filter((r) => Number.isFinite(r.averageMs) && r.errors < r.invocations);
  if (usable.length === 0) throw new Error('no memory size produced a successful invocation');
  const w = Math.min(1, Math.max(0, balancedWeight));
  const maxCost = Math.max(...usable.map((r) => r.costPerInvocationUsd));
  const maxDuration = Math.max(...usable.map((r) => r.averageMs));
  const value = (r: PowerResult) => w * (r.costPerInvocationUsd / maxCost) + (1 - w) * (r.averageMs / maxDuration);
  const sorted = [...usable].sort((a, b) => {
    if (strategy === 'cost') return a.costPerInvocationUsd - b.costPerInvocationUsd || a.averageMs - b.averageMs;
    if (strategy === 'speed') return a.averageMs - b.averageMs || a.costPerInvocationUsd - b.costPerInvocationUsd;
    return value(a) - value(b);
  });
  const best = sorted[0]!;
  const usd = (v: number) => `$${(v * 1e6).toFixed(2)} per million`;
  const reason =
    strategy === 'cost'
      ? `cheapest: ${usd(best.costPerInvocationUsd)} at ${best.averageMs.toFixed(1)} ms average`
      : strategy === 'speed'
        ? `fastest: ${best.averageMs.toFixed(1)} ms average at ${usd(best.costPerInvocationUsd)}`
        : `balanced (weight ${w} on cost): score ${value(best).toFixed(3)} = ${w}·${(best.costPerInvocationUsd / maxCost).toFixed(3)} of the highest cost + ${(1 - w).toFixed(2)}·${(best.averageMs / maxDuration).toFixed(3)} of the longest duration`;
  return { strategy, memoryMB: best.memoryMB, reason };
}
