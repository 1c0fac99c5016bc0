/**
 * Loads the k6-side library (`k6-scripts/*.js`) in Node for tests. The modules import `k6`,
 * `k6/crypto`, `k6/http` and `k6/metrics`, which only exist inside k6; here each is replaced by
 * a small shim (the boundary we do not own): `k6/crypto` is backed by node:crypto, `k6/http`
 * records every request and sends it for real with fetch (returning a Promise, as squall's embedded
 * engine does; the library awaits every call), `k6/metrics` and `check` record what was added.
 * The library files are copied to a temp folder with the k6 specifiers rewritten to the shims.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface RecordedRequest {
  method: string;
  url: string;
  body: string | null;
  headers: Record<string, string>;
  params: Record<string, unknown>;
}

export interface ShimState {
  requests: RecordedRequest[];
  /** When set, answers requests instead of sending them. */
  respond: ((req: RecordedRequest) => { status: number; body: string; headers?: Record<string, string> }) | null;
  metrics: Record<string, Array<{ value: number; tags: Record<string, string> | undefined }>>;
  checks: Array<{ name: string; ok: boolean }>;
  sleeps: number[];
}

const LIB = resolve(import.meta.dirname, '../../k6-scripts');

const SHIMS: Record<string, string> = {
  k6: `
const state = globalThis.__k6shim;
export function sleep(s) { state.sleeps.push(s); return Promise.resolve(); }
export function check(val, sets, tags) {
  let all = true;
  for (const name of Object.keys(sets)) {
    const ok = !!sets[name](val);
    state.checks.push({ name, ok });
    all = all && ok;
  }
  return all;
}
`,
  'k6/crypto': `
import nodeCrypto from 'node:crypto';
const toBuf = (x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(new Uint8Array(x)));
const out = (buf, enc) => {
  if (enc === 'binary') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return buf.toString(enc);
};
export function hmac(alg, key, data, enc) { return out(nodeCrypto.createHmac(alg, toBuf(key)).update(toBuf(data)).digest(), enc); }
export function sha256(data, enc) { return out(nodeCrypto.createHash('sha256').update(toBuf(data)).digest(), enc); }
export default { hmac, sha256 };
`,
  'k6/http': `
const state = globalThis.__k6shim;
async function request(method, url, body, params) {
  const p = params || {};
  const req = { method, url, body: body === undefined ? null : body, headers: { ...(p.headers || {}) }, params: p };
  state.requests.push(req);
  if (state.respond) {
    const r = state.respond(req);
    return { status: r.status, body: r.body, headers: r.headers || {}, timings: { duration: 0 } };
  }
  const t0 = performance.now();
  const res = await fetch(url, { method, body: req.body === null ? undefined : req.body, headers: req.headers });
  const text = await res.text();
  return { status: res.status, body: text, headers: Object.fromEntries(res.headers), timings: { duration: performance.now() - t0 } };
}
function post(url, body, params) { return request('POST', url, body, params); }
function expectedStatuses(...s) { return { expectedStatuses: s }; }
export default { request, post, expectedStatuses };
`,
  'k6/metrics': `
const state = globalThis.__k6shim;
class Metric {
  constructor(name) { this.name = name; state.metrics[name] = state.metrics[name] || []; }
  add(value, tags) { state.metrics[this.name].push({ value: typeof value === 'boolean' ? (value ? 1 : 0) : value, tags }); }
}
export class Counter extends Metric {}
export class Rate extends Metric {}
export class Trend extends Metric {}
export class Gauge extends Metric {}
`,
};

export const shim: ShimState = { requests: [], respond: null, metrics: {}, checks: [], sleeps: [] };
(globalThis as { __k6shim?: ShimState }).__k6shim = shim;

export function resetShim(): void {
  shim.requests.length = 0;
  shim.respond = null;
  for (const k of Object.keys(shim.metrics)) shim.metrics[k] = [];
  shim.checks.length = 0;
  shim.sleeps.length = 0;
}

/** Sum of a metric's values, optionally only samples whose tags include `tags`. */
export function metricSum(name: string): number {
  return (shim.metrics[name] ?? []).reduce((a, s) => a + s.value, 0);
}

let dir: string | null = null;

function prepare(): string {
  if (dir !== null) return dir;
  dir = mkdtempSync(join(tmpdir(), 'squall-k6-shim-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  const shimFile = (spec: string): string => `__shim_${spec.replace(/\//g, '-')}.js`;
  for (const [spec, code] of Object.entries(SHIMS)) writeFileSync(join(dir, shimFile(spec)), code);
  for (const f of readdirSync(LIB).filter((x) => x.endsWith('.js'))) {
    const src = readFileSync(join(LIB, f), 'utf8').replace(/from '(k6(?:\/[a-z]+)?)';/g, (_m, spec: string) => {
      if (!(spec in SHIMS)) throw new Error(`k6-shim: no shim for '${spec}' (imported by ${f})`);
      return `from './${shimFile(spec)}';`;
    });
    writeFileSync(join(dir, f), src);
  }
  return dir;
}

/** Import one library module (e.g. `sigv4.js`) with the k6 shims. */
export async function importK6Module<T = Record<string, any>>(file: string): Promise<T> {
  return (await import(pathToFileURL(join(prepare(), file)).href)) as T;
}

let scriptCounter = 0;

/**
 * Import a whole generated script (k6 imports rewritten to the shims). Its globals `__ENV`,
 * `__VU`, `__ITER` are read from globalThis, so set them before calling exec functions.
 */
export async function importK6Script<T = Record<string, any>>(source: string): Promise<T> {
  const d = prepare();
  const shimFile = (spec: string): string => `__shim_${spec.replace(/\//g, '-')}.js`;
  const code = source.replace(/from '(k6(?:\/[a-z]+)?)';/g, (_m, spec: string) => {
    if (!(spec in SHIMS)) throw new Error(`k6-shim: no shim for '${spec}'`);
    return `from './${shimFile(spec)}';`;
  });
  const file = join(d, `script-${++scriptCounter}.js`);
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as T;
}

/** Set the k6 globals the generated code reads. */
export function setK6Globals(env: Record<string, string>, vu = 1, iter = 0): void {
  const g = globalThis as Record<string, unknown>;
  g.__ENV = env;
  g.__VU = vu;
  g.__ITER = iter;
}
