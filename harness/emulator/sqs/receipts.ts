/**
 * What a receipt handle can do: DeleteMessage and ChangeMessageVisibility, with AWS's rules for
 * stale handles, foreign handles, messages not in flight and the 12-hour visibility cap.
 */
import { isPoison, type SqsCore } from './core.ts';
import { SqsError, msg as err } from './errors.ts';
import { decodeHandle } from './message-rules.ts';
import { State, type SqsQueue } from './queue.ts';
import { removeMessage, tick } from './tick.ts';
import { returnToVisible } from './visible-set.ts';
import { armWake, serveWaiters } from './waiters.ts';

/**
 * DeleteMessage. A stale handle (the message was received again since) or a handle of an
 * already deleted message succeeds without effect, as AWS documents; a handle that is not one
 * of this queue's → `ReceiptHandleIsInvalid`. Returns the error instead of throwing.
 */
export function deleteMessage(core: SqsCore, q: SqsQueue, receiptHandle: string): SqsError | undefined {
  if (q.deleted) return err.queueDoesNotExist();
  const h = decodeHandle(receiptHandle);
  if (!h || h.queue !== q.uid) return err.invalidReceiptHandle(receiptHandle);
  const m = q.live.get(h.num);
  if (!m || m.receiveSerial !== h.serial) return undefined;
  removeMessage(core, q, m);
  for (const o of core.observers) o.deleted?.(q, 1);
  if (isPoison(m)) for (const o of core.observers) o.poison?.(q, 'deleted', 1);
  return undefined;
}

/**
 * ChangeMessageVisibility: the new timeout counts from now; 0 makes the message visible at
 * once. Not in flight → `MessageNotInflight`; the total may not pass 12 h from the receive.
 */
export function changeVisibility(core: SqsCore, q: SqsQueue, receiptHandle: string, visibilityTimeout: number): SqsError | undefined {
  if (q.deleted) return err.queueDoesNotExist();
  const h = decodeHandle(receiptHandle);
  if (!h || h.queue !== q.uid) return err.invalidReceiptHandle(receiptHandle);
  if (!Number.isInteger(visibilityTimeout) || visibilityTimeout < 0 || visibilityTimeout > core.limits.visibilityTimeoutMaxSeconds) {
    return err.invalidValue('VisibilityTimeout', visibilityTimeout, `Must be between 0 and ${core.limits.visibilityTimeoutMaxSeconds}, if provided.`);
  }
  tick(core, q);
  const m = q.live.get(h.num);
  if (!m || m.receiveSerial !== h.serial) {
    return err.invalidValue('ReceiptHandle', receiptHandle, 'Message does not exist or is not available for visibility timeout change.');
  }
  if (m.state !== State.InFlight) return new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
  const now = core.clock.now();
  // A message stays invisible at most 12 h from its receive, however often it is extended [4].
  const max = core.limits.visibilityTimeoutMaxSeconds;
  if ((now - m.receivedAt) / 1000 + visibilityTimeout > max) {
    return err.invalidValue('VisibilityTimeout', visibilityTimeout, `Total VisibilityTimeout for the message is beyond the limit [${max} seconds]`);
  }
  m.dueAt = now + visibilityTimeout * 1000;
  m.dueGroup = ++core.dueGroups;
  m.dueIndex = 0;
  if (visibilityTimeout === 0) {
    returnToVisible(q, m);
    serveWaiters(core, q);
  } else {
    q.due.push(m.dueAt, m);
    armWake(core, q);
  }
  return undefined;
}
