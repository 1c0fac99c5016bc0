/**
 * Long polls: a ReceiveMessage that finds nothing waits (up to WaitTimeSeconds) as a waiter on its
 * queue; sends, visibility returns and due transitions serve waiters in arrival order; one wake
 * timer per queue, kept only while someone waits, fires at the next due transition. A client that
 * goes away (abort signal) or a closing model answers its waiters with nothing.
 */
import type { SqsCore } from './core.ts';
import { SqsError } from './errors.ts';
import type { ReceivedMessage, ReceiveOptions, SqsQueue, Waiter } from './queue.ts';
import { receiveNow, take } from './receive.ts';
import { tick } from './tick.ts';

/**
 * ReceiveMessage. Long-polls up to `waitTimeSeconds` (default the queue's
 * ReceiveMessageWaitTimeSeconds) and answers as soon as at least one message is there. Messages
 * whose receive count already reached the redrive policy's maxReceiveCount move to the DLQ
 * instead of being returned. Rejects with `SqsError` (OverLimit, QueueDoesNotExist).
 */
export function receive(core: SqsCore, q: SqsQueue, opts: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
  const got = receiveNow(core, q, opts);
  if (got instanceof SqsError) return Promise.reject(got);
  const wait = opts.waitTimeSeconds ?? q.config.ReceiveMessageWaitTimeSeconds;
  if (got.length > 0 || wait <= 0 || core.closed || opts.signal?.aborted) return Promise.resolve(got);
  return new Promise((resolve) => {
    const w: Waiter = {
      max: opts.maxNumberOfMessages ?? 1,
      visibilityTimeout: opts.visibilityTimeout ?? q.config.VisibilityTimeout,
      resolve,
      timer: undefined,
      done: false,
      onAbort: undefined,
      signal: opts.signal,
    };
    w.timer = core.clock.setTimer(() => {
      w.timer = undefined;
      finishWaiter(core, w, []);
    }, wait * 1000);
    if (opts.signal) {
      w.onAbort = () => finishWaiter(core, w, []);
      opts.signal.addEventListener('abort', w.onAbort, { once: true });
    }
    if (q.waiters.length >= 64) q.waiters.filter((x) => !x.done);
    q.waiters.push(w);
    armWake(core, q);
  });
}

export function serveWaiters(core: SqsCore, q: SqsQueue): void {
  while (q.waiters.length > 0 && q.visibleCount > 0) {
    const w = q.waiters.shift()!;
    if (w.done) continue;
    if (!q.fifo && q.inFlightCount >= core.limits.inFlightMaxStandard) {
      q.waiters.unshift(w);
      return;
    }
    const got = take(core, q, w.max, w.visibilityTimeout);
    if (got.length === 0) {
      q.waiters.unshift(w);
      return;
    }
    finishWaiter(core, w, got);
  }
}

export function finishWaiter(core: SqsCore, w: Waiter, msgs: ReceivedMessage[]): void {
  if (w.done) return;
  w.done = true;
  if (w.timer) core.clock.clearTimer(w.timer);
  w.timer = undefined;
  if (w.onAbort && w.signal) w.signal.removeEventListener('abort', w.onAbort);
  w.resolve(msgs);
}

/** While long polls wait, keep one timer at the next due transition so they wake on time. */
export function armWake(core: SqsCore, q: SqsQueue): void {
  if (q.waiters.length === 0) return;
  const at = q.due.peekKey();
  if (at === Infinity || at >= q.wakeAt) return;
  if (q.wakeTimer) core.clock.clearTimer(q.wakeTimer);
  q.wakeAt = at;
  q.wakeTimer = core.clock.setTimer(() => {
    q.wakeTimer = undefined;
    q.wakeAt = Infinity;
    if (q.deleted) return;
    tick(core, q);
    serveWaiters(core, q);
    armWake(core, q);
  }, Math.max(0, at - core.clock.now()));
}

export function clearTimers(core: SqsCore, q: SqsQueue): void {
  if (q.wakeTimer) core.clock.clearTimer(q.wakeTimer);
  q.wakeTimer = undefined;
  q.wakeAt = Infinity;
}
