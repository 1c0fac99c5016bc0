/**
 * The resolved experiment: what every other part reads (`experiment.json` in a run folder).
 * Produced by `resolveExperiment` from a validated file: every default filled in, every duration
 * in milliseconds, every name checked to exist. Parts depend on this file only, never on the
 * input schema, so the file format can grow without touching the engine, emulator or simulator.
 */
import type { ThrottleReason } from '../contracts/aws-facts.ts';
import type { CpuProfile } from '../rules/memory-cpu.ts';

export const EXPERIMENT_SCHEMA = 'squall.experiment/v1';

export interface ResolvedExperiment {
  schema: typeof EXPERIMENT_SCHEMA;
  name: string;
  description: string;
  /** Seed for every random choice (simulator, synthetic functions, poison mix). */
  seed: number;
  /** Absolute path of the experiment file; handler and template paths were resolved against its folder. */
  sourceFile: string;
  target: ResolvedTarget;
  system: ResolvedSystem;
  load: ResolvedLoad;
  chaos: ResolvedChaos;
  expect: ResolvedExpect;
  /** Folder of user templates (absolute) or null. */
  templatesDir: string | null;
}

export type ResolvedTarget =
  | { kind: 'emulated' }
  | {
      kind: 'aws';
      region: string;
      profile: string | null;
      /** For LocalStack/moto; null = the real AWS endpoint of the region. */
      endpoint: string | null;
      /** Account ids squall may touch; a run against any other account refuses to start. */
      accountAllowlist: string[];
      /** Refuse to start when the predicted cost of the run is above this (US dollars); absent = no bound. */
      maxCostUsd?: number | null;
    };

export interface ResolvedSystem {
  account: ResolvedAccount;
  /** Keyed by function name; insertion order = file order. */
  functions: Record<string, ResolvedFunction>;
  queues: Record<string, ResolvedQueue>;
  eventSources: ResolvedEventSource[];
}

export interface ResolvedAccount {
  /** Account concurrency limit (AWS default 1,000). */
  concurrencyLimit: number;
  /** Unreserved concurrency AWS keeps free (100). */
  unreservedMinimum: number;
  /** Per-function scaling token bucket: `environments` new environments per `perSeconds`, refilled continuously. */
  scalingRate: { environments: number; perSeconds: number };
  /** Idle execution environments are reclaimed after this long (≈ 600 s on AWS). */
  idleExpirySeconds: number;
}

export type DurationDistribution =
  | { kind: 'constant'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'normal'; meanMs: number; stddevMs: number }
  | { kind: 'lognormal'; p50Ms: number; p99Ms: number }
  | { kind: 'exponential'; meanMs: number }
  /** Piecewise-linear inverse CDF through the given points (p in 0..100, ascending). */
  | { kind: 'empirical'; percentiles: Array<{ p: number; ms: number }> };

/** Which messages/events a synthetic function fails on. */
export interface PoisonRule {
  /** Match records carrying this message attribute (squall's poison marker by default). */
  attribute: string | null;
  /** Match records whose body contains this text. */
  bodyContains: string | null;
  /** Match records whose body is not valid JSON. */
  invalidJson: boolean;
  /**
   * How the function fails: `batch-item-failures` returns `{batchItemFailures:[...]}` naming the
   * poison records (only effective if the mapping has ReportBatchItemFailures, exactly as on AWS);
   * `throw` fails the whole invocation.
   */
  response: 'batch-item-failures' | 'throw';
}

export interface SyntheticBehaviour {
  duration: DurationDistribution;
  /** Probability in [0,1] that an invocation fails with a function error regardless of input. */
  errorRate: number;
  poison: PoisonRule | null;
  /** JSON the function returns on success (for sync invokes and URLs); null = `{"ok":true}`. */
  response: unknown;
}

export interface ResolvedFunction {
  name: string;
  /** Real code: absolute file path and export name. Exactly one of handler / synthetic is set. */
  handler: { file: string; export: string } | null;
  synthetic: SyntheticBehaviour | null;
  /** A deployment package (absolute paths): run as Lambda runs it, on the emulator. */
  package?: { zip: string; handler: string; runtime: string; layers: string[] } | null;
  memoryMB: number;
  timeoutSeconds: number;
  architecture: 'x86_64' | 'arm64';
  /** null = no reserved concurrency (uses the unreserved pool). */
  reservedConcurrency: number | null;
  /** Provisioned environments (on an alias `live` in aws mode); 0 = none. */
  provisionedConcurrency: number;
  /** Init time added to each cold start, on top of real module init for handler functions. */
  coldStart: { initMs: DurationDistribution };
  /** Function URL (auth NONE, payload format 2.0). */
  url: boolean;
  async: {
    maximumRetryAttempts: number;
    maximumEventAgeSeconds: number;
    /** Queue name receiving failed async events, or null. */
    onFailure: string | null;
    /** Delays before retry 1 and retry 2 after a function error (AWS ≈ 60 s and 120 s). */
    retryDelaysSeconds: number[];
  };
  /** For handler functions calibrated by `squall calibrate`: the fitted distribution the simulator uses. */
  calibrated: DurationDistribution | null;
  /** How the duration scales with memory (harness/rules/memory-cpu.ts); null = it does not. */
  cpu?: CpuProfile | null;
}

