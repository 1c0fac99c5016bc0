/**
 * SendMessage and SendMessageBatch on the model: validate each message as AWS does (body
 * characters, size, attributes, delay, FIFO group and deduplication), enqueue it visible or
 * delayed, serve waiting long polls, and tell observers once per call. An invalid message comes
 * back as an `SqsError` value, not thrown, so batch entries fail one by one.
 */
import { createHash } from 'node:crypto';
import { SQS_API } from '../../contracts/aws-facts.ts';
import { messageId } from '../ids.ts';
import { isPoison, type SqsCore } from './core.ts';
import { SqsError, msg as err } from './errors.ts';
import { attributeSize, md5Hex, md5OfMessageAttributes } from './md5.ts';
import { checkAttribute, checkFifoId, hasInvalidChars, sequenceNumber } from './message-rules.ts';
import { Msg, State, type SendInput, type SendResult, type SqsQueue } from './queue.ts';
import { tick, expireDedup } from './tick.ts';
import { makeVisible } from './visible-set.ts';
import { armWake, serveWaiters } from './waiters.ts';

/**
 * SendMessage for one message. Returns an `SqsError` (not thrown) for an invalid message so
 * batch entries fail one by one without exceptions on the hot path.
 */
export function send(core: SqsCore, q: SqsQueue, input: SendInput): SendResult | SqsError {
  if (!q.deleted) tick(core, q);
  const r = enqueue(core, q, input, core.clock.now(), Math.round(core.clock.epochMs()));
  const m = core.enqueued;
  if (m) {
    core.enqueued = undefined;
    for (const o of core.observers) o.sent?.(q, 1);
    if (isPoison(m)) for (const o of core.observers) o.poison?.(q, 'sent', 1);
  }
  return r;
}

/**
 * Validate and enqueue one message at `now`, without telling observers: the caller does, once
 * per call, so a batch of ten costs one observer round, not ten. The message it enqueued is left
 * in `enqueued` (none for an error or a FIFO duplicate, which is accepted but not enqueued).
 */
