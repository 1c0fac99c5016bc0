/**
 * Identifiers the emulator hands out: request ids and message ids in AWS's UUID shape. Random
 * UUIDs come from `crypto.randomUUID`, which node serves from a pre-filled entropy cache, so this is
 * cheap on the hot path (one call per message).
 */
import { randomInt, randomUUID } from 'node:crypto';

/** A request id as AWS sends in `x-amzn-RequestId` (UUID form). */
export function requestId(): string {
  return randomUUID();
}

/** An SQS MessageId / Lambda request id: a UUID. */
export function uuid(): string {
  return randomUUID();
}

/**
 * An SQS MessageId: UUID-shaped and unique, as AWS promises, but not random per message. A random
 * per-process prefix and a counter cost a tenth of a `randomUUID` call, and SendMessageBatch makes
 * ten of them per request.
 */
const ID_PREFIX = randomUUID().slice(0, 24);
let idCounter = randomInt(2 ** 40);
export function messageId(): string {
  idCounter++;
  return ID_PREFIX + idCounter.toString(16).padStart(12, '0');
}
