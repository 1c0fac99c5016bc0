/**
 * Filling in defaults: schema-valid input → ResolvedExperiment. AWS defaults come from
 * contracts/aws-facts.ts and k6 defaults from k6's executor configs (k6-contract §4.1–4.2).
 * Resolution never fails: anything semantically wrong is reported by validate.ts, which runs on
 * the resolved object so that defaults take part in the cross-field rules.
 */
import { EXPERIMENT_ALIAS, EXPERIMENT_VERSION } from '../contracts/deployment.ts';
import { dict } from '../contracts/dict.ts';
import path from 'node:path';
import { ESM, LAMBDA, LAMBDA_ASYNC, SQS } from '../contracts/aws-facts.ts';
import { parseSeriesCondition } from '../contracts/series-thresholds.ts';
import type { CpuProfile } from '../rules/memory-cpu.ts';
import { parseDuration } from './duration.ts';
import type { DistributionInput, ExperimentInput, FaultInput, FunctionInput, ScenarioInput } from './schema.ts';
import {
  EXPERIMENT_SCHEMA,
  type DurationDistribution,
  type PoisonKind,
  type ResolvedEventSource,
  type ResolvedExecutor,
  type ResolvedExperiment,
  type ResolvedFault,
  type ResolvedFunction,
  type ResolvedQueue,
  type ResolvedScenario,
  type ResolvedTemplate,
  type AlarmStopCondition,
  type StopCondition,
  type ThresholdSpec,
  type Tolerance,
} from './types.ts';

/** Default seed when the file names none: fixed, so two runs of one file predict the same. */
export const DEFAULT_SEED = 1;
/** The message attribute every poison message carries (value: the run id). */
export const POISON_MARKER_ATTRIBUTE = 'squall-poison';

// A fault on the experiment's function should hit the alias its provisioned concurrency and its
// invokes use, so that alias is a set-provisioned-concurrency fault's default qualifier; on a system
// deployed otherwise, name the alias or version in the fault.
export { EXPERIMENT_ALIAS, EXPERIMENT_VERSION };
/** The errorType an `inject-errors` fault fails with unless the file names one (lambda-faults' own). */
export const INJECTED_ERROR_TYPE = 'SquallInjectedError';
/** k6 defaults (k6-contract §4.1–4.2). */
export const K6_DEFAULTS = {
  gracefulStopMs: 30_000,
  gracefulRampDownMs: 30_000,
  maxDurationMs: 600_000,
  timeUnitMs: 1000,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
} as const;

export const ms = (d: string | number | undefined, fallback: number): number => {
  if (d === undefined) return fallback;
  const r = parseDuration(d);
  return 'ms' in r ? r.ms : fallback;
};

export function resolveDistribution(d: DistributionInput): DurationDistribution {
  if (typeof d === 'string' || typeof d === 'number') return { kind: 'constant', ms: ms(d, 0) };
  if ('constant' in d) return { kind: 'constant', ms: ms(d.constant, 0) };
  if ('uniform' in d) return { kind: 'uniform', minMs: ms(d.uniform.min, 0), maxMs: ms(d.uniform.max, 0) };
  if ('normal' in d) return { kind: 'normal', meanMs: ms(d.normal.mean, 0), stddevMs: ms(d.normal.stddev, 0) };
  if ('lognormal' in d) return { kind: 'lognormal', p50Ms: ms(d.lognormal.p50, 0), p99Ms: ms(d.lognormal.p99, 0) };
  if ('exponential' in d) return { kind: 'exponential', meanMs: ms(d.exponential.mean, 0) };
  const percentiles = Object.entries(d.empirical)
    .map(([k, v]) => ({ p: Number(k.slice(1)), ms: ms(v, 0) }))
    .sort((a, b) => a.p - b.p);
  return { kind: 'empirical', percentiles };
}

function resolveCpu(c: FunctionInput['cpu'], memoryMB: number): CpuProfile | null {
  if (c === undefined) return null;
  if (typeof c === 'number') return { fraction: c, referenceMemoryMB: memoryMB, threads: 1 };
  return { fraction: c.fraction, referenceMemoryMB: c.atMemoryMB ?? memoryMB, threads: c.threads ?? 1 };
}

