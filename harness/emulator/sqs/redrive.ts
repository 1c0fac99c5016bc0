/**
 * Redrive to a dead-letter queue: the copy a DLQ receives when a message's receive count reached
 * the source's maxReceiveCount (the receive path decides when, `rules/visibility.ts` says whether).
 */
import type { SqsCore } from './core.ts';
import { sequenceNumber } from './message-rules.ts';
import { Msg, type SqsQueue } from './queue.ts';
import { makeVisible } from './visible-set.ts';

export function moveToDlq(core: SqsCore, from: SqsQueue, m: Msg, dlq: SqsQueue): void {
  // Standard DLQs keep the original enqueue time (retention counts from the first send); FIFO
  // DLQs reset it [fact sheet §4 Redrive]. Receive count carries over ("across all queues").
  const moved = new Msg(
    dlq.nextNum++,
    m.messageId,
    m.body,
    m.md5OfBody,
    m.messageAttributes,
    m.md5OfMessageAttributes,
    m.awsTraceHeader,
    m.sentTimestamp,
    dlq.fifo ? core.clock.now() : m.enqueuedAt,
    m.senderId,
    m.groupId,
    // "the original message's deduplication ID will be replaced with the original message's ID"
    // (SQS developer guide, configuring DLQ redrive), so two messages sharing one stay distinct.
    dlq.fifo ? m.messageId : m.dedupId,
    dlq.fifo ? sequenceNumber(dlq.nextSeq++) : undefined,
    m.size,
  );
  moved.receiveCount = m.receiveCount;
  moved.firstReceiveTimestamp = m.firstReceiveTimestamp;
  moved.deadLetterQueueSourceArn = from.arn;
  dlq.live.set(moved.num, moved);
  dlq.byAge.push(moved);
  makeVisible(dlq, moved);
}
