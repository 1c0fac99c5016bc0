/**
 * Throttled SQS batches on the simulator's virtual clock (reference §3.5, aws-facts ESM_SCALING),
 * the same cases as test/emulator/lambda-esm-throttle.test.ts: the poller keeps a throttled batch
 * and retries it after 1 s, 2 s, 4 s … while the retry starts before the visibility deadline, then
 * drops it so its messages return with a higher receive count; throttles never shrink polling
 * below 5, so reserved concurrency 2 dead-letters good messages.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../harness/simulator/simulate.ts';
import { constantRate, esm, experiment, fn, queue, scenario, sqsProducer } from './builder.ts';

const constant = (ms: number) => ({ kind: 'constant', ms }) as const;

function pollers(r: ReturnType<typeof simulate>): number[] {
  const s = r.series.series.find((x) => x.name === 'esm.pollers');
  if (!s) throw new Error('no esm.pollers');
  return s.values.filter((v): v is number => v !== null);
}

describe('throttled batches (§3.5)', () => {
  it('a throttled batch is kept and retried (1 s, then 2 s later) and succeeds once capacity frees before the deadline', () => {
    const t = simulate(
      experiment({
        functions: [fn('one', { duration: constant(1500), reservedConcurrency: 1, initMs: constant(0) })],
        queues: [queue('q', { visibilityTimeoutSeconds: 30 })],
        eventSources: [esm('q', 'one', { batchSize: 1 })],
        // One SendMessageBatch of two messages at t = 0.
        scenarios: [scenario('p', sqsProducer('q', 2), constantRate(1, 1000))],
      }),
    ).totals;
    // One runs to 1.5 s, the other is throttled at 0 and 1 s and runs at 3 s.
    expect(t.functions['one']!.throttles).toBe(2);
    expect(t.functions['one']!.invocations).toBe(2);
    expect(t.mappings['q->one']!.batches).toBe(4);
    expect(t.mappings['q->one']!.failedBatches).toBe(0);
    // Both deleted on their first receive.
    expect(t.queues['q']!.received).toBe(2);
    expect(t.queues['q']!.deleted).toBe(2);
  });

  it('a batch throttled past its visibility deadline is dropped; it returns with a higher receive count and reaches the DLQ', () => {
    const r = simulate(
      experiment({
        functions: [fn('off', { duration: constant(100), reservedConcurrency: 0, initMs: constant(0) })],
        queues: [queue('q', { visibilityTimeoutSeconds: 5, redrive: { deadLetterQueue: 'dlq', maxReceiveCount: 2 } }), queue('dlq')],
        eventSources: [esm('q', 'off', { batchSize: 1 })],
        scenarios: [scenario('p', sqsProducer('q', 1), constantRate(1, 1000))],
      }),
    );
    const t = r.totals;
    // Throttled at 0, 1, 3 s, dropped (a retry at 7 s would pass the 5 s deadline); visible at 5 s,
    // received again: throttled at 5, 6, 8 s, dropped; the third receive at 10 s moves it to the DLQ.
    expect(t.functions['off']!.throttles).toBe(6);
    expect(t.mappings['q->off']!.batches).toBe(6);
    expect(t.mappings['q->off']!.failedBatches).toBe(2);
    expect(t.queues['q']!.received).toBe(2);
    expect(t.queues['q']!.deadLettered).toBe(1);
    expect(Math.min(...pollers(r))).toBe(5);
  });

  it('reserved concurrency 2 under 5 pollers and a backlog: good messages reach the DLQ and pollers never drop below 5', () => {
    const r = simulate(
      experiment({
        functions: [fn('slow', { duration: constant(200), reservedConcurrency: 2, timeoutSeconds: 5 })],
        queues: [queue('jobs', { visibilityTimeoutSeconds: 5, redrive: { deadLetterQueue: 'dlq', maxReceiveCount: 2 } }), queue('dlq')],
        eventSources: [esm('jobs', 'slow', { batchSize: 5 })],
        scenarios: [scenario('p', sqsProducer('jobs', 10), constantRate(10, 30_000))],
      }),
    );
    const t = r.totals;
    expect(t.functions['slow']!.throttles).toBeGreaterThan(0);
    // Under a backlog the freed concurrency goes to the poller that just finished, so held
    // batches lose their retries, are dropped and come back: good messages are dead-lettered.
    expect(t.mappings['jobs->slow']!.failedBatches).toBeGreaterThan(0);
    expect(t.queues['jobs']!.deadLettered).toBeGreaterThan(0);
    expect(t.queues['jobs']!.deleted + t.queues['jobs']!.deadLettered).toBe(3000);
    expect(Math.min(...pollers(r))).toBe(5);
  });
});
