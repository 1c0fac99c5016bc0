/**
 * The experiment file's schema (what a person writes), in zod. Objects are strict: an unknown key
 * is an error (with "did you mean"), as in k6's own option parsing. Defaults are NOT applied here;
 * `resolve.ts` fills them in from contracts/aws-facts.ts, so the input type stays what people write.
 */
import { z } from 'zod';
import { K6_EXECUTORS } from '../contracts/k6.ts';
import { parseDuration } from './duration.ts';

export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** Lambda function names: letters, digits, hyphens, underscores, 1–64 [MODEL FunctionName]. */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** SQS queue names: 1–80 of alphanumerics, hyphens, underscores, `.fifo` suffix for FIFO [MODEL CreateQueue]. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$|^[A-Za-z0-9_-]{1,80}$/;

export const duration = () =>
  z.union([z.string(), z.number()], { error: 'expected a duration like "30s", "1m30s" or "500ms"' }).superRefine((v, ctx) => {
    const r = parseDuration(v);
    if ('error' in r) ctx.addIssue({ code: 'custom', message: r.error });
  });

const int = (min: number, max?: number) => {
  let s = z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(min, { error: `must be at least ${min}` });
  if (max !== undefined) s = s.max(max, { error: `must be at most ${max}` });
  return s;
};
const num = (min: number, max?: number) => {
  let s = z.number({ error: 'expected a number' }).min(min, { error: `must be at least ${min}` });
  if (max !== undefined) s = s.max(max, { error: `must be at most ${max}` });
  return s;
};
/** Greater than 0, in the same words as the cross-field rules ("must be greater than 0" for 0 and for -5 alike). */
const positive = () => z.number({ error: 'expected a number' }).gt(0, { error: 'must be greater than 0' });
const strMap = () => z.record(z.string(), z.string({ error: 'expected a string value' }));

// ---------------------------------------------------------------------------------------------
// Distributions: `50ms`, or a single-key object naming the kind.

export const DistributionSchema = z.union(
  [
    duration(),
    z.strictObject({ constant: duration() }),
    z.strictObject({ uniform: z.strictObject({ min: duration(), max: duration() }) }),
    z.strictObject({ normal: z.strictObject({ mean: duration(), stddev: duration() }) }),
    z.strictObject({ lognormal: z.strictObject({ p50: duration(), p99: duration() }) }),
    z.strictObject({ exponential: z.strictObject({ mean: duration() }) }),
    z.strictObject({ empirical: z.record(z.string().regex(/^p\d+(\.\d+)?$/, { error: 'keys are percentiles like p50, p99, p99.9' }), duration()) }),
  ],
  {
    error:
      'expected a duration ("50ms") or one of {constant: D}, {uniform: {min, max}}, {normal: {mean, stddev}}, {lognormal: {p50, p99}}, {exponential: {mean}}, {empirical: {p50: D, p99: D, ...}}',
  },
);

const PoisonRuleSchema = z.strictObject({
  attribute: z.string().optional(),
  bodyContains: z.string().optional(),
  invalidJson: z.boolean().optional(),
  response: z.enum(['batch-item-failures', 'throw']).optional(),
});

const SyntheticSchema = z.strictObject({
  duration: DistributionSchema,
  errorRate: num(0, 1).optional(),
  poison: PoisonRuleSchema.optional(),
  response: z.unknown().optional(),
});

