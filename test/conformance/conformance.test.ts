// One rule, one place, proven equal: each scripted scenario runs through the emulator's models on
// a manual clock and through the simulator, and every deterministic per-second series (invocations,
// throttles by Reason, cold starts, concurrency, pollers, batches, dead-lettered messages …) must
// be identical (engines.ts). Together the scenarios exercise every shared decider in harness/rules/:
// admission and its Reasons, the scaling bucket, environment reuse and idle expiry, the ESM poller
// controller (tick, throttle, function error, with and without ReportBatchItemFailures), visibility
// and redrive. This suite replaces the two ESM throttle suites the engines had each.
import { describe, expect, it } from 'vitest';
import { POISON_MARKER_ATTRIBUTE } from '../../harness/experiment/resolve.ts';
import type { ResolvedExperiment } from '../../harness/experiment/types.ts';
import { constantRate, esm, experiment, fault, fn, invoke, queue, scenario, sqsProducer } from '../simulator/builder.ts';
import { runEmulator, runSimulator, type SeriesTable } from './engines.ts';

const c = (ms: number) => ({ kind: 'constant', ms }) as const;
const sum = (t: SeriesTable, k: string) => (t[k] ?? []).reduce((a, v) => a + v, 0);

interface Case {
  name: string;
  seconds: number;
  exp: ResolvedExperiment;
  /** What must happen at all, so a scenario cannot pass by both engines doing nothing. */
  expects: (t: SeriesTable) => void;
  /**
   * A known, not yet closed divergence between the engines: the series it names are left out of
   * the comparison (all others must still be identical), or the whole case is skipped (`skip`).
   */
  divergent?: { reason: string; series?: string[]; skip?: true };
}

const sync = (name: string, f: string, rate: number, ms: number, startTimeMs = 0) => scenario(name, invoke(f, 'RequestResponse'), constantRate(rate, ms), { startTimeMs });
const produce = (name: string, q: string, rate: number, ms: number, batch = 1) => scenario(name, sqsProducer(q, batch), constantRate(rate, ms));
const trapQueues = (vt: number, maxReceiveCount: number) => [queue('jobs', { visibilityTimeoutSeconds: vt, redrive: { deadLetterQueue: 'dlq', maxReceiveCount } }), queue('dlq')];
const W = 'lambda.invocations{function=w}';
const T = (reason: string) => `lambda.throttles_by_reason{function=w,reason=${reason}}`;
const RES = T('ReservedFunctionConcurrentInvocationLimitExceeded');
const ACC = T('ConcurrentInvocationLimitExceeded');
const RATE = T('FunctionInvocationRateLimitExceeded');
const DLQ = 'sqs.moved_to_dlq{queue=jobs}';
const POLLERS = 'esm.pollers{function=w,queue=jobs}';
const FAILED = 'esm.failed_batches{function=w,queue=jobs}';

