/**
 * Small builders of ResolvedExperiment objects for generator tests (the loader builds the real
 * ones; these fill every field with AWS's/k6's defaults so a test states only what it varies).
 */
import {
  EXPERIMENT_SCHEMA,
  type ResolvedExecutor,
  type ResolvedExperiment,
  type ResolvedFunction,
  type ResolvedQueue,
  type ResolvedScenario,
  type ResolvedTemplate,
  type Stage,
} from '../../harness/experiment/types.ts';

export function fn(name: string, extra: Partial<ResolvedFunction> = {}): ResolvedFunction {
  return {
    name,
    handler: null,
    synthetic: { duration: { kind: 'constant', ms: 5 }, errorRate: 0, poison: null, response: null },
    memoryMB: 128,
    timeoutSeconds: 3,
    architecture: 'x86_64',
    reservedConcurrency: null,
    provisionedConcurrency: 0,
    coldStart: { initMs: { kind: 'constant', ms: 100 } },
    url: true,
    async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: null, retryDelaysSeconds: [60, 120] },
    calibrated: null,
    ...extra,
  };
}

export function queue(name: string, extra: Partial<ResolvedQueue> = {}): ResolvedQueue {
  return {
    name,
    fifo: name.endsWith('.fifo'),
    visibilityTimeoutSeconds: 30,
    messageRetentionSeconds: 345600,
    delaySeconds: 0,
    receiveMessageWaitTimeSeconds: 0,
    maximumMessageSizeBytes: 1048576,
    contentBasedDeduplication: false,
    redrive: null,
    ...extra,
  };
}

export const httpTemplate: ResolvedTemplate = {
  template: 'http',
  url: { function: 'orders-api', path: '/orders' },
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"id":"{{uuid}}","vu":{{vu}},"n":{{randomInt 1 9}}}',
  expectedStatuses: [200, 201],
  checks: [{ name: 'status is 2xx', status: [200, 201] }, { name: 'fast', maxDurationMs: 500 }, { name: 'ok body', bodyContains: '"ok"' }],
  retryOn429: 3,
};

export const sqsTemplate: ResolvedTemplate = {
  template: 'sqs-producer',
  queue: 'orders',
  batchSize: 10,
  body: '{"order":{{seq}},"at":{{now}}}',
  messageGroupId: null,
  poison: { ratio: 0.1, kind: 'marker' },
};

export const lambdaTemplate: ResolvedTemplate = {
  template: 'lambda-invoke',
  function: 'worker',
  invocationType: 'Event',
  payload: '{"job":"{{uuid}}","iter":{{iter}}}',
  retryOn429: 1,
};

export const executors: Record<ResolvedExecutor['executor'], ResolvedExecutor> = {
  'shared-iterations': { executor: 'shared-iterations', vus: 2, iterations: 20, maxDurationMs: 600_000 },
  'per-vu-iterations': { executor: 'per-vu-iterations', vus: 3, iterations: 5, maxDurationMs: 90_000 },
  'constant-vus': { executor: 'constant-vus', vus: 4, durationMs: 30_000 },
  'ramping-vus': {
    executor: 'ramping-vus',
    startVUs: 1,
    stages: [{ durationMs: 10_000, target: 5 }, { durationMs: 1_500, target: 0 }],
    gracefulRampDownMs: 30_000,
  },
  'constant-arrival-rate': { executor: 'constant-arrival-rate', rate: 50, timeUnitMs: 1000, durationMs: 60_000, preAllocatedVUs: 10, maxVUs: 20 },
  'ramping-arrival-rate': {
    executor: 'ramping-arrival-rate',
    startRate: 0,
    timeUnitMs: 60_000,
    stages: [{ durationMs: 90_000, target: 600 }, { durationMs: 500, target: 600 }],
    preAllocatedVUs: 5,
    maxVUs: 50,
  },
};

