/**
 * A small builder of ResolvedExperiment objects for simulator tests: AWS defaults from
 * aws-facts, k6 defaults as k6 documents them, and only what a test cares about spelled out.
 */
import { LAMBDA, LAMBDA_ASYNC, SQS } from '../../harness/contracts/aws-facts.ts';
import type {
  DurationDistribution,
  PoisonRule,
  ResolvedAccount,
  ResolvedEventSource,
  ResolvedExecutor,
  ResolvedExperiment,
  ResolvedFault,
  ResolvedFaultAction,
  ResolvedFunction,
  ResolvedQueue,
  ResolvedScenario,
  ResolvedTemplate,
} from '../../harness/experiment/types.ts';

export function fn(
  name: string,
  o: Partial<Omit<ResolvedFunction, 'synthetic'>> & { duration?: DurationDistribution; errorRate?: number; poison?: PoisonRule | null; initMs?: DurationDistribution } = {},
): ResolvedFunction {
  const { duration, errorRate, poison, initMs, ...rest } = o;
  return {
    name,
    handler: null,
    synthetic: { duration: duration ?? { kind: 'constant', ms: 100 }, errorRate: errorRate ?? 0, poison: poison ?? null, response: null },
    memoryMB: 128,
    timeoutSeconds: LAMBDA.timeoutDefaultSeconds,
    architecture: 'x86_64',
    reservedConcurrency: null,
    provisionedConcurrency: 0,
    coldStart: { initMs: initMs ?? { kind: 'constant', ms: LAMBDA.coldStartInitMsDefault } },
    url: true,
    async: {
      maximumRetryAttempts: LAMBDA_ASYNC.maximumRetryAttemptsDefault,
      maximumEventAgeSeconds: LAMBDA_ASYNC.maximumEventAgeSecondsDefault,
      onFailure: null,
      retryDelaysSeconds: [...LAMBDA_ASYNC.retryDelaysSeconds],
    },
    calibrated: null,
    ...rest,
  };
}

export function queue(name: string, o: Partial<ResolvedQueue> = {}): ResolvedQueue {
  return {
    name,
    fifo: false,
    visibilityTimeoutSeconds: SQS.visibilityTimeoutDefaultSeconds,
    messageRetentionSeconds: SQS.messageRetentionDefaultSeconds,
    delaySeconds: 0,
    receiveMessageWaitTimeSeconds: 0,
    maximumMessageSizeBytes: SQS.maximumMessageSizeDefaultBytes,
    contentBasedDeduplication: false,
    redrive: null,
    ...o,
  };
}

export function esm(queueName: string, fnName: string, o: Partial<ResolvedEventSource> = {}): ResolvedEventSource {
  return {
    id: `${queueName}->${fnName}`,
    queue: queueName,
    function: fnName,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    reportBatchItemFailures: false,
    maximumConcurrency: null,
    enabled: true,
    ...o,
  };
}

export const constantRate = (rate: number, durationMs: number, vus = 1000, timeUnitMs = 1000): ResolvedExecutor => ({
  executor: 'constant-arrival-rate',
  rate,
  timeUnitMs,
  durationMs,
  preAllocatedVUs: vus,
  maxVUs: vus,
});

export function scenario(
  name: string,
  template: ResolvedTemplate,
  executor: ResolvedExecutor,
  o: Partial<Pick<ResolvedScenario, 'arrival' | 'thinkTimeMs' | 'startTimeMs'>> = {},
): ResolvedScenario {
  return {
    ...template,
    ...executor,
    name,
    startTimeMs: o.startTimeMs ?? 0,
    gracefulStopMs: 30_000,
    env: {},
    tags: {},
    arrival: o.arrival ?? 'k6',
    thinkTimeMs: o.thinkTimeMs ?? 0,
  } as ResolvedScenario;
}

export const http = (fnName: string, retryOn429 = 1): ResolvedTemplate => ({
  template: 'http',
  url: { function: fnName, path: '/' },
  method: 'GET',
  headers: {},
  body: null,
  expectedStatuses: [200],
  checks: [],
  retryOn429,
});

export const invoke = (fnName: string, invocationType: 'RequestResponse' | 'Event', retryOn429 = 1): ResolvedTemplate => ({
  template: 'lambda-invoke',
  function: fnName,
  invocationType,
  payload: '{}',
  retryOn429,
});

export const sqsProducer = (queueName: string, batchSize = 1, poison: { ratio: number; kind: 'marker' | 'invalid-json' | 'oversized' } | null = null): ResolvedTemplate => ({
  template: 'sqs-producer',
  queue: queueName,
  batchSize,
  body: '{}',
  messageGroupId: null,
  poison,
});

export function fault(id: number, atMs: number, forMs: number | null, action: ResolvedFaultAction): ResolvedFault {
  return { ...action, id, atMs, forMs } as ResolvedFault;
}

function executorEnd(s: ResolvedScenario): number {
  switch (s.executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      return s.maxDurationMs;
    case 'constant-vus':
    case 'constant-arrival-rate':
      return s.durationMs;
    default:
      return s.stages.reduce((a, st) => a + st.durationMs, 0);
  }
}

export function experiment(p: {
  functions?: ResolvedFunction[];
  queues?: ResolvedQueue[];
  eventSources?: ResolvedEventSource[];
  scenarios?: ResolvedScenario[];
  faults?: ResolvedFault[];
  account?: Partial<ResolvedAccount>;
  thresholds?: Record<string, string[]>;
  seed?: number;
  durationMs?: number;
}): ResolvedExperiment {
  const scenarios = p.scenarios ?? [];
  return {
    schema: 'squall.experiment/v1',
    name: 'test',
    description: '',
    seed: p.seed ?? 1,
    sourceFile: '/tmp/test.yaml',
    target: { kind: 'emulated' },
    system: {
      account: {
        concurrencyLimit: LAMBDA.accountConcurrencyLimit,
        unreservedMinimum: LAMBDA.unreservedConcurrencyMinimum,
        scalingRate: { environments: LAMBDA.scalingBucketCapacity, perSeconds: LAMBDA.scalingBucketCapacity / LAMBDA.scalingRefillPerSecond },
        idleExpirySeconds: LAMBDA.idleExpirySecondsDefault,
        ...p.account,
      },
      functions: Object.fromEntries((p.functions ?? []).map((f) => [f.name, f])),
      queues: Object.fromEntries((p.queues ?? []).map((q) => [q.name, q])),
      eventSources: p.eventSources ?? [],
    },
    load: {
      engine: 'embedded',
      scenarios: Object.fromEntries(scenarios.map((s) => [s.name, s])),
      thresholds: {},
      summaryTrendStats: [],
      durationMs: p.durationMs ?? Math.max(0, ...scenarios.map((s) => s.startTimeMs + executorEnd(s))),
    },
    chaos: { faults: p.faults ?? [], stopConditions: [] },
    expect: { thresholds: p.thresholds ?? {}, predictions: {}, messages: 'off' },
    templatesDir: null,
  };
}
