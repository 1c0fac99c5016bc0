/**
 * `squall tune`: AWS Lambda Power Tuning's procedure through the public API, with squall's
 * prediction beside each measurement. For each memory size: change the function's memory
 * (UpdateFunctionConfiguration, journaled like every fault, read back once the update has
 * settled), invoke it `num` times with `LogType: Tail`, read Duration and Billed Duration from the
 * REPORT line, price the invocations; at the end put the original memory back (read back), so a
 * crash mid-tune is undone by `squall restore <tune folder>`.
 */
import { InvokeCommand, GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { quantileDuration, type DurationDistribution } from '../contracts/distributions.ts';
import type { Journal } from '../chaos/journal.ts';
import { writeVerified, type ResourceState } from '../chaos/resources.ts';
import type { ResolvedFunction } from '../experiment/types.ts';
import { durationScale } from '../rules/memory-cpu.ts';
import type { TargetClients } from '../target/clients.ts';
import { choose, invocationCostUsd, parseReportLine, summarize, type Choice, type InvocationSample, type PowerResult, type Strategy } from './analysis.ts';

export const TUNE_SCHEMA = 'squall.tune/v1';

export interface WeightedPayload {
  payload: unknown;
  weight: number;
}

export interface TuneOptions {
  functionName: string;
  memoryMB: number[];
  num: number;
  payloads: WeightedPayload[];
  parallel: boolean;
  onlyColdStarts: boolean;
  strategy: Strategy;
  balancedWeight: number;
  discardTopBottom: number;
  /** The experiment's function, when it has one: its model gives the prediction. */
  model: ResolvedFunction | null;
  architecture: 'x86_64' | 'arm64';
  /** How long one configuration change may take to settle and read back. */
  settleDeadlineMs?: number;
  log?: (line: string) => void;
}

export interface TuneResult {
  schema: typeof TUNE_SCHEMA;
  function: string;
  originalMemoryMB: number;
  options: { num: number; parallel: boolean; onlyColdStarts: boolean; discardTopBottom: number; strategy: Strategy; balancedWeight: number };
  results: PowerResult[];
  best: Record<Strategy, Choice>;
  chosen: Choice;
}

/** The payload of each of `num` invocations: weighted payloads in proportion, in order. */
export function expandPayloads(payloads: WeightedPayload[], num: number): unknown[] {
  if (payloads.length === 0) return new Array<unknown>(num).fill({});
  const total = payloads.reduce((a, p) => a + p.weight, 0);
  const out: unknown[] = [];
  let carried = 0;
  for (const [i, p] of payloads.entries()) {
    const exact = (num * p.weight) / total + carried;
    const n = i === payloads.length - 1 ? num - out.length : Math.round(exact);
    carried = exact - n;
    for (let k = 0; k < n && out.length < num; k++) out.push(p.payload);
  }
  return out;
}

/** The model's duration distribution of a function: synthetic, or the calibrated fit of a handler. */
function modelDistribution(f: ResolvedFunction): DurationDistribution | null {
  return f.synthetic?.duration ?? f.calibrated ?? null;
}

/**
 * What squall's model predicts at `memoryMB`: the trimmed mean of the duration distribution (the
 * integral of its quantile function between the trimmed tails), scaled by memory's CPU share, and
 * the price of an invocation of that billed length.
 */
export function predictAt(f: ResolvedFunction, memoryMB: number, discard: number, architecture: 'x86_64' | 'arm64'): PowerResult['predicted'] {
  const dist = modelDistribution(f);
  if (!dist) return null;
  const scale = durationScale(f.cpu ?? null, memoryMB);
  const steps = 400;
  const lo = Math.min(0.49, discard);
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += quantileDuration(dist, lo + ((i + 0.5) / steps) * (1 - 2 * lo));
  const averageMs = (sum / steps) * scale;
  return { averageMs, costPerInvocationUsd: invocationCostUsd(memoryMB, Math.ceil(averageMs), architecture) };
}

async function invokeOnce(c: TargetClients, fn: string, payload: unknown): Promise<InvocationSample> {
  const r = await c.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }));
  const report = r.LogResult ? parseReportLine(Buffer.from(r.LogResult, 'base64').toString('utf8')) : null;
  if (!report) throw new Error(`the invoke of ${fn} returned no REPORT line in its log tail (LogType: Tail); squall tune reads durations from it`);
  return { ...report, error: r.FunctionError !== undefined };
}