export function scenario(name: string, template: ResolvedTemplate, executor: ResolvedExecutor, extra: Partial<ResolvedScenario> = {}): ResolvedScenario {
  return {
    ...template,
    ...executor,
    name,
    startTimeMs: 0,
    gracefulStopMs: 30_000,
    env: {},
    tags: {},
    arrival: 'k6',
    thinkTimeMs: 0,
    ...extra,
  } as ResolvedScenario;
}

export function experiment(scenarios: ResolvedScenario[], extra: Partial<ResolvedExperiment> = {}): ResolvedExperiment {
  return {
    schema: EXPERIMENT_SCHEMA,
    name: 'orders-test',
    description: 'Orders API under load\nwith a queue behind it',
    seed: 42,
    sourceFile: '/tmp/orders-test.yaml',
    target: { kind: 'emulated' },
    system: {
      account: { concurrencyLimit: 1000, unreservedMinimum: 100, scalingRate: { environments: 1000, perSeconds: 10 }, idleExpirySeconds: 600 },
      functions: { 'orders-api': fn('orders-api'), worker: fn('worker', { url: false }) },
      queues: { orders: queue('orders'), 'events.fifo': queue('events.fifo') },
      eventSources: [],
    },
    load: {
      engine: 'auto',
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s])),
      thresholds: {
        http_req_duration: [{ threshold: 'p(95)<500', abortOnFail: false, delayAbortEvalMs: null }],
        'http_req_failed{scenario:api}': [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEvalMs: 10_000 }],
      },
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'],
      durationMs: 60_000,
    },
    chaos: { faults: [], stopConditions: [] },
    expect: { thresholds: {}, predictions: {}, messages: 'off' },
    templatesDir: null,
    ...extra,
  };
}

/** The options object of a generated script (written by JSON.stringify, so it parses as JSON). */
export function optionsOf(script: string): any {
  const m = /^export const options = (\{[\s\S]*?\n\});$/m.exec(script);
  if (!m) throw new Error('no `export const options = {...};` in the script');
  return JSON.parse(m[1]!);
}


/** Go/k6 duration string → ms (k6-contract.md §4.1), to check k6Duration round-trips. */
export function parseGoDuration(s: string): number {
  if (s === '0s') return 0;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  let rest = s;
  while (rest.length > 0) {
    const m = /^(\d+)(ms|us|h|m|s)/.exec(rest);
    if (!m) throw new Error(`bad duration ${s}`);
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * The k6 scenario a resolved scenario should become, checked field by field with an independent
 * duration parser (so a test does not reuse the generator's own conversion).
 */
export function expectedK6Scenario(s: ResolvedScenario): Record<string, unknown> {
  const e = s as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { executor: s.executor };
  const numeric = ['vus', 'iterations', 'startVUs', 'rate', 'startRate', 'preAllocatedVUs', 'maxVUs'];
  const durations: Record<string, string> = { maxDurationMs: 'maxDuration', durationMs: 'duration', gracefulRampDownMs: 'gracefulRampDown', timeUnitMs: 'timeUnit' };
  for (const k of numeric) if (k in e) out[k] = e[k];
  for (const [k, name] of Object.entries(durations)) if (k in e) out[name] = e[k];
  if ('stages' in e) out.stages = (e.stages as Stage[]).map((st) => ({ duration: st.durationMs, target: st.target }));
  out.startTime = s.startTimeMs;
  out.gracefulStop = s.gracefulStopMs;
  return out;
}

/** A generated k6 scenario with its duration strings turned back into ms, for comparison with expectedK6Scenario. */
export function k6ScenarioInMs(k: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(k)) {
    if (key === 'exec' || key === 'env' || key === 'tags') continue;
    if (key === 'stages') out.stages = (v as Array<{ duration: string; target: number }>).map((st) => ({ duration: parseGoDuration(st.duration), target: st.target }));
    else if (typeof v === 'string' && key !== 'executor') out[key] = parseGoDuration(v);
    else out[key] = v;
  }
  return out;
}
