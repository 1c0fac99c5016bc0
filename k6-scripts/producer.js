/**
 * The SQS producer step of an `sqs-producer` scenario: pack entries into SendMessageBatch calls
 * (≤ 10 entries and ≤ MaximumMessageSize bytes per call, both per message and summed:
 * aws-lambda-sqs-facts.md §4), send them with the SDK-like retry on throttling, and count what
 * SQS accepted into squall's metrics (`squall_messages_sent`, `squall_poison_sent`,
 * `squall_messages_failed`). Never throws for an SQS refusal: it is counted, and a check records it.
 */
import { check } from 'k6';
import { sendMessageBatch, batchOutcome } from './sqs.js';
import { sendWithRetry } from './retry.js';
import { messagesSent, poisonSent, messagesFailed } from './metrics.js';
import { utf8Length } from './poison.js';

const PRODUCER_MAX_BATCH_ENTRIES = 10;
const PRODUCER_CHECKS = { 'sqs: batch accepted': (/** @type {boolean} */ ok) => ok };

/**
 * Bytes SQS counts for a message: body plus each attribute's name, type and value.
 * @param {{ MessageBody: string, MessageAttributes?: Record<string, { DataType?: string, StringValue?: string }> }} entry
 * @returns {number}
 */
export function sqsMessageSize(entry) {
  let n = utf8Length(entry.MessageBody);
  const attrs = entry.MessageAttributes;
  if (attrs) {
    for (const name of Object.keys(attrs)) {
      const a = attrs[name];
      n += utf8Length(name) + utf8Length(a.DataType || '') + utf8Length(a.StringValue || '');
    }
  }
  return n;
}

/**
 * Greedy packing in order: a batch closes at 10 entries or when the next entry would push its
 * size sum over `maxBytes`. A single entry over the limit still gets its own batch (SQS refuses it
 * and that refusal is counted).
 * @template {{ MessageBody: string }} E
 * @param {E[]} entries
 * @param {number} maxBytes
 * @returns {E[][]}
 */
export function packBatches(entries, maxBytes) {
  /** @type {any[][]} */
  const batches = [];
  /** @type {any[]} */
  let current = [];
  let size = 0;
  for (const e of entries) {
    const s = sqsMessageSize(e);
    if (current.length > 0 && (current.length >= PRODUCER_MAX_BATCH_ENTRIES || size + s > maxBytes)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += s;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Send `entries` (each with a unique `Id`) to a queue; `poisonIds` names the poison entries.
 * @param {any} aws config from awsConfigFromEnv
 * @param {string} queueUrl
 * @param {Array<{ Id: string, MessageBody: string, MessageAttributes?: any, MessageGroupId?: string, MessageDeduplicationId?: string }>} entries
 * @param {string[]} poisonIds
 * @param {number} maxBytes the queue's MaximumMessageSize
 * @param {Record<string,string>} tags
 * @param {number} [attempts] attempts per call including the first (SDK default 3)
 * @returns {Promise<{ sent: number, poison: number, failed: number }>}
 */
export async function produceMessages(aws, queueUrl, entries, poisonIds, maxBytes, tags, attempts) {
  const params = { tags };
  const tries = attempts === undefined ? 3 : attempts;
  let sent = 0;
  let poison = 0;
  let failed = 0;
  for (const batch of packBatches(entries, maxBytes)) {
    const res = await sendWithRetry(tries, async () => await sendMessageBatch(aws, queueUrl, batch, params), tags);
    const out = batchOutcome(res, batch.length);
    sent += out.ok;
    failed += out.failed;
    if (poisonIds.length > 0 && res.status === 200) {
      for (const e of batch) {
        if (poisonIds.indexOf(e.Id) >= 0 && out.failedIds.indexOf(e.Id) < 0) poison++;
      }
    }
    check(out.failed === 0 && res.status === 200, PRODUCER_CHECKS, tags);
  }
  if (sent > 0) messagesSent.add(sent, tags);
  if (poison > 0) poisonSent.add(poison, tags);
  if (failed > 0) messagesFailed.add(failed, tags);
  return { sent, poison, failed };
}