/** Runs the tuning; `journal` receives a planned line before every change and restored lines at the end. */
export async function tune(c: TargetClients, journal: Journal, o: TuneOptions): Promise<TuneResult> {
  const log = o.log ?? (() => {});
  const cfg = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: o.functionName }));
  if (cfg.MemorySize === undefined) throw new Error(`GetFunctionConfiguration of ${o.functionName} gave no MemorySize`);
  const original: ResourceState = { kind: 'function-memory', function: o.functionName, value: cfg.MemorySize };
  const originalDescription = cfg.Description ?? '';
  // --only-cold-starts changes the Description before every invocation: journaled once, with the
  // original, before the first change, so `squall restore` puts it back after a crash.
  const description: ResourceState = { kind: 'function-description', function: o.functionName, value: originalDescription };
  let descriptionId = 0;
  const deadline = () => ({ deadlineAt: Date.now() + (o.settleDeadlineMs ?? 60_000) });
  const payloads = expandPayloads(o.payloads, o.num);
  const results: PowerResult[] = [];
  let faultId = 0;
  const at = () => new Date().toISOString();
  try {
    for (const memoryMB of o.memoryMB) {
      const id = ++faultId;
      const target: ResourceState = { kind: 'function-memory', function: o.functionName, value: memoryMB };
      journal.write({ event: 'planned', faultId: id, action: 'set-memory', resource: `function-memory:${o.functionName}`, previous: original, target, change: { memoryMB }, at: at() });
      await writeVerified(c, target, deadline());
      journal.write({ event: 'applied', faultId: id, action: 'set-memory', detail: { memoryMB }, at: at() });
      const samples: InvocationSample[] = [];
      if (o.onlyColdStarts) {
        if (!descriptionId) {
          descriptionId = ++faultId;
          journal.write({ event: 'planned', faultId: descriptionId, action: 'set-description', resource: `function-description:${o.functionName}`, previous: description, target: { ...description, value: `${originalDescription} (squall tune cold start …)` }, change: { description: 'a new value before each invocation' }, at: at() });
        }
        // Any configuration update makes Lambda start new execution environments: one per invocation.
        for (const [i, p] of payloads.entries()) {
          await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: o.functionName, Description: `${originalDescription}${originalDescription ? ' ' : ''}(squall tune cold start ${i})` }));
          await waitSettled(c, o.functionName, deadline().deadlineAt);
          samples.push(await invokeOnce(c, o.functionName, p));
        }
      } else if (o.parallel) {
        samples.push(...(await Promise.all(payloads.map((p) => invokeOnce(c, o.functionName, p)))));
      } else {
        for (const p of payloads) samples.push(await invokeOnce(c, o.functionName, p));
      }
      const r = summarize(memoryMB, samples, { discardTopBottom: o.discardTopBottom, architecture: o.architecture });
      r.predicted = o.model ? predictAt(o.model, memoryMB, o.discardTopBottom, o.architecture) : null;
      results.push(r);
      log(`${String(memoryMB).padStart(5)} MB: ${r.averageMs.toFixed(1)} ms average, $${r.costPerMillionUsd.toFixed(2)} per million${r.predicted ? ` (predicted ${r.predicted.averageMs.toFixed(1)} ms)` : ''}${r.errors ? `, ${r.errors} error(s)` : ''}`);
    }
  } finally {
    if (descriptionId) {
      await waitSettled(c, o.functionName, deadline().deadlineAt);
      const readBack = await writeVerified(c, description, deadline());
      journal.write({ event: 'restored', faultId: descriptionId, previous: description, to: description, readBack, at: at() });
      log(`description of ${o.functionName} back to ${JSON.stringify(originalDescription)} (read back)`);
    }
    const readBack = await writeVerified(c, original, deadline());
    for (let id = 1; id <= faultId; id++) if (id !== descriptionId) journal.write({ event: 'restored', faultId: id, previous: original, to: original, readBack, at: at() });
    log(`memory of ${o.functionName} back to ${original.value} MB (read back)`);
  }
  const best = { cost: choose(results, 'cost'), speed: choose(results, 'speed'), balanced: choose(results, 'balanced', o.balancedWeight) };
  return {
    schema: TUNE_SCHEMA,
    function: o.functionName,
    originalMemoryMB: original.value,
    options: { num: o.num, parallel: o.parallel, onlyColdStarts: o.onlyColdStarts, discardTopBottom: o.discardTopBottom, strategy: o.strategy, balancedWeight: o.balancedWeight },
    results,
    best,
    chosen: best[o.strategy],
  };
}

async function waitSettled(c: TargetClients, fn: string, deadlineAt: number): Promise<void> {
  for (;;) {
    const r = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    if (r.LastUpdateStatus !== 'InProgress') return;
    if (Date.now() > deadlineAt) throw new Error(`the configuration update of ${fn} did not settle in time`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
