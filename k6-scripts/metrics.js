/**
 * squall's custom k6 metrics. They are created once per VU in the init context (as k6 requires)
 * and their names are part of squall's contract with observe/ (k6 names: `^[a-zA-Z_][a-zA-Z0-9_]{1,128}$`,
 * k6-contract.md §2.2). Every sample is tagged with the queue or function it concerns.
 */
import { Counter, Rate } from 'k6/metrics';

/** Messages SQS accepted (SendMessage, or the Successful entries of SendMessageBatch), poison included. */
export const messagesSent = new Counter('squall_messages_sent');
/** Poison messages SQS accepted (each carries the `squall-poison` marker attribute). */
export const poisonSent = new Counter('squall_poison_sent');
/** Messages SQS refused (Failed entries of a batch, or a whole failed call). */
export const messagesFailed = new Counter('squall_messages_failed');
/** Per AWS call attempt: 1 when throttled (HTTP 429 or an SQS RequestThrottled error). */
export const throttled = new Rate('squall_throttled');
/** Lambda Invoke responses carrying `X-Amz-Function-Error` (the function failed, HTTP status 200). */
export const functionErrors = new Counter('squall_function_errors');
/** Retries made after a 429, SDK-like (attempts beyond the first). */
export const retries = new Counter('squall_retries');
