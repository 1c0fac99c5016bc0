/**
 * Identifiers the emulator hands out: request ids and message ids in AWS's UUID shape. Random
 * UUIDs come from `crypto.randomUUID`, which node serves from a pre-filled entropy cache, so this is
 * cheap on the hot path (one call per message).
 */
import { randomUUID } from 'node:crypto';

/** A request id as AWS sends in `x-amzn-RequestId` (UUID form). */
export function requestId(): string {
  return randomUUID();
}

/** An SQS MessageId / Lambda request id: a UUID. */
export function uuid(): string {
  return randomUUID();
}
