/**
 * Function faults on the emulator: a function whose environment holds SQUALL_FAULTS (set by
 * squall's chaos part with UpdateFunctionConfiguration, as on AWS) behaves as if its handler were
 * wrapped in squall/lambda-faults, whatever runs inside (synthetic or handler code). The decision
 * is the wrapper's own `decideFaults`, so a spec means the same here and on AWS: added latency
 * counts against the timeout (past it, Lambda's "Task timed out"), injected errors are function
 * errors with the spec's errorType, a status override replaces a successful response.
 */
import type { Clock } from '../../../contracts/clock.ts';
import { decideFaults, FAULTS_ENV, parseFaults, type FaultSpec } from '../../../../lambda-faults/index.mjs';
import { errorPayload, timeoutOutcome, type EnvironmentRuntime, type InvokeOutcome, type InvokeRequest } from './runtime.ts';

export type { FaultSpec };

const parsed = new WeakMap<Record<string, string>, FaultSpec | null>();

/** The fault spec of an environment map, parsed once per map (an update replaces the map). */
export function faultsOf(env: Record<string, string>): FaultSpec | null {
  let spec = parsed.get(env);
  if (spec === undefined) {
    const raw = env[FAULTS_ENV];
    spec = raw ? parseFaults(raw) : null;
    parsed.set(env, spec);
  }
  return spec;
}

/**
 * The environment a handler's worker sees: without SQUALL_FAULTS, because the emulator applies
 * the faults itself, and a handler wrapped in squall/lambda-faults must not apply them twice.
 */
export function withoutFaults(env: Record<string, string>): Record<string, string> {
  if (!(FAULTS_ENV in env)) return env;
  const { [FAULTS_ENV]: _faults, ...rest } = env;
  return rest;
}

/** Run one invocation on `runtime` under `spec`; `random` is the function's seeded stream. */
export function invokeWithFaults(
  spec: FaultSpec,
  runtime: EnvironmentRuntime,
  req: InvokeRequest,
  timeoutSeconds: number,
  clock: Clock,
  random: () => number,
  done: (o: InvokeOutcome) => void,
): void {
  const timeoutMs = timeoutSeconds * 1000;
  const d = decideFaults(spec, random, { getRemainingTimeInMillis: () => timeoutMs });
  const latency = d.latencyMs;
  if (latency >= timeoutMs) {
    // The sleep outlasts the function: Lambda stops it at its timeout and resets the environment.
    clock.setTimer(() => done(timeoutOutcome(req.requestId, timeoutSeconds)), timeoutMs);
    return;
  }
  const injected = (durationMs: number, log: string): InvokeOutcome => ({
    payload: errorPayload(d.error!.errorType, d.error!.message),
    functionError: true,
    fatal: false,
    durationMs,
    log,
  });
  const run = () => {
    if (d.error && !d.error.runHandler) {
      done(injected(latency, ''));
      return;
    }
    // The handler has what the sleep left of the timeout (context.getRemainingTimeInMillis too).
    runtime.invoke(latency > 0 ? { ...req, remainingMs: timeoutMs - latency } : req, (o) => {
      const durationMs = Math.min(timeoutMs, o.durationMs + latency);
      if (o.functionError) done({ ...o, durationMs });
      else if (d.error) done(injected(durationMs, o.log));
      else if (d.status) done({ payload: JSON.stringify(d.status), functionError: false, fatal: false, durationMs, log: o.log, value: d.status });
      else done(latency > 0 ? { ...o, durationMs } : o);
    });
  };
  if (latency > 0) clock.setTimer(run, latency);
  else run();
}
