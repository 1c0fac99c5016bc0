/**
 * The one source of AWS facts: every limit, default and price that squall's schema, emulator and
 * simulator use. Each number cites the fact sheet in `shared/reference/aws-lambda-sqs-facts.md`
 * (section numbers in brackets) and, through it, the AWS documentation or service model.
 * Nothing else in the code may hard-code one of these numbers.
 */

/** Lambda account and function concurrency [1.1–1.4]. */
export const LAMBDA = {
  /** Default account concurrency per Region (soft limit) [1.1, limits.html]. */
  accountConcurrencyLimit: 1000,
  /** "leave at least 100 simultaneous executions unreserved" [1.1, PutFunctionConcurrency model doc]. */
  unreservedConcurrencyMinimum: 100,
  /** 1,000 new execution environments per 10 s per function, refilled continuously [1.4, scaling-behavior.html]. */
  scalingBucketCapacity: 1000,
  scalingRefillPerSecond: 100,
  /** 10 requests/s per unit of concurrency [1.4]. */
  requestsPerSecondPerConcurrency: 10,
  /** Timeout: default 3 s, max 900 s for standard functions [1.6, CreateFunction model doc]. */
  timeoutDefaultSeconds: 3,
  timeoutMinSeconds: 1,
  timeoutMaxSeconds: 900,
  /** Memory 128–10,240 MB in 1 MB steps [1.6, pricing page]. Default 128 MB [MODEL MemorySize]. */
  memoryMinMB: 128,
  memoryMaxMB: 10240,
  memoryDefaultMB: 128,
  /**
   * CPU follows memory: "At 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of
   * credits per second)", up to 6 vCPUs at 10,240 MB; CPU is allocated in proportion to memory
   * [docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html]. squall scales only the
   * invoke duration with memory and leaves INIT unscaled (INIT is widely reported to run with a
   * CPU boost; no AWS page in shared/reference gives it a number, so it is modelled as not
   * depending on memory).
   */
  memoryPerVcpuMB: 1769,
  vcpuMax: 6,
  /** Ephemeral storage 512–10,240 MB [1.6]. */
  ephemeralStorageMinMB: 512,
  ephemeralStorageMaxMB: 10240,
  /**
   * Sync request and response payload 6 MB; async 1 MB (since Oct 2025) [1.6, Invoke model doc].
   * Over the limit AWS answers 413 with the wire code `RequestEntityTooLargeException` (the model's
   * shape is `RequestTooLargeException`): "Request must be smaller than 6291456 bytes for the
   * InvokeFunction operation", and for `Event` "<n> byte payload is too large for the Event
   * invocation type (limit 1048576 bytes)" [5.2 Oversized payload].
   */
  syncPayloadMaxBytes: 6 * 1024 * 1024,
  asyncPayloadMaxBytes: 1024 * 1024,
  /** INIT phase maximum duration [1.6, INIT billing blog]. */
  initMaxSeconds: 10,
  /** Idle environments are reclaimed after a non-deterministic period, measured ≈ 10–10.7 min [7.2]. */
  idleExpirySecondsDefault: 600,
  /** Node.js ZIP hello-world init ≈ 130–140 ms (lambda-perf 2026-08-22) [7.4]. */
  coldStartInitMsDefault: 135,
  /** `X-Amz-Log-Result` carries the last 4 KB of the log [5.2]. */
  logTailBytes: 4096,
  /** `X-Amz-Client-Context` ≤ 3,583 bytes [5.2]. */
  clientContextMaxBytes: 3583,
} as const;

/** Lambda asynchronous invocation [2]. */
export const LAMBDA_ASYNC = {
  /** Default 2 retries on function error; model range 0–2 [2, invocation-async-error-handling.html]. */
  maximumRetryAttemptsDefault: 2,
  maximumRetryAttemptsMin: 0,
  maximumRetryAttemptsMax: 2,
  /** "one-minute wait between the first two attempts, and two minutes between the second and third" [2]. */
  retryDelaysSeconds: [60, 120] as readonly number[],
  /** MaximumEventAgeInSeconds 60–21,600, default 6 h [2, PutFunctionEventInvokeConfig model]. */
  maximumEventAgeSecondsDefault: 21600,
  maximumEventAgeSecondsMin: 60,
  maximumEventAgeSecondsMax: 21600,
  /** Throttle retries: interval grows exponentially from 1 s to at most 5 min [2]. */
  throttleRetryInitialSeconds: 1,
  throttleRetryMaxSeconds: 300,
} as const;