export interface ResolvedQueue {
  name: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  delaySeconds: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSizeBytes: number;
  contentBasedDeduplication: boolean;
  redrive: { deadLetterQueue: string; maxReceiveCount: number } | null;
}

export interface ResolvedEventSource {
  /** Stable id: `<queue>-><function>`. */
  id: string;
  queue: string;
  function: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency, or null for none. */
  maximumConcurrency: number | null;
  enabled: boolean;
}

// ---------------------------------------------------------------------------------------------
// Load

export type { ExecutorName } from '../contracts/k6.ts';

export interface Stage {
  durationMs: number;
  target: number;
}

/** k6 executor options, durations in ms, k6's defaults filled in. Field names are k6's. */
export type ResolvedExecutor =
  | { executor: 'shared-iterations'; vus: number; iterations: number; maxDurationMs: number }
  | { executor: 'per-vu-iterations'; vus: number; iterations: number; maxDurationMs: number }
  | { executor: 'constant-vus'; vus: number; durationMs: number }
  | { executor: 'ramping-vus'; startVUs: number; stages: Stage[]; gracefulRampDownMs: number }
  | {
      executor: 'constant-arrival-rate';
      rate: number;
      timeUnitMs: number;
      durationMs: number;
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      timeUnitMs: number;
      stages: Stage[];
      preAllocatedVUs: number;
      maxVUs: number;
    };

/** Body/payload text with runtime placeholders (`{{vu}}`, `{{iter}}`, `{{uuid}}`, `{{now}}`, `{{seq}}`, `{{randomInt a b}}`). */
export type BodyTemplate = string;

export type ResolvedTemplate =
  | {
      template: 'http';
      /** A function's URL (resolved at run time from the target) or a literal URL. */
      url: { function: string; path: string } | { literal: string };
      method: string;
      headers: Record<string, string>;
      body: BodyTemplate | null;
      expectedStatuses: number[];
      /** Named checks: `status`, `bodyContains`, `maxDurationMs`. */
      checks: Array<{ name: string; status?: number[]; bodyContains?: string; maxDurationMs?: number }>;
      /** Client-side retry on 429 like the AWS SDK (for the simulator's model too): attempts incl. the first. */
      retryOn429: number;
    }
  | {
      template: 'sqs-producer';
      queue: string;
      batchSize: number;
      body: BodyTemplate;
      /** FIFO queues: group id template. */
      messageGroupId: BodyTemplate | null;
      poison: { ratio: number; kind: PoisonKind } | null;
    }
  | {
      template: 'lambda-invoke';
      function: string;
      invocationType: 'RequestResponse' | 'Event';
      payload: BodyTemplate;
      /** SDK-like retries on 429 (attempts including the first). */
      retryOn429: number;
    }
  | {
      template: 'custom';
      /** Absolute path of the user's .hbs template. */
      path: string;
      vars: Record<string, unknown>;
    };

/** Poison kinds: `marker` (valid JSON with the marker attribute), `invalid-json`, `oversized` (near the size limit). */
export type PoisonKind = 'marker' | 'invalid-json' | 'oversized';

export type ResolvedScenario = ResolvedTemplate &
  ResolvedExecutor & {
    name: string;
    startTimeMs: number;
    gracefulStopMs: number;
    env: Record<string, string>;
    tags: Record<string, string>;
    /** `poisson` is a simulator-only what-if: the engine refuses it. */
    arrival: 'k6' | 'poisson';
    /** Think time after each iteration (k6 `sleep`), for VU executors. */
    thinkTimeMs: number;
  };

export interface ThresholdSpec {
  threshold: string;
  abortOnFail: boolean;
  delayAbortEvalMs: number | null;
}

