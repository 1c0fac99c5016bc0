/**
 * Execution environment choice (fact sheet §7.1–7.2): an invocation reuses the most recently
 * used idle environment (SimFaaS's router, which its AWS measurements support), and idle
 * environments expire least recently used first, `idleExpiryMs` after they went idle. The
 * emulator keeps environments as objects and the simulator keeps idle-since times in a deque;
 * both ask these questions of them.
 */

/**
 * What an invocation's end does to its environment: "If the Lambda function crashes or times
 * out during the Invoke phase, Lambda resets the execution environment" (Lambda developer guide,
 * "Understanding the Lambda execution environment lifecycle", Failures during the Invoke phase).
 * The environment is not reused as it is: the next invocation pays an INIT again. Both engines
 * model the reset as the environment's end, and AWS replaces a provisioned one.
 */
export function afterInvoke(timedOutOrCrashed: boolean): 'reuse' | 'reset' {
  return timedOutOrCrashed ? 'reset' : 'reuse';
}

/** Whether an environment idle since `idleSince` has been reclaimed by `now`. */
export function idleExpired(idleSince: number, now: number, idleExpiryMs: number): boolean {
  return idleSince + idleExpiryMs <= now;
}

/** When an environment idle since `idleSince` is reclaimed. */
export function idleExpiresAt(idleSince: number, idleExpiryMs: number): number {
  return idleSince + idleExpiryMs;
}

/**
 * Idle environments are kept oldest first (the order they went idle): reuse takes from the back
 * (most recently used), expiry from the front. Returns how many at the front have expired.
 */
export function expiredPrefix(idleSinceOldestFirst: (i: number) => number, length: number, now: number, idleExpiryMs: number): number {
  let k = 0;
  while (k < length && idleExpired(idleSinceOldestFirst(k), now, idleExpiryMs)) k++;
  return k;
}
