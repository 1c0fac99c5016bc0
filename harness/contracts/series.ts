/**
 * The `squall.series/v1` format shared by predicted (simulator) and measured (emulator metrics,
 * CloudWatch, k6 points) data, and the one list of series names with their unit and meaning.
 * Comparison is a plain join on (name, labels), so every producer must use these names.
 */

export const SERIES_SCHEMA = 'squall.series/v1';

export type SeriesUnit = 'count' | 'ms' | 'environments' | 'messages' | 'seconds' | 'usd';

export interface Series {
  name: SeriesName;
  labels: Record<string, string>;
  unit: SeriesUnit;
  /** One value per step; `null` where there is no data for that step (e.g. a percentile with no samples). */
  values: Array<number | null>;
  /**
   * Predicted series only: the prediction interval per step, beside `values` (same length), e.g.
   * the 2.5 % and 97.5 % quantiles of the step over the simulator's seeds for a 0.95 interval
   * (`SeriesFile.interval` says which). The report draws `lower`..`upper` as the band. `null` where
   * no seed had data for the step.
   */
  lower?: Array<number | null>;
  upper?: Array<number | null>;
  /**
   * Predicted series only: the run-level figure (formed by `seriesTotal` over the file's `window`)
   * with its interval over the seeds. `value` is the figure of the mean series.
   */
  total?: SeriesTotalInterval;
}

export interface SeriesTotalInterval {
  value: number | null;
  lower: number | null;
  upper: number | null;
}

/** How a predicted file's `lower`/`upper` and `total` intervals were formed. */
export interface PredictionInterval {
  /** Central coverage, e.g. 0.95: lower/upper are the (1−level)/2 and (1+level)/2 quantiles. */
  level: number;
  /** Independent simulator runs (seeds `seed`, `seed`+1, …) the quantiles are taken over. */
  runs: number;
  seed: number;
}

/**
 * The comparison window: steps `[0, steps)` from `startMs`, i.e. the load plus the observation
 * tail. Both predicted and measured files cover exactly this window; the figures of
 * comparison.json are formed over it.
 */
export interface SeriesWindow {
  steps: number;
  /** Steps of the load itself (the rest, up to `steps`, is the tail after the load ended). */
  loadSteps: number;
}

export interface SeriesFile {
  schema: typeof SERIES_SCHEMA;
  source: 'simulator' | 'emulator' | 'k6' | 'cloudwatch' | (string & {});
  /** Epoch ms of step 0 for measured data; 0 for predicted data on the load's own timeline. */
  startMs: number;
  stepMs: number;
  series: Series[];
  /** Predicted files: present when the series carry `lower`/`upper`/`total`. */
  interval?: PredictionInterval;
  /** The window every series covers (see `SeriesWindow`); absent in files written before it existed. */
  window?: SeriesWindow;
}

interface SeriesDef {
  unit: SeriesUnit;
  /** Labels every series of this name carries. */
  labels: readonly string[];
  /** How a step's value is formed: a sum of events in the step, or a sample/statistic at the step. */
  kind: 'sum' | 'gauge' | 'max' | 'percentile';
  meaning: string;
}

