/**
 * Poison messages for SQS load: every one carries the message attribute `squall-poison` = run id,
 * so a run can count its own poison in a queue or DLQ and clean up only what it sent (squall never
 * purges a queue it did not create). Kinds:
 *   marker        valid JSON body; only the attribute marks it (a consumer's poison rule matches it)
 *   invalid-json  a body no JSON parser accepts
 *   oversized     a valid JSON body padded to just under the queue's MaximumMessageSize, which
 *                 counts the body plus every attribute's name, type and value (aws-facts §4)
 * Which messages are poison is decided by an error-diffusion accumulator per VU, so a ratio of 0.1
 * makes exactly every tenth message poison, not "about" one in ten.
 */

export const POISON_ATTRIBUTE = 'squall-poison';
// Room left under MaximumMessageSize for the bytes SQS counts that we cannot see exactly.
const POISON_SIZE_MARGIN_BYTES = 64;

/**
 * The SQS MessageAttributes value marking a poison message.
 * @param {string} runId
 * @returns {Record<string, { DataType: string, StringValue: string }>}
 */
export function poisonAttributes(runId) {
  return { [POISON_ATTRIBUTE]: { DataType: 'String', StringValue: runId } };
}

/**
 * Build one poison message as SendMessage/SendMessageBatch entry members.
 * @param {'marker' | 'invalid-json' | 'oversized'} kind
 * @param {string} runId
 * @param {string} id distinguishes messages (e.g. "3-17": VU 3, message 17)
 * @param {number} maxMessageBytes the queue's MaximumMessageSize
 * @returns {{ MessageBody: string, MessageAttributes: Record<string, { DataType: string, StringValue: string }> }}
 */
export function poisonMessage(kind, runId, id, maxMessageBytes) {
  const attrs = poisonAttributes(runId);
  if (kind === 'marker') {
    return { MessageBody: '{"squallPoison":"marker","runId":' + JSON.stringify(runId) + ',"id":' + JSON.stringify(id) + '}', MessageAttributes: attrs };
  }
  if (kind === 'invalid-json') {
    // Unterminated object and a bare word: rejected by every JSON parser, yet plain UTF-8.
    return { MessageBody: '{"squallPoison":"invalid-json","id":' + JSON.stringify(id) + ', oops', MessageAttributes: attrs };
  }
  if (kind === 'oversized') {
    const head = '{"squallPoison":"oversized","runId":' + JSON.stringify(runId) + ',"id":' + JSON.stringify(id) + ',"pad":"';
    const tail = '"}';
    const attrBytes = POISON_ATTRIBUTE.length + 'String'.length + utf8Length(runId);
    const padLength = maxMessageBytes - attrBytes - POISON_SIZE_MARGIN_BYTES - utf8Length(head) - tail.length;
    return { MessageBody: head + 'x'.repeat(padLength > 0 ? padLength : 0) + tail, MessageAttributes: attrs };
  }
  throw new Error('unknown poison kind "' + kind + '" (marker, invalid-json, oversized)');
}

/**
 * UTF-8 byte length of a string, without TextEncoder (a global only since k6 v2.2).
 * @param {string} s
 * @returns {number}
 */
export function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * Exact-ratio chooser: `next()` says whether the next message is poison. Per VU (module state is
 * per VU in k6), so the run-wide ratio is exact to within one message per VU.
 * @param {number} ratio in [0, 1]
 */
export function poisonChooser(ratio) {
  let acc = 0;
  return {
    next() {
      acc += ratio;
      if (acc >= 1 - 1e-9) { acc -= 1; return true; }
      return false;
    },
  };
}