export const FunctionSchema = z.strictObject({
  handler: z.string().regex(/^[^#]+#[A-Za-z_$][\w$]*$/, { error: 'write the handler as path/to/file.js#exportName' }).optional(),
  synthetic: SyntheticSchema.optional(),
  /** A deployment package as users build it: a local .zip, Lambda's Handler string, layers as local .zip files. */
  package: z
    .strictObject({
      zip: z.string(),
      handler: z.string().optional(),
      runtime: z.enum(['nodejs18.x', 'nodejs20.x', 'nodejs22.x']).optional(),
      layers: z.array(z.string()).max(5).optional(),
    })
    .optional(),
  memoryMB: int(1).optional(),
  timeoutSeconds: int(1).optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  reservedConcurrency: int(0).nullable().optional(),
  provisionedConcurrency: int(0).optional(),
  coldStart: z.strictObject({ init: DistributionSchema }).optional(),
  url: z.boolean().optional(),
  async: z
    .strictObject({
      maximumRetryAttempts: int(0).optional(),
      maximumEventAgeSeconds: int(0).optional(),
      onFailure: z.string().optional(),
      retryDelays: z.array(duration()).optional(),
    })
    .optional(),
  calibrated: DistributionSchema.optional(),
  /**
   * How the duration scales with memory (CPU follows memory): the share of the duration that is
   * CPU work, measured at `atMemoryMB` (default: this function's memoryMB) on `threads` threads.
   */
  cpu: z
    .union([num(0, 1), z.strictObject({ fraction: num(0, 1), atMemoryMB: int(1).optional(), threads: int(1).optional() })])
    .optional(),
});

export const QueueSchema = z.strictObject({
  fifo: z.boolean().optional(),
  visibilityTimeoutSeconds: int(0).optional(),
  messageRetentionSeconds: int(0).optional(),
  delaySeconds: int(0).optional(),
  receiveMessageWaitTimeSeconds: int(0).optional(),
  maximumMessageSize: int(0).optional(),
  contentBasedDeduplication: z.boolean().optional(),
  redrive: z.strictObject({ deadLetterQueue: z.string(), maxReceiveCount: int(1).optional() }).optional(),
});

export const EventSourceSchema = z.strictObject({
  queue: z.string(),
  function: z.string(),
  batchSize: int(1).optional(),
  maximumBatchingWindowSeconds: int(0).optional(),
  reportBatchItemFailures: z.boolean().optional(),
  maximumConcurrency: int(0).nullable().optional(),
  enabled: z.boolean().optional(),
});

const AccountSchema = z.strictObject({
  concurrencyLimit: int(1).optional(),
  unreservedMinimum: int(0).optional(),
  scalingRate: z.strictObject({ environments: int(1), per: duration() }).optional(),
  idleExpiry: duration().optional(),
});

export const SystemSchema = z.strictObject({
  account: AccountSchema.optional(),
  functions: z.record(z.string().regex(FUNCTION_NAME, { error: 'function names are 1–64 letters, digits, - or _' }), FunctionSchema).optional(),
  queues: z.record(z.string().regex(QUEUE_NAME, { error: 'queue names are 1–80 letters, digits, - or _, with .fifo for FIFO queues' }), QueueSchema).optional(),
  eventSources: z.array(EventSourceSchema).optional(),
});

// ---------------------------------------------------------------------------------------------
// Load: scenarios are flat objects (template fields + k6 executor fields), checked per kind in validate.ts.

export const EXECUTORS = K6_EXECUTORS;
export const TEMPLATES = ['http', 'sqs-producer', 'lambda-invoke'] as const;

const StageSchema = z.strictObject({ duration: duration(), target: int(0) });
const ThresholdSchema = z.union([
  z.string(),
  z.strictObject({ threshold: z.string(), abortOnFail: z.boolean().optional(), delayAbortEval: duration().optional() }),
]);
const CheckSchema = z.strictObject({
  name: z.string(),
  status: z.union([int(100, 599), z.array(int(100, 599))]).optional(),
  bodyContains: z.string().optional(),
  maxDuration: duration().optional(),
});

export const ScenarioSchema = z.strictObject({
  // which template
  template: z.string({ error: 'name a template: http, sqs-producer, lambda-invoke, or a path to your own .hbs' }),
  // http
  url: z.union([z.string(), z.strictObject({ function: z.string(), path: z.string().optional() })]).optional(),
  method: z.string().optional(),
  headers: strMap().optional(),
  body: z.string().optional(),
  expectedStatuses: z.array(int(100, 599)).optional(),
  checks: z.array(CheckSchema).optional(),
  retryOn429: int(1, 10).optional(),
  // sqs-producer
  queue: z.string().optional(),
  batchSize: int(1).optional(),
  messageGroupId: z.string().optional(),
  poison: z.strictObject({ ratio: num(0, 1), kind: z.enum(['marker', 'invalid-json', 'oversized']).optional() }).optional(),
  // lambda-invoke
  function: z.string().optional(),
  invocationType: z.enum(['RequestResponse', 'Event']).optional(),
  payload: z.string().optional(),
  // custom
  vars: z.record(z.string(), z.unknown()).optional(),
  // k6 executor options (k6's names)
  executor: z.string({ error: `name a k6 executor: ${EXECUTORS.join(', ')}` }),
  startTime: duration().optional(),
  gracefulStop: duration().optional(),
  env: strMap().optional(),
  tags: strMap().optional(),
  vus: int(0).optional(),
  iterations: int(1).optional(),
  maxDuration: duration().optional(),
  duration: duration().optional(),
  startVUs: int(0).optional(),
  stages: z.array(StageSchema).optional(),
  gracefulRampDown: duration().optional(),
  rate: positive().optional(),
  startRate: num(0).optional(),
  timeUnit: duration().optional(),
  preAllocatedVUs: int(0).optional(),
  maxVUs: int(0).optional(),
  // squall additions
  arrival: z.enum(['k6', 'poisson']).optional(),
  thinkTime: duration().optional(),
});

export const LoadSchema = z.strictObject({
  engine: z.enum(['embedded', 'k6', 'auto']).optional(),
  scenarios: z.record(z.string().regex(NAME_PATTERN, { error: 'scenario names must match ^[0-9a-zA-Z_-]+$ (k6 rule)' }), ScenarioSchema),
  thresholds: z.record(z.string(), z.array(ThresholdSchema)).optional(),
  summaryTrendStats: z.array(z.string()).optional(),
});

// ---------------------------------------------------------------------------------------------
// Chaos and expectations

export const FAULT_ACTIONS = [
  'set-reserved-concurrency',
  'remove-reserved-concurrency',
  'set-provisioned-concurrency',
  'disable-event-source',
  'enable-event-source',
  'update-event-source',
  'inject-poison',
  'inject-latency',
  'inject-errors',
  'override-status',
] as const;

export const FaultSchema = z.strictObject({
  at: duration(),
  for: duration().optional(),
  action: z.string({ error: `name an action: ${FAULT_ACTIONS.join(', ')}` }),
  function: z.string().optional(),
  value: int(0).optional(),
  /** set-provisioned-concurrency: the published version number or alias (default `live`, the alias squall deploys). */
  qualifier: z.string().optional(),
  eventSource: z.string().optional(),
  batchSize: int(1).optional(),
  maximumConcurrency: int(0).optional(),
  queue: z.string().optional(),
  count: int(1).optional(),
  rate: positive().optional(),
  kind: z.enum(['marker', 'invalid-json', 'oversized']).optional(),
  // function faults (inject-latency, inject-errors, override-status)
  latency: DistributionSchema.optional(),
  percentage: z
    .number({ error: 'expected a percentage of invocations, 0 to 100' })
    .min(0, { error: 'a percentage is at least 0' })
    .max(100, { error: 'a percentage is at most 100 (every invocation)' })
    .optional(),
  runHandler: z.boolean().optional(),
  errorType: z.string().regex(/^[A-Za-z_$][\w$.]{0,63}$/, { error: 'an error type is a name like SquallInjectedError (letters, digits, _, $ or .)' }).optional(),
  statusCode: int(100, 599).optional(),
});

/**
 * A stop condition: a series condition (`series`, `when`, …) or a CloudWatch alarm by name or ARN
 * (`alarm`, aws targets; the run stops when it is in ALARM, as in AWS FIS). One object with both
 * shapes' fields, so that a wrong field gets its own message; validate.ts checks which shape it is.
 */
const StopConditionSchema = z.strictObject({
  series: z.string().optional(),
  labels: strMap().optional(),
  when: z.string().optional(),
  window: duration().optional(),
  alarm: z.string().min(1, { error: 'name the CloudWatch alarm (its name or ARN)' }).optional(),
  then: z.enum(['stop-load', 'continue']).optional(),
});

export const ChaosSchema = z.strictObject({
  faults: z.array(FaultSchema).optional(),
  stopConditions: z.array(StopConditionSchema).optional(),
});

const ToleranceSchema = z.strictObject({
  relative: num(0).optional(),
  absolute: num(0).optional(),
  on: z.enum(['total', 'step']).optional(),
  /** Coverage of the simulator's prediction interval, e.g. 0.95 (see types.ts Tolerance). */
  interval: z.number({ error: 'expected a coverage like 0.95' }).gt(0, { error: 'an interval covers more than 0 (e.g. 0.95)' }).lt(1, { error: 'an interval covers less than 1 (e.g. 0.95)' }).optional(),
});

export const ExpectSchema = z.strictObject({
  thresholds: z.record(z.string(), z.array(z.string())).optional(),
  predictions: z.record(z.string(), ToleranceSchema).optional(),
  messages: z.enum(['no-loss', 'off']).optional(),
  messagesWhenUnmeasured: z.enum(['warn', 'fail']).optional(),
});

export const TargetSchema = z.union([
  z.literal('emulated'),
  z.strictObject({ kind: z.literal('emulated') }),
  z.strictObject({
    kind: z.literal('aws'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS Region like us-east-1' }),
    profile: z.string().optional(),
    endpoint: z.url({ error: 'expected a URL like http://127.0.0.1:4566' }).optional(),
    /** Refuse to start when the predicted cost of the run (list prices) is above this. */
    maxCostUsd: z.number().positive({ error: 'maxCostUsd is a positive amount in US dollars' }).optional(),
    accountAllowlist: z.array(z.string().regex(/^\d{12}$/, { error: 'AWS account ids are 12 digits' })).min(1, {
      error: 'name at least one account squall may touch',
    }),
  }),
]);

export const ExperimentSchema = z.strictObject({
  name: z.string({ error: 'every experiment needs a name' }).regex(NAME_PATTERN, { error: 'names may use letters, digits, - and _ (they become folder names)' }),
  description: z.string().optional(),
  seed: int(0, 2 ** 32 - 1).optional(),
  templates: z.string().optional(),
  target: TargetSchema.optional(),
  system: SystemSchema.optional(),
  load: LoadSchema,
  chaos: ChaosSchema.optional(),
  expect: ExpectSchema.optional(),
});

/** What a person writes, fully typed for `defineExperiment` in TypeScript experiment files. */
export type ExperimentInput = z.input<typeof ExperimentSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type FaultInput = z.input<typeof FaultSchema>;
export type FunctionInput = z.input<typeof FunctionSchema>;
export type DistributionInput = z.input<typeof DistributionSchema>;
