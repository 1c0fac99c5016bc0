// The shared deciders on their own (harness/rules/): the numbers come from the fact sheet via
// aws-facts; the conformance suite (test/conformance/) proves both engines use them the same way.
import { describe, expect, it } from 'vitest';
import { ESM } from '../../harness/contracts/aws-facts.ts';
import { ADMIT_ON_DEMAND, ADMIT_PROVISIONED, ADMIT_THROTTLE_ACCOUNT, ADMIT_THROTTLE_RESERVED, admit, throttleReason, unreservedAvailable } from '../../harness/rules/admission.ts';
import { parseBatchItemFailures } from '../../harness/rules/batch-response.ts';
import { expiredPrefix, idleExpired } from '../../harness/rules/environments.ts';
import { keepPolling, onFunctionError, onSecond, onThrottle, pollerCap, retryBeforeDeadline } from '../../harness/rules/esm-poller.ts';
import { TokenBucket } from '../../harness/rules/token-bucket.ts';
import { deadLettersOnReceive, visibleAgain } from '../../harness/rules/visibility.ts';

describe('admission (§1.3 order, §1.5 Reasons)', () => {
  it('an idle provisioned environment wins, even when the reserved pool is full', () => {
    expect(admit(1, 2, 2, 0, 0)).toBe(ADMIT_PROVISIONED);
  });
  it('reserved concurrency is a private pool: provisioned comes out of it', () => {
    expect(admit(0, 5, 2, 2, 0)).toBe(ADMIT_ON_DEMAND);
    expect(admit(0, 5, 2, 3, 1000)).toBe(ADMIT_THROTTLE_RESERVED);
    expect(throttleReason(ADMIT_THROTTLE_RESERVED)).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
  });
  it('without reserved concurrency the unreserved pool decides', () => {
    expect(unreservedAvailable(1000, 900, 50, 49)).toBe(1);
    expect(admit(0, null, 0, 0, 1)).toBe(ADMIT_ON_DEMAND);
    expect(admit(0, null, 0, 0, 0)).toBe(ADMIT_THROTTLE_ACCOUNT);
    expect(throttleReason(ADMIT_THROTTLE_ACCOUNT)).toBe('ConcurrentInvocationLimitExceeded');
  });
});

describe('scaling bucket (§1.4)', () => {
  it('refills continuously, never above capacity', () => {
    const b = new TokenBucket({ capacity: 2, refillPerMs: 1 / 1000 }, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false]);
    expect(b.take(999)).toBe(false);
    expect(b.take(1000)).toBe(true);
    expect(b.available(100_000)).toBe(2);
  });
});

describe('environments (§7.1–7.2)', () => {
  it('expire exactly at idle-since + expiry, oldest first', () => {
    expect(idleExpired(1000, 1999, 1000)).toBe(false);
    expect(idleExpired(1000, 2000, 1000)).toBe(true);
    const idle = [0, 500, 1500];
    expect(expiredPrefix((i) => idle[i]!, idle.length, 1500, 1000)).toBe(2);
  });
});

describe('ESM poller controller (§3.1, §3.5)', () => {
  it('scales up by 5 a second while all but one poller hold a batch, back to 5 without messages', () => {
    const c = { allowed: 5, sawMessages: true };
    onSecond(c, 4, pollerCap(null));
    expect(c.allowed).toBe(10);
    c.sawMessages = true;
    onSecond(c, 8, pollerCap(null));
    expect(c.allowed).toBe(10);
    onSecond(c, 0, pollerCap(null));
    expect(c.allowed).toBe(ESM.initialConcurrency);
  });
  it('MaximumConcurrency caps scale-up', () => {
    const c = { allowed: 5, sawMessages: true };
    onSecond(c, 5, pollerCap(7));
    expect(c.allowed).toBe(7);
  });
  it('a throttle costs one poller, never below 5, and retries after 1 s, 2 s, 4 s … ≤ 60 s', () => {
    const c = { allowed: 6, sawMessages: false };
    expect(onThrottle(c, 1)).toBe(1000);
    expect(c.allowed).toBe(5);
    expect(onThrottle(c, 3)).toBe(4000);
    expect(c.allowed).toBe(5);
    expect(onThrottle(c, 10)).toBe(60_000);
    expect(retryBeforeDeadline(0, 4000, 4000)).toBe(false);
    expect(retryBeforeDeadline(0, 3999, 4000)).toBe(true);
  });
  it('a function error costs one poller (not below 2) unless ReportBatchItemFailures is on', () => {
    const c = { allowed: 3, sawMessages: false };
    expect(onFunctionError(c, false, 1)).toBe(1000);
    expect(onFunctionError(c, false, 2)).toBe(2000);
    expect(c.allowed).toBe(2);
    const r = { allowed: 5, sawMessages: false };
    onFunctionError(r, true, 1);
    expect(r.allowed).toBe(5);
  });
  it('a surplus poller ends when it is about to poll, unless its last batch succeeded', () => {
    expect(keepPolling(false, 6, 5)).toBe(false);
    expect(keepPolling(true, 6, 5)).toBe(true);
    expect(keepPolling(false, 5, 5)).toBe(true);
  });
});

describe('partial batch response (§3.5)', () => {
  const ids = new Set(['a', 'b']);
  it('reads success, partial and whole-batch failure', () => {
    expect(parseBatchItemFailures(null, ids).kind).toBe('success');
    expect(parseBatchItemFailures({ batchItemFailures: [] }, ids).kind).toBe('success');
    expect(parseBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'a' }] }, ids)).toEqual({ kind: 'partial', failedIds: new Set(['a']) });
    expect(parseBatchItemFailures({ batchItemFailures: [{ itemIdentifier: 'zz' }] }, ids).kind).toBe('failed');
    expect(parseBatchItemFailures({ batchItemFailures: [{ id: 'a' }] }, ids).kind).toBe('failed');
  });
});

describe('visibility and redrive (§3.5, §4)', () => {
  it('a message is visible again at the instant its timeout ends; the receive past maxReceiveCount dead-letters', () => {
    expect(visibleAgain(10_000, 9_999)).toBe(false);
    expect(visibleAgain(10_000, 10_000)).toBe(true);
    expect(deadLettersOnReceive(2, 3)).toBe(false);
    expect(deadLettersOnReceive(3, 3)).toBe(true);
    expect(deadLettersOnReceive(99, null)).toBe(false);
  });
});