/** The ways Lambda says "throttled" (`ThrottleReason` enum, complete current model) [1.5]. */
export const THROTTLE_REASONS = [
  'ConcurrentInvocationLimitExceeded',
  'FunctionInvocationRateLimitExceeded',
  'ReservedFunctionConcurrentInvocationLimitExceeded',
  'ReservedFunctionInvocationRateLimitExceeded',
  'CallerRateLimitExceeded',
  'ConcurrentSnapshotCreateLimitExceeded',
] as const;
export type ThrottleReason = (typeof THROTTLE_REASONS)[number];

/** SQS event source mappings [3]. */
export const ESM = {
  /** "starts processing five batches at a time with five concurrent invocations" [3.1]. */
  initialConcurrency: 5,
  /** "+ up to 300 more … per minute" [3.1]. */
  scaleUpPerMinute: 300,
  /** Doc revisions say 1,000 or 1,250; 1,250 matches the 2023 blog [3.1, UNCONFIRMED item 3]. */
  maximumConcurrencyStandard: 1250,
  /** ScalingConfig.MaximumConcurrency 2–1,000 [3.2, MODEL]. */
  maximumConcurrencyMin: 2,
  maximumConcurrencyMax: 1000,
  /** BatchSize 1–10,000, default 10; FIFO max 10 [3.4, MODEL]. */
  batchSizeDefault: 10,
  batchSizeMin: 1,
  batchSizeMaxStandard: 10000,
  batchSizeMaxFifo: 10,
  /** Batch size over 10 needs a batching window ≥ 1 s [3.4, AWS-validated message]. */
  batchSizeWithoutWindowMax: 10,
  /** MaximumBatchingWindowInSeconds 0–300, SQS default 0 [3.4]. */
  batchingWindowMaxSeconds: 300,
  batchingWindowDefaultSeconds: 0,
  /** The whole batch is one synchronous invoke, capped at 6 MB [3.4]. */
  batchPayloadMaxBytes: 6 * 1024 * 1024,
  /** Visibility timeout recommended ≥ 6 × function timeout [3.5, services-sqs-configure.html]. */
  recommendedVisibilityTimeoutFactor: 6,
  /** maxReceiveCount recommended ≥ 5 [3.5, 3P citing AWS; UNCONFIRMED wording]. */
  recommendedMinimumMaxReceiveCount: 5,
} as const;

/** SQS queues and messages [4]. */
export const SQS = {
  visibilityTimeoutDefaultSeconds: 30,
  visibilityTimeoutMaxSeconds: 43200,
  messageRetentionDefaultSeconds: 345600,
  messageRetentionMinSeconds: 60,
  messageRetentionMaxSeconds: 1209600,
  /** MaximumMessageSize 1,024 B – 1 MiB, default 1 MiB (since Aug 2025) [4]. */
  maximumMessageSizeMinBytes: 1024,
  maximumMessageSizeMaxBytes: 1048576,
  maximumMessageSizeDefaultBytes: 1048576,
  /** SendMessageBatch: ≤ 10 entries; sum of sizes ≤ 1 MiB [4]. */
  batchMaxEntries: 10,
  batchMaxTotalBytes: 1048576,
  delayMaxSeconds: 900,
  receiveMaxMessages: 10,
  receiveWaitTimeMaxSeconds: 20,
  /** In-flight limit ≈ 120,000 for standard queues (OverLimit) [4]. */
  inFlightMaxStandard: 120000,
  inFlightMaxFifo: 120000,
  /** maxReceiveCount default 10 (model doc), range 1–1,000 [4]. */
  maxReceiveCountDefault: 10,
  maxReceiveCountMin: 1,
  maxReceiveCountMax: 1000,
  /** FIFO deduplication interval: 5 minutes [4]. */
  fifoDeduplicationIntervalSeconds: 300,
  /** Queue name: 1–80 characters, alphanumerics, hyphens and underscores (+ `.fifo`) [MODEL CreateQueue]. */
  queueNameMaxLength: 80,
  /** StartMessageMoveTask MaxNumberOfMessagesPerSecond ≤ 500 [4]. */
  moveTaskMaxMessagesPerSecond: 500,
  /** PurgeQueue may be repeated only after 60 s [4]. */
  purgeIntervalSeconds: 60,
} as const;

