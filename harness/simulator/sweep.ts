/**
 * `simulate --sweep knob=from..to[:step]` (or `knob=v1,v2,…`): the same experiment simulated once
 * per value of one numeric knob, the outcome per value (a table and a chart-ready file), and the
 * smallest value whose prediction meets `expect.thresholds` (see contracts/series-thresholds.ts for "meets").
 * Knobs: a field of a function (reservedConcurrency, provisionedConcurrency, memoryMB,
 * timeoutSeconds), an event source (batchSize, maximumConcurrency, maximumBatchingWindowSeconds),
 * a queue (visibilityTimeoutSeconds, delaySeconds, maxReceiveCount), a scenario (rate, vus, …), the
 * account (concurrencyLimit), written `knob@name` when several parts have it; or any numeric
 * field by its dotted path in the resolved experiment (`system.functions.api.memoryMB`).
 */
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { checkExpectations, type ThresholdCheck } from '../contracts/series-thresholds.ts';
import { simulate, type SimulateOptions } from './simulate.ts';

export const SWEEP_SCHEMA = 'squall.sweep/v1';

const FUNCTION_KNOBS = ['reservedConcurrency', 'provisionedConcurrency', 'memoryMB', 'timeoutSeconds'];
const MAPPING_KNOBS = ['batchSize', 'maximumConcurrency', 'maximumBatchingWindowSeconds'];
const QUEUE_KNOBS = ['visibilityTimeoutSeconds', 'delaySeconds', 'maxReceiveCount', 'messageRetentionSeconds'];
const ACCOUNT_KNOBS = ['concurrencyLimit', 'idleExpirySeconds'];
const SCENARIO_KNOBS = ['rate', 'startRate', 'vus', 'startVUs', 'iterations', 'preAllocatedVUs', 'maxVUs', 'thinkTimeMs', 'retryOn429'];

export interface SweepSpec {
  /** As written, e.g. `reservedConcurrency@orders-api`. */
  knob: string;
  /** Dotted path in the resolved experiment that is set. */
  path: string[];
  values: number[];
}

function fail(message: string, hint: string): never {
  throw new SquallError(message, { exitCode: EXIT.invalidInput, hint });
}

/** Parse `knob=1..50`, `knob=0..1000:100` or `knob=1,2,5` against an experiment. */
export function parseSweep(spec: string, exp: ResolvedExperiment): SweepSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0) fail(`--sweep "${spec}" needs the form knob=from..to`, 'e.g. --sweep reservedConcurrency=1..50 or --sweep batchSize=1,5,10');
  const knob = spec.slice(0, eq).trim();
  const range = spec.slice(eq + 1).trim();
  let values: number[];
  const m = /^(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?$/.exec(range);
  if (m) {
    const from = Number(m[1]);
    const to = Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (!(step > 0) || to < from) fail(`--sweep ${knob}: range "${range}" is empty`, 'write from..to with from ≤ to, optionally :step with step > 0');
    values = [];
    for (let v = from; v <= to + 1e-9; v += step) values.push(Math.round(v * 1e9) / 1e9);
  } else {
    values = range.split(',').map((x) => Number(x.trim()));
    if (values.length === 0 || values.some((v) => !Number.isFinite(v))) fail(`--sweep ${knob}: "${range}" is not a range or a list of numbers`, 'e.g. 1..50, 0..1000:100 or 1,5,10');
  }
  if (values.length > 1000) fail(`--sweep ${knob}: ${values.length} values is too many`, 'sweep at most 1,000 values; use a :step');
  return { knob, path: resolveKnob(knob, exp), values };
}

function resolveKnob(knob: string, exp: ResolvedExperiment): string[] {
  if (knob.includes('.')) {
    const path = knob.split('.');
    const cur = getPath(exp, path);
    if (cur === undefined || (typeof cur !== 'number' && cur !== null)) fail(`--sweep ${knob}: no numeric field at that path of the resolved experiment`, 'use a short knob (reservedConcurrency, batchSize, memoryMB …) or a path like system.functions.<name>.memoryMB');
    return path;
  }
  const at = knob.indexOf('@');
  const field = at < 0 ? knob : knob.slice(0, at);
  const target = at < 0 ? null : knob.slice(at + 1);
  const pick = (kind: string, names: string[]): string => {
    if (target !== null) {
      if (!names.includes(target)) fail(`--sweep ${knob}: no ${kind} "${target}"`, `${kind}s: ${names.join(', ') || '(none)'}`);
      return target;
    }
    if (names.length === 1) return names[0]!;
    fail(`--sweep ${field} is ambiguous or has nothing to apply to`, names.length ? `name the ${kind}: ${field}@<${kind}> (one of ${names.join(', ')})` : `the experiment has no ${kind}`);
  };
  if (FUNCTION_KNOBS.includes(field)) return ['system', 'functions', pick('function', Object.keys(exp.system.functions)), field];
  if (MAPPING_KNOBS.includes(field)) {
    const ids = exp.system.eventSources.map((e) => e.id);
    const id = pick('event source', ids);
    return ['system', 'eventSources', String(ids.indexOf(id)), field];
  }
  if (QUEUE_KNOBS.includes(field)) {
    const name = pick('queue', Object.keys(exp.system.queues));
    return field === 'maxReceiveCount' ? ['system', 'queues', name, 'redrive', 'maxReceiveCount'] : ['system', 'queues', name, field];
  }
  if (ACCOUNT_KNOBS.includes(field)) return ['system', 'account', field];
  if (SCENARIO_KNOBS.includes(field)) return ['load', 'scenarios', pick('scenario', Object.keys(exp.load.scenarios)), field];
  fail(`--sweep: unknown knob "${field}"`, `knobs: ${[...FUNCTION_KNOBS, ...MAPPING_KNOBS, ...QUEUE_KNOBS, ...ACCOUNT_KNOBS, ...SCENARIO_KNOBS].join(', ')}, or a dotted path`);
}

