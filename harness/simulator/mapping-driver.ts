/**
 * Drives the SQS event source mappings on the agenda: pollers receive from their queue, batches
 * fill within their window, get invoked through the function's admission (so ESM throttles are
 * Lambda throttles), and end in deletes, partial batch responses or failures that leave messages
 * in flight until the visibility timeout (fact sheet §3.4–3.5); a throttled batch stays with its
 * poller and is retried until its visibility deadline, then dropped. The controller (how many
 * pollers, back-off, the rules in full) lives in MappingModel; this module moves messages and batches.
 */
import { ESM, SQS } from '../contracts/aws-facts.ts';
import type { FunctionModel } from './function-model.ts';
import { BatchPool, type MappingModel } from './mapping-model.ts';
import { POISON_INVALID_JSON, POISON_MARKER, type MessageStore, type QueueModel } from './queue-model.ts';
import { retryBeforeDeadline } from '../rules/esm-poller.ts';
import { visibleAgain } from '../rules/visibility.ts';
import { E_ESM_DISPATCH, E_ESM_RETRY, E_ESM_WAKE, E_ESM_WINDOW, E_SQS_VT } from './events.ts';
import type { EventQueue } from './event-queue.ts';

/** What the driver needs from the simulation. */
export interface MappingKernel {
  /** The simulation's agenda (events pushed straight onto it: no closure hop per event). */
  readonly agenda: EventQueue;
  /** Start an invocation for batch `batch` now (the time of the event being handled); an id ≥ 0, or a throttle code < 0. */
  invoke(fn: FunctionModel, batch: number, forcedError: boolean): number;
  /** The hop from a poller's receive to its invoke reaching Lambda (ms; 0 in the ideal world). */
  dispatchDelayMs(): number;
}

export class MappingDriver {
  private readonly batches = new BatchPool();
  private readonly agenda: EventQueue;
  /** Inside tryPoll: a dropped batch's poller rejoins the waiting list instead of polling again itself. */
  private polling = false;

  constructor(
    private readonly mappings: readonly MappingModel[],
    private readonly store: MessageStore,
    private readonly kernel: MappingKernel,
  ) {
    this.agenda = kernel.agenda;
  }

  /** Window-end events booked per batch: only the latest counts (see fill). */
  private windowArm: number[] = [];

  /** The batching window of batch `b` ended (`arm`: which booking this is; older ones are stale). */
  onWindowEnd(b: number, arm: number, now: number): void {
    if (arm !== this.windowArm[b]) return;
    const m = this.mappings[this.batches.mapping[b]!]!;
    const f = m.filling.indexOf(b);
    if (f >= 0) {
      m.filling.splice(f, 1);
      this.invokeBatch(m, b, now);
      // The next poller starts gathering (one at a time, see poll).
      this.tryPoll(m, now);
    }
  }

  tryPoll(m: MappingModel, now: number): void {
    if (!m.enabled) return;
    const was = this.polling;
    this.polling = true;
    try {
      this.poll(m, now);
    } finally {
      this.polling = was;
    }
  }

  private poll(m: MappingModel, now: number): void {
    const q = m.queue;
    const pool = this.batches;
    // A message whose visibility timeout ends at this instant is visible to this receive, whatever
    // order the agenda holds them in (rules/visibility.ts), as the emulator's lazy queue sees it.
    // While they return one receive at a time, each return polls on its own (expireDue).
    if (!q.expiring) this.expireDue(q, now);
    // Pollers waiting on a long poll each get one receive (≤ 10) as soon as messages are visible.
    // Whether a poller is surplus was decided when it started waiting (keepPoller), as the
    // emulator's loop decides before its long poll: one that became surplus while waiting still
    // takes what its poll returns. With a batching window one poller gathers at a time
    // (rules/esm-poller.ts): while a batch fills, only it receives.
    while (q.visible.length > 0) {
      if (m.filling.length > 0) {
        if (!this.fill(m, now)) break;
        continue;
      }
      if (m.waiting.length === 0) break;
      const p = m.waiting.pop()!;
      // It polls: its place no longer rests on the batch before (as the emulator's loop clears it).
      m.processed[p] = 0;
      const b = pool.alloc(m.index, p, now);
      const msgs = pool.msgs[b]!;
      const n = q.receive(now, Math.min(m.batchSize, SQS.receiveMaxMessages), b, msgs, ESM.batchPayloadMaxBytes);
      pool.bytes[b] = q.receivedBytes;
      if (n === 0) {
        // Everything visible was redriven or expired on the way.
        pool.finish(b, 1);
        pool.finish(b, 2);
        m.waiting.push(p);
        continue;
      }
      m.sawMessages = true;
      this.scheduleVisibilityTimeout(q, b, now + q.visibilityTimeoutMs, 0, n);
      if (m.windowMs > 0 && n < m.batchSize && !q.stoppedForBytes) {
        m.filling.push(b);
        this.armWindow(b, now + m.windowMs);
        continue;
      }
      this.invokeBatch(m, b, now);
    }
  }