/** Lambda prices in USD, us-east-1 [6]. */
export const LAMBDA_PRICES = {
  requestPerMillion: 0.2,
  freeTierRequests: 1_000_000,
  freeTierGbSeconds: 400_000,
  ephemeralPerGbSecond: 0.0000000309,
  /** Duration tiers per month: [upper bound in GB-s, price per GB-s] [6]. */
  durationTiers: {
    x86_64: [
      [6e9, 0.0000166667],
      [15e9, 0.000015],
      [Infinity, 0.0000133334],
    ],
    arm64: [
      [7.5e9, 0.0000133334],
      [18.75e9, 0.0000120001],
      [Infinity, 0.0000106667],
    ],
  } as Record<'x86_64' | 'arm64', ReadonlyArray<readonly [number, number]>>,
  /** Provisioned concurrency: allocation and duration while on PC. arm64 figures UNCONFIRMED [6]. */
  provisioned: {
    x86_64: { allocatedPerGbSecond: 0.0000041667, durationPerGbSecond: 0.0000097222 },
    arm64: { allocatedPerGbSecond: 0.0000033334, durationPerGbSecond: 0.0000077778 },
  },
  /** PC allocation is billed in 5-minute units [6]. */
  provisionedBillingIncrementSeconds: 300,
  /** Duration rounded up to 1 ms [1.6]. */
  durationGranularityMs: 1,
} as const;

/** The AWS SDK v3 standard retry mode, which a simulated client copies [1.5, smithy util-retry]. */
export const SDK_RETRY = {
  maxAttempts: 3,
  baseDelayMs: 100,
  throttlingBaseDelayMs: 500,
  maxDelayMs: 20000,
} as const;

/** The account and Region the emulator pretends to be (any 12 digits would do). */
export const EMULATED_ACCOUNT = { accountId: '000000000000', region: 'us-east-1' } as const;

/**
 * GetAccountSettings code-size limits as LocalStack reports them (AWS-validated key set) [1.1,
 * localstack config.py]: total code storage 75 GB, unzipped 250 MB, zipped 50 MB.
 */
export const LAMBDA_ACCOUNT_LIMITS = {
  totalCodeSizeBytes: 80_530_636_800,
  codeSizeUnzippedBytes: 262_144_000,
  codeSizeZippedBytes: 52_428_800,
} as const;

/**
 * SQS event source mapping scaling details the emulator and simulator share [3.1, 3.5]: scale-up
 * is "up to 300 more … per minute", applied here as 5 per second; when traffic is low Lambda
 * scales back and "can optimize to as few as 2 concurrent batches". Back-off details are not
 * published (§3.5 says only "gradually"); squall's choices (UNCONFIRMED):
 * - Function error (whole batch failed): the batch is given up (its messages return after the
 *   visibility timeout), the mapping drops one concurrent batch (not below `scaleDownMinimum`;
 *   not at all with ReportBatchItemFailures) and the poller waits 1 s, 2 s, 4 s … ≤ 60 s after
 *   consecutive failed batches before polling again.
 * - Throttle: the poller keeps the batch and retries the invoke after 1 s, 2 s, 4 s … (≤ 60 s)
 *   while the retry starts before the batch's visibility deadline (first receive + the queue's
 *   visibility timeout), then drops it (no delete: it becomes visible at the deadline with its
 *   receive count raised, §3.5 "continues to retry … until the message's timestamp exceeds your
 *   queue's visibility timeout, at which point Lambda drops the message") and polls again at
 *   once. Each throttle removes one concurrent batch but not below `throttleScaleDownMinimum`
 *   (= the initial 5): pollers "don't account for reserved concurrency and can process more
 *   messages off your queue than can be sent to your function" [3.1, KC lambda-sqs-scaling],
 *   the trap that dead-letters good messages. A poller holding a throttled batch counts as busy.
 */