function getPath(obj: unknown, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** A copy of the experiment with the knob set to `value`. */
export function withKnob(exp: ResolvedExperiment, path: string[], value: number): ResolvedExperiment {
  const copy = structuredClone(exp);
  let cur = copy as unknown as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = cur[path[i]!];
    if (next === null || typeof next !== 'object') fail(`--sweep: ${path.slice(0, i + 1).join('.')} is not set in this experiment`, 'sweep a knob the experiment defines (e.g. a queue without redrive has no maxReceiveCount)');
    cur = next as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
  return copy;
}

export interface SweepRow {
  value: number;
  met: boolean;
  checks: ThresholdCheck[];
  invocations: number;
  throttles: number;
  errors: number;
  coldStarts: number;
  status429: number;
  droppedIterations: number;
  deadLettered: number;
  peakConcurrency: number;
  latencyP95Ms: number | null;
  costUsd: number;
  projectedMonthlyUsd: number;
}

export interface SweepResult {
  schema: typeof SWEEP_SCHEMA;
  experiment: string;
  knob: string;
  path: string;
  rows: SweepRow[];
  /** Column arrays keyed like the row fields (for a chart: x = value). */
  columns: Record<string, Array<number | null>>;
  /** The smallest swept value whose prediction meets every `expect.thresholds`; null if none does. */
  smallestMeeting: number | null;
  /** True when the experiment has no thresholds (then every value "meets" trivially). */
  noThresholds: boolean;
  /** True when every swept value meets the thresholds: they do not constrain the knob, so no value is "the smallest". */
  allMeet: boolean;
  warnings: string[];
}

export function runSweep(exp: ResolvedExperiment, spec: SweepSpec, opts: SimulateOptions = {}): SweepResult {
  const rows: SweepRow[] = [];
  const warnings = new Set<string>();
  for (const value of spec.values) {
    const r = simulate(withKnob(exp, spec.path, value), opts);
    for (const w of r.warnings) warnings.add(w);
    const e = checkExpectations(r.series, exp.expect.thresholds);
    const fns = Object.values(r.totals.functions);
    const scs = Object.values(r.totals.scenarios);
    const sumOf = <T>(xs: T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
    const p95s = scs.map((s) => s.latencyP95Ms).filter((x): x is number => x !== null);
    rows.push({
      value,
      met: e.met,
      checks: e.checks,
      invocations: sumOf(fns, (f) => f.invocations),
      throttles: sumOf(fns, (f) => f.throttles),
      errors: sumOf(fns, (f) => f.errors),
      coldStarts: sumOf(fns, (f) => f.coldStarts),
      status429: sumOf(scs, (s) => s.status429),
      droppedIterations: sumOf(scs, (s) => s.droppedIterations),
      deadLettered: sumOf(Object.values(r.totals.queues), (q) => q.deadLettered),
      peakConcurrency: Math.max(0, ...fns.map((f) => f.peakConcurrency)),
      latencyP95Ms: p95s.length ? Math.max(...p95s) : null,
      costUsd: r.totals.costUsd,
      projectedMonthlyUsd: r.totals.projectedMonthlyUsd,
    });
  }
  const columns: Record<string, Array<number | null>> = {};
  const numericKeys = ['value', 'invocations', 'throttles', 'errors', 'coldStarts', 'status429', 'droppedIterations', 'deadLettered', 'peakConcurrency', 'latencyP95Ms', 'costUsd', 'projectedMonthlyUsd'] as const;
  for (const k of numericKeys) columns[k] = rows.map((r) => r[k]);
  columns['met'] = rows.map((r) => (r.met ? 1 : 0));
  const keys = [...new Set(rows.flatMap((r) => r.checks.map((c) => `${c.key} ${c.threshold}`)))];
  for (const k of keys) columns[k] = rows.map((r) => r.checks.find((c) => `${c.key} ${c.threshold}` === k)?.value ?? null);
  const meeting = rows.filter((r) => r.met).map((r) => r.value);
  return {
    schema: SWEEP_SCHEMA,
    experiment: exp.name,
    knob: spec.knob,
    path: spec.path.join('.'),
    rows,
    columns,
    smallestMeeting: meeting.length ? Math.min(...meeting) : null,
    noThresholds: Object.keys(exp.expect.thresholds).length === 0,
    allMeet: rows.length > 0 && meeting.length === rows.length,
    warnings: [...warnings],
  };
}

/** The sweep's answer in one sentence: the smallest value only when the thresholds pick one out. */
export function sweepConclusion(s: Pick<SweepResult, 'knob' | 'rows' | 'smallestMeeting' | 'noThresholds' | 'allMeet'>): string {
  if (s.noThresholds) return 'The experiment has no expect.thresholds, so every value meets them trivially.';
  if (s.smallestMeeting === null) return 'No swept value meets the expectations.';
  if (s.allMeet) {
    const vs = s.rows.map((r) => r.value);
    return `Every value (${s.knob} = ${Math.min(...vs)}–${Math.max(...vs)}) meets expect.thresholds: they do not constrain ${s.knob} in this range.`;
  }
  return `Smallest value meeting the expectations: ${s.knob} = ${s.smallestMeeting}`;
}