  private armWindow(b: number, at: number): void {
    const arm = (this.windowArm[b] ?? 0) + 1;
    this.windowArm[b] = arm;
    this.agenda.push(at, E_ESM_WINDOW, b, arm);
  }

  /**
   * The gathering batch receives again (≤ 10 a receive, as a poll does); true when it is complete
   * (BatchSize, or the next message would pass 6 MB, §3.4) and went to its invoke.
   */
  private fill(m: MappingModel, now: number): boolean {
    const q = m.queue;
    const pool = this.batches;
    const b = m.filling[0]!;
    const msgs = pool.msgs[b]!;
    const from = msgs.length;
    q.receive(now, Math.min(m.batchSize - msgs.length, SQS.receiveMaxMessages), b, msgs, ESM.batchPayloadMaxBytes - pool.bytes[b]!);
    pool.bytes[b]! += q.receivedBytes;
    // Each receive has its own visibility timeout, from its own instant (SQS: per ReceiveMessage).
    if (msgs.length > from) this.scheduleVisibilityTimeout(q, b, now + q.visibilityTimeoutMs, from, msgs.length);
    // Short of BatchSize: the receive took everything visible; the batch waits for more or its
    // window, in a new long poll whose timeout is booked now, as the emulator's gather does.
    if (msgs.length < m.batchSize && !q.stoppedForBytes) {
      this.armWindow(b, pool.receivedAt[b]! + m.windowMs);
      return false;
    }
    m.filling.shift();
    this.invokeBatch(m, b, now);
    return true;
  }

  /** Poison records the function's rule matches (§3.5; squall's marker attribute, invalid JSON). */
  private isPoison(fn: FunctionModel, id: number): boolean {
    const rule = fn.poison;
    if (rule === null) return false;
    const k = this.store.poison[id]!;
    if (k === POISON_MARKER) return rule.attribute !== null || rule.bodyContains !== null;
    if (k === POISON_INVALID_JSON) return rule.invalidJson;
    return false;
  }

  /**
   * A received batch goes to its first invoke after the dispatch hop (rules/esm-poller.ts); from
   * here until it is done the poller holds it. Even a zero hop is an event of its own, as the
   * emulator's poller sends on a timer: what else is due at this instant happens first.
   */
  private invokeBatch(m: MappingModel, b: number, now: number): void {
    m.noteInvoking();
    this.agenda.push(now + this.kernel.dispatchDelayMs(), E_ESM_DISPATCH, b, 0);
  }

  /** A batch's first invoke (E_ESM_DISPATCH) or a throttled batch's retry (E_ESM_RETRY) is due; a disabled mapping drops it. */
  onAttemptDue(b: number, now: number): void {
    const m = this.mappings[this.batches.mapping[b]!]!;
    if (m.enabled) this.attempt(m, b, now);
    else this.dropBatch(m, b, now);
  }

  private attempt(m: MappingModel, b: number, now: number): void {
    const fn = m.fn;
    const msgs = this.batches.msgs[b]!;
    let poison = 0;
    if (fn.poison !== null) for (let i = 0; i < msgs.length; i++) if (this.isPoison(fn, msgs.ids[i]!)) poison++;
    const forced = poison > 0 && fn.poison!.response === 'throw';
    m.t.batches++;
    m.sBatches++;
    if (this.kernel.invoke(fn, b, forced) >= 0) return;
    // ESM invokes synchronously and ignores reserved concurrency when polling, so it gets
    // throttled (§3.1); the poller keeps the batch and retries while the retry starts before the
    // visibility deadline, else drops it (§3.5).
    m.t.throttledAttempts++;
    const pool = this.batches;
    const wait = m.throttled(++pool.throttles[b]!);
    if (m.enabled && retryBeforeDeadline(now, wait, pool.receivedAt[b]! + m.queue.visibilityTimeoutMs)) this.agenda.push(now + wait, E_ESM_RETRY, b, 0);
    else this.dropBatch(m, b, now);
  }

  /**
   * Throttled until its deadline: given up without a delete (its messages return when the
   * visibility timeout fires); the poller ends at once if surplus, else polls again at once, as
   * the emulator's loop does in the same tick. Inside tryPoll it only rejoins the waiting
   * pollers, which that loop serves, so drops never recurse.
   */
  private dropBatch(m: MappingModel, b: number, now: number): void {
    m.invoking--;
    m.t.failedBatches++;
    m.sFailed++;
    this.batches.finish(b, 1);
    const p = this.batches.poller[b]!;
    if (!m.keepPoller(p)) return;
    m.waiting.push(p);
    if (!this.polling) this.tryPoll(m, now);
  }

  /** A function error: the batch's messages stay in flight until the visibility timeout; its poller backs off. */
  private batchFailed(m: MappingModel, b: number, now: number): void {
    m.t.failedBatches++;
    m.sFailed++;
    const p = this.batches.poller[b]!;
    this.batches.finish(b, 1);
    this.agenda.push(now + m.failed(p), E_ESM_WAKE, m.index, p);
  }

