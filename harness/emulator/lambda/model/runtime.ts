/**
 * What runs inside one execution environment. Two implementations: a synthetic runtime (timers
 * only, durations from the shared distributions) and a worker runtime (the user's handler module
 * in its own `worker_threads` Worker). The invoke pipeline only sees this interface, so warm
 * reuse, timeouts, concurrency and metrics are the same for both.
 *
 * Callbacks instead of promises: a 0 ms synthetic function answers synchronously, which keeps the
 * function-URL hot path free of timers and promise allocations.
 */

export interface InvokeRequest {
  readonly requestId: string;
  /** The event as JSON text, exactly as the function receives it. */
  readonly payload: string;
  /** The same event already parsed, when the caller built it (ESM batches, function URLs). */
  readonly event: unknown;
  /** Whether the caller wants the log tail (builds the START/END/REPORT lines). */
  readonly logTail: boolean;
  readonly clientContext: string | null;
  /** The ARN the caller invoked, qualified when it named a version or alias (context.invokedFunctionArn). */
  readonly invokedFunctionArn?: string;
  /** What is left of the timeout when the handler starts (an injected latency used the rest); absent = all of it. */
  readonly remainingMs?: number;
}

export interface InvokeOutcome {
  /** The response payload (JSON text) or the error object for a function error. */
  payload: string;
  /** A function error (`X-Amz-Function-Error: Unhandled`). */
  functionError: boolean;
  /** The environment must not be reused (timeout, crash, failed init). */
  fatal: boolean;
  /** Handler duration in ms (what REPORT calls Duration). */
  durationMs: number;
  /** Log lines the handler wrote (only collected when asked for). */
  log: string;
  /** The environment's memory in use after the invoke (REPORT's Max Memory Used), when the runtime measures it. */
  memoryUsedMB?: number;
  /** Parsed result when the runtime has it (synthetic functions), so callers can skip JSON.parse. */
  value?: unknown;
}

export interface EnvironmentRuntime {
  /** Cold start: real module init and/or the configured init time. `done(null, initMs)` or a failed init outcome. */
  init(done: (failure: InvokeOutcome | null, initMs: number) => void): void;
  invoke(req: InvokeRequest, done: (o: InvokeOutcome) => void): void;
  /** Stop the environment (idle expiry, timeout, shutdown). Idempotent. */
  dispose(): void;
}

/**
 * AWS's payload for a timed-out invocation on current runtimes:
 * `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: … Error: Task timed out after 3.00 seconds"}`.
 * The field layout follows what Lambda returns today; older runtimes returned only errorMessage.
 */
export function timeoutOutcome(requestId: string, timeoutSeconds: number): InvokeOutcome {
  return {
    payload: JSON.stringify({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
    }),
    functionError: true,
    fatal: true,
    durationMs: timeoutSeconds * 1000,
    log: '',
  };
}

/** The Node.js runtime's error object shape: `{errorType, errorMessage, trace}`. */
export function errorPayload(errorType: string, errorMessage: string, trace: string[] = []): string {
  return JSON.stringify({ errorType, errorMessage, trace });
}
