/**
 * Client-side retry on throttling, shaped like the AWS SDK v3 standard retry strategy so the
 * simulator can model the same client: full-jitter exponential backoff, base 500 ms for throttling
 * errors, capped at 20 s (@smithy/core util-retry constants THROTTLING_RETRY_DELAY_BASE = 500,
 * MAXIMUM_RETRY_DELAY = 20000).
 */
import { sleep } from 'k6';
import { retries, throttled } from './metrics.js';

const RETRY_THROTTLING_BASE_MS = 500;
const RETRY_MAXIMUM_DELAY_MS = 20000;

/**
 * Throttled: HTTP 429 (Lambda, function URLs) or SQS's RequestThrottled (HTTP 400, JSON 1.0 `__type`).
 * @param {{ status: number, body?: unknown }} res
 * @returns {boolean}
 */
export function isThrottled(res) {
  if (res.status === 429) return true;
  if (res.status !== 400 || typeof res.body !== 'string') return false;
  return res.body.indexOf('RequestThrottled') >= 0 || res.body.indexOf('ThrottlingException') >= 0;
}

/**
 * Backoff before retry number `attempt` (1-based), in seconds, as k6's `sleep` takes.
 * @param {number} attempt
 * @returns {number}
 */
export function backoffSeconds(attempt) {
  const cap = Math.min(RETRY_MAXIMUM_DELAY_MS, RETRY_THROTTLING_BASE_MS * Math.pow(2, attempt));
  return Math.floor(Math.random() * cap) / 1000;
}

/**
 * Call `send` up to `attempts` times while it is throttled; returns the last response. Records
 * `squall_throttled` once per attempt and `squall_retries` per retry.
 * @template {{ status: number, body?: unknown }} R
 * @param {number} attempts attempts including the first (1 = no retry)
 * @param {() => Promise<R>} send
 * @param {Record<string,string>} tags
 * @returns {Promise<R>}
 */
export async function sendWithRetry(attempts, send, tags) {
  let res = await send();
  let t = isThrottled(res);
  throttled.add(t, tags);
  for (let attempt = 1; t && attempt < attempts; attempt++) {
    retries.add(1, tags);
    await sleep(backoffSeconds(attempt));
    res = await send();
    t = isThrottled(res);
    throttled.add(t, tags);
  }
  return res;
}