function resolveFunction(name: string, f: FunctionInput, baseDir: string): ResolvedFunction {
  let handler: ResolvedFunction['handler'] = null;
  if (f.handler) {
    const hash = f.handler.lastIndexOf('#');
    handler = { file: path.resolve(baseDir, f.handler.slice(0, hash)), export: f.handler.slice(hash + 1) };
  }
  const s = f.synthetic;
  const poison = s?.poison;
  const pkg = f.package
    ? { zip: path.resolve(baseDir, f.package.zip), handler: f.package.handler ?? 'index.handler', runtime: f.package.runtime ?? 'nodejs20.x', layers: (f.package.layers ?? []).map((l) => path.resolve(baseDir, l)) }
    : null;
  return {
    name,
    handler,
    package: pkg,
    synthetic: s
      ? {
          duration: resolveDistribution(s.duration),
          errorRate: s.errorRate ?? 0,
          poison: poison
            ? {
                attribute: poison.attribute ?? (poison.bodyContains || poison.invalidJson ? null : POISON_MARKER_ATTRIBUTE),
                bodyContains: poison.bodyContains ?? null,
                invalidJson: poison.invalidJson ?? false,
                response: poison.response ?? 'batch-item-failures',
              }
            : null,
          response: s.response ?? null,
        }
      : null,
    memoryMB: f.memoryMB ?? LAMBDA.memoryDefaultMB,
    timeoutSeconds: f.timeoutSeconds ?? LAMBDA.timeoutDefaultSeconds,
    architecture: f.architecture ?? 'x86_64',
    reservedConcurrency: f.reservedConcurrency ?? null,
    provisionedConcurrency: f.provisionedConcurrency ?? 0,
    coldStart: { initMs: f.coldStart ? resolveDistribution(f.coldStart.init) : { kind: 'constant', ms: LAMBDA.coldStartInitMsDefault } },
    url: f.url ?? false,
    async: {
      maximumRetryAttempts: f.async?.maximumRetryAttempts ?? LAMBDA_ASYNC.maximumRetryAttemptsDefault,
      maximumEventAgeSeconds: f.async?.maximumEventAgeSeconds ?? LAMBDA_ASYNC.maximumEventAgeSecondsDefault,
      onFailure: f.async?.onFailure ?? null,
      retryDelaysSeconds: f.async?.retryDelays ? f.async.retryDelays.map((d) => ms(d, 0) / 1000) : [...LAMBDA_ASYNC.retryDelaysSeconds],
    },
    calibrated: f.calibrated ? resolveDistribution(f.calibrated) : null,
    cpu: resolveCpu(f.cpu, f.memoryMB ?? LAMBDA.memoryDefaultMB),
  };
}

function resolveQueue(name: string, q: NonNullable<NonNullable<ExperimentInput['system']>['queues']>[string]): ResolvedQueue {
  return {
    name,
    fifo: q.fifo ?? name.endsWith('.fifo'),
    visibilityTimeoutSeconds: q.visibilityTimeoutSeconds ?? SQS.visibilityTimeoutDefaultSeconds,
    messageRetentionSeconds: q.messageRetentionSeconds ?? SQS.messageRetentionDefaultSeconds,
    delaySeconds: q.delaySeconds ?? 0,
    receiveMessageWaitTimeSeconds: q.receiveMessageWaitTimeSeconds ?? 0,
    maximumMessageSizeBytes: q.maximumMessageSize ?? SQS.maximumMessageSizeDefaultBytes,
    contentBasedDeduplication: q.contentBasedDeduplication ?? false,
    redrive: q.redrive ? { deadLetterQueue: q.redrive.deadLetterQueue, maxReceiveCount: q.redrive.maxReceiveCount ?? SQS.maxReceiveCountDefault } : null,
  };
}

export function eventSourceId(queue: string, fn: string): string {
  return `${queue}->${fn}`;
}