export const SERIES = {
  // Client side (from k6 points or the simulator's model of the load generator).
  'http.requests': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'HTTP requests completed in the step (k6 http_reqs)' },
  'http.status_2xx': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'responses with a 2xx status' },
  'http.status_4xx': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'responses with a 4xx status other than 429' },
  'http.status_429': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'throttled responses (HTTP 429)' },
  'http.status_5xx': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'responses with a 5xx status' },
  'http.failed': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'requests k6 counts as failed (http_req_failed)' },
  'http.latency_p50_ms': { unit: 'ms', labels: ['scenario'], kind: 'percentile', meaning: 'median http_req_duration in the step' },
  'http.latency_p95_ms': { unit: 'ms', labels: ['scenario'], kind: 'percentile', meaning: '95th percentile http_req_duration in the step' },
  'http.latency_p99_ms': { unit: 'ms', labels: ['scenario'], kind: 'percentile', meaning: '99th percentile http_req_duration in the step' },
  'k6.iterations': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'iterations completed in the step' },
  'k6.dropped_iterations': { unit: 'count', labels: ['scenario'], kind: 'sum', meaning: 'iterations an arrival-rate executor could not start (no free VU)' },
  'k6.vus': { unit: 'count', labels: [], kind: 'gauge', meaning: 'active VUs at the end of the step' },

  // Lambda (emulator metrics, CloudWatch, simulator).
  'lambda.invocations': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'invocations that ran function code (CloudWatch Invocations)' },
  'lambda.errors': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'invocations that ended in a function error or timeout' },
  'lambda.throttles': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'invocation requests rejected for concurrency or scaling rate, all reasons' },
  'lambda.throttles_by_reason': { unit: 'count', labels: ['function', 'reason'], kind: 'sum', meaning: 'throttles split by ThrottleReason' },
  'lambda.concurrency': { unit: 'environments', labels: ['function'], kind: 'max', meaning: 'peak concurrent executions in the step' },
  'lambda.environments': { unit: 'environments', labels: ['function'], kind: 'gauge', meaning: 'execution environments alive (busy + idle) at the end of the step' },
  'lambda.provisioned_spillover': { unit: 'count', labels: ['function', 'qualifier'], kind: 'sum', meaning: 'invocations of a version or alias with provisioned concurrency that ran on-demand (ProvisionedConcurrencySpilloverInvocations)' },
  'lambda.cold_starts': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'invocations that started a new execution environment' },
  'lambda.duration_p50_ms': { unit: 'ms', labels: ['function'], kind: 'percentile', meaning: 'median handler duration (no init) in the step' },
  'lambda.duration_p95_ms': { unit: 'ms', labels: ['function'], kind: 'percentile', meaning: '95th percentile handler duration in the step' },
  'lambda.duration_p99_ms': { unit: 'ms', labels: ['function'], kind: 'percentile', meaning: '99th percentile handler duration in the step (CloudWatch Duration p99)' },
  'lambda.async_events': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'events accepted by asynchronous Invoke (202)' },
  'lambda.async_retries': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'retry attempts of asynchronous events (errors and throttles)' },
  'lambda.async_dropped': { unit: 'count', labels: ['function'], kind: 'sum', meaning: 'asynchronous events discarded or sent to the on-failure destination' },

  // SQS queues.
  'sqs.sent': { unit: 'messages', labels: ['queue'], kind: 'sum', meaning: 'messages accepted by SendMessage(Batch) (NumberOfMessagesSent)' },
  'sqs.received': { unit: 'messages', labels: ['queue'], kind: 'sum', meaning: 'messages returned by ReceiveMessage, redeliveries included' },
  'sqs.deleted': { unit: 'messages', labels: ['queue'], kind: 'sum', meaning: 'messages deleted' },
  'sqs.visible': { unit: 'messages', labels: ['queue'], kind: 'gauge', meaning: 'ApproximateNumberOfMessages at the end of the step' },
  'sqs.in_flight': { unit: 'messages', labels: ['queue'], kind: 'gauge', meaning: 'ApproximateNumberOfMessagesNotVisible at the end of the step' },
  'sqs.delayed': { unit: 'messages', labels: ['queue'], kind: 'gauge', meaning: 'ApproximateNumberOfMessagesDelayed at the end of the step' },
  'sqs.moved_to_dlq': { unit: 'messages', labels: ['queue'], kind: 'sum', meaning: 'messages moved from this queue to its dead-letter queue' },
  'sqs.oldest_age_seconds': { unit: 'seconds', labels: ['queue'], kind: 'gauge', meaning: 'ApproximateAgeOfOldestMessage at the end of the step' },

  // Event source mappings (queue → function).
  'esm.batches': { unit: 'count', labels: ['function', 'queue'], kind: 'sum', meaning: 'batches the mapping invoked the function with' },
  'esm.concurrency': { unit: 'count', labels: ['function', 'queue'], kind: 'max', meaning: 'peak concurrent batches in the step' },
  'esm.pollers': { unit: 'count', labels: ['function', 'queue'], kind: 'gauge', meaning: 'pollers (allowed concurrent batches) at the end of the step' },
  'esm.failed_batches': { unit: 'count', labels: ['function', 'queue'], kind: 'sum', meaning: 'batches that failed whole (error, timeout or throttle)' },
  'esm.polled_events': { unit: 'messages', labels: ['function', 'queue'], kind: 'sum', meaning: 'messages the mapping read from the queue (CloudWatch PolledEventCount; needs MetricsConfig EventCount)' },
  'esm.invoked_events': { unit: 'messages', labels: ['function', 'queue'], kind: 'sum', meaning: 'messages the mapping invoked the function with (InvokedEventCount)' },
  'esm.failed_invoke_events': { unit: 'messages', labels: ['function', 'queue'], kind: 'sum', meaning: 'messages in invocations that failed (FailedInvokeEventCount)' },
  'esm.deleted_events': { unit: 'messages', labels: ['function', 'queue'], kind: 'sum', meaning: 'messages the mapping deleted after success (DeletedEventCount)' },

  // SQS refusals (emulator): appended after the ESM block so existing entries keep their order.
  'sqs.throttled': { unit: 'count', labels: ['queue'], kind: 'sum', meaning: 'SQS requests refused for a limit: RequestThrottled (FIFO API rate) or OverLimit (in-flight)' },
  'sqs.expired': { unit: 'messages', labels: ['queue'], kind: 'sum', meaning: 'messages dropped because their retention period ended (for message accounting)' },
  'sqs.purged': { unit: 'messages', labels: ['queue'], kind: 'sum', meaning: 'messages removed by PurgeQueue (for message accounting)' },
} as const satisfies Record<string, SeriesDef>;

export type SeriesName = keyof typeof SERIES;

export function isSeriesName(name: string): name is SeriesName {
  return Object.prototype.hasOwnProperty.call(SERIES, name);
}

/** The stable key of a series for joins: name plus sorted labels. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/**
 * The run-level figure of a series over its values: sum of counts, max of peaks, mean of gauges
 * and percentiles. `null` values are no data (a percentile with no samples, a gauge gap) and are
 * left out, never read as zero.
 */
export function seriesTotal(s: Pick<Series, 'name' | 'values'>): number | null {
  let n = 0;
  let sum = 0;
  let max = -Infinity;
  for (const v of s.values) {
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v > max) max = v;
  }
  if (n === 0) return null;
  const kind = (SERIES as Record<string, SeriesDef>)[s.name]?.kind ?? 'sum';
  switch (kind) {
    case 'sum':
      return sum;
    case 'max':
      return max;
    default:
      return sum / n;
  }
}
