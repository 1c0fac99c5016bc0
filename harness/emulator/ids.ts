/**
 * Identifiers the emulator hands out: request ids and message ids in AWS's UUID shape. Ids that
 * need only be unique (request ids, SQS MessageIds) come from a counter behind a random
 * per-process prefix: `randomUUID` costs several times more once its entropy cache must refill, and
 * SendMessageBatch makes eleven ids per request. Lambda's request ids stay random (`uuid`).
 */
import { randomInt, randomUUID } from 'node:crypto';

/** A request id as AWS sends in `x-amzn-RequestId` (UUID form, unique, not random). */
export function requestId(): string {
  return counted();
}

/** A random UUID (Lambda request ids, anything a client might expect to be unpredictable). */
export function uuid(): string {
  return randomUUID();
}

/** An SQS MessageId: UUID-shaped and unique, as AWS promises, but not random per message. */
export function messageId(): string {
  return counted();
}

// The id is written into one buffer and read out as one flat string: a concatenation would keep a
// two-part string per message alive in every queue, which the collector then traces.
const ID = Buffer.from(randomUUID(), 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** The low 48 bits (the UUID's last group); starts at a random point so restarts do not repeat ids. */
let counter = randomInt(2 ** 40);

function counted(): string {
  let n = ++counter;
  for (let i = 35; i >= 24; i--) {
    ID[i] = HEX[n % 16]!;
    n = Math.floor(n / 16);
  }
  return ID.toString('latin1', 0, 36);
}