function resolveExecutor(s: ScenarioInput): ResolvedExecutor {
  const stages = (s.stages ?? []).map((st) => ({ durationMs: ms(st.duration, 0), target: st.target }));
  switch (s.executor) {
    case 'shared-iterations':
      return { executor: 'shared-iterations', vus: s.vus ?? 1, iterations: s.iterations ?? 1, maxDurationMs: ms(s.maxDuration, K6_DEFAULTS.maxDurationMs) };
    case 'per-vu-iterations':
      return { executor: 'per-vu-iterations', vus: s.vus ?? 1, iterations: s.iterations ?? 1, maxDurationMs: ms(s.maxDuration, K6_DEFAULTS.maxDurationMs) };
    case 'constant-vus':
      return { executor: 'constant-vus', vus: s.vus ?? 1, durationMs: ms(s.duration, 0) };
    case 'ramping-vus':
      return { executor: 'ramping-vus', startVUs: s.startVUs ?? 1, stages, gracefulRampDownMs: ms(s.gracefulRampDown, K6_DEFAULTS.gracefulRampDownMs) };
    case 'constant-arrival-rate':
      return {
        executor: 'constant-arrival-rate',
        rate: s.rate ?? 0,
        timeUnitMs: ms(s.timeUnit, K6_DEFAULTS.timeUnitMs),
        durationMs: ms(s.duration, 0),
        preAllocatedVUs: s.preAllocatedVUs ?? 0,
        maxVUs: s.maxVUs ?? s.preAllocatedVUs ?? 0,
      };
    default:
      return {
        executor: 'ramping-arrival-rate',
        startRate: s.startRate ?? 0,
        timeUnitMs: ms(s.timeUnit, K6_DEFAULTS.timeUnitMs),
        stages,
        preAllocatedVUs: s.preAllocatedVUs ?? 0,
        maxVUs: s.maxVUs ?? s.preAllocatedVUs ?? 0,
      };
  }
}

/** The executor's regular duration (without graceful stop), as k6 plans it. */
export function executorDurationMs(e: ResolvedExecutor): number {
  switch (e.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return e.maxDurationMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return e.durationMs;
    case 'ramping-vus':
    case 'ramping-arrival-rate':
      return e.stages.reduce((a, s) => a + s.durationMs, 0);
  }
}

function resolveTemplate(s: ScenarioInput, baseDir: string, templatesDir: string | null): ResolvedTemplate {
  switch (s.template) {
    case 'http': {
      const url = typeof s.url === 'string' ? { literal: s.url } : { function: s.url?.function ?? '', path: s.url?.path ?? '/' };
      return {
        template: 'http',
        url,
        method: (s.method ?? (s.body ? 'POST' : 'GET')).toUpperCase(),
        headers: s.headers ?? {},
        body: s.body ?? null,
        expectedStatuses: s.expectedStatuses ?? [200],
        checks: (s.checks ?? []).map((c) => ({
          name: c.name,
          ...(c.status !== undefined ? { status: Array.isArray(c.status) ? c.status : [c.status] } : {}),
          ...(c.bodyContains !== undefined ? { bodyContains: c.bodyContains } : {}),
          ...(c.maxDuration !== undefined ? { maxDurationMs: ms(c.maxDuration, 0) } : {}),
        })),
        retryOn429: s.retryOn429 ?? 1,
      };
    }
    case 'sqs-producer':
      return {
        template: 'sqs-producer',
        queue: s.queue ?? '',
        batchSize: s.batchSize ?? 1,
        body: s.body ?? '{"id":"{{uuid}}","vu":{{vu}},"iter":{{iter}}}',
        messageGroupId: s.messageGroupId ?? null,
        poison: s.poison ? { ratio: s.poison.ratio, kind: (s.poison.kind ?? 'marker') as PoisonKind } : null,
      };
    case 'lambda-invoke':
      return {
        template: 'lambda-invoke',
        function: s.function ?? '',
        invocationType: s.invocationType ?? 'RequestResponse',
        payload: s.payload ?? '{"vu":{{vu}},"iter":{{iter}}}',
        retryOn429: s.retryOn429 ?? 1,
      };
    default:
      return { template: 'custom', path: resolveTemplatePath(s.template, baseDir, templatesDir), vars: s.vars ?? {} };
  }
}

export function resolveTemplatePath(name: string, baseDir: string, templatesDir: string | null): string {
  if (templatesDir && !name.includes('/') && !name.includes('\\')) {
    return path.resolve(templatesDir, name.endsWith('.hbs') ? name : `${name}.hbs`);
  }
  return path.resolve(baseDir, name);
}

