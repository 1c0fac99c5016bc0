/**
 * The one explicit map of executors (no registry filled by import side effects), and the parsing
 * of a `scenarios` entry's common fields (k6 `lib/executor/base_config.go`, k6-contract.md §4.1).
 */
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVUs } from './constant-vus.ts';
import { FieldReader } from './fields.ts';
import { perVUIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVUs } from './ramping-vus.ts';
import { sharedIterations } from './shared-iterations.ts';
import type { BaseScenarioConfig, Executor, ExecutorDefinition, ExecutorName, ExecutorPlan, SegmentShare } from './types.ts';

export const executors: { readonly [K in ExecutorName]: ExecutorDefinition<BaseScenarioConfig> } = {
  'shared-iterations': sharedIterations as unknown as ExecutorDefinition<BaseScenarioConfig>,
  'per-vu-iterations': perVUIterations as unknown as ExecutorDefinition<BaseScenarioConfig>,
  'constant-vus': constantVUs as unknown as ExecutorDefinition<BaseScenarioConfig>,
  'ramping-vus': rampingVUs as unknown as ExecutorDefinition<BaseScenarioConfig>,
  'constant-arrival-rate': constantArrivalRate as unknown as ExecutorDefinition<BaseScenarioConfig>,
  'ramping-arrival-rate': rampingArrivalRate as unknown as ExecutorDefinition<BaseScenarioConfig>,
};

const COMMON = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags', 'options'];
const NAME = /^[0-9a-zA-Z_-]+$/;

function stringMap(f: FieldReader, raw: unknown, key: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    f.error(key, 'must be an object of strings');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string') f.error(`${key}.${k}`, `must be a string, got ${JSON.stringify(v)}`);
    out[k] = String(v);
  }
  return out;
}

/** Parse one scenario; every problem goes to `errors` with its path. */
export function parseScenario(name: string, raw: unknown, errors: string[]): BaseScenarioConfig | undefined {
  const path = `scenarios.${name}`;
  if (!NAME.test(name)) errors.push(`${path}: scenario names may only contain letters, digits, '_' and '-'`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.push(`${path}: must be an object with an "executor" field`);
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const f = new FieldReader(r, path, errors);
  const executor = r.executor;
  if (executor === 'externally-controlled') {
    f.error('executor', '"externally-controlled" was removed in k6 v2.0 and is not supported; use ramping-vus');
    return undefined;
  }
  if (typeof executor !== 'string' || !(executor in executors)) {
    f.error('executor', `must be one of ${Object.keys(executors).join(', ')}; got ${JSON.stringify(executor)}`);
    return undefined;
  }
  const def = executors[executor as ExecutorName];
  for (const k of Object.keys(r)) if (!COMMON.includes(k) && !def.fields.includes(k)) f.error(k, `unknown field for executor ${executor}`);
  if (r.options !== undefined) f.error('options', 'scenario options are for k6/browser, which squall does not run; use real k6');
  const exec = r.exec ?? 'default';
  if (typeof exec !== 'string' || exec === '') f.error('exec', 'must be the name of an exported function');
  const base: BaseScenarioConfig = {
    name,
    executor: executor as ExecutorName,
    startTimeMs: f.duration('startTime', 0),
    gracefulStopMs: f.duration('gracefulStop', 30_000),
    exec: String(exec),
    env: stringMap(f, r.env, 'env'),
    tags: stringMap(f, r.tags, 'tags'),
  };
  return def.parse(base, r, errors);
}

export function planScenario(config: BaseScenarioConfig, segment: SegmentShare): ExecutorPlan {
  return executors[config.executor].plan(config, segment);
}

export function createExecutor(plan: ExecutorPlan): Executor {
  return executors[plan.config.executor].create(plan);
}
