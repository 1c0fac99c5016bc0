/**
 * Receiving without waiting: apply what is due, honour a FIFO ReceiveRequestAttemptId retry, refuse
 * past the in-flight limit (OverLimit), and take up to `max` visible messages — standard queues from
 * one deque, FIFO queues group by group, a group staying locked while any of its messages is in
 * flight. A message whose receive count already reached the redrive policy's maxReceiveCount moves
 * to the dead-letter queue instead of being returned (`redrive.ts`).
 */
import { deadLettersOnReceive } from '../../rules/visibility.ts';
import { isPoison, type SqsCore } from './core.ts';
import { SqsError, msg as err } from './errors.ts';
import { decodeHandle, encodeHandle } from './message-rules.ts';
import { State, type Msg, type ReceivedMessage, type ReceiveOptions, type SqsQueue } from './queue.ts';
import { moveToDlq } from './redrive.ts';
import { removeVisible, tick } from './tick.ts';
import { maybeReady } from './visible-set.ts';
import { armWake, serveWaiters } from './waiters.ts';

/** Receive without waiting: what is visible now (possibly nothing), or an `SqsError`. */
export function receiveNow(core: SqsCore, q: SqsQueue, opts: ReceiveOptions = {}): ReceivedMessage[] | SqsError {
  if (q.deleted) return err.queueDoesNotExist();
  tick(core, q);
  const max = opts.maxNumberOfMessages ?? 1;
  const vt = opts.visibilityTimeout ?? q.config.VisibilityTimeout;
  const attemptId = opts.receiveRequestAttemptId;
  if (q.fifo && attemptId !== undefined) {
    const prev = q.attempts.get(attemptId);
    if (prev && prev.expiresAt > core.clock.now()) {
      // Same attempt id within 5 min: the same messages, if none was touched since [MODEL ReceiveMessage doc].
      const same = prev.nums.every((n, i) => {
        const m = q.live.get(n);
        return m !== undefined && m.state === State.InFlight && m.receiveSerial === prev.serials[i];
      });
      if (same) return prev.msgs;
    }
  }
  if (!q.fifo && q.inFlightCount >= core.limits.inFlightMaxStandard) {
    for (const o of core.observers) o.overLimit?.(q);
    return new SqsError('OverLimit', `The maximum number of in flight messages has been reached (${core.limits.inFlightMaxStandard}).`);
  }
  const got = take(core, q, max, vt);
  if (q.fifo && attemptId !== undefined) {
    const live = got.map((r) => decodeHandle(r.receiptHandle)!);
    q.attempts.set(attemptId, {
      msgs: got,
      nums: live.map((h) => h.num),
      serials: live.map((h) => h.serial),
      expiresAt: core.clock.now() + core.limits.fifoDeduplicationIntervalSeconds * 1000,
    });
  }
  return got;
}

export function take(core: SqsCore, q: SqsQueue, max: number, visibilityTimeout: number): ReceivedMessage[] {
  const out: ReceivedMessage[] = [];
  const now = core.clock.now();
  let room = q.fifo ? core.limits.inFlightMaxFifo - q.inFlightCount : core.limits.inFlightMaxStandard - q.inFlightCount;
  const redrive = q.config.RedrivePolicy;
  // A queue is never its own DLQ (rejected at SetQueueAttributes; guarded here against loops).
  const target = redrive ? core.byArn.get(redrive.deadLetterTargetArn) : undefined;
  const dlq = target !== q ? target : undefined;
  let moved = 0;
  let movedPoison = 0;
  const group = ++core.dueGroups;
  const takeOne = (m: Msg): boolean => {
    if (dlq && redrive && deadLettersOnReceive(m.receiveCount, redrive.maxReceiveCount)) {
      removeVisible(q, m);
      moveToDlq(core, q, m, dlq);
      moved++;
      if (isPoison(m)) movedPoison++;
      return false;
    }
    m.dueGroup = group;
    m.dueIndex = out.length;
    out.push(deliver(core, q, m, now, visibilityTimeout));
    room--;
    return true;
  };
  if (!q.fifo) {
    while (out.length < max && room > 0) {
      const m = q.visible.shift();
      if (!m) break;
      if (m.state !== State.Visible) continue;
      takeOne(m);
    }
  } else {
    while (out.length < max && room > 0) {
      const g = q.readyGroups.shift();
      if (!g) break;
      g.ready = false;
      if (g.inFlight > 0) continue;
      // Several messages of one group may come together, in order; the group then stays locked
      // until none of them is in flight [fact sheet §4 FIFO].
      while (out.length < max && room > 0) {
        const m = g.msgs.shift();
        if (!m) break;
        if (m.state !== State.Visible) continue;
        if (takeOne(m)) g.inFlight++;
      }
      maybeReady(q, g);
    }
  }
  if (moved > 0 && dlq) {
    for (const o of core.observers) o.movedToDlq?.(q, dlq, moved);
    if (movedPoison) for (const o of core.observers) o.poison?.(q, 'moved', movedPoison);
    serveWaiters(core, dlq);
  }
  if (out.length > 0) for (const o of core.observers) o.received?.(q, out.length);
  if (q.waiters.length) armWake(core, q);
  return out;
}

function deliver(core: SqsCore, q: SqsQueue, m: Msg, now: number, vt: number): ReceivedMessage {
  q.visibleCount--;
  q.inFlightCount++;
  m.state = State.InFlight;
  m.receiveCount++;
  m.receiveSerial++;
  m.receivedAt = now;
  const epoch = Math.round(core.clock.epochMs());
  if (m.firstReceiveTimestamp === 0) m.firstReceiveTimestamp = epoch;
  m.dueAt = now + vt * 1000;
  q.due.push(m.dueAt, m);
  const attributes: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentTimestamp),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
  };
  if (m.sequenceNumber !== undefined) attributes['SequenceNumber'] = m.sequenceNumber;
  if (m.dedupId !== undefined) attributes['MessageDeduplicationId'] = m.dedupId;
  if (m.groupId !== undefined) attributes['MessageGroupId'] = m.groupId;
  if (m.awsTraceHeader !== undefined) attributes['AWSTraceHeader'] = m.awsTraceHeader;
  if (m.deadLetterQueueSourceArn !== undefined) attributes['DeadLetterQueueSourceArn'] = m.deadLetterQueueSourceArn;
  return {
    messageId: m.messageId,
    receiptHandle: encodeHandle(q.uid, m.num, m.receiveSerial),
    body: m.body,
    md5OfBody: m.md5OfBody,
    messageAttributes: m.messageAttributes,
    md5OfMessageAttributes: m.md5OfMessageAttributes,
    attributes,
  };
}
