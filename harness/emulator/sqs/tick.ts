/**
 * Time's effects on a queue, applied lazily at the start of each operation (and by the wake timer
 * while long polls wait): delays and visibility timeouts that ended, retention that ran out, FIFO
 * deduplication entries that expired; and the one way a message leaves for good.
 */
import { visibleAgain } from '../../rules/visibility.ts';
import { isPoison, type SqsCore } from './core.ts';
import { State, type Msg, type SqsQueue } from './queue.ts';
import { makeVisible, maybeReady, returnToVisible } from './visible-set.ts';
import { serveWaiters } from './waiters.ts';

/**
 * Apply every transition due by now: delays and visibility timeouts that ended, retention that
 * ran out, FIFO dedup entries that expired. Lazy: called at the start of each operation.
 */
export function tick(core: SqsCore, q: SqsQueue): void {
  const now = core.clock.now();
  let woke = false;
  let due: Msg[] | null = null;
  while (visibleAgain(q.due.peekKey(), now)) {
    const key = q.due.peekKey();
    const m = q.due.pop()!;
    // A deleted message leaves its entry behind; only a hidden one has anything due.
    if (m.dueAt === key && (m.state === State.Delayed || m.state === State.InFlight)) (due ??= []).push(m);
  }
  if (due !== null) {
    // A long poll returns messages "as soon as they become available" (SQS guide; fact sheet §4
    // ReceiveMessage), and messages hidden by different receives reappear at different instants,
    // so a waiting receiver gets one receive's returns, not everything a late timer finds due:
    // the earliest hiding first, each in its receive's order, waiters served between them (as
    // the simulator's driver does).
    if (due.length > 1) due.sort((a, b) => a.dueAt - b.dueAt || a.dueGroup - b.dueGroup || a.dueIndex - b.dueIndex);
    for (let i = 0; i < due.length; i++) {
      const m = due[i]!;
      if (m.state === State.Delayed) {
        q.delayedCount--;
        makeVisible(q, m);
        woke = true;
      } else if (m.state === State.InFlight) {
        returnToVisible(q, m);
        woke = true;
      }
      const next = due[i + 1];
      if (woke && next !== undefined && (next.dueAt !== m.dueAt || next.dueGroup !== m.dueGroup) && q.waiters.length > 0) serveWaiters(core, q);
    }
  }
  const retentionMs = q.config.MessageRetentionPeriod * 1000;
  let expired = 0;
  let expiredPoison = 0;
  for (;;) {
    const head = q.byAge.peek();
    if (!head) break;
    if (head.state === State.Gone) {
      q.byAge.shift();
      continue;
    }
    if (now - head.enqueuedAt < retentionMs) break;
    q.byAge.shift();
    removeMessage(core, q, head);
    expired++;
    if (isPoison(head)) expiredPoison++;
  }
  if (expired) for (const o of core.observers) o.expired?.(q, expired);
  if (expiredPoison) for (const o of core.observers) o.poison?.(q, 'expired', expiredPoison);
  if (woke) serveWaiters(core, q);
}

/** Detach a visible message from the visible structures' counts (it stays lazily in the deque). */
export function removeVisible(q: SqsQueue, m: Msg): void {
  if (m.state === State.Visible) {
    q.visibleCount--;
    m.state = State.Gone;
    q.live.delete(m.num);
  }
}

/** Remove a message for good, whatever its state; structures drop it lazily. */
export function removeMessage(core: SqsCore, q: SqsQueue, m: Msg): void {
  switch (m.state) {
    case State.Visible:
      q.visibleCount--;
      break;
    case State.InFlight:
      q.inFlightCount--;
      if (q.fifo && m.groupId !== undefined) {
        const g = q.groups.get(m.groupId);
        if (g) {
          g.inFlight--;
          maybeReady(q, g);
        }
      }
      break;
    case State.Delayed:
      q.delayedCount--;
      break;
    default:
      return;
  }
  m.state = State.Gone;
  q.live.delete(m.num);
  if (q.fifo && q.waiters.length) serveWaiters(core, q);
}

export function expireDedup(core: SqsCore, q: SqsQueue, now: number): void {
  for (;;) {
    const head = q.dedupOrder.peek();
    if (!head || head.expiresAt > now) break;
    q.dedupOrder.shift();
    const cur = q.dedup.get(head.key);
    if (cur && cur.expiresAt === head.expiresAt) q.dedup.delete(head.key);
  }
  if (q.attempts.size > 1000) for (const [k, a] of q.attempts) if (a.expiresAt <= now) q.attempts.delete(k);
}
