/**
 * squall/lambda-faults: wrap a Lambda handler so it honours the function faults squall sets.
 * squall reaches a function only through the public API: for `inject-latency`, `inject-errors`
 * and `override-status` it puts a fault spec in the function's environment variable SQUALL_FAULTS
 * (UpdateFunctionConfiguration, journaled with the old environment and restored after the run).
 * This wrapper reads that variable on each invocation and applies it; with the variable absent
 * or empty the handler runs untouched. No dependencies: usable as a Lambda layer or an npm import.
 *
 *   import { withFaults } from 'squall/lambda-faults';   // or from '/opt/nodejs/lambda-faults/index.mjs' in a layer
 *   export const handler = withFaults(async (event, context) => { ... });
 */

export const FAULTS_ENV = 'SQUALL_FAULTS';

/** The error a fault throws: a function error as Lambda reports any other (errorType SquallInjectedError). */
export class SquallInjectedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SquallInjectedError';
  }
}

/** The spec in the environment, or null; a spec that does not parse is ignored (and said once). */
export function readFaults(env = process.env) {
  const raw = env[FAULTS_ENV];
  if (!raw) return null;
  try {
    const spec = JSON.parse(raw);
    return spec && typeof spec === 'object' ? spec : null;
  } catch {
    if (!readFaults.warned) console.error(`squall/lambda-faults: ${FAULTS_ENV} is not JSON; no fault applied`);
    readFaults.warned = true;
    return null;
  }
}

const hit = (percentage, random) => typeof percentage === 'number' && percentage > 0 && random() * 100 < percentage;

/** Milliseconds of added latency for one invocation (fixed, uniform, or past the function's timeout). */
export function latencyMs(latency, context, random) {
  if (latency.timeout) {
    // Sleep past the deadline: Lambda ends the invocation with "Task timed out", as a real hang would.
    const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 0;
    return left + 1000;
  }
  if (typeof latency.minMs === 'number' && typeof latency.maxMs === 'number') return latency.minMs + random() * (latency.maxMs - latency.minMs);
  return typeof latency.ms === 'number' ? latency.ms : 0;
}

/**
 * Wrap `handler` (async, or callback-style with 3 parameters). Options are for tests: `env`,
 * `random` (0 ≤ x < 1) and `sleep`.
 */
export function withFaults(handler, options = {}) {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const env = options.env ?? process.env;
  const call = (event, context) =>
    handler.length >= 3
      ? new Promise((resolve, reject) => {
          const r = handler(event, context, (err, res) => (err ? reject(err) : resolve(res)));
          if (r && typeof r.then === 'function') r.then(resolve, reject);
        })
      : handler(event, context);
  return async function squallFaultsHandler(event, context) {
    const spec = readFaults(env);
    if (!spec) return call(event, context);
    if (spec.latency && hit(spec.latency.percentage, random)) await sleep(latencyMs(spec.latency, context, random));
    const fail = spec.errors && hit(spec.errors.percentage, random);
    const message = (spec.errors && spec.errors.message) || 'injected by squall (inject-errors)';
    if (fail && !spec.errors.runHandler) throw new SquallInjectedError(message);
    const result = await call(event, context);
    if (fail) throw new SquallInjectedError(message);
    if (spec.status && hit(spec.status.percentage, random)) {
      // A function URL / API Gateway response (payload format 2.0): the status replaces the handler's.
      const body = spec.status.body ?? JSON.stringify({ message: `status overridden by squall (override-status ${spec.status.statusCode})` });
      return { statusCode: spec.status.statusCode, headers: { 'content-type': 'application/json', 'x-squall-fault': 'override-status' }, body };
    }
    return result;
  };
}
