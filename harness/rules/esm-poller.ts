/**
 * The SQS event source mapping's poller controller (fact sheet §3.1, §3.5; constants in aws-facts
 * `ESM`/`ESM_SCALING`), one rule for the emulator's poller loops (emulator/lambda/model/esm.ts)
 * and the simulator's (simulator/mapping-model.ts, mapping-driver.ts):
 *
 * - Scaling: 5 concurrent batches to start; once a second, if messages were seen and all but one
 *   poller held a batch, 5 more (300 per minute) up to ScalingConfig.MaximumConcurrency or the
 *   standard maximum; back to 5 when a second passes without messages. The per-second tick is
 *   booked before anything else at its instant happens.
 * - Function error (whole batch failed): the batch is given up, one concurrent batch less (not
 *   below 2; not at all with ReportBatchItemFailures, §3.5), and the poller waits 1 s, 2 s, 4 s …
 *   (≤ 60 s, by consecutive failed batches) before polling again.
 * - Throttle (§3.5): the poller keeps the batch and retries the invoke after 1 s, 2 s, 4 s … (≤ 60 s)
 *   as long as the retry starts before the batch's visibility deadline (first receive + the
 *   queue's visibility timeout); otherwise it drops the batch (no delete: the messages become
 *   visible at the deadline) and polls again at once. Each throttle is one less concurrent batch,
 *   but not below the initial 5 (pollers don't see reserved concurrency, §3.1). A held batch
 *   counts as busy for scale-up and in esm.concurrency.
 * - Scale-down: a poller beyond the allowed number ends when it is about to poll, unless its last
 *   batch succeeded (empty poll, failure or drop first); once in its long poll it takes what the
 *   poll returns — AWS reduces the concurrency by not starting polls, it does not cut a receive
 *   short.
 * - Counting: every invoke attempt (retries included) is one esm.batches and, when throttled, one
 *   lambda.throttles; esm.failed_batches counts batches given up, once per batch.
 * - Batching window: one poller gathers at a time (a quiet queue yields one batch per window);
 *   the others wait for it before polling. Each receive of the gathering poller has its own
 *   visibility timeout, and each is a long poll whose timeout (the window's end) is set when that
 *   receive starts. The batch goes to its invoke at BatchSize, the window's end or 6 MB (§3.4).
 * - Dispatch: a received batch's first invoke reaches Lambda after a hop, never at the instant of
 *   the receive — the pollers and Lambda's front end are separate services on AWS, and the
 *   emulator's poller sends on the next timer turn. In between, a slot freed by the batch before
 *   can go to a throttled batch whose retry is due. The simulator draws the hop per batch
 *   (SIMULATOR_DEFAULTS.esmDispatchMs) and also draws the phase of the one-second clock, which
 *   starts when the mapping is created, not with the load. Both matter far beyond their size:
 *   with every hop at zero and the clock aligned to the load, the throttle→DLQ trap's retries
 *   fall exactly on the clock's ticks and on other batches' ends, and the simulator predicted 25 %
 *   more throttles and nearly twice the dead-lettered messages the emulator measured, with a
 *   spread a fifth of the real one (issue 11). The conformance suite keeps the ideal world
 *   (a zero hop, still its own timer turn; the clock at the load's start) in both engines.
 *
 * Pure and clock-free: each engine keeps its own state layout and hands in what a decision needs.
 */
import { ESM, ESM_SCALING } from '../contracts/aws-facts.ts';

/** The controller's state, as both engines keep it on their mapping object. */
export interface PollerControl {
  /** Pollers allowed to hold a batch at once, before the MaximumConcurrency cap. */
  allowed: number;
  /** A poll returned messages since the last tick. */
  sawMessages: boolean;
}

/** MaximumConcurrency, or the standard ceiling (1,000 or 1,250 by doc revision; aws-facts picks one, §3.1). */
export function pollerCap(maximumConcurrency: number | null): number {
  return maximumConcurrency ?? ESM.maximumConcurrencyStandard;
}

/** Pollers the mapping runs now (esm.pollers). */
export function pollersAllowed(c: PollerControl, cap: number): number {
  return Math.min(c.allowed, cap);
}

/** The once-a-second decision; `held` is the number of batches pollers hold (being invoked or waiting to retry). */
export function onSecond(c: PollerControl, held: number, cap: number): void {
  if (c.sawMessages && held >= pollersAllowed(c, cap) - 1) c.allowed = Math.min(cap, c.allowed + ESM_SCALING.scaleUpPerSecond);
  else if (!c.sawMessages) c.allowed = Math.min(cap, ESM.initialConcurrency);
  c.sawMessages = false;
}

/** A batch failed by a function error (the `consecutive`th in a row for its poller); returns the poller's back-off in ms. */
export function onFunctionError(c: PollerControl, reportBatchItemFailures: boolean, consecutive: number): number {
  if (!reportBatchItemFailures) c.allowed = Math.max(ESM_SCALING.scaleDownMinimum, c.allowed - 1);
  return Math.min(ESM_SCALING.failureBackoffInitialSeconds * 2 ** (consecutive - 1), ESM_SCALING.failureBackoffMaxSeconds) * 1000;
}

/** The `n`th throttle of a held batch: one poller fewer, not below the initial 5; returns the wait before its retry in ms. */
export function onThrottle(c: PollerControl, n: number): number {
  if (c.allowed > ESM_SCALING.throttleScaleDownMinimum) c.allowed--;
  return Math.min(ESM_SCALING.throttleRetryInitialSeconds * 2 ** (n - 1), ESM_SCALING.failureBackoffMaxSeconds) * 1000;
}

/** Whether a throttled batch is retried after `waitMs`: only if the retry starts before its visibility deadline. */
export function retryBeforeDeadline(now: number, waitMs: number, deadline: number): boolean {
  return now + waitMs < deadline;
}

/** Whether a poller about to poll keeps going: its last batch succeeded, or it is within the allowed number. */
export function keepPolling(lastBatchSucceeded: boolean, loops: number, allowedNow: number): boolean {
  return lastBatchSucceeded || loops <= allowedNow;
}