export interface ResolvedLoad {
  engine: 'embedded' | 'k6' | 'auto';
  scenarios: Record<string, ResolvedScenario>;
  /** k6 thresholds (metric or submetric → expressions) in k6's own syntax. */
  thresholds: Record<string, ThresholdSpec[]>;
  summaryTrendStats: string[];
  /** End of the last scenario's regular duration (startTime + duration), without graceful stops. */
  durationMs: number;
}

// ---------------------------------------------------------------------------------------------
// Chaos

export type ResolvedFaultAction =
  | { action: 'set-reserved-concurrency'; function: string; value: number }
  | { action: 'remove-reserved-concurrency'; function: string }
  | {
      action: 'set-provisioned-concurrency';
      function: string;
      /** The published version number or alias the provisioned concurrency goes on (resolved: never empty). */
      qualifier: string;
      value: number;
    }
  | { action: 'disable-event-source'; eventSource: string }
  | { action: 'enable-event-source'; eventSource: string }
  | { action: 'update-event-source'; eventSource: string; batchSize: number | null; maximumConcurrency: number | null }
  | {
      action: 'inject-poison';
      queue: string;
      kind: PoisonKind;
      /** Either a total count spread evenly over the window, or a rate per second over the window. */
      count: number | null;
      ratePerSecond: number | null;
    }
  /**
   * Function faults: set through the function's environment variable SQUALL_FAULTS (the
   * lambda-faults contract, harness/chaos/function-faults.ts); each applies to `percentage` % of
   * invocations.
   */
  | { action: 'inject-latency'; function: string; latency: DurationDistribution; percentage: number }
  | { action: 'inject-errors'; function: string; percentage: number; runHandler: boolean; errorType: string }
  | { action: 'override-status'; function: string; statusCode: number; percentage: number };

/** The function faults (they change the function's environment, not its concurrency). */
export type FunctionFaultAction = Extract<ResolvedFaultAction, { action: 'inject-latency' | 'inject-errors' | 'override-status' }>;

export type ResolvedFault = ResolvedFaultAction & {
  /** Index in the file's fault list; stable id for the journal. */
  id: number;
  atMs: number;
  /** Fault window; null = until the end of the run (then restored). */
  forMs: number | null;
};

export interface StopCondition {
  /** A series name from contracts/series.ts, e.g. `lambda.errors`. */
  series: string;
  labels: Record<string, string>;
  /** Aggregation over the trailing window. */
  aggregate: 'sum' | 'max' | 'last';
  op: '>' | '>=' | '<' | '<=';
  value: number;
  windowMs: number;
  /** After the faults are restored: stop the load (default) or let it run to its end. */
  then: 'stop-load' | 'continue';
}

/** A CloudWatch alarm as a stop condition (as AWS FIS does): fires when the alarm is in ALARM. */
export interface AlarmStopCondition {
  /** Index in the file's `chaos.stopConditions` list. */
  index: number;
  /** Alarm name or ARN (metric or composite alarm). */
  alarm: string;
  then: 'stop-load' | 'continue';
}

export interface ResolvedChaos {
  faults: ResolvedFault[];
  /** The series conditions, in file order (alarm conditions are in `alarms`). */
  stopConditions: StopCondition[];
  /** Alarm stop conditions; evaluated on an aws target only. Absent in files resolved before they existed. */
  alarms?: AlarmStopCondition[];
}

// ---------------------------------------------------------------------------------------------
// Expectations

export interface Tolerance {
  /** |measured − predicted| ≤ relative × predicted … */
  relative: number | null;
  /** … or ≤ absolute (either passing is enough). */
  absolute: number | null;
  /** Compare series totals (sum over the run) or every step. */
  on: 'total' | 'step';
  /**
   * Central coverage of the simulator's prediction interval over seeds, e.g. 0.95: pass when the
   * measured figure lies inside it. `relative`/`absolute` then widen the interval (known
   * measurement noise) instead of standing alone. `null`: the point forms above.
   */
  interval: number | null;
}

export interface ResolvedExpect {
  /** Thresholds on measured series totals, k6-like grammar: `sum>0`, `max<=10`, `avg<5`, `last==0`. */
  thresholds: Record<string, string[]>;
  /** Prediction tolerances per series name (optionally with `{label=value}`); `default` applies to the rest of the compared series. */
  predictions: Record<string, Tolerance>;
  /** Message accounting: `no-loss` = every message sent is deleted, in a DLQ or still in a queue at the end. */
  messages: 'no-loss' | 'off';
  /**
   * `no-loss` on a target whose messages squall cannot all see (aws: approximate counts only):
   * `fail` (default) fails the run, `warn` says "not measured" and passes.
   */
  messagesWhenUnmeasured?: 'warn' | 'fail';
}

export type { ThrottleReason };
