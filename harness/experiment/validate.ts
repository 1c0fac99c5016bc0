/**
 * Validation of an experiment: every problem at once, each with file, line, column, the field path,
 * what is wrong and a hint. Three layers: the zod schema (shapes, types, unknown keys with "did you
 * mean"), per-kind rules for scenarios and faults (which k6 options an executor takes), and
 * cross-field rules, written in AWS's own wording wherever AWS itself rejects the configuration.
 * Warnings flag the AWS anti-patterns that make experiments lie (e.g. visibility timeout < 6×).
 */
import { existsSync } from 'node:fs';
import type { z } from 'zod';
import { ESM, LAMBDA, LAMBDA_ASYNC, SQS } from '../contracts/aws-facts.ts';
import { isSeriesName, SERIES } from '../contracts/series.ts';
import { parseDuration } from './duration.ts';
import { parseSeriesCondition, SERIES_AGGREGATES } from '../contracts/series-thresholds.ts';
import { EXPERIMENT_ALIAS, EXPERIMENT_VERSION, eventSourceId, executorDurationMs, resolveExperiment } from './resolve.ts';
import { EXECUTORS, ExperimentSchema, FAULT_ACTIONS, TEMPLATES, type ExperimentInput } from './schema.ts';
import type { ExperimentSource, PathPart, SourcePosition } from './source.ts';
import type { DurationDistribution, ResolvedExperiment, ResolvedScenario } from './types.ts';
import { meanDuration } from '../contracts/distributions.ts';

export interface Diagnostic {
  severity: 'error' | 'warning';
  file: string;
  position?: SourcePosition;
  path: PathPart[];
  message: string;
  hint?: string;
}

export interface ValidationResult {
  experiment?: ResolvedExperiment;
  diagnostics: Diagnostic[];
  /** The file could not be read at all (missing, a folder, too large): its one error is about the file, not a field. */
  unreadable?: boolean;
}

export function formatPath(p: readonly PathPart[]): string {
  let s = '';
  for (const part of p) {
    if (typeof part === 'number') s += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) s += s ? `.${part}` : part;
    else s += `[${JSON.stringify(part)}]`;
  }
  return s || '(top level)';
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.position ? `${d.file}:${d.position.line}:${d.position.column}` : d.file;
  const head = `${where}: ${d.severity}: ${formatPath(d.path)}: ${d.message}`;
  return d.hint ? `${head}\n    hint: ${d.hint}` : head;
}

// ---------------------------------------------------------------------------------------------
// "did you mean"

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[x.length]![y.length]!;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  const limit = word.length <= 4 ? 1 : word.length <= 6 ? 2 : 3;
  return bestD <= limit ? best : undefined;
}

/** Known keys of the zod schema at a data path (objects, records, arrays, unions, optionals). */
function knownKeysAt(schema: z.ZodType, p: readonly PathPart[]): string[] {
  let nodes: unknown[] = [schema];
  const unwrap = (n: unknown): unknown[] => {
    const def = (n as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        return unwrap(def.innerType);
      case 'pipe':
        return unwrap(def.in);
      case 'union':
        return (def.options as unknown[]).flatMap(unwrap);
      default:
        return [n];
    }
  };
  const defOf = (n: unknown) => (n as { _zod: { def: Record<string, unknown> } })._zod.def;
  for (const part of p) {
    const next: unknown[] = [];
    for (const n of nodes.flatMap(unwrap)) {
      const def = defOf(n);
      if (def.type === 'object') {
        const shape = def.shape as Record<string, unknown>;
        if (typeof part === 'string' && shape[part]) next.push(shape[part]);
      } else if (def.type === 'record') next.push(def.valueType);
      else if (def.type === 'array') next.push(def.element);
    }
    nodes = next;
  }
  const keys = new Set<string>();
  for (const n of nodes.flatMap(unwrap)) {
    const def = defOf(n);
    if (def.type === 'object') for (const k of Object.keys(def.shape as object)) keys.add(k);
  }
  return [...keys];
}

// ---------------------------------------------------------------------------------------------
// Per-kind option sets