  onBatchDone(b: number, now: number, error: boolean): void {
    const pool = this.batches;
    const m = this.mappings[pool.mapping[b]!]!;
    m.invoking--;
    if (error) {
      this.batchFailed(m, b, now);
      return;
    }
    const q = m.queue;
    const msgs = pool.msgs[b]!;
    // batchItemFailures only count when the mapping reports them; otherwise AWS ignores the response and deletes all (§3.5).
    const partial = m.reportBatchItemFailures && m.fn.poison !== null && m.fn.poison.response === 'batch-item-failures';
    let kept = 0;
    for (let i = 0; i < msgs.length; i++) {
      const id = msgs.ids[i]!;
      if (partial && this.isPoison(m.fn, id)) {
        kept++;
        continue;
      }
      if (q.delete(id, b)) m.t.messagesProcessed++;
    }
    if (kept > 0) m.t.partialBatches++;
    const p = pool.poller[b]!;
    m.failures[p] = 0;
    m.processed[p] = 1;
    pool.finish(b, 1);
    // Nothing of this receive is in flight any more: recycle it now instead of at its visibility timeout.
    if (kept === 0) pool.finish(b, 2);
    if (m.keepPoller(p)) m.waiting.push(p);
    this.tryPoll(m, now);
  }

  onPollerWake(m: MappingModel, p: number, now: number): void {
    if (m.keepPoller(p)) {
      m.waiting.push(p);
      this.tryPoll(m, now);
    }
  }

  /**
   * A queue's visibility timeout is fixed, so receives expire in the order they happened: they
   * wait in a per-queue FIFO with one agenda event for the earliest, which keeps the agenda small
   * (a 60 s timeout at 100 receives/s would otherwise park 6,000 events in the heap).
   */
  private scheduleVisibilityTimeout(q: QueueModel, b: number, due: number, from: number, to: number): void {
    this.batches.vtPending[b]!++;
    q.vt.pushBack(due, b, this.batches.gen[b]!, from, to);
    if (!q.vtScheduled) {
      q.vtScheduled = true;
      this.agenda.push(due, E_SQS_VT, q.index, 0);
    }
  }

  /** Return every receive whose visibility timeout is due by `now`; the agenda event stays booked. */
  private expireDue(q: QueueModel, now: number): void {
    const vt = q.vt;
    if (vt.length === 0 || !visibleAgain(vt.frontDue(), now)) return;
    // A long poll returns messages "as soon as they become available" (SQS guide; fact sheet §4
    // ReceiveMessage) and different receives' messages reappear at different instants, so waiting
    // pollers are served after each receive's return (returnVisible → onVisible → poll), not once
    // with all of them; the emulator's queue does the same when its timer finds several due
    // (SqsModel.tick).
    q.expiring = true;
    try {
      while (vt.length > 0 && visibleAgain(vt.frontDue(), now)) {
        vt.popFront();
        const b = vt.a;
        // A batch that ended with nothing in flight was recycled already; its entry is stale.
        if (vt.b === this.batches.gen[b] && (this.batches.flags[b]! & 2) === 0) this.onVisibilityTimeout(b, now, vt.c, vt.d);
      }
    } finally {
      q.expiring = false;
    }
  }

  onVisibilityTimeouts(q: QueueModel, now: number): void {
    // vtScheduled stays true while expiring: receives made meanwhile must not add agenda events.
    this.expireDue(q, now);
    q.vtScheduled = q.vt.length > 0;
    if (q.vtScheduled) this.agenda.push(q.vt.frontDue(), E_SQS_VT, q.index, 0);
  }

  private onVisibilityTimeout(b: number, now: number, from: number, to: number): void {
    const pool = this.batches;
    const m = this.mappings[pool.mapping[b]!]!;
    const f = m.filling.indexOf(b);
    if (f >= 0) {
      // A window longer than the visibility timeout: the batch gives up and its poller polls again.
      m.filling.splice(f, 1);
      pool.finish(b, 1);
      const p = pool.poller[b]!;
      if (m.keepPoller(p)) m.waiting.push(p);
    }
    // The batch's last receive to time out ends its visibility phase.
    if (--pool.vtPending[b]! === 0) pool.finish(b, 2);
    m.queue.returnVisible(now, b, pool.msgs[b]!, from, to);
  }

  /** Disable: waiting pollers stop, filling batches hand their messages straight back. */
  private disableMapping(m: MappingModel, now: number): void {
    m.enabled = false;
    const pool = this.batches;
    while (m.waiting.length > 0) m.keepPoller(m.waiting.pop()!);
    while (m.filling.length > 0) {
      const b = m.filling.shift()!;
      pool.finish(b, 1);
      m.keepPoller(pool.poller[b]!);
      m.queue.returnVisible(now, b, pool.msgs[b]!);
    }
  }

  setMappingEnabled(m: MappingModel, enabled: boolean, now: number): void {
    if (enabled === m.enabled) return;
    if (!enabled) {
      this.disableMapping(m, now);
      return;
    }
    m.enabled = true;
    m.spawn();
    this.tryPoll(m, now);
  }}
