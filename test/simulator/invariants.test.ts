/**
 * Invariants over random small systems (fast-check): no message is ever lost or invented,
 * concurrency never exceeds reserved concurrency, client counts add up, and series sum to totals.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../harness/simulator/simulate.ts';
import { constantRate, esm, experiment, fault, fn, http, queue, scenario, sqsProducer } from './builder.ts';

/** k6's count of constant-arrival-rate iterations: k·T < duration with T truncated to whole ns. */
const k6Count = (rate: number, durationMs: number) => Math.ceil((durationMs * 1e6) / Math.trunc(1e9 / rate));

describe('simulator invariants (property-based)', () => {
  it('messages: sent = deleted + dead-lettered + expired + left in queues, for any SQS system', () => {
    fc.assert(
      fc.property(
        fc.record({
          errorRate: fc.double({ min: 0, max: 1, noNaN: true }),
          poison: fc.constantFrom<'throw' | 'batch-item-failures' | null>('throw', 'batch-item-failures', null),
          ratio: fc.double({ min: 0, max: 0.5, noNaN: true }),
          reportBIF: fc.boolean(),
          batchSize: fc.integer({ min: 1, max: 10 }),
          window: fc.constantFrom(0, 1),
          vt: fc.integer({ min: 1, max: 20 }),
          maxReceive: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
          reserved: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
          durationMs: fc.integer({ min: 1, max: 3000 }),
          rate: fc.integer({ min: 1, max: 30 }),
          disableAt: fc.option(fc.integer({ min: 0, max: 8000 }), { nil: null }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (p) => {
          const e = experiment({
            functions: [
              fn('w', {
                duration: { kind: 'exponential', meanMs: p.durationMs },
                timeoutSeconds: 5,
                errorRate: p.errorRate,
                reservedConcurrency: p.reserved,
                poison: p.poison ? { attribute: 'squall-poison', bodyContains: null, invalidJson: false, response: p.poison } : null,
              }),
            ],
            queues: [queue('q', { visibilityTimeoutSeconds: p.vt, redrive: p.maxReceive ? { deadLetterQueue: 'dlq', maxReceiveCount: p.maxReceive } : null }), queue('dlq')],
            eventSources: [esm('q', 'w', { batchSize: p.batchSize, maximumBatchingWindowSeconds: p.window, reportBatchItemFailures: p.reportBIF })],
            scenarios: [scenario('p', sqsProducer('q', 3, p.ratio > 0 ? { ratio: p.ratio, kind: 'marker' } : null), constantRate(p.rate, 10_000))],
            faults: p.disableAt === null ? [] : [fault(0, p.disableAt, 3000, { action: 'disable-event-source', eventSource: 'q->w' })],
            seed: p.seed,
          });
          const r = simulate(e, { drainLimitMs: 30_000 });
          const q = r.totals.queues['q']!;
          const dlq = r.totals.queues['dlq']!;
          expect(q.sent).toBe(k6Count(p.rate, 10_000) * 3);
          expect(q.deleted + q.deadLettered + q.expired + q.finalBacklog).toBe(q.sent);
          expect(dlq.finalBacklog).toBe(q.deadLettered);
          const w = r.totals.functions['w']!;
          if (p.reserved !== null) expect(w.peakConcurrency).toBeLessThanOrEqual(p.reserved);
          const m = r.totals.mappings['q->w']!;
          expect(m.batches).toBe(w.invocations + w.throttles);
          expect(m.messagesDeleted).toBe(q.deleted);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('clients: iterations + dropped = offered; responses split into statuses; series sum to totals', () => {
    fc.assert(
      fc.property(
        fc.record({
          rate: fc.integer({ min: 1, max: 200 }),
          vus: fc.integer({ min: 1, max: 50 }),
          reserved: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
          retry: fc.integer({ min: 1, max: 4 }),
          errorRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
          mean: fc.integer({ min: 1, max: 500 }),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (p) => {
          const e = experiment({
            functions: [fn('f', { duration: { kind: 'exponential', meanMs: p.mean }, reservedConcurrency: p.reserved, errorRate: p.errorRate })],
            scenarios: [scenario('s', http('f', p.retry), { executor: 'constant-arrival-rate', rate: p.rate, timeUnitMs: 1000, durationMs: 5000, preAllocatedVUs: p.vus, maxVUs: p.vus })],
            seed: p.seed,
          });
          const r = simulate(e);
          const s = r.totals.scenarios['s']!;
          const f = r.totals.functions['f']!;
          expect(s.iterations + s.droppedIterations).toBe(k6Count(p.rate, 5000));
          expect(s.status2xx + s.status429 + s.status5xx + s.status4xx).toBe(s.requests);
          expect(s.requests).toBe(f.invocations + f.throttles);
          expect(s.status5xx).toBe(f.errors);
          if (p.reserved !== null) expect(f.peakConcurrency).toBeLessThanOrEqual(p.reserved);
          for (const [name, total] of [
            ['lambda.invocations', f.invocations],
            ['lambda.errors', f.errors],
            ['lambda.cold_starts', f.coldStarts],
            ['http.status_429', s.status429],
            ['k6.dropped_iterations', s.droppedIterations],
          ] as const) {
            const series = r.series.series.find((x) => x.name === name)!;
            expect(series.values.reduce<number>((a, b) => a + (b ?? 0), 0)).toBe(total);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
