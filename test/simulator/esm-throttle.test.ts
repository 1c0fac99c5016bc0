/**
 * The throttle→DLQ trap on the simulator (reference §3.5, rules/esm-poller.ts): reserved
 * concurrency 2 under 5 pollers and a backlog dead-letters good messages. The retry and drop
 * cases are in the conformance suite (test/conformance/), run through both engines; this one
 * stays here (and in test/emulator/lambda-esm-throttle.test.ts) until the two engines agree on it
 * second by second (its conformance case is marked divergent).
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
