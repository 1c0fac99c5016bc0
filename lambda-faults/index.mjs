/**
 * squall/lambda-faults: wrap a Lambda handler so it honours the function faults squall sets.
 * squall reaches a function only through the public API: for `inject-latency`, `inject-errors`
 * and `override-status` it puts a fault spec in the function's environment variable SQUALL_FAULTS
 * (UpdateFunctionConfiguration, journaled with the old environment and restored after the run).
 * This wrapper reads that variable on each invocation and applies it; with the variable absent
 * or empty the handler runs untouched. No dependencies: usable as a Lambda layer or an npm import.
 *
 * `decideFaults` is the one decision both this wrapper and squall's emulator make (the emulator
 * imports it), so a fault means the same thing on AWS and on the emulator. The spec's format is
 * described in README.md next to this file.
 *
 *   import { withFaults } from 'squall/lambda-faults';   // or from '/opt/nodejs/lambda-faults/index.mjs' in a layer
 *   export const handler = withFaults(async (event, context) => { ... });
 */

export const FAULTS_ENV = 'SQUALL_FAULTS';

/** The errorType an injected failure reports unless the spec names another. */
export const INJECTED_ERROR_TYPE = 'SquallInjectedError';

/** The error a fault throws: a function error as Lambda reports any other (errorType from `name`). */
export class SquallInjectedError extends Error {
  constructor(message, errorType = INJECTED_ERROR_TYPE) {
    super(message);
    this.name = errorType;
  }
}

/** The spec in the environment, or null; a spec that does not parse is ignored (and said once). */
export function readFaults(env = process.env) {
  const raw = env[FAULTS_ENV];
  if (!raw) return null;
  return parseFaults(raw);
}

/** The spec from its JSON text, or null when it is not a JSON object. */
export function parseFaults(raw) {
  try {
    const spec = JSON.parse(raw);
    return spec && typeof spec === 'object' && !Array.isArray(spec) ? spec : null;
  } catch {
    if (!parseFaults.warned) console.error(`squall/lambda-faults: ${FAULTS_ENV} is not JSON; no fault applied`);
    parseFaults.warned = true;
    return null;
  }
}

const hit = (percentage, random) => typeof percentage === 'number' && percentage > 0 && random() * 100 < percentage;
/** Each part is one entry or a list of them (overlapping faults of one kind). */
const entries = (part) => (Array.isArray(part) ? part : part && typeof part === 'object' ? [part] : []);

// ---------------------------------------------------------------------------------------------
// Latency distributions: the same quantile functions as squall's harness/contracts/distributions.ts
// (test/target/lambda-faults.test.ts checks they agree), copied because this file has no imports.

const Z99 = 2.3263478740408408;

function normalCdf(z) {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const y =
    t *
    Math.exp(
      -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - 0.5 * y : 0.5 * y;
}

function normalQuantile(p) {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Milliseconds at quantile q of a distribution in squall's resolved shape ({kind: 'normal', meanMs, stddevMs}, …). */
export function quantileMs(dist, q) {
  switch (dist && dist.kind) {
    case 'constant':
      return dist.ms;
    case 'uniform':
      return dist.minMs + q * (dist.maxMs - dist.minMs);
    case 'exponential':
      return -dist.meanMs * Math.log(1 - q);
    case 'lognormal': {
      const sigma = dist.p50Ms > 0 && dist.p99Ms > dist.p50Ms ? Math.log(dist.p99Ms / dist.p50Ms) / Z99 : 0;
      return sigma === 0 ? dist.p50Ms : dist.p50Ms * Math.exp(sigma * normalQuantile(q));
    }
    case 'normal': {
      if (dist.stddevMs <= 0) return Math.max(0, dist.meanMs);
      const lo = normalCdf(-dist.meanMs / dist.stddevMs);
      const x = dist.meanMs + dist.stddevMs * normalQuantile(lo + q * (1 - lo));
      return x > 0 && Number.isFinite(x) ? x : 0;
    }
    case 'empirical': {
      const pts = dist.percentiles || [];
      const p = q * 100;
      if (pts.length === 0) return 0;
      if (p <= pts[0].p) return pts[0].ms;
      for (let i = 1; i < pts.length; i++) {
        const hi = pts[i];
        if (p <= hi.p) {
          const lo = pts[i - 1];
          const span = hi.p - lo.p;
          return span <= 0 ? hi.ms : lo.ms + ((p - lo.p) / span) * (hi.ms - lo.ms);
        }
      }
      return pts[pts.length - 1].ms;
    }
    default:
      return 0;
  }
}

/** Milliseconds of added latency for one invocation (fixed, uniform, a distribution, or past the function's timeout). */
export function latencyMs(latency, context, random) {
  if (latency.timeout) {
    // Sleep past the deadline: Lambda ends the invocation with "Task timed out", as a real hang would.
    const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 0;
    return left + 1000;
  }
  if (latency.distribution) return quantileMs(latency.distribution, random());
  if (typeof latency.minMs === 'number' && typeof latency.maxMs === 'number') return latency.minMs + random() * (latency.maxMs - latency.minMs);
  return typeof latency.ms === 'number' ? latency.ms : 0;
}

/**
 * What the faults do to one invocation, drawn from `random` (0 ≤ x < 1) in a fixed order: each
 * latency entry (hit, then its value), each errors entry, each status entry. Latencies add up; any
 * errors hit fails the invocation (before the handler unless every hit entry says `runHandler`);
 * the first status hit replaces a successful response.
 */
export function decideFaults(spec, random, context) {
  let latency = 0;
  for (const l of entries(spec.latency)) if (hit(l.percentage, random)) latency += Math.max(0, latencyMs(l, context, random));
  let error = null;
  for (const e of entries(spec.errors)) {
    if (!hit(e.percentage, random)) continue;
    if (!error) error = { errorType: e.errorType || INJECTED_ERROR_TYPE, message: e.message || 'injected by squall (inject-errors)', runHandler: e.runHandler === true };
    else error.runHandler = error.runHandler && e.runHandler === true;
  }
  let status = null;
  for (const s of entries(spec.status)) {
    if (status || !hit(s.percentage, random)) continue;
    // A function URL / API Gateway response (payload format 2.0): the status replaces the handler's.
    const body = s.body ?? JSON.stringify({ message: `status overridden by squall (override-status ${s.statusCode})` });
    status = { statusCode: s.statusCode, headers: { 'content-type': 'application/json', 'x-squall-fault': 'override-status' }, body };
  }
  return { latencyMs: latency, error, status };
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
    const d = decideFaults(spec, random, context);
    if (d.latencyMs > 0) await sleep(d.latencyMs);
    if (d.error && !d.error.runHandler) throw new SquallInjectedError(d.error.message, d.error.errorType);
    const result = await call(event, context);
    if (d.error) throw new SquallInjectedError(d.error.message, d.error.errorType);
    return d.status ?? result;
  };
}