export const ESM_SCALING = {
  scaleUpPerSecond: 5,
  scaleDownMinimum: 2,
  /** Throttles never shrink polling below the initial five batches (reserved concurrency is not seen, §3.1). */
  throttleScaleDownMinimum: 5,
  failureBackoffInitialSeconds: 1,
  failureBackoffMaxSeconds: 60,
  /** First retry of a throttled batch after 1 s, doubling, ≤ failureBackoffMaxSeconds [3.5, squall's choice]. */
  throttleRetryInitialSeconds: 1,
  /** Long-poll wait the pollers use (ReceiveMessage WaitTimeSeconds maximum) [4]. */
  pollWaitSeconds: 20,
} as const;

/**
 * The throttle Reason for an empty per-function scaling-rate bucket (new environments faster than
 * 1,000 per 10 s). Which Reason AWS sends here is UNCONFIRMED [1.5, 8 item 2]; the enum's
 * function-level rate reason is the closest, and emulator and simulator both use this one.
 */
export const SCALING_RATE_THROTTLE_REASON: ThrottleReason = 'FunctionInvocationRateLimitExceeded';

/**
 * SQS API limits the emulator enforces beyond the table in §4, from the SQS service model's
 * documentation (CreateQueue, SendMessage, MessageAttributeValue, ReceiveMessage, ListQueues,
 * ListMessageMoveTasks, batch entry shapes) and the SQS quotas page (quotas-queues.html, tags).
 */
export const SQS_API = {
  /** "you must wait at least 60 seconds before creating a queue with the same name" [MODEL CreateQueue]. */
  queueDeletedRecentlySeconds: 60,
  /** At most 10 message attributes per message [MODEL SendMessage]. */
  messageAttributesMax: 10,
  /** Message attribute names up to 256 characters [MODEL MessageAttributeValue]. */
  messageAttributeNameMaxLength: 256,
  /** Batch entry Id: alphanumerics, hyphens, underscores, up to 80 characters [MODEL *BatchRequestEntry]. */
  batchEntryIdMaxLength: 80,
  /** MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId: 1–128 characters [MODEL SendMessage, ReceiveMessage]. */
  fifoIdMaxLength: 128,
  /** Tags per queue 50; key 1–128, value 0–256 characters [DOC quotas-queues.html]. */
  tagsPerQueueMax: 50,
  tagKeyMaxLength: 128,
  tagValueMaxLength: 256,
  /** KmsDataKeyReusePeriodSeconds 60–86,400, default 300 [MODEL CreateQueue]. */
  kmsDataKeyReuseMinSeconds: 60,
  kmsDataKeyReuseMaxSeconds: 86400,
  kmsDataKeyReuseDefaultSeconds: 300,
  /** ListQueues / ListDeadLetterSourceQueues MaxResults 1–1,000 [MODEL ListQueues]. */
  listQueuesMaxResults: 1000,
  /** ListMessageMoveTasks MaxResults 1–10, default 1 [MODEL ListMessageMoveTasks]. */
  listMoveTasksMaxResults: 10,
  /** RedriveAllowPolicy byQueue: up to 10 source queue ARNs [4]. */
  redriveAllowSourceArnsMax: 10,
  /**
   * FIFO without high throughput: 300 transactions per second per API action (send, receive,
   * delete, change visibility; batch calls count once) [4 Throughput, quotas-messages.html].
   */
  fifoApiCallsPerSecond: 300,
} as const;

/** CloudWatch, for the system series of a real account (target/system-series.ts). */
export const CLOUDWATCH = {
  /** GetMetricData takes at most 500 MetricDataQueries per request (CloudWatch API reference, GetMetricData). */
  maxQueriesPerRequest: 500,
  /** Lambda and SQS publish standard-resolution metrics: one point a minute (CloudWatch concepts, Resolution). */
  periodSeconds: 60,
} as const;