function enqueue(core: SqsCore, q: SqsQueue, input: SendInput, now: number, epochMs: number): SendResult | SqsError {
  if (q.deleted) return err.queueDoesNotExist();
  const L = core.limits;
  const body = input.body;
  if (typeof body !== 'string' || body.length === 0) return err.missing('MessageBody');
  if (hasInvalidChars(body)) {
    return new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  let size = Buffer.byteLength(body, 'utf8');
  const attrs = input.messageAttributes;
  let md5Attrs: string | undefined;
  if (attrs) {
    const names = Object.keys(attrs);
    if (names.length > SQS_API.messageAttributesMax) {
      return err.invalidValue('MessageAttributes', names.length, `Number of message attributes [${names.length}] exceeds the allowed maximum [${SQS_API.messageAttributesMax}].`);
    }
    for (const name of names) {
      const bad = checkAttribute(name, attrs[name]!);
      if (bad) return bad;
      size += attributeSize(name, attrs[name]!);
    }
    if (names.length) md5Attrs = md5OfMessageAttributes(attrs);
  }
  let trace: string | undefined;
  let md5Sys: string | undefined;
  if (input.messageSystemAttributes) {
    for (const [name, v] of Object.entries(input.messageSystemAttributes)) {
      if (name !== 'AWSTraceHeader') return err.invalidValue('MessageSystemAttributes', name, 'Only AWSTraceHeader is supported.');
      if (v.DataType !== 'String' || v.StringValue === undefined) return err.invalidValue('MessageSystemAttributes', name, 'AWSTraceHeader must be of type String.');
      trace = v.StringValue;
    }
    if (trace !== undefined) md5Sys = md5OfMessageAttributes(input.messageSystemAttributes);
  }
  if (size > q.config.MaximumMessageSize) {
    return err.invalidValue('MessageBody', '', `Message must be shorter than ${q.config.MaximumMessageSize} bytes.`).withMessage(
      `One or more parameters are invalid. Reason: Message must be shorter than ${q.config.MaximumMessageSize} bytes.`,
    );
  }
  let delay = q.config.DelaySeconds;
  if (input.delaySeconds !== undefined) {
    if (q.fifo) {
      return err.invalidValue('DelaySeconds', input.delaySeconds, 'The request include parameter that is not valid for this queue type.');
    }
    if (!Number.isInteger(input.delaySeconds) || input.delaySeconds < 0 || input.delaySeconds > L.delayMaxSeconds) {
      return err.invalidValue('DelaySeconds', input.delaySeconds, `DelaySeconds must be >= 0 and <= ${L.delayMaxSeconds}`);
    }
    delay = input.delaySeconds;
  }
  let groupId: string | undefined;
  let dedupId: string | undefined;
  let dedupKey: string | undefined;
  if (q.fifo) {
    groupId = input.messageGroupId;
    if (groupId === undefined || groupId === '') return err.missing('MessageGroupId');
    const badGroup = checkFifoId('MessageGroupId', groupId);
    if (badGroup) return badGroup;
    dedupId = input.messageDeduplicationId;
    if (dedupId === undefined) {
      if (!q.config.ContentBasedDeduplication) {
        return new SqsError(
          'InvalidParameterValueException',
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
    } else {
      const badDedup = checkFifoId('MessageDeduplicationId', dedupId);
      if (badDedup) return badDedup;
    }
    dedupKey = q.config.DeduplicationScope === 'messageGroup' ? `${groupId}\u0000${dedupId}` : dedupId;
    expireDedup(core, q, now);
    const seen = q.dedup.get(dedupKey);
    if (seen) {
      // A duplicate within the 5-minute interval is accepted but not enqueued [fact sheet §4 FIFO].
      return { ...seen.result, md5OfMessageBody: md5Hex(body), md5OfMessageAttributes: md5Attrs, md5OfMessageSystemAttributes: md5Sys };
    }
  } else {
    if (input.messageDeduplicationId !== undefined) {
      return err.invalidValue('MessageDeduplicationId', input.messageDeduplicationId, 'The request include parameter that is not valid for this queue type.');
    }
    // A MessageGroupId on a standard queue is allowed: it marks a fair-queue tenant [fact sheet §4].
    groupId = input.messageGroupId;
  }
  const m = new Msg(
    q.nextNum++,
    messageId(),
    body,
    md5Hex(body),
    md5Attrs ? attrs : undefined,
    md5Attrs,
    trace,
    epochMs,
    now,
    input.senderId ?? core.accountId,
    groupId,
    q.fifo ? dedupId : undefined,
    q.fifo ? sequenceNumber(q.nextSeq++) : undefined,
    size,
  );
  q.live.set(m.num, m);
  q.byAge.push(m);
  const result: SendResult = {
    messageId: m.messageId,
    md5OfMessageBody: m.md5OfBody,
    md5OfMessageAttributes: md5Attrs,
    md5OfMessageSystemAttributes: md5Sys,
    sequenceNumber: m.sequenceNumber,
  };
  if (dedupKey !== undefined) {
    const expiresAt = now + L.fifoDeduplicationIntervalSeconds * 1000;
    q.dedup.set(dedupKey, { result, expiresAt });
    q.dedupOrder.push({ key: dedupKey, expiresAt });
  }
  if (delay > 0) {
    m.state = State.Delayed;
    m.dueAt = now + delay * 1000;
    m.dueGroup = 0;
    q.delayedCount++;
    q.due.push(m.dueAt, m);
    armWake(core, q);
  } else {
    makeVisible(q, m);
    // Inside a SendMessageBatch the entries become receivable together (served once at the end),
    // so a waiting long poll gets up to its MaxNumberOfMessages of them, not one each.
    if (core.batchDepth === 0) serveWaiters(core, q);
  }
  core.enqueued = m;
  return result;
}

/** SendMessageBatch: every entry is sent, then waiting receivers are served once. */
export function sendBatch(core: SqsCore, q: SqsQueue, inputs: SendInput[]): Array<SendResult | SqsError> {
  core.batchDepth++;
  const out: Array<SendResult | SqsError> = new Array(inputs.length);
  let sent = 0;
  let poison = 0;
  try {
    // One instant for the whole batch: due transitions applied once, one SentTimestamp.
    if (!q.deleted) tick(core, q);
    const now = core.clock.now();
    const epochMs = Math.round(core.clock.epochMs());
    for (let i = 0; i < inputs.length; i++) {
      out[i] = enqueue(core, q, inputs[i]!, now, epochMs);
      const m = core.enqueued;
      if (m) {
        core.enqueued = undefined;
        sent++;
        if (isPoison(m)) poison++;
      }
    }
    return out;
  } finally {
    core.batchDepth--;
    if (sent) for (const o of core.observers) o.sent?.(q, sent);
    if (poison) for (const o of core.observers) o.poison?.(q, 'sent', poison);
    if (core.batchDepth === 0 && !q.deleted) serveWaiters(core, q);
  }
}