const COMMON_SCENARIO_KEYS = ['template', 'executor', 'startTime', 'gracefulStop', 'env', 'tags', 'arrival', 'thinkTime'];
const EXECUTOR_KEYS: Record<(typeof EXECUTORS)[number], { allowed: string[]; required: string[] }> = {
  'shared-iterations': { allowed: ['vus', 'iterations', 'maxDuration'], required: [] },
  'per-vu-iterations': { allowed: ['vus', 'iterations', 'maxDuration'], required: [] },
  'constant-vus': { allowed: ['vus', 'duration'], required: ['duration'] },
  'ramping-vus': { allowed: ['startVUs', 'stages', 'gracefulRampDown'], required: ['stages'] },
  'constant-arrival-rate': { allowed: ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'], required: ['rate', 'duration', 'preAllocatedVUs'] },
  'ramping-arrival-rate': { allowed: ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'], required: ['stages', 'preAllocatedVUs'] },
};
const TEMPLATE_KEYS: Record<string, { allowed: string[]; required: string[] }> = {
  http: { allowed: ['url', 'method', 'headers', 'body', 'expectedStatuses', 'checks', 'retryOn429'], required: ['url'] },
  'sqs-producer': { allowed: ['queue', 'batchSize', 'body', 'messageGroupId', 'poison'], required: ['queue'] },
  'lambda-invoke': { allowed: ['function', 'invocationType', 'payload', 'retryOn429'], required: ['function'] },
  custom: { allowed: ['vars'], required: [] },
};
const ALL_EXECUTOR_KEYS = new Set(Object.values(EXECUTOR_KEYS).flatMap((e) => e.allowed));
const ALL_TEMPLATE_KEYS = new Set(Object.values(TEMPLATE_KEYS).flatMap((e) => e.allowed));

const FAULT_KEYS: Record<(typeof FAULT_ACTIONS)[number], { allowed: string[]; required: string[] }> = {
  'set-reserved-concurrency': { allowed: ['function', 'value'], required: ['function', 'value'] },
  'remove-reserved-concurrency': { allowed: ['function'], required: ['function'] },
  'set-provisioned-concurrency': { allowed: ['function', 'value', 'qualifier'], required: ['function', 'value'] },
  'disable-event-source': { allowed: ['eventSource'], required: ['eventSource'] },
  'enable-event-source': { allowed: ['eventSource'], required: ['eventSource'] },
  'update-event-source': { allowed: ['eventSource', 'batchSize', 'maximumConcurrency'], required: ['eventSource'] },
  'inject-poison': { allowed: ['queue', 'count', 'rate', 'kind'], required: ['queue'] },
  'inject-latency': { allowed: ['function', 'latency', 'percentage'], required: ['function', 'latency'] },
  'inject-errors': { allowed: ['function', 'percentage', 'runHandler', 'errorType'], required: ['function'] },
  'override-status': { allowed: ['function', 'statusCode', 'percentage'], required: ['function', 'statusCode'] },
};

/** k6's threshold grammar (k6-contract §3.1). */
const THRESHOLD_EXPR = /^\s*(count|rate|value|avg|min|max|med|p\(\s*\d+(\.\d+)?\s*\))\s*(<=|<|>=|>|===|==|!=)\s*[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?\s*$/i;
const K6_BUILTIN_METRICS = new Set([
  'vus', 'vus_max', 'iterations', 'iteration_duration', 'dropped_iterations', 'data_received', 'data_sent', 'checks',
  'http_reqs', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting',
  'http_req_receiving', 'http_req_duration', 'http_req_failed', 'group_duration',
  // squall's k6-side custom metrics (k6-scripts/metrics.js)
  'squall_messages_sent', 'squall_poison_sent', 'squall_throttled', 'squall_invocations',
]);


// ---------------------------------------------------------------------------------------------

/**
 * Limits on what one experiment file may declare. Not AWS's limits: they keep a hostile or
 * generated file from making squall build thousands of resources or start thousands of loops.
 */
export const EXPERIMENT_LIMITS = {
  scenarios: 100,
  functions: 100,
  queues: 100,
  eventSources: 100,
  faults: 200,
  stopConditions: 50,
  stages: 1000,
  thresholds: 200,
} as const;

/**
 * The highest rate one scenario may ask for, in iterations per second. One k6 instance offers tens
 * of thousands of requests per second at best; a rate a thousand times above that is a typo (or
 * an attack on the load generator's memory), never a plan.
 */
export const MAX_SCENARIO_RATE_PER_SECOND = 1_000_000;

export function validateExperiment(src: ExperimentSource): ValidationResult {
  const diagnostics: Diagnostic[] = [];
  const add = (severity: Diagnostic['severity'], p: PathPart[], message: string, hint?: string, key = false) => {
    const position = src.locate(p, { key });
    diagnostics.push({ severity, file: src.file, path: p, message, ...(position ? { position } : {}), ...(hint ? { hint } : {}) });
  };
  const error = (p: PathPart[], message: string, hint?: string, key = false) => add('error', p, message, hint, key);
  const warn = (p: PathPart[], message: string, hint?: string) => add('warning', p, message, hint);

  for (const e of src.syntaxErrors) {
    diagnostics.push({ severity: 'error', file: src.file, path: [], message: e.message, ...(e.position ? { position: e.position } : {}) });
  }
  if (src.syntaxErrors.length) return { diagnostics, ...(src.unreadable ? { unreadable: true } : {}) };
  if (src.raw === null || typeof src.raw !== 'object' || Array.isArray(src.raw)) {
    error([], 'an experiment is a mapping with at least `name` and `load`', 'see examples/experiments/quickstart.yaml');
    return { diagnostics };
  }
  const raw = src.raw as Record<string, unknown>;
  if (!checkLimits(raw, error)) return { diagnostics: sortDiagnostics(diagnostics) };

  // Per-kind checks on the raw object first, so that the schema's flat scenario/fault objects do
  // not hide "this executor does not take `rate`"-style mistakes.
  const preErrors: PathPart[][] = [];
  preChecks(raw, (p, message, hint, key) => {
    preErrors.push(p);
    error(p, message, hint, key);
  });
  const parsed = ExperimentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) for (const issue of parsed.error.issues) zodIssueToDiagnostics(issue, error);

  // Every error at once: the cross-field rules also run when the shape is wrong, on what is left
  // once the broken entries are set aside (a bad leaf is dropped so its default applies; an entry
  // that cannot stand without it is dropped whole, and rules naming it stay silent).
  const clean = parsed.success && preErrors.length === 0;
  const repaired = clean ? { input: parsed.data as ExperimentInput, pruned: new Set<string>(), indexes: new Map<string, number[]>() } : repair(raw, parsed.success ? [] : parsed.error.issues, preErrors);
  if (repaired.input) {
    let exp: ResolvedExperiment | undefined;
    try {
      exp = resolveExperiment(repaired.input, src.file);
    } catch (e) {
      // Resolving a repaired draft may trip on what the repair left; the errors above already say why.
      if (clean) throw e;
    }
    if (exp) {
      const reported = diagnostics.filter((d) => d.severity === 'error').map((d) => d.path);
      const ctx = checkContext(repaired.input, exp, repaired.pruned, (p, message, hint, key) => {
        const original = remapPath(p, repaired.indexes);
        if (!clean && reported.some((r) => isPrefix(r, original))) return;
        error(original, message, hint, key);
      }, (p, message, hint) => warn(remapPath(p, repaired.indexes), message, hint));
      for (const check of CROSS_CHECKS) check(ctx);
      if (clean && !diagnostics.some((d) => d.severity === 'error')) return { experiment: exp, diagnostics: sortDiagnostics(diagnostics) };
    }
  }
  return { diagnostics: sortDiagnostics(diagnostics) };
}

function isPrefix(prefix: readonly PathPart[], p: readonly PathPart[]): boolean {
  return prefix.length <= p.length && prefix.every((x, i) => String(x) === String(p[i]));
}

/** Too many entries is refused before anything else looks at them. */
function checkLimits(raw: Record<string, unknown>, error: ErrorFn): boolean {
  let ok = true;
  const sizeOf = (v: unknown): number => (Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0);
  const at = (p: PathPart[]): unknown => p.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k as string] : undefined), raw);
  const limit = (p: PathPart[], what: string, max: number) => {
    const n = sizeOf(at(p));
    if (n > max) {
      ok = false;
      error(p, `${n} ${what}: an experiment may declare at most ${max}`, `split the experiment into several files, each with at most ${max} ${what}`, true);
    }
  };
  limit(['load', 'scenarios'], 'scenarios', EXPERIMENT_LIMITS.scenarios);
  limit(['system', 'functions'], 'functions', EXPERIMENT_LIMITS.functions);
  limit(['system', 'queues'], 'queues', EXPERIMENT_LIMITS.queues);
  limit(['system', 'eventSources'], 'event sources', EXPERIMENT_LIMITS.eventSources);
  limit(['chaos', 'faults'], 'faults', EXPERIMENT_LIMITS.faults);
  limit(['chaos', 'stopConditions'], 'stop conditions', EXPERIMENT_LIMITS.stopConditions);
  limit(['load', 'thresholds'], 'threshold metrics', EXPERIMENT_LIMITS.thresholds);
  limit(['expect', 'thresholds'], 'series thresholds', EXPERIMENT_LIMITS.thresholds);
  const scenarios = at(['load', 'scenarios']);
  if (ok && scenarios && typeof scenarios === 'object') {
    for (const name of Object.keys(scenarios)) limit(['load', 'scenarios', name, 'stages'], 'stages', EXPERIMENT_LIMITS.stages);
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Repair: what is left of a broken file, for the cross-field rules

/** Named entries and list items: removing one removes a whole function, queue, scenario, fault… */
const ENTITY_PARENTS: PathPart[][] = [
  ['system', 'functions'],
  ['system', 'queues'],
  ['system', 'eventSources'],
  ['load', 'scenarios'],
  ['load', 'thresholds'],
  ['chaos', 'faults'],
  ['chaos', 'stopConditions'],
  ['expect', 'thresholds'],
  ['expect', 'predictions'],
];

function entityOf(p: readonly PathPart[]): PathPart[] | undefined {
  for (const parent of ENTITY_PARENTS) if (p.length > parent.length && isPrefix(parent, p)) return p.slice(0, parent.length + 1);
  return undefined;
}

interface Repaired {
  input?: ExperimentInput;
  /** Names of removed functions, queues, scenarios and event sources: rules that name them say nothing. */
  pruned: Set<string>;
  /** For each list (by its dotted path), the original index of each remaining item. */
  indexes: Map<string, number[]>;
}

function repair(raw: Record<string, unknown>, firstIssues: readonly z.core.$ZodIssue[], preErrors: PathPart[][]): Repaired {
  const draft = structuredClone(raw);
  const pruned = new Set<string>();
  const indexes = new Map<string, number[]>();
  let issues = firstIssues;
  let pre = preErrors;
  for (let round = 0; round < 8; round++) {
    const leaves: PathPart[][] = [];
    const entities: PathPart[][] = [];
    for (const p of pre) entities.push(entityOf(p) ?? p.slice(0, -1));
    for (const issue of issues) {
      const p = issue.path.map((x) => (typeof x === 'symbol' ? String(x) : x)) as PathPart[];
      if (issue.code === 'unrecognized_keys') for (const k of issue.keys) leaves.push([...p, k]);
      else if (getAt(draft, p) === undefined) {
        // Missing (or removed in an earlier round): what holds it cannot stand without it.
        if (p.length === 1 && p[0] === 'name') draft.name = 'experiment';
        else entities.push(entityOf(p) ?? p.slice(0, -1));
      } else if (issue.code === 'invalid_key' || entityOf(p)?.length === p.length) entities.push(entityOf(p) ?? p);
      else leaves.push(p);
    }
    if (entities.some((p) => p.length === 0)) return { pruned, indexes };
    for (const p of leaves) removeAt(draft, p, indexes);
    // Deepest first, and list items from the end, so earlier removals do not move later ones.
    const byDepth = entities.sort((a, b) => b.length - a.length || Number(b[b.length - 1]) - Number(a[a.length - 1]));
    const done = new Set<string>();
    for (const p of byDepth) {
      const key = JSON.stringify(p);
      if (done.has(key)) continue;
      done.add(key);
      const name = p[p.length - 1]!;
      const value = getAt(draft, p);
      if (typeof name === 'string') pruned.add(name);
      else if (value && typeof value === 'object') {
        const v = value as Record<string, unknown>;
        if (typeof v.queue === 'string' && typeof v.function === 'string') pruned.add(eventSourceId(v.queue, v.function));
      }
      removeAt(draft, p, indexes);
    }
    const collected: PathPart[][] = [];
    preChecks(draft, (p) => collected.push(p));
    const again = ExperimentSchema.safeParse(draft, { reportInput: true });
    if (again.success && collected.length === 0) return { input: again.data as ExperimentInput, pruned, indexes };
    issues = again.success ? [] : again.error.issues;
    pre = collected;
  }
  return { pruned, indexes };
}

function getAt(root: unknown, p: readonly PathPart[]): unknown {
  let o = root;
  for (const k of p) {
    if (!o || typeof o !== 'object') return undefined;
    o = (o as Record<string, unknown>)[k as string];
  }
  return o;
}

function removeAt(root: Record<string, unknown>, p: readonly PathPart[], indexes: Map<string, number[]>): void {
  if (p.length === 0) return;
  const parent = getAt(root, p.slice(0, -1));
  const last = p[p.length - 1]!;
  if (Array.isArray(parent) && typeof last === 'number') {
    if (last >= parent.length) return;
    const key = p.slice(0, -1).join('.');
    const idx = indexes.get(key) ?? parent.map((_, i) => i);
    idx.splice(last, 1);
    indexes.set(key, idx);
    parent.splice(last, 1);
  } else if (parent && typeof parent === 'object') {
    delete (parent as Record<string, unknown>)[last as string];
  }
}

/** A path into the repaired draft, back into the file as written (list items may have moved up). */
function remapPath(p: PathPart[], indexes: Map<string, number[]>): PathPart[] {
  for (let i = 1; i < p.length; i++) {
    const part = p[i];
    if (typeof part !== 'number') continue;
    const idx = indexes.get(p.slice(0, i).join('.'));
    if (idx && idx[part] !== undefined) return [...p.slice(0, i), idx[part]!, ...p.slice(i + 1)];
  }
  return p;
}

function sortDiagnostics(d: Diagnostic[]): Diagnostic[] {
  return d.sort((a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.column ?? 0) - (b.position?.column ?? 0));
}

type ErrorFn = (p: PathPart[], message: string, hint?: string, key?: boolean) => void;
type WarnFn = (p: PathPart[], message: string, hint?: string) => void;

function zodIssueToDiagnostics(issue: z.core.$ZodIssue, error: ErrorFn): void {
  const p = issue.path.map((x) => (typeof x === 'symbol' ? String(x) : x)) as PathPart[];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(ExperimentSchema, p.filter((x) => typeof x === 'string' || typeof x === 'number'));
    for (const k of issue.keys) {
      const guess = didYouMean(k, known);
      error([...p, k], `unknown field \`${k}\``, guess ? `did you mean \`${guess}\`?` : known.length ? `known fields here: ${known.join(', ')}` : undefined, true);
    }
    return;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    error(p, `\`${String(p[p.length - 1] ?? 'value')}\` is required`, issue.message.startsWith('Invalid input') ? undefined : issue.message);
    return;
  }
  if (issue.code === 'invalid_union') {
    // A union with a message written for people says it; a bare one (zod's "Invalid input"), when
    // exactly one branch fits the object's keys (a series stop condition, not an alarm), gives
    // that branch's own issues.
    const input = (issue as { input?: unknown }).input;
    const fits = issue.errors.filter(
      (branch) =>
        branch.length > 0 &&
        !branch.some((i) => i.path.length === 0 && i.code === 'unrecognized_keys') &&
        !branch.some((i) => i.path.length === 1 && i.code === 'invalid_type' && (input as Record<PropertyKey, unknown> | undefined)?.[i.path[0]!] === undefined),
    );
    if (issue.message.startsWith('Invalid input') && input && typeof input === 'object' && fits.length === 1) {
      for (const sub of fits[0]!) zodIssueToDiagnostics({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue, error);
      return;
    }
    error(p, issue.message);
    return;
  }
  if (issue.code === 'invalid_value') {
    const values = issue.values.map((v) => String(v));
    const got = (issue as { input?: unknown }).input;
    const guess = typeof got === 'string' ? didYouMean(got, values) : undefined;
    error(p, `${JSON.stringify(got)} is not one of ${values.join(', ')}`, guess ? `did you mean \`${guess}\`?` : undefined);
    return;
  }
  error(p, issue.message);
}

/** Names people choose that become record keys: `__proto__` cannot be one in JavaScript objects (the schema library would drop it silently). */
function checkReservedNames(raw: Record<string, unknown>, error: ErrorFn): void {
  const sections: Array<[PathPart[], unknown]> = [
    [['system', 'functions'], (raw.system as Record<string, unknown> | undefined)?.functions],
    [['system', 'queues'], (raw.system as Record<string, unknown> | undefined)?.queues],
    [['load', 'scenarios'], (raw.load as Record<string, unknown> | undefined)?.scenarios],
  ];
  for (const [p, rec] of sections) {
    if (rec && typeof rec === 'object' && Object.prototype.hasOwnProperty.call(rec, '__proto__')) {
      error([...p, '__proto__'], '`__proto__` is reserved and cannot be used as a name here', 'choose another name', true);
    }
  }
}

function preChecks(raw: Record<string, unknown>, error: ErrorFn): void {
  checkReservedNames(raw, error);
  const load = raw.load as Record<string, unknown> | undefined;
  const scenarios = load && typeof load === 'object' ? (load.scenarios as Record<string, unknown> | undefined) : undefined;
  if (scenarios && typeof scenarios === 'object') {
    for (const [name, s] of Object.entries(scenarios)) {
      if (!s || typeof s !== 'object') continue;
      checkScenarioKeys(['load', 'scenarios', name], s as Record<string, unknown>, error);
    }
  }
  const chaos = raw.chaos as Record<string, unknown> | undefined;
  const faults = chaos && typeof chaos === 'object' ? chaos.faults : undefined;
  if (Array.isArray(faults)) {
    faults.forEach((f, i) => {
      if (!f || typeof f !== 'object') return;
      const fault = f as Record<string, unknown>;
      const p: PathPart[] = ['chaos', 'faults', i];
      if (typeof fault.action !== 'string') return;
      const spec = FAULT_KEYS[fault.action as keyof typeof FAULT_KEYS];
      if (!spec) {
        const guess = didYouMean(fault.action, FAULT_ACTIONS);
        error([...p, 'action'], `unknown action "${fault.action}"`, guess ? `did you mean \`${guess}\`?` : `actions: ${FAULT_ACTIONS.join(', ')}`);
        return;
      }
      for (const k of Object.keys(fault)) {
        if (k === 'at' || k === 'for' || k === 'action') continue;
        if (!spec.allowed.includes(k) && isFaultField(k)) {
          error([...p, k], `\`${k}\` is not a field of action ${fault.action}`, `${fault.action} takes: ${spec.allowed.join(', ')}`, true);
        }
      }
      for (const r of spec.required) if (fault[r] === undefined) error(p, `action ${fault.action} needs \`${r}\``, `add \`${r}: ...\` to this fault`);
      if (fault.action === 'inject-poison') {
        if ((fault.count === undefined) === (fault.rate === undefined)) {
          error(p, 'inject-poison needs exactly one of `count` (messages in all) or `rate` (messages per second)', 'e.g. `count: 20` or `rate: 2` with `for: 10s`');
        } else if (fault.rate !== undefined && fault.for === undefined) {
          error(p, 'inject-poison with `rate` needs a window: add `for`', 'e.g. `for: 10s`');
        }
      }
      if (fault.action === 'update-event-source' && fault.batchSize === undefined && fault.maximumConcurrency === undefined) {
        error(p, 'update-event-source changes nothing', 'set `batchSize` and/or `maximumConcurrency`');
      }
    });
  }
}

function isFaultField(k: string): boolean {
  return ['function', 'value', 'eventSource', 'batchSize', 'maximumConcurrency', 'queue', 'count', 'rate', 'kind', 'latency', 'percentage', 'runHandler', 'errorType', 'statusCode'].includes(k);
}

function checkScenarioKeys(p: PathPart[], s: Record<string, unknown>, error: ErrorFn): void {
  const executor = s.executor;
  if (typeof executor === 'string') {
    const spec = EXECUTOR_KEYS[executor as keyof typeof EXECUTOR_KEYS];
    if (!spec) {
      const guess = didYouMean(executor, EXECUTORS);
      error([...p, 'executor'], `unknown executor "${executor}"`, guess ? `did you mean \`${guess}\`?` : `k6 executors: ${EXECUTORS.join(', ')}`);
    } else {
      for (const k of Object.keys(s)) {
        if (ALL_EXECUTOR_KEYS.has(k) && !spec.allowed.includes(k)) {
          error([...p, k], `\`${k}\` is not an option of executor ${executor}`, `${executor} takes: ${spec.allowed.join(', ')} (plus startTime, gracefulStop, env, tags)`, true);
        }
      }
      for (const r of spec.required) {
        if (s[r] === undefined) error(p, `executor ${executor} needs \`${r}\``, `k6 requires \`${r}\` for ${executor}`);
      }
    }
  }
  const template = s.template;
  if (typeof template === 'string') {
    const kind = (TEMPLATES as readonly string[]).includes(template) ? template : template.endsWith('.hbs') || template.includes('/') ? 'custom' : undefined;
    if (!kind) {
      const guess = didYouMean(template, TEMPLATES);
      error([...p, 'template'], `unknown template "${template}"`, guess ? `did you mean \`${guess}\`?` : 'use http, sqs-producer, lambda-invoke, or a path to your own .hbs template');
      return;
    }
    const spec = TEMPLATE_KEYS[kind]!;
    for (const k of Object.keys(s)) {
      if (ALL_TEMPLATE_KEYS.has(k) && !spec.allowed.includes(k)) {
        error([...p, k], `\`${k}\` is not a field of template ${kind}`, `${kind} takes: ${spec.allowed.join(', ') || '(no extra fields)'}`, true);
      }
    }
    for (const r of spec.required) if (s[r] === undefined) error(p, `template ${kind} needs \`${r}\``, hintForTemplateField(kind, r));
  }
  void COMMON_SCENARIO_KEYS;
}

function hintForTemplateField(kind: string, field: string): string {
  if (kind === 'http' && field === 'url') return 'write `url: {function: my-fn}` for a function URL, or `url: https://...`';
  if (kind === 'sqs-producer') return 'name the queue from system.queues: `queue: my-queue`';
  return 'name the function from system.functions: `function: my-fn`';
}

// ---------------------------------------------------------------------------------------------

/** A Lambda alias name [MODEL Lambda Alias `Name` pattern]; a version is digits. */
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;
const VERSION_NUMBER = /^[1-9][0-9]{0,9}$/;

/**
 * A provisioned-concurrency qualifier: a published version or an alias, never $LATEST (AWS refuses
 * it). On the emulator squall deploys each function as version 1 behind alias `live`, so only those
 * exist there.
 */
function checkQualifier(p: PathPart[], q: string, squallDeploys: boolean, error: ErrorFn): void {
  const fix = `name a published version number or an alias, e.g. qualifier: ${EXPERIMENT_ALIAS} (the alias squall deploys each function behind; the default)`;
  if (q === '$LATEST') {
    error(p, 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.', fix);
    return;
  }
  if (!ALIAS_NAME.test(q) && !VERSION_NUMBER.test(q)) {
    error(p, `qualifier "${q}" is neither a version number nor an alias name (1–128 of a-z A-Z 0-9 - _)`, fix);
    return;
  }
  if (squallDeploys && q !== EXPERIMENT_ALIAS && q !== EXPERIMENT_VERSION) {
    error(p, `the emulator has no version or alias "${q}": squall deploys each function as version ${EXPERIMENT_VERSION} behind the alias ${EXPERIMENT_ALIAS}`, `use qualifier: ${EXPERIMENT_ALIAS} (or ${EXPERIMENT_VERSION}), or drop qualifier`);
  }
}

/** AWS's generic request-validation wording (Coral "1 validation error detected"). */
function awsRange(member: string, value: number, min: number, max: number): string | undefined {
  if (value < min) return `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`;
  if (value > max) return `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`;
  return undefined;
}

function checkDistribution(p: PathPart[], d: DurationDistribution, error: ErrorFn): void {
  if (d.kind === 'uniform' && d.maxMs < d.minMs) error(p, `uniform max (${d.maxMs} ms) is below min (${d.minMs} ms)`, 'swap them');
  if (d.kind === 'lognormal' && d.p99Ms < d.p50Ms) error(p, `lognormal p99 (${d.p99Ms} ms) is below p50 (${d.p50Ms} ms)`, 'p99 must be ≥ p50');
  if (d.kind === 'empirical') {
    if (d.percentiles.length < 2) error(p, 'an empirical distribution needs at least two percentiles', 'e.g. {p50: 20ms, p99: 120ms}');
    for (let i = 1; i < d.percentiles.length; i++) {
      if (d.percentiles[i]!.ms < d.percentiles[i - 1]!.ms) {
        error(p, `p${d.percentiles[i]!.p} (${d.percentiles[i]!.ms} ms) is below p${d.percentiles[i - 1]!.p} (${d.percentiles[i - 1]!.ms} ms)`, 'durations must not decrease with the percentile');
      }
    }
    if (d.percentiles.some((x) => x.p > 100)) error(p, 'percentiles go from p0 to p100', undefined);
  }
}

/** What every cross-field rule reads: the input as written, the resolved experiment and how to report. */
interface CheckContext {
  input: ExperimentInput;
  exp: ResolvedExperiment;
  error: ErrorFn;
  warn: WarnFn;
  fnNames: string[];
  qNames: string[];
  esIds: string[];
  /** Reserved concurrency of all functions together, before any fault. */
  reservedSum: number;
  /** Entries set aside because they were broken (already reported): rules naming them say nothing. */
  pruned: ReadonlySet<string>;
}

function checkContext(input: ExperimentInput, exp: ResolvedExperiment, pruned: ReadonlySet<string>, error: ErrorFn, warn: WarnFn): CheckContext {
  const { functions, queues, eventSources } = exp.system;
  let reservedSum = 0;
  for (const f of Object.values(functions)) if (f.reservedConcurrency !== null) reservedSum += f.reservedConcurrency;
  return { input, exp, error, warn, fnNames: Object.keys(functions), qNames: Object.keys(queues), esIds: eventSources.map((e) => e.id), reservedSum, pruned };
}

/** The account: the unreserved minimum fits in the concurrency limit. */
function checkAccount(ctx: CheckContext): void {
  const { account } = ctx.exp.system;
  const { error } = ctx;
  if (account.unreservedMinimum > account.concurrencyLimit) {
    error(['system', 'account', 'unreservedMinimum'], `unreservedMinimum (${account.unreservedMinimum}) exceeds concurrencyLimit (${account.concurrencyLimit})`);
  }
}

/** Each function's own settings, in AWS's words where AWS rejects them. */
function checkFunctions(ctx: CheckContext): void {
  const { functions, queues } = ctx.exp.system;
  const { error, qNames } = ctx;
  for (const f of Object.values(functions)) {
    const p: PathPart[] = ['system', 'functions', f.name];
    const kinds = Number(f.handler !== null) + Number(f.synthetic !== null) + Number(Boolean(f.package));
    if (kinds !== 1) {
      error(
        p,
        kinds > 1
          ? f.package
            ? 'a function has one of `handler`, `package` or `synthetic`, not several'
            : 'a function has either `handler` or `synthetic`, not both'
          : 'a function needs `handler: path/to/file.js#export` (real code), `package: {zip: function.zip, handler: index.handler}` (a deployment package) or `synthetic: {duration: ...}` (modelled)',
      );
    }
    if (f.package) {
      for (const [k, file] of [['zip', f.package.zip], ...f.package.layers.map((l, i) => [`layers.${i}`, l])] as const) {
        if (!existsSync(file)) error([...p, 'package', ...String(k).split('.')], `file not found: ${file}`, 'paths are relative to the experiment file');
      }
    }
    if (f.handler && !existsSync(f.handler.file)) {
      error([...p, 'handler'], `handler file not found: ${f.handler.file}`, 'paths are relative to the experiment file');
    }
    const mem = awsRange('memorySize', f.memoryMB, LAMBDA.memoryMinMB, LAMBDA.memoryMaxMB);
    if (mem) error([...p, 'memoryMB'], mem, `Lambda memory is ${LAMBDA.memoryMinMB}–${LAMBDA.memoryMaxMB} MB`);
    const to = awsRange('timeout', f.timeoutSeconds, LAMBDA.timeoutMinSeconds, LAMBDA.timeoutMaxSeconds);
    if (to) error([...p, 'timeoutSeconds'], to, `Lambda timeouts are ${LAMBDA.timeoutMinSeconds}–${LAMBDA.timeoutMaxSeconds} s`);
    if (f.synthetic) {
      checkDistribution([...p, 'synthetic', 'duration'], f.synthetic.duration, error);
    }
    checkDistribution([...p, 'coldStart', 'init'], f.coldStart.initMs, error);
    const c = f.coldStart.initMs;
    if (c.kind === 'constant' && c.ms > LAMBDA.initMaxSeconds * 1000) {
      error([...p, 'coldStart', 'init'], `init takes ${c.ms} ms, over Lambda's ${LAMBDA.initMaxSeconds} s INIT limit`);
    }
    if (f.provisionedConcurrency > 0 && f.reservedConcurrency !== null && f.provisionedConcurrency > f.reservedConcurrency) {
      error([...p, 'provisionedConcurrency'], 'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function', `lower provisionedConcurrency to ≤ ${f.reservedConcurrency} or raise reservedConcurrency`);
    }
    const ra = awsRange('maximumRetryAttempts', f.async.maximumRetryAttempts, LAMBDA_ASYNC.maximumRetryAttemptsMin, LAMBDA_ASYNC.maximumRetryAttemptsMax);
    if (ra) error([...p, 'async', 'maximumRetryAttempts'], ra);
    const age = awsRange('maximumEventAgeInSeconds', f.async.maximumEventAgeSeconds, LAMBDA_ASYNC.maximumEventAgeSecondsMin, LAMBDA_ASYNC.maximumEventAgeSecondsMax);
    if (age) error([...p, 'async', 'maximumEventAgeSeconds'], age);
    if (f.async.onFailure !== null) {
      const q = queues[f.async.onFailure];
      if (!q) notFound(ctx, [...p, 'async', 'onFailure'], 'queue', f.async.onFailure, qNames, error);
      else if (q.fifo) error([...p, 'async', 'onFailure'], 'The destination ARN must be a standard queue: Lambda destinations do not support FIFO queues', 'use a standard queue');
    }
  }
}

/** Reserved and provisioned concurrency against what the account keeps unreserved. */
function checkAccountConcurrency(ctx: CheckContext): void {
  const { functions, account } = ctx.exp.system;
  const { error, reservedSum } = ctx;
  const unreservedLeft = account.concurrencyLimit - reservedSum;
  if (unreservedLeft < account.unreservedMinimum) {
    const culprit = Object.values(functions).filter((f) => f.reservedConcurrency !== null).pop();
    error(
      culprit ? ['system', 'functions', culprit.name, 'reservedConcurrency'] : ['system', 'functions'],
      `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${account.unreservedMinimum}].`,
      `reserved concurrency adds up to ${reservedSum} of the account's ${account.concurrencyLimit}; AWS keeps ${account.unreservedMinimum} unreserved, so at most ${account.concurrencyLimit - account.unreservedMinimum} can be reserved`,
    );
  }
  for (const f of Object.values(functions)) {
    if (f.provisionedConcurrency > 0 && f.reservedConcurrency === null && f.provisionedConcurrency > unreservedLeft - account.unreservedMinimum) {
      error(['system', 'functions', f.name, 'provisionedConcurrency'], `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${unreservedLeft}].`);
    }
  }
}

/** Each queue: FIFO naming, attribute ranges, redrive policy. */
function checkQueues(ctx: CheckContext): void {
  const { queues } = ctx.exp.system;
  const { error, qNames } = ctx;
  for (const q of Object.values(queues)) {
    const p: PathPart[] = ['system', 'queues', q.name];
    const nameFifo = q.name.endsWith('.fifo');
    if (q.fifo !== nameFifo) {
      error(p, 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.', q.fifo ? `rename it to ${q.name}.fifo` : 'set `fifo: true` or drop the .fifo suffix');
    }
    const attr = (field: string, attrName: string, v: number, min: number, max: number) => {
      if (v < min || v > max) error([...p, field], `Invalid value for the parameter ${attrName}.`, `${attrName} must be ${min}–${max}`);
    };
    attr('visibilityTimeoutSeconds', 'VisibilityTimeout', q.visibilityTimeoutSeconds, 0, SQS.visibilityTimeoutMaxSeconds);
    attr('messageRetentionSeconds', 'MessageRetentionPeriod', q.messageRetentionSeconds, SQS.messageRetentionMinSeconds, SQS.messageRetentionMaxSeconds);
    attr('delaySeconds', 'DelaySeconds', q.delaySeconds, 0, SQS.delayMaxSeconds);
    attr('receiveMessageWaitTimeSeconds', 'ReceiveMessageWaitTimeSeconds', q.receiveMessageWaitTimeSeconds, 0, SQS.receiveWaitTimeMaxSeconds);
    attr('maximumMessageSize', 'MaximumMessageSize', q.maximumMessageSizeBytes, SQS.maximumMessageSizeMinBytes, SQS.maximumMessageSizeMaxBytes);
    if (q.contentBasedDeduplication && !q.fifo) error([...p, 'contentBasedDeduplication'], 'Unknown Attribute ContentBasedDeduplication.', 'content-based deduplication exists only on FIFO queues');
    if (q.redrive) {
      const dlq = queues[q.redrive.deadLetterQueue];
      if (!dlq) notFound(ctx, [...p, 'redrive', 'deadLetterQueue'], 'queue', q.redrive.deadLetterQueue, qNames, error);
      else {
        if (dlq.name === q.name) error([...p, 'redrive', 'deadLetterQueue'], 'a queue cannot be its own dead-letter queue');
        if (dlq.fifo !== q.fifo) error([...p, 'redrive', 'deadLetterQueue'], 'Value {"deadLetterTargetArn":...} for parameter RedrivePolicy is invalid. Reason: Dead-letter target must be the same type of queue (FIFO or standard) as the source.');
      }
      const mrc = q.redrive.maxReceiveCount;
      if (mrc < SQS.maxReceiveCountMin || mrc > SQS.maxReceiveCountMax) {
        error([...p, 'redrive', 'maxReceiveCount'], `Value ${mrc} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: ${mrc}, valid values are from ${SQS.maxReceiveCountMin} to ${SQS.maxReceiveCountMax} both inclusive.`);
      }
    }
  }
}

/** Event source mappings: what they join exists, batch and window rules, the visibility timeout traps. */
function checkEventSources(ctx: CheckContext): void {
  const { functions, queues, eventSources } = ctx.exp.system;
  const { error, warn, fnNames, qNames } = ctx;
  const exp = ctx.exp;
  const seen = new Map<string, number>();
  eventSources.forEach((e, i) => {
    const p: PathPart[] = ['system', 'eventSources', i];
    if (seen.has(e.id)) error(p, `The event source arn (" arn:aws:sqs:...:${e.queue} ") and function (" ${e.function} ") provided mapping already exists. Please update or delete the existing mapping with UUID ...`, `remove the duplicate of eventSources[${seen.get(e.id)}]`);
    seen.set(e.id, i);
    const q = queues[e.queue];
    const f = functions[e.function];
    if (!q) notFound(ctx, [...p, 'queue'], 'queue', e.queue, qNames, error);
    if (!f) notFound(ctx, [...p, 'function'], 'function', e.function, fnNames, error);
    const bs = awsRange('batchSize', e.batchSize, ESM.batchSizeMin, ESM.batchSizeMaxStandard);
    if (bs) error([...p, 'batchSize'], bs);
    if (q?.fifo && e.batchSize > ESM.batchSizeMaxFifo) {
      // AWS's wording for SQS batch sizes over 10 (seen on CreateEventSourceMapping, pulumi-aws-serverless#20).
      error([...p, 'batchSize'], `Maximum batch size must be between 1 and ${ESM.batchSizeMaxFifo} inclusive`, `FIFO queues take at most ${ESM.batchSizeMaxFifo} records per batch`);
    }
    if (q?.fifo && e.maximumBatchingWindowSeconds > 0) {
      // AWS's answer to a batching window on a FIFO source (CloudFormation error quoted in aws/aws-lambda-dotnet#1758).
      error([...p, 'maximumBatchingWindowSeconds'], 'Invalid request provided: Batching window is not supported for FIFO queues', 'drop maximumBatchingWindowSeconds for FIFO queues');
    }
    const win = awsRange('maximumBatchingWindowInSeconds', e.maximumBatchingWindowSeconds, 0, ESM.batchingWindowMaxSeconds);
    if (win) error([...p, 'maximumBatchingWindowSeconds'], win);
    if (e.batchSize > ESM.batchSizeWithoutWindowMax && e.maximumBatchingWindowSeconds < 1) {
      error([...p, 'maximumBatchingWindowSeconds'], 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10', 'set maximumBatchingWindowSeconds: 1 (or more), or batchSize ≤ 10');
    }
    if (e.maximumConcurrency !== null) {
      const mc = awsRange('maximumConcurrency', e.maximumConcurrency, ESM.maximumConcurrencyMin, ESM.maximumConcurrencyMax);
      if (mc) error([...p, 'maximumConcurrency'], mc);
    }
    if (q && f) {
      if (f.timeoutSeconds > q.visibilityTimeoutSeconds) {
        error(
          ['system', 'queues', q.name, 'visibilityTimeoutSeconds'],
          `Queue visibility timeout: ${q.visibilityTimeoutSeconds} seconds is less than Function timeout: ${f.timeoutSeconds} seconds`,
          `raise visibilityTimeoutSeconds to at least ${ESM.recommendedVisibilityTimeoutFactor * f.timeoutSeconds} (6 × the function timeout, as AWS recommends)`,
        );
      } else if (q.visibilityTimeoutSeconds < ESM.recommendedVisibilityTimeoutFactor * f.timeoutSeconds) {
        warn(
          ['system', 'queues', q.name, 'visibilityTimeoutSeconds'],
          `visibility timeout ${q.visibilityTimeoutSeconds} s is under 6 × the timeout of ${f.name} (${f.timeoutSeconds} s)`,
          'AWS recommends ≥ 6× so Lambda can retry throttled batches before the message reappears',
        );
      }
      if (q.redrive && q.redrive.maxReceiveCount < ESM.recommendedMinimumMaxReceiveCount && f.reservedConcurrency !== null) {
        warn(
          ['system', 'queues', q.name, 'redrive', 'maxReceiveCount'],
          `maxReceiveCount ${q.redrive.maxReceiveCount} with reserved concurrency on ${f.name}: throttled batches count as receives, so good messages can be dead-lettered`,
          `use maxReceiveCount ≥ ${ESM.recommendedMinimumMaxReceiveCount}`,
        );
      }
      if (e.maximumBatchingWindowSeconds > 0) {
        const rate = producerRate(exp, q.name);
        if (rate !== null && rate * e.maximumBatchingWindowSeconds < e.batchSize / 2) {
          warn(
            [...p, 'maximumBatchingWindowSeconds'],
            `about ${rate.toFixed(1)} messages/s reach ${q.name}: a ${e.maximumBatchingWindowSeconds} s batching window mostly waits and adds latency without filling batches of ${e.batchSize}`,
            'lower the window or the batch size for this traffic',
          );
        }
      }
    }
  });
}

/** Each scenario: k6 executor minimums, what its template names exists, what the engine can offer. */
function checkScenarios(ctx: CheckContext): void {
  const { functions, queues } = ctx.exp.system;
  const { error, warn, fnNames, qNames } = ctx;
  const exp = ctx.exp;
  for (const s of Object.values(exp.load.scenarios)) {
    const p: PathPart[] = ['load', 'scenarios', s.name];
    const dur = executorDurationMs(s);
    if ((s.executor === 'constant-vus' || s.executor === 'constant-arrival-rate') && dur < 1000) {
      error([...p, 'duration'], `duration ${dur} ms is below k6's minimum of 1s`);
    }
    if ((s.executor === 'shared-iterations' || s.executor === 'per-vu-iterations') && s.maxDurationMs < 1000) {
      error([...p, 'maxDuration'], `maxDuration ${s.maxDurationMs} ms is below k6's minimum of 1s`);
    }
    if (s.executor === 'shared-iterations' && s.iterations < s.vus) {
      error([...p, 'iterations'], `${s.iterations} iterations shared by ${s.vus} VUs: k6 requires iterations ≥ vus`, `raise iterations to ≥ ${s.vus} or lower vus`);
    }
    if ((s.executor === 'ramping-vus' || s.executor === 'ramping-arrival-rate') && s.stages.length === 0) {
      error([...p, 'stages'], 'k6 needs at least one stage', 'e.g. stages: [{duration: 30s, target: 10}]');
    }
    if ((s.executor === 'constant-arrival-rate' || s.executor === 'ramping-arrival-rate') && s.maxVUs < s.preAllocatedVUs) {
      error([...p, 'maxVUs'], `maxVUs (${s.maxVUs}) is below preAllocatedVUs (${s.preAllocatedVUs})`, 'k6 requires maxVUs ≥ preAllocatedVUs');
    }
    if (s.executor === 'constant-arrival-rate' && s.rate <= 0) error([...p, 'rate'], 'must be greater than 0');
    if (s.executor === 'constant-arrival-rate' || s.executor === 'ramping-arrival-rate') checkOfferedRate(ctx, p, s);
    if (s.arrival === 'poisson' && s.executor !== 'constant-arrival-rate' && s.executor !== 'ramping-arrival-rate') {
      error([...p, 'arrival'], 'Poisson arrivals need an arrival-rate executor (constant-arrival-rate or ramping-arrival-rate)');
    }
    if (s.thinkTimeMs > 0 && (s.executor === 'constant-arrival-rate' || s.executor === 'ramping-arrival-rate')) {
      warn([...p, 'thinkTime'], 'think time in an arrival-rate scenario only holds VUs busy; the rate does not change', 'drop thinkTime or use a VU executor');
    }
    switch (s.template) {
      case 'http':
        if ('function' in s.url) {
          const f = functions[s.url.function];
          if (!f) notFound(ctx, [...p, 'url', 'function'], 'function', s.url.function, fnNames, error);
          else if (!f.url) error([...p, 'url', 'function'], `function ${f.name} has no function URL`, `add \`url: true\` to system.functions.${f.name}`);
        } else if (!/^https?:\/\//.test(s.url.literal)) {
          error([...p, 'url'], `"${s.url.literal}" is not an http(s) URL`, 'write a full URL, or `url: {function: name}` for a function URL');
        }
        break;
      case 'sqs-producer': {
        const q = queues[s.queue];
        if (!q) notFound(ctx, [...p, 'queue'], 'queue', s.queue, qNames, error);
        const bs = awsRange('batchSize', s.batchSize, 1, SQS.batchMaxEntries);
        if (bs) error([...p, 'batchSize'], `SendMessageBatch takes 1–${SQS.batchMaxEntries} entries; batchSize ${s.batchSize} is out of range`, 'AWS answers AWS.SimpleQueueService.TooManyEntriesInBatchRequest above 10');
        if (q?.fifo && !s.messageGroupId) error(p, 'The request must contain the parameter MessageGroupId.', 'FIFO queues need `messageGroupId:` (a template such as "group-{{vu}}")');
        break;
      }
      case 'lambda-invoke':
        if (!functions[s.function]) notFound(ctx, [...p, 'function'], 'function', s.function, fnNames, error);
        break;
      case 'custom':
        if (!existsSync(s.path)) error([...p, 'template'], `template file not found: ${s.path}`, 'paths are relative to the experiment file (or to `templates:`)');
        break;
    }
  }
}

/** k6 thresholds and summary trend stats in k6's grammar. */
function checkLoadThresholds(ctx: CheckContext): void {
  const { error } = ctx;
  const exp = ctx.exp;
  for (const [metric, list] of Object.entries(exp.load.thresholds)) {
    const base = metric.includes('{') ? metric.slice(0, metric.indexOf('{')) : metric;
    if (metric.includes('{') && !metric.endsWith('}')) error(['load', 'thresholds', metric], `submetric "${metric}" must end with "}"`, 'k6 syntax: metric{tag:value}', true);
    if (!K6_BUILTIN_METRICS.has(base) && !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(base)) error(['load', 'thresholds', metric], `"${base}" is not a valid k6 metric name`, undefined, true);
    else if (!K6_BUILTIN_METRICS.has(base)) {
      const guess = didYouMean(base, K6_BUILTIN_METRICS);
      if (guess) error(['load', 'thresholds', metric], `unknown metric "${base}"`, `did you mean \`${guess}\`?`, true);
    }
    list.forEach((t, i) => {
      if (!THRESHOLD_EXPR.test(t.threshold)) {
        error(['load', 'thresholds', metric, i], `"${t.threshold}" is not a k6 threshold expression`, 'write <aggregation> <operator> <number>, e.g. "p(95)<200", "rate<0.01", "count>0"');
      }
    });
  }
  // With broken entries set aside (ctx.pruned), an empty list only means they were all broken.
  if (Object.keys(exp.load.scenarios).length === 0 && ctx.pruned.size === 0) error(['load', 'scenarios'], 'no scenarios: the load needs at least one', 'see examples/experiments/quickstart.yaml');
  for (const [i, stat] of exp.load.summaryTrendStats.entries()) {
    if (!/^(avg|min|med|max|count|p\(\d+(\.\d+)?\))$/.test(stat)) error(['load', 'summaryTrendStats', i], `"${stat}" is not a trend stat`, 'use avg, min, med, max, count or p(N)');
  }
}

/** Faults: inside the load, naming what exists, values AWS accepts. */
function checkFaults(ctx: CheckContext): void {
  const { functions, queues, eventSources, account } = ctx.exp.system;
  const { error, fnNames, qNames, esIds, reservedSum } = ctx;
  const exp = ctx.exp;
  const loadEnd = exp.load.durationMs;
  exp.chaos.faults.forEach((f) => {
    const p: PathPart[] = ['chaos', 'faults', f.id];
    if (f.atMs >= loadEnd) error([...p, 'at'], `fault at ${f.atMs / 1000} s starts after the load ends (${loadEnd / 1000} s)`, 'faults live on the load timeline; move `at` earlier or lengthen the load');
    else if (f.forMs !== null && f.atMs + f.forMs > loadEnd) {
      error([...p, 'for'], `fault window ${f.atMs / 1000}–${(f.atMs + f.forMs) / 1000} s runs past the end of the load (${loadEnd / 1000} s)`, `shorten \`for\` to at most ${(loadEnd - f.atMs) / 1000}s`);
    }
    if (f.forMs === 0) error([...p, 'for'], 'a zero-length fault window does nothing', 'drop `for` (until the end) or give it a length');
    switch (f.action) {
      case 'set-reserved-concurrency': {
        const fn = functions[f.function];
        if (!fn) notFound(ctx, [...p, 'function'], 'function', f.function, fnNames, error);
        else {
          const others = reservedSum - (fn.reservedConcurrency ?? 0);
          if (account.concurrencyLimit - others - f.value < account.unreservedMinimum) {
            error([...p, 'value'], `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${account.unreservedMinimum}].`);
          }
          if (fn.provisionedConcurrency > f.value) {
            error([...p, 'value'], `ReservedConcurrentExecutions ${f.value} should not be lower than function's total provisioned concurrency [${fn.provisionedConcurrency}].`);
          }
        }
        break;
      }
      case 'remove-reserved-concurrency':
      case 'set-provisioned-concurrency':
        if (!functions[f.function]) notFound(ctx, [...p, 'function'], 'function', f.function, fnNames, error);
        else if (f.action === 'set-provisioned-concurrency') {
          const fn = functions[f.function]!;
          checkQualifier([...p, 'qualifier'], f.qualifier, exp.target.kind === 'emulated', error);
          if (f.value < 1) error([...p, 'value'], awsRange('provisionedConcurrentExecutions', f.value, 1, Infinity)!, 'to remove provisioned concurrency, end the fault window instead');
          else if (fn.reservedConcurrency !== null && f.value > fn.reservedConcurrency) {
            error([...p, 'value'], 'Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function');
          }
        }
        break;
      case 'disable-event-source':
      case 'enable-event-source':
      case 'update-event-source':
        if (!esIds.includes(f.eventSource)) notFound(ctx, [...p, 'eventSource'], 'event source', f.eventSource, esIds, error, 'event sources are named <queue>-><function>');
        if (f.action === 'update-event-source') {
          const es = eventSources.find((e) => e.id === f.eventSource);
          if (f.batchSize !== null) {
            const r = awsRange('batchSize', f.batchSize, ESM.batchSizeMin, ESM.batchSizeMaxStandard);
            if (r) error([...p, 'batchSize'], r);
            else if (es && f.batchSize > ESM.batchSizeWithoutWindowMax && es.maximumBatchingWindowSeconds < 1) {
              error([...p, 'batchSize'], 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10');
            }
          }
          if (f.maximumConcurrency !== null) {
            const r = awsRange('maximumConcurrency', f.maximumConcurrency, ESM.maximumConcurrencyMin, ESM.maximumConcurrencyMax);
            if (r) error([...p, 'maximumConcurrency'], r);
          }
        }
        break;
      case 'inject-poison':
        if (!queues[f.queue]) notFound(ctx, [...p, 'queue'], 'queue', f.queue, qNames, error);
        break;
      case 'inject-latency':
      case 'inject-errors':
      case 'override-status': {
        const fn = functions[f.function];
        if (!fn) notFound(ctx, [...p, 'function'], 'function', f.function, fnNames, error);
        if (f.action === 'inject-latency') checkDistribution([...p, 'latency'], f.latency, error);
        if (fn && fn.provisionedConcurrency > 0 && ctx.exp.target.kind === 'aws') {
          ctx.warn([...p, 'function'], `function ${f.function} is invoked through its alias \`live\` (provisioned concurrency), which runs a published version: the fault changes $LATEST's environment and does not reach it`, 'publish a version with the fault in force and point the alias at it yourself, or run this fault without provisionedConcurrency');
        }
        if (f.action === 'override-status' && fn && !fn.url && ctx.exp.target.kind === 'emulated') {
          ctx.warn([...p, 'function'], `override-status changes function URL responses, and function ${f.function} has no URL`, 'add `url: true` to the function, or it changes only what Invoke returns');
        }
        break;
      }
    }
  });
}

/** Stop conditions: a known series and a condition squall can evaluate live. */
function checkStopConditions(ctx: CheckContext): void {
  const { error, input } = ctx;
  const exp = ctx.exp;
  (input.chaos?.stopConditions ?? []).forEach((raw, i) => {
    const p: PathPart[] = ['chaos', 'stopConditions', i];
    if (raw.alarm !== undefined) {
      const mixed = (['series', 'labels', 'when', 'window'] as const).filter((k) => raw[k] !== undefined);
      if (mixed.length) error([...p, mixed[0]!], `a stop condition is either a CloudWatch \`alarm\` or a \`series\` condition, not both`, 'split it into two stop conditions');
      if (exp.target.kind !== 'aws') error([...p, 'alarm'], 'a CloudWatch alarm stop condition needs an aws target', 'set target.kind: aws (the emulator has no CloudWatch alarms), or use a series condition');
      return;
    }
    if (raw.series === undefined) {
      error([...p, 'series'], '`series` is required', 'name a series (e.g. lambda.errors) with `when`, or a CloudWatch `alarm`');
      return;
    }
    if (raw.when === undefined) {
      error([...p, 'when'], '`when` is required', 'e.g. when: "sum > 100"');
      return;
    }
    if (!isSeriesName(raw.series)) notFound(ctx, [...p, 'series'], 'series', raw.series, Object.keys(SERIES), error);
    const parsed = parseSeriesCondition(raw.when);
    if (!parsed || !['sum', 'max', 'last'].includes(parsed.aggregate) || parsed.op === '==' || parsed.op === '!=') {
      error([...p, 'when'], `"${raw?.when}" is not a stop condition`, 'write <sum|max|last> <op> <number>, e.g. "sum > 100" (op: >, >=, <, <=)');
    }
  });
}

/** Expectations: known series, threshold grammar, tolerances, message accounting. */
function checkExpect(ctx: CheckContext): void {
  const { error, qNames } = ctx;
  const exp = ctx.exp;
  for (const [key, list] of Object.entries(exp.expect.thresholds)) {
    const name = key.includes('{') ? key.slice(0, key.indexOf('{')) : key;
    if (!isSeriesName(name)) notFound(ctx, ['expect', 'thresholds', key], 'series', name, Object.keys(SERIES), error, undefined, true);
    list.forEach((t, i) => {
      const c = parseSeriesCondition(t);
      if (!c || !(SERIES_AGGREGATES as readonly string[]).includes(c.aggregate)) {
        error(['expect', 'thresholds', key, i], `"${t}" is not a series threshold`, `write <${SERIES_AGGREGATES.join('|')}> <op> <number>, e.g. "sum>0" or "max<=10"`);
      }
    });
  }
  for (const [key, tol] of Object.entries(exp.expect.predictions)) {
    const name = key.includes('{') ? key.slice(0, key.indexOf('{')) : key;
    if (name !== 'default' && !isSeriesName(name)) notFound(ctx, ['expect', 'predictions', key], 'series', name, ['default', ...Object.keys(SERIES)], error, undefined, true);
    if (tol.relative === null && tol.absolute === null && tol.interval === null) error(['expect', 'predictions', key], 'a tolerance needs `interval`, `relative` and/or `absolute`', 'e.g. {interval: 0.95} for the simulator\'s 95 % prediction interval, or {relative: 0.1} for ±10 %');
  }
  if (exp.expect.messages === 'no-loss' && qNames.length === 0) {
    error(['expect', 'messages'], 'message accounting needs at least one queue in system.queues');
  }
}

/**
 * Whether the load generator can offer an arrival rate: refused when no engine could (memory and
 * CPU go to scheduling, not requests), warned with k6's VU arithmetic (VUs busy = rate × iteration
 * duration, Little's law) when maxVUs cannot carry it and k6 would drop iterations.
 */
function checkOfferedRate(ctx: CheckContext, p: PathPart[], s: ResolvedScenario): void {
  if (s.executor !== 'constant-arrival-rate' && s.executor !== 'ramping-arrival-rate') return;
  const peak = s.executor === 'constant-arrival-rate' ? s.rate : Math.max(s.startRate, ...s.stages.map((x) => x.target));
  const perSecond = (peak * 1000) / s.timeUnitMs;
  const field = s.executor === 'constant-arrival-rate' ? 'rate' : 'stages';
  if (perSecond > MAX_SCENARIO_RATE_PER_SECOND) {
    ctx.error(
      [...p, field],
      `${fmtRate(perSecond)} iterations/s is more than any load generator can offer (squall refuses over ${fmtRate(MAX_SCENARIO_RATE_PER_SECOND)}/s per scenario)`,
      'check the rate and timeUnit (rate counts iterations per timeUnit, 1s by default)',
    );
    return;
  }
  const iterationMs = typicalIterationMs(ctx.exp, s);
  if (iterationMs === null) return;
  const needed = Math.ceil((perSecond * iterationMs) / 1000);
  if (needed > s.maxVUs) {
    ctx.warn(
      [...p, s.maxVUs === s.preAllocatedVUs ? 'preAllocatedVUs' : 'maxVUs'],
      `${fmtRate(perSecond)} iterations/s × about ${iterationMs.toFixed(1)} ms each needs about ${needed} VUs busy at once, but maxVUs is ${s.maxVUs}: k6 will drop iterations (dropped_iterations) and offer less than the rate`,
      `raise maxVUs to at least ${needed}, or lower the rate`,
    );
  }
}

/** About how long one iteration takes: the function's mean duration for the templates that call one; null when unknown. */
function typicalIterationMs(exp: ResolvedExperiment, s: ResolvedScenario): number | null {
  const fn = s.template === 'lambda-invoke' ? exp.system.functions[s.function] : s.template === 'http' && 'function' in s.url ? exp.system.functions[s.url.function] : undefined;
  if (!fn?.synthetic) return null;
  return meanDuration(fn.synthetic.duration) + s.thinkTimeMs;
}

function fmtRate(n: number): string {
  return n >= 1e4 ? n.toExponential(1).replace('e+', 'e') : String(Math.round(n * 10) / 10);
}

/** The cross-field rules, in the order they read the file. */
const CROSS_CHECKS: ReadonlyArray<(ctx: CheckContext) => void> = [
  checkAccount,
  checkFunctions,
  checkAccountConcurrency,
  checkQueues,
  checkEventSources,
  checkScenarios,
  checkLoadThresholds,
  checkFaults,
  checkStopConditions,
  checkExpect,
];

function producerRate(exp: ResolvedExperiment, queue: string): number | null {
  let rate = 0;
  let any = false;
  for (const s of Object.values(exp.load.scenarios)) {
    if (s.template !== 'sqs-producer' || s.queue !== queue) continue;
    any = true;
    if (s.executor === 'constant-arrival-rate') rate += (s.rate * s.batchSize * 1000) / s.timeUnitMs;
    else if (s.executor === 'ramping-arrival-rate') rate += (Math.max(s.startRate, ...s.stages.map((x) => x.target)) * s.batchSize * 1000) / s.timeUnitMs;
    else return null;
  }
  return any ? rate : null;
}

function notFound(ctx: CheckContext, p: PathPart[], what: string, name: string, known: string[], error: ErrorFn, extraHint?: string, key = false): void {
  if (ctx.pruned.has(name)) return;
  const guess = didYouMean(name, known);
  const hint = guess ? `did you mean \`${guess}\`?` : known.length ? `known ${what}s: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}` : `no ${what} is defined`;
  error(p, `no ${what} named "${name}"`, extraHint ? `${hint} (${extraHint})` : hint, key);
}

export { parseDuration };