const cases: Case[] = [
  {
    name: 'sync invokes under the account limit: cold starts, then warm reuse',
    seconds: 6,
    exp: experiment({ functions: [fn('w', { duration: c(150), initMs: c(100) })], scenarios: [sync('s', 'w', 20, 5000)], durationMs: 6000 }),
    expects: (t) => {
      expect(sum(t, W)).toBe(100);
      expect(sum(t, 'lambda.cold_starts{function=w}')).toBe(5);
    },
  },
  {
    name: 'reserved concurrency throttles with ReservedFunctionConcurrentInvocationLimitExceeded',
    seconds: 5,
    exp: experiment({ functions: [fn('w', { duration: c(500), reservedConcurrency: 2, initMs: c(0) })], scenarios: [sync('s', 'w', 10, 4000)], durationMs: 5000 }),
    expects: (t) => expect(sum(t, RES)).toBeGreaterThan(0),
  },
  {
    name: 'reserved concurrency 0 throttles everything',
    seconds: 3,
    exp: experiment({ functions: [fn('w', { reservedConcurrency: 0 })], scenarios: [sync('s', 'w', 5, 2000)], durationMs: 3000 }),
    expects: (t) => {
      expect(sum(t, RES)).toBe(10);
      expect(t[W]).toBeUndefined();
    },
  },
  {
    name: 'the account limit throttles with ConcurrentInvocationLimitExceeded',
    seconds: 4,
    exp: experiment({
      account: { concurrencyLimit: 10, unreservedMinimum: 2 },
      functions: [fn('w', { duration: c(1000), initMs: c(0) })],
      scenarios: [sync('s', 'w', 20, 3000)],
      durationMs: 4000,
    }),
    expects: (t) => expect(sum(t, ACC)).toBeGreaterThan(0),
  },
  {
    name: 'another function reserving concurrency shrinks the unreserved pool',
    seconds: 4,
    exp: experiment({
      account: { concurrencyLimit: 12, unreservedMinimum: 2 },
      functions: [fn('w', { duration: c(1000), initMs: c(0) }), fn('other', { reservedConcurrency: 6 })],
      scenarios: [sync('s', 'w', 10, 3000)],
      durationMs: 4000,
    }),
    expects: (t) => expect(sum(t, ACC)).toBeGreaterThan(0),
  },
  {
    name: 'the scaling bucket throttles new environments with FunctionInvocationRateLimitExceeded',
    seconds: 4,
    exp: experiment({
      account: { scalingRate: { environments: 5, perSeconds: 1 } },
      functions: [fn('w', { duration: c(2000), initMs: c(0) })],
      scenarios: [sync('s', 'w', 20, 3000)],
      durationMs: 4000,
    }),
    expects: (t) => expect(sum(t, RATE)).toBeGreaterThan(0),
  },
  {
    name: 'warm reuse takes no token from the scaling bucket',
    seconds: 5,
    exp: experiment({
      account: { scalingRate: { environments: 2, perSeconds: 10 } },
      functions: [fn('w', { duration: c(100), initMs: c(0) })],
      scenarios: [sync('s', 'w', 10, 4000)],
      durationMs: 5000,
    }),
    expects: (t) => {
      expect(sum(t, W)).toBe(40);
      expect(t[RATE]).toBeUndefined();
    },
  },
  {
    name: 'idle environments expire and the next invoke is cold again',
    seconds: 8,
    exp: experiment({
      account: { idleExpirySeconds: 2 },
      functions: [fn('w', { duration: c(100), initMs: c(50) })],
      scenarios: [sync('a', 'w', 2, 1000), sync('b', 'w', 2, 1000, 5000)],
      durationMs: 8000,
    }),
    expects: (t) => expect(sum(t, 'lambda.cold_starts{function=w}')).toBe(2),
  },
  {
    name: 'a timed-out invocation resets its environment: the next invoke is cold',
    seconds: 5,
    exp: experiment({
      // From 0.9 s to 2.9 s every request needs 1.2 s against a 1 s timeout (a latency fault):
      // each one that times out ends its environment instead of going idle.
      functions: [fn('w', { duration: c(100), initMs: c(50), timeoutSeconds: 1 })],
      scenarios: [sync('s', 'w', 2, 4000)],
      faults: [fault(0, 900, 2000, { action: 'inject-latency', function: 'w', latency: c(1100), percentage: 100 })],
      durationMs: 5000,
    }),
    expects: (t) => {
      expect(sum(t, 'lambda.errors{function=w}')).toBe(4);
      // 2.5 s finds the environment of 1.0 s gone (timed out at 2.05 s) and starts cold; kept
      // idle, it would have been reused ([1, 2, 1, 1, 0]).
      expect(t['lambda.cold_starts{function=w}']).toEqual([1, 2, 2, 1, 0]);
    },
  },
  {
    name: 'provisioned concurrency serves first, spillover goes on-demand',
    seconds: 5,
    exp: experiment({ functions: [fn('w', { duration: c(600), provisionedConcurrency: 3, initMs: c(100) })], scenarios: [sync('s', 'w', 10, 4000)], durationMs: 5000 }),
    expects: (t) => expect(sum(t, 'lambda.cold_starts{function=w}')).toBeGreaterThan(0),
  },
  {
    name: 'provisioned spillover past reserved concurrency throttles',
    seconds: 5,
    exp: experiment({ functions: [fn('w', { duration: c(800), provisionedConcurrency: 2, reservedConcurrency: 4, initMs: c(0) })], scenarios: [sync('s', 'w', 10, 4000)], durationMs: 5000 }),
    expects: (t) => expect(sum(t, RES)).toBeGreaterThan(0),
  },
  {
    name: 'a reserved-concurrency fault at an exact time throttles from then on, and is restored',
    seconds: 6,
    exp: experiment({
      functions: [fn('w', { duration: c(200), initMs: c(0) })],
      scenarios: [sync('s', 'w', 10, 5000)],
      faults: [fault(0, 2000, 2000, { action: 'set-reserved-concurrency', function: 'w', value: 0 })],
      durationMs: 6000,
    }),
    expects: (t) => expect(sum(t, RES)).toBe(20),
  },
  {
    name: 'function faults: latency and errors on sync invokes at exact times; each change of the environment starts cold',
    seconds: 8,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(50) })],
      scenarios: [sync('s', 'w', 4, 7000)],
      faults: [
        fault(0, 2000, 3000, { action: 'inject-latency', function: 'w', latency: c(100), percentage: 100 }),
        fault(1, 3000, 1000, { action: 'inject-errors', function: 'w', percentage: 100, runHandler: true, errorType: 'SquallInjectedError' }),
      ],
      durationMs: 8000,
    }),
    expects: (t) => {
      expect(sum(t, 'lambda.errors{function=w}')).toBe(4);
      // One environment, idle at each update (2 s, 3 s, 4 s, 5 s): the next request starts cold.
      expect(t['lambda.cold_starts{function=w}']).toEqual([1, 0, 1, 1, 1, 1, 0, 0]);
    },
  },
  {
    name: 'function faults: injected errors fail ESM batches, which come back after the visibility timeout',
    seconds: 10,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 2 })],
      eventSources: [esm('jobs', 'w', { batchSize: 5 })],
      scenarios: [produce('p', 'jobs', 5, 6000)],
      faults: [fault(0, 1000, 2000, { action: 'inject-errors', function: 'w', percentage: 100, runHandler: false, errorType: 'SquallInjectedError' })],
      durationMs: 10_000,
    }),
    expects: (t) => {
      expect(sum(t, FAILED)).toBeGreaterThan(0);
      expect(sum(t, 'sqs.deleted{queue=jobs}')).toBe(30);
    },
  },
  {
    name: 'ESM: a trickle is polled by 5 pollers, every message deleted',
    seconds: 8,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 30 })],
      eventSources: [esm('jobs', 'w', { batchSize: 10 })],
      scenarios: [produce('p', 'jobs', 5, 5000)],
      durationMs: 8000,
    }),
    expects: (t) => {
      expect(sum(t, 'sqs.deleted{queue=jobs}')).toBe(25);
      expect(t[POLLERS]![0]).toBe(5);
    },
  },
  {
    name: 'ESM: a backlog scales pollers up by 5 a second and back to 5 when it is gone',
    seconds: 12,
    exp: experiment({
      functions: [fn('w', { duration: c(1000), initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 30 })],
      eventSources: [esm('jobs', 'w', { batchSize: 10 })],
      scenarios: [produce('p', 'jobs', 10, 4000, 10)],
      durationMs: 12_000,
    }),
    expects: (t) => expect(Math.max(...t[POLLERS]!)).toBeGreaterThan(5),
  },
  {
    name: 'ESM: MaximumConcurrency caps the pollers',
    seconds: 8,
    exp: experiment({
      functions: [fn('w', { duration: c(1000), initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 30 })],
      eventSources: [esm('jobs', 'w', { batchSize: 10, maximumConcurrency: 3 })],
      scenarios: [produce('p', 'jobs', 10, 4000, 10)],
      durationMs: 8000,
    }),
    expects: (t) => expect(Math.max(...t[POLLERS]!)).toBe(3),
  },
  {
    name: 'ESM: a throttled batch is kept and retried after 1 s, then 2 s, and succeeds',
    seconds: 6,
    exp: experiment({
      functions: [fn('w', { duration: c(1500), reservedConcurrency: 1, initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 30 })],
      eventSources: [esm('jobs', 'w', { batchSize: 1 })],
      scenarios: [produce('p', 'jobs', 1, 1000, 2)],
      durationMs: 6000,
    }),
    expects: (t) => {
      expect(sum(t, RES)).toBe(2);
      expect(sum(t, 'esm.batches{function=w,queue=jobs}')).toBe(4);
      expect(t[FAILED]).toBeUndefined();
    },
  },
  {
    name: 'ESM: a batch throttled past its visibility deadline is dropped and reaches the DLQ; pollers stay at 5',
    seconds: 12,
    exp: experiment({
      functions: [fn('w', { duration: c(100), reservedConcurrency: 0, initMs: c(0) })],
      queues: trapQueues(5, 2),
      eventSources: [esm('jobs', 'w', { batchSize: 1 })],
      scenarios: [produce('p', 'jobs', 1, 1000)],
      durationMs: 12_000,
    }),
    expects: (t) => {
      expect(sum(t, RES)).toBe(6);
      expect(sum(t, FAILED)).toBe(2);
      expect(sum(t, DLQ)).toBe(1);
      expect(Math.min(...t[POLLERS]!)).toBe(5);
    },
  },
  {
    name: 'ESM: the throttle→DLQ trap (reserved 2, batch 5, maxReceiveCount 2, visibility 5 s)',
    seconds: 40,
    exp: experiment({
      functions: [fn('w', { duration: c(200), reservedConcurrency: 2, timeoutSeconds: 5, initMs: c(0) })],
      queues: trapQueues(5, 2),
      eventSources: [esm('jobs', 'w', { batchSize: 5 })],
      scenarios: [produce('p', 'jobs', 6, 30_000, 10)],
      durationMs: 40_000,
    }),
    expects: (t) => {
      expect(sum(t, DLQ)).toBeGreaterThan(0);
      expect(Math.min(...t[POLLERS]!)).toBe(5);
    },
  },
  {
    // Issue 11 §3: the emulator held ~8 pollers where the simulator held ~10.
    name: 'ESM: the poller-gap trap (reserved 3, batch 10, maxReceiveCount 3, visibility 10 s, 40 msg/s)',
    seconds: 90,
    exp: experiment({
      functions: [fn('w', { duration: c(900), reservedConcurrency: 3, timeoutSeconds: 1, initMs: c(200) })],
      queues: trapQueues(10, 3),
      eventSources: [esm('jobs', 'w', { batchSize: 10 })],
      scenarios: [produce('p', 'jobs', 40, 60_000)],
      durationMs: 90_000,
    }),
    expects: (t) => {
      expect(sum(t, RES)).toBeGreaterThan(0);
      expect(sum(t, DLQ)).toBeGreaterThan(0);
      expect(Math.max(...t[POLLERS]!)).toBeGreaterThan(5);
    },
  },
  {
    name: 'ESM: function errors (poison) shrink polling and back the poller off',
    seconds: 20,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(0), poison: { attribute: POISON_MARKER_ATTRIBUTE, bodyContains: null, invalidJson: false, response: 'throw' } })],
      queues: trapQueues(3, 2),
      eventSources: [esm('jobs', 'w', { batchSize: 1 })],
      scenarios: [scenario('p', sqsProducer('jobs', 1, { ratio: 0.5, kind: 'marker' }), constantRate(4, 10_000))],
      durationMs: 20_000,
    }),
    expects: (t) => {
      expect(sum(t, FAILED)).toBeGreaterThan(0);
      expect(sum(t, DLQ)).toBeGreaterThan(0);
    },
  },
  {
    name: 'ESM: with ReportBatchItemFailures only the reported messages return and polling does not shrink',
    seconds: 20,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(0), poison: { attribute: POISON_MARKER_ATTRIBUTE, bodyContains: null, invalidJson: false, response: 'batch-item-failures' } })],
      queues: trapQueues(3, 2),
      eventSources: [esm('jobs', 'w', { batchSize: 5, reportBatchItemFailures: true, maximumBatchingWindowSeconds: 1 })],
      scenarios: [scenario('p', sqsProducer('jobs', 5, { ratio: 0.2, kind: 'marker' }), constantRate(2, 10_000))],
      durationMs: 20_000,
    }),
    expects: (t) => {
      expect(sum(t, DLQ)).toBe(20);
      expect(Math.min(...t[POLLERS]!)).toBe(5);
    },
  },
  {
    // examples/experiments/sqs-poison.yaml: a poison message re-received as a send arrives and one
    // first received in that send return at the same instant; a waiting poller takes one
    // receive's returns, the next the other's (the engines had merged them: 630 batches, not 800).
    name: 'ESM: partial batch responses, poison returning from two receives at one instant are two batches',
    seconds: 60,
    exp: experiment({
      functions: [fn('w', { duration: c(30), initMs: c(0), timeoutSeconds: 1, poison: { attribute: POISON_MARKER_ATTRIBUTE, bodyContains: null, invalidJson: false, response: 'batch-item-failures' } })],
      queues: trapQueues(6, 3),
      eventSources: [esm('jobs', 'w', { batchSize: 10, reportBatchItemFailures: true })],
      scenarios: [scenario('p', sqsProducer('jobs', 10, { ratio: 0.05, kind: 'marker' }), constantRate(10, 40_000))],
      durationMs: 60_000,
    }),
    expects: (t) => {
      expect(sum(t, DLQ)).toBe(200);
      expect(sum(t, 'sqs.deleted{queue=jobs}')).toBe(3800);
      // 400 full batches of sends, and each poison message's two re-receives alone.
      expect(sum(t, 'esm.batches{function=w,queue=jobs}')).toBe(800);
    },
  },
  {
    name: 'ESM: a batching window gathers up to BatchSize',
    seconds: 8,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 30 })],
      eventSources: [esm('jobs', 'w', { batchSize: 20, maximumBatchingWindowSeconds: 2 })],
      scenarios: [produce('p', 'jobs', 10, 5000)],
      durationMs: 8000,
    }),
    expects: (t) => expect(sum(t, 'esm.batches{function=w,queue=jobs}')).toBeLessThan(10),
  },
  {
    name: 'ESM: disabling the mapping at an exact time stops polling until it is enabled again',
    seconds: 10,
    exp: experiment({
      functions: [fn('w', { duration: c(100), initMs: c(0) })],
      queues: [queue('jobs', { visibilityTimeoutSeconds: 30 })],
      eventSources: [esm('jobs', 'w', { batchSize: 10 })],
      scenarios: [produce('p', 'jobs', 5, 8000)],
      faults: [fault(0, 2000, 3000, { action: 'disable-event-source', eventSource: 'jobs->w' })],
      durationMs: 10_000,
    }),
    expects: (t) => expect(t[POLLERS]![3]).toBe(0),
  },
  {
    name: 'ESM and sync invokes share reserved concurrency',
    seconds: 15,
    exp: experiment({
      functions: [fn('w', { duration: c(400), reservedConcurrency: 3, initMs: c(0), timeoutSeconds: 2 })],
      queues: trapQueues(12, 5),
      eventSources: [esm('jobs', 'w', { batchSize: 5 })],
      scenarios: [produce('p', 'jobs', 5, 10_000, 5), sync('s', 'w', 5, 10_000)],
      durationMs: 15_000,
    }),
    expects: (t) => expect(sum(t, RES)).toBeGreaterThan(0),
  },
];

const without = (t: SeriesTable, names: string[] = []) => Object.fromEntries(Object.entries(t).filter(([k]) => !names.some((n) => k.startsWith(`${n}{`))));

describe('the emulator and the simulator give identical per-second series', () => {
  it('covers at least 20 scenarios', () => expect(cases.filter((k) => !k.divergent?.skip).length).toBeGreaterThanOrEqual(20));
  for (const k of cases) {
    const title = k.divergent ? `${k.name} (known divergence: ${k.divergent.reason})` : k.name;
    (k.divergent?.skip ? it.skip : it)(title, async () => {
      const sim = runSimulator(k.exp, k.seconds);
      const emu = await runEmulator(k.exp, k.seconds);
      k.expects(sim);
      expect(without(emu, k.divergent?.series)).toEqual(without(sim, k.divergent?.series));
    });
  }
});