function resolveScenario(name: string, s: ScenarioInput, baseDir: string, templatesDir: string | null): ResolvedScenario {
  return {
    name,
    ...resolveTemplate(s, baseDir, templatesDir),
    ...resolveExecutor(s),
    startTimeMs: ms(s.startTime, 0),
    gracefulStopMs: ms(s.gracefulStop, K6_DEFAULTS.gracefulStopMs),
    env: s.env ?? {},
    tags: s.tags ?? {},
    arrival: s.arrival ?? 'k6',
    thinkTimeMs: ms(s.thinkTime, 0),
  } as ResolvedScenario;
}

function resolveFault(f: FaultInput, id: number): ResolvedFault {
  const base = { id, atMs: ms(f.at, 0), forMs: f.for === undefined ? null : ms(f.for, 0) };
  switch (f.action) {
    case 'set-reserved-concurrency':
      return { ...base, action: 'set-reserved-concurrency', function: f.function ?? '', value: f.value ?? 0 };
    case 'remove-reserved-concurrency':
      return { ...base, action: 'remove-reserved-concurrency', function: f.function ?? '' };
    case 'set-provisioned-concurrency':
      return { ...base, action: 'set-provisioned-concurrency', function: f.function ?? '', qualifier: f.qualifier ?? EXPERIMENT_ALIAS, value: f.value ?? 0 };
    case 'disable-event-source':
      return { ...base, action: 'disable-event-source', eventSource: f.eventSource ?? '' };
    case 'enable-event-source':
      return { ...base, action: 'enable-event-source', eventSource: f.eventSource ?? '' };
    case 'update-event-source':
      return { ...base, action: 'update-event-source', eventSource: f.eventSource ?? '', batchSize: f.batchSize ?? null, maximumConcurrency: f.maximumConcurrency ?? null };
    case 'inject-latency':
      return { ...base, action: 'inject-latency', function: f.function ?? '', latency: resolveDistribution(f.latency ?? 0), percentage: f.percentage ?? 100 };
    case 'inject-errors':
      return { ...base, action: 'inject-errors', function: f.function ?? '', percentage: f.percentage ?? 100, runHandler: f.runHandler ?? false, errorType: f.errorType ?? INJECTED_ERROR_TYPE };
    case 'override-status':
      return { ...base, action: 'override-status', function: f.function ?? '', statusCode: f.statusCode ?? 500, percentage: f.percentage ?? 100 };
    default:
      return {
        ...base,
        action: 'inject-poison',
        queue: f.queue ?? '',
        kind: (f.kind ?? 'marker') as PoisonKind,
        count: f.count ?? null,
        ratePerSecond: f.rate ?? null,
      };
  }
}

function resolveThresholds(t: NonNullable<ExperimentInput['load']['thresholds']>): Record<string, ThresholdSpec[]> {
  const out: Record<string, ThresholdSpec[]> = {};
  for (const [metric, list] of Object.entries(t)) {
    out[metric] = list.map((x) =>
      typeof x === 'string'
        ? { threshold: x, abortOnFail: false, delayAbortEvalMs: null }
        : { threshold: x.threshold, abortOnFail: x.abortOnFail ?? false, delayAbortEvalMs: x.delayAbortEval === undefined ? null : ms(x.delayAbortEval, 0) },
    );
  }
  return out;
}

