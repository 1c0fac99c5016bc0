/**
 * squall's side of the function-fault contract: what an `inject-latency`, `inject-errors` or
 * `override-status` fault writes into the function's environment variable SQUALL_FAULTS, which
 * lambda-faults/index.mjs (the wrapper a user's handler runs in, and the emulator) reads. The
 * format is that module's (lambda-faults/README.md); faults on one function stack: each adds its
 * entry to the spec already there, so the variable holds every fault in force.
 */
import { FAULTS_ENV, type ErrorsEntry, type FaultSpec, type LatencyEntry, type StatusEntry } from '../../lambda-faults/index.mjs';
import type { DurationDistribution, FunctionFaultAction, ResolvedFaultAction } from '../experiment/types.ts';

export { FAULTS_ENV };

export function isFunctionFault(a: ResolvedFaultAction): a is FunctionFaultAction {
  return a.action === 'inject-latency' || a.action === 'inject-errors' || a.action === 'override-status';
}

export function latencyEntry(latency: DurationDistribution, percentage: number): LatencyEntry {
  // The wrapper's plainest forms where they fit; any other shape travels whole.
  if (latency.kind === 'constant') return { percentage, ms: latency.ms };
  if (latency.kind === 'uniform') return { percentage, minMs: latency.minMs, maxMs: latency.maxMs };
  return { percentage, distribution: latency };
}

function push<T>(part: T | T[] | undefined, entry: T): T | T[] {
  if (part === undefined) return entry;
  return Array.isArray(part) ? [...part, entry] : [part, entry];
}

/** The spec text with one more fault in force; `current` is the variable's value now (or absent). */
export function addFault(current: string | undefined, a: FunctionFaultAction): string {
  let spec: FaultSpec = {};
  if (current) {
    try {
      const v: unknown = JSON.parse(current);
      if (v && typeof v === 'object' && !Array.isArray(v)) spec = v as FaultSpec;
    } catch {
      // Not a spec (the wrapper would ignore it too): this fault's spec replaces it.
    }
  }
  switch (a.action) {
    case 'inject-latency':
      return JSON.stringify({ ...spec, latency: push(spec.latency, latencyEntry(a.latency, a.percentage)) });
    case 'inject-errors': {
      const e: ErrorsEntry = { percentage: a.percentage, runHandler: a.runHandler, errorType: a.errorType };
      return JSON.stringify({ ...spec, errors: push(spec.errors, e) });
    }
    case 'override-status': {
      const s: StatusEntry = { percentage: a.percentage, statusCode: a.statusCode };
      return JSON.stringify({ ...spec, status: push(spec.status, s) });
    }
  }
}

/** The environment a function holds with `a` added on top of `variables` (null: no environment). */
export function withFault(variables: Record<string, string> | null, a: FunctionFaultAction): Record<string, string> {
  return { ...(variables ?? {}), [FAULTS_ENV]: addFault(variables?.[FAULTS_ENV], a) };
}

/** "latency 300 ms on 50 %", for plans, events and reports. */
export function describeFunctionFault(a: FunctionFaultAction): string {
  const pct = `${a.percentage} %`;
  switch (a.action) {
    case 'inject-latency':
      return `latency ${describeLatency(a.latency)} on ${pct} of invocations of ${a.function}`;
    case 'inject-errors':
      return `${a.errorType} on ${pct} of invocations of ${a.function}${a.runHandler ? ' (after the handler runs)' : ''}`;
    case 'override-status':
      return `status ${a.statusCode} on ${pct} of responses of ${a.function}`;
  }
}

function describeLatency(d: DurationDistribution): string {
  switch (d.kind) {
    case 'constant':
      return `${d.ms} ms`;
    case 'uniform':
      return `${d.minMs}–${d.maxMs} ms`;
    case 'normal':
      return `normal(mean ${d.meanMs} ms, stddev ${d.stddevMs} ms)`;
    case 'lognormal':
      return `lognormal(p50 ${d.p50Ms} ms, p99 ${d.p99Ms} ms)`;
    case 'exponential':
      return `exponential(mean ${d.meanMs} ms)`;
    case 'empirical':
      return `empirical(${d.percentiles.map((x) => `p${x.p} ${x.ms} ms`).join(', ')})`;
  }
}

/** An environment as the plan and messages show it: variable names only (values may be secrets). */
export function describeEnvironment(variables: Record<string, string> | null): string {
  const names = Object.keys(variables ?? {}).sort();
  if (names.length === 0) return 'no environment variables';
  const faults = variables?.[FAULTS_ENV];
  const others = names.filter((n) => n !== FAULTS_ENV);
  return [others.length ? `${others.length} variable(s): ${others.join(', ')}` : '', faults !== undefined ? `${FAULTS_ENV}=${faults}` : ''].filter(Boolean).join('; ');
}

/** Two environments are the same when their maps are: no environment is an empty one. */
export function sameEnvironment(a: Record<string, string> | null, b: Record<string, string> | null): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  return kx.every((k) => Object.prototype.hasOwnProperty.call(y, k) && y[k] === x[k]);
}
