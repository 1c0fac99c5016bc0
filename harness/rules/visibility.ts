/**
 * SQS visibility and redrive (fact sheet §3.5, §4): a received message is hidden until its
 * visibility timeout ends and is visible again at that very instant; each receive raises its
 * receive count, and a receive that would pass the redrive policy's maxReceiveCount moves it to
 * the dead-letter queue instead of delivering it. Both SQS models (the emulator's queue and the
 * simulator's store) make these two decisions here.
 */

/** Whether a message hidden until `dueAt` is visible at `now` (inclusive: due means visible). */
export function visibleAgain(dueAt: number, now: number): boolean {
  return dueAt <= now;
}

/**
 * Whether a receive of a message already received `receiveCount` times dead-letters it: SQS
 * moves it when the receive would exceed maxReceiveCount (a count of 3 allows 3 deliveries).
 */
export function deadLettersOnReceive(receiveCount: number, maxReceiveCount: number | null): boolean {
  return maxReceiveCount !== null && receiveCount >= maxReceiveCount;
}