export function resolveExperiment(input: ExperimentInput, sourceFile: string): ResolvedExperiment {
  const baseDir = path.dirname(path.resolve(sourceFile));
  const templatesDir = input.templates ? path.resolve(baseDir, input.templates) : null;
  const sys = input.system ?? {};
  const account = sys.account ?? {};
  const functions = dict<ResolvedFunction>();
  for (const [name, f] of Object.entries(sys.functions ?? {})) functions[name] = resolveFunction(name, f, baseDir);
  const queues = dict<ResolvedQueue>();
  for (const [name, q] of Object.entries(sys.queues ?? {})) queues[name] = resolveQueue(name, q);
  const eventSources: ResolvedEventSource[] = (sys.eventSources ?? []).map((e) => ({
    id: eventSourceId(e.queue, e.function),
    queue: e.queue,
    function: e.function,
    batchSize: e.batchSize ?? ESM.batchSizeDefault,
    maximumBatchingWindowSeconds: e.maximumBatchingWindowSeconds ?? ESM.batchingWindowDefaultSeconds,
    reportBatchItemFailures: e.reportBatchItemFailures ?? false,
    maximumConcurrency: e.maximumConcurrency ?? null,
    enabled: e.enabled ?? true,
  }));
  const scenarios = dict<ResolvedScenario>();
  for (const [name, s] of Object.entries(input.load.scenarios)) scenarios[name] = resolveScenario(name, s, baseDir, templatesDir);
  const durationMs = Math.max(0, ...Object.values(scenarios).map((s) => s.startTimeMs + executorDurationMs(s)));

  const target: ResolvedExperiment['target'] =
    input.target === undefined || input.target === 'emulated' || input.target.kind === 'emulated'
      ? { kind: 'emulated' }
      : {
          kind: 'aws',
          region: input.target.region,
          profile: input.target.profile ?? null,
          endpoint: input.target.endpoint ?? null,
          accountAllowlist: input.target.accountAllowlist,
          maxCostUsd: input.target.maxCostUsd ?? null,
        };

  const rawStops = input.chaos?.stopConditions ?? [];
  const alarms: AlarmStopCondition[] = [];
  rawStops.forEach((c, index) => {
    if (c.alarm !== undefined) alarms.push({ index, alarm: c.alarm, then: c.then ?? 'stop-load' });
  });
  const stopConditions: StopCondition[] = rawStops.filter((c) => c.alarm === undefined).map((c) => {
    const p = parseSeriesCondition(c.when ?? '');
    return {
      series: c.series ?? '',
      labels: c.labels ?? {},
      aggregate: (p?.aggregate ?? 'sum') as StopCondition['aggregate'],
      op: (p?.op ?? '>') as StopCondition['op'],
      value: p?.value ?? 0,
      windowMs: ms(c.window, 10_000),
      then: c.then ?? 'stop-load',
    };
  });

  const predictions = dict<Tolerance>();
  for (const [k, t] of Object.entries(input.expect?.predictions ?? {})) {
    predictions[k] = { relative: t.relative ?? null, absolute: t.absolute ?? null, on: t.on ?? 'total', interval: t.interval ?? null };
  }

  return {
    schema: EXPERIMENT_SCHEMA,
    name: input.name,
    description: input.description ?? '',
    seed: input.seed ?? DEFAULT_SEED,
    sourceFile: path.resolve(sourceFile),
    target,
    system: {
      account: {
        concurrencyLimit: account.concurrencyLimit ?? LAMBDA.accountConcurrencyLimit,
        unreservedMinimum: account.unreservedMinimum ?? LAMBDA.unreservedConcurrencyMinimum,
        scalingRate: account.scalingRate
          ? { environments: account.scalingRate.environments, perSeconds: ms(account.scalingRate.per, 10_000) / 1000 }
          : { environments: LAMBDA.scalingBucketCapacity, perSeconds: LAMBDA.scalingBucketCapacity / LAMBDA.scalingRefillPerSecond },
        idleExpirySeconds: ms(account.idleExpiry, LAMBDA.idleExpirySecondsDefault * 1000) / 1000,
      },
      functions,
      queues,
      eventSources,
    },
    load: {
      engine: input.load.engine ?? 'auto',
      scenarios,
      thresholds: resolveThresholds(input.load.thresholds ?? {}),
      summaryTrendStats: input.load.summaryTrendStats ?? [...K6_DEFAULTS.summaryTrendStats],
      durationMs,
    },
    chaos: { faults: (input.chaos?.faults ?? []).map(resolveFault), stopConditions, ...(alarms.length ? { alarms } : {}) },
    expect: {
      thresholds: input.expect?.thresholds ?? {},
      predictions,
      messages: input.expect?.messages ?? 'off',
      messagesWhenUnmeasured: input.expect?.messagesWhenUnmeasured ?? 'fail',
    },
    templatesDir,
  };
}
