/**
 * The asynchronous invocation retry schedule (fact sheet §2; constants in aws-facts
 * LAMBDA_ASYNC): a throttled event goes back to Lambda's internal queue and is retried after 1 s,
 * doubling up to 5 min, without using up MaximumRetryAttempts; a function error is retried after
 * the configured delays (1 min, then 2 min) up to MaximumRetryAttempts; a retry that would start
 * past MaximumEventAgeInSeconds is not scheduled (the event fails with EventAgeExceeded; looked
 * ahead like LocalStack's event manager). Shared by the emulator's async queue
 * (emulator/lambda/model/async-invoke.ts) and the simulator.
 */
import { LAMBDA_ASYNC } from '../contracts/aws-facts.ts';

/** Wait before the retry that follows the `n`th throttle of an event (n = 1, 2, …), in ms. */
export function throttleRetryDelayMs(n: number): number {
  return Math.min(LAMBDA_ASYNC.throttleRetryInitialSeconds * 2 ** (n - 1), LAMBDA_ASYNC.throttleRetryMaxSeconds) * 1000;
}

/**
 * Wait before the retry that follows the `failures`th function error (1, 2, …), in ms, or null
 * when MaximumRetryAttempts is used up. An empty delay list falls back to AWS's.
 */
export function errorRetryDelayMs(failures: number, maximumRetryAttempts: number, delaysSeconds: readonly number[]): number | null {
  if (failures > maximumRetryAttempts) return null;
  const delays = delaysSeconds.length > 0 ? delaysSeconds : LAMBDA_ASYNC.retryDelaysSeconds;
  return (delays[Math.min(failures - 1, delays.length - 1)] ?? 0) * 1000;
}

/** Whether a retry `delayMs` from now still starts within the event's maximum age. */
export function retryWithinEventAge(ageMs: number, delayMs: number, maximumEventAgeSeconds: number): boolean {
  return ageMs + delayMs <= maximumEventAgeSeconds * 1000;
}
