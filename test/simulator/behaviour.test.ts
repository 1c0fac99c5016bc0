/**
 * The simulator's rules one by one, each on a tiny system where the right answer can be
 * counted by hand: k6 executors, dropped iterations, idle expiry, the scaling token bucket,
 * provisioned concurrency, faults and their restore, SDK retries, async retries and
 * destinations, SQS visibility / redrive / delay, partial batch responses, poller scaling.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../harness/simulator/simulate.ts';
import { isSeriesName, SERIES } from '../../harness/contracts/series.ts';
import { constantRate, esm, experiment, fault, fn, http, invoke, queue, scenario, sqsProducer } from './builder.ts';
import type { ResolvedExperiment } from '../../harness/experiment/types.ts';

const constant = (ms: number) => ({ kind: 'constant', ms }) as const;
const noInit = { initMs: constant(0) };

function seriesOf(r: ReturnType<typeof simulate>, name: string, label?: Record<string, string>) {
  const s = r.series.series.find((x) => x.name === name && (!label || Object.entries(label).every(([k, v]) => x.labels[k] === v)));
  if (!s) throw new Error(`no series ${name}`);
  return s.values;
}
const sum = (xs: Array<number | null>) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

describe('determinism and output format', () => {
  const exp = experiment({
    functions: [fn('f', { duration: { kind: 'lognormal', p50Ms: 50, p99Ms: 400 }, reservedConcurrency: 5, errorRate: 0.05 })],
    scenarios: [scenario('s', http('f', 3), constantRate(100, 20_000), { arrival: 'poisson' })],
  });
  it('the same seed gives the same prediction; another seed a different one', () => {
    const a = simulate(exp, { seed: 42 });
    const b = simulate(exp, { seed: 42 });
    const c = simulate(exp, { seed: 43 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.totals.functions['f']!.throttles).not.toBe(c.totals.functions['f']!.throttles);
  });
  it('writes squall.series/v1 with only contract names, step 1 s, one value per step', () => {
    const r = simulate(exp);
    expect(r.series.schema).toBe('squall.series/v1');
    expect(r.series.stepMs).toBe(1000);
    expect(r.series.startMs).toBe(0);
    const steps = r.totals.simulatedMs / 1000;
    for (const s of r.series.series) {
      expect(isSeriesName(s.name)).toBe(true);
      expect(s.unit).toBe(SERIES[s.name].unit);
      expect(Object.keys(s.labels).sort()).toEqual([...SERIES[s.name].labels].sort());
      expect(s.values.length).toBe(steps);
    }
    // Series and totals agree.
    expect(sum(seriesOf(r, 'lambda.invocations'))).toBe(r.totals.functions['f']!.invocations);
    expect(sum(seriesOf(r, 'lambda.throttles'))).toBe(r.totals.functions['f']!.throttles);
    expect(sum(seriesOf(r, 'http.requests'))).toBe(r.totals.scenarios['s']!.requests);
  });
  it('--runs N gives the mean and the spread of every total', () => {
    const r = simulate(exp, { runs: 4 });
    const sp = r.spread['functions.f.throttles']!;
    expect(r.totals.runs).toBe(4);
    expect(sp.min).toBeLessThan(sp.max);
    expect(sp.stddev).toBeGreaterThan(0);
    expect(r.totals.functions['f']!.throttles).toBeCloseTo(sp.mean, 9);
    const singles = [0, 1, 2, 3].map((i) => simulate(exp, { seed: exp.seed + i }).totals.functions['f']!.throttles);
    expect(sp.mean).toBeCloseTo(singles.reduce((a, b) => a + b, 0) / 4, 9);
  });
});

describe('k6 executors in the model', () => {
  it('constant-arrival-rate drops iterations when VUs run out and never retries them', () => {
    // Each iteration holds its VU ≈ 1 s; 1 VU and 10 arrivals/s for 10 s → ≈ 10 run, ≈ 90 dropped.
    const exp = experiment({
      functions: [fn('f', { duration: constant(995), timeoutSeconds: 5, ...noInit })],
      scenarios: [scenario('s', http('f'), { executor: 'constant-arrival-rate', rate: 10, timeUnitMs: 1000, durationMs: 10_000, preAllocatedVUs: 1, maxVUs: 1 })],
    });
    const t = simulate(exp).totals.scenarios['s']!;
    expect(t.iterations + t.droppedIterations).toBe(100);
    expect(t.iterations).toBe(10);
    expect(t.droppedIterations).toBe(90);
  });
  it('maxVUs above preAllocatedVUs adds one VU per dropped tick', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(995), timeoutSeconds: 5, ...noInit })],
      scenarios: [scenario('s', http('f'), { executor: 'constant-arrival-rate', rate: 10, timeUnitMs: 1000, durationMs: 10_000, preAllocatedVUs: 1, maxVUs: 5 })],
    });
    // Ticks every 100 ms: a new VU after each of the first four drops, then 5 VUs of ≈ 1 s each
    // take 5 of every 10 ticks.
    const t = simulate(exp).totals.scenarios['s']!;
    expect(t.iterations).toBe(50);
    expect(t.droppedIterations).toBe(50);
  });
  it('constant-vus is a closed loop: the next request waits for the response, the RTT and the think time', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(99), ...noInit })],
      scenarios: [scenario('s', http('f'), { executor: 'constant-vus', vus: 5, durationMs: 10_000 }, { thinkTimeMs: 100 })],
    });
    // Iteration = 99 ms + 1 ms RTT, then 100 ms think: a VU starts every 200 ms → 50 per VU.
    const t = simulate(exp).totals.scenarios['s']!;
    expect(t.iterations).toBe(250);
  });
  it('ramping-vus follows the k6 plan; shared and per-VU iterations count exactly', () => {
    const ramp = experiment({
      functions: [fn('f', { duration: constant(999), ...noInit })],
      scenarios: [scenario('s', http('f'), { executor: 'ramping-vus', startVUs: 0, stages: [{ durationMs: 10_000, target: 10 }], gracefulRampDownMs: 0 })],
    });
    // VU v starts at v seconds (1…10) and runs one 1-s iteration per second until 10 s: Σ(10 − v) = 45.
    expect(simulate(ramp).totals.scenarios['s']!.iterations).toBe(45);
    const shared = experiment({
      functions: [fn('f', { duration: constant(10), ...noInit })],
      scenarios: [scenario('s', http('f'), { executor: 'shared-iterations', vus: 3, iterations: 100, maxDurationMs: 60_000 })],
    });
    expect(simulate(shared).totals.scenarios['s']!.iterations).toBe(100);
    const perVu = experiment({
      functions: [fn('f', { duration: constant(1000), ...noInit })],
      scenarios: [scenario('s', http('f'), { executor: 'per-vu-iterations', vus: 2, iterations: 10, maxDurationMs: 5_000 })],
    });
    const pv = simulate(perVu).totals.scenarios['s']!;
    // Each VU fits 5 iterations of 1,001 ms in 5 s; the other 5 each are dropped at maxDuration.
    expect(pv.iterations).toBe(10);
    expect(pv.droppedIterations).toBe(10);
  });
});

describe('execution environments', () => {
  function twoRequests(gapMs: number) {
    return experiment({
      functions: [fn('f', { duration: constant(10) })],
      scenarios: [scenario('s', http('f'), { executor: 'constant-arrival-rate', rate: 1, timeUnitMs: gapMs, durationMs: gapMs + 1, preAllocatedVUs: 1, maxVUs: 1 })],
    });
  }
  it('an environment idle for less than the expiry is reused; longer, it is gone (default ≈ 600 s)', () => {
    expect(simulate(twoRequests(540_000)).totals.functions['f']!.coldStarts).toBe(1);
    expect(simulate(twoRequests(660_000)).totals.functions['f']!.coldStarts).toBe(2);
  });
  it('cold starts add the init time to the response', () => {
    const r = simulate(twoRequests(1000));
    expect(r.totals.functions['f']!.coldStarts).toBe(1);
    const lat = seriesOf(r, 'http.latency_p50_ms');
    // 10 ms + 135 ms init + 1 ms RTT on the first; 11 ms on the second (1 % histogram precision).
    expect(lat[0]!).toBeGreaterThan(145);
    expect(lat[0]!).toBeLessThan(148);
    expect(lat[1]!).toBeGreaterThan(10.9);
    expect(lat[1]!).toBeLessThan(11.2);
  });
  it('the scaling token bucket: 1,000 environments at once, then 100 per second (§1.4)', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(20_000), timeoutSeconds: 60, ...noInit })],
      scenarios: [scenario('s', http('f'), constantRate(500, 10_000, 100_000))],
      account: { concurrencyLimit: 100_000 },
    });
    const t = simulate(exp).totals.functions['f']!;
    // 10 s of 500/s = 5,000 requests, none finishes; the bucket allows 1,000 + 100·t environments by time t.
    expect(t.peakConcurrency).toBeGreaterThanOrEqual(1990);
    expect(t.peakConcurrency).toBeLessThanOrEqual(2000);
    expect(t.throttlesByReason['FunctionInvocationRateLimitExceeded']).toBe(5000 - t.invocations);
  });
  it('the account pool: unreserved functions share limit − Σ reserved', () => {
    const exp = experiment({
      functions: [fn('big', { duration: constant(5000), timeoutSeconds: 10, reservedConcurrency: 900, ...noInit }), fn('small', { duration: constant(5000), timeoutSeconds: 10, ...noInit })],
      scenarios: [scenario('s', http('small'), constantRate(200, 1000))],
    });
    const t = simulate(exp).totals.functions['small']!;
    expect(t.invocations).toBe(100);
    expect(t.throttlesByReason['ConcurrentInvocationLimitExceeded']).toBe(100);
  });
  it('provisioned environments serve without cold starts and never expire; the excess spills over to on-demand', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(100), provisionedConcurrency: 2 })],
      scenarios: [scenario('s', http('f'), { executor: 'constant-vus', vus: 3, durationMs: 5000 })],
    });
    const t = simulate(exp).totals.functions['f']!;
    expect(t.coldStarts).toBe(1);
    expect(t.provisionedInvocations).toBeGreaterThan(0);
    expect(t.invocations - t.provisionedInvocations).toBeGreaterThan(0);
    expect(t.averageEnvironments).toBeGreaterThan(2.9);
  });
});

describe('faults on the timeline, restored at the end of `for`', () => {
  it('reserved concurrency 0 from 2 s to 4 s throttles exactly those requests', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(10), reservedConcurrency: 50 })],
      scenarios: [scenario('s', http('f'), constantRate(100, 6000))],
      faults: [fault(0, 2000, 2000, { action: 'set-reserved-concurrency', function: 'f', value: 0 })],
    });
    const r = simulate(exp);
    expect(r.totals.functions['f']!.throttles).toBe(200);
    expect(r.totals.scenarios['s']!.status429).toBe(200);
    const th = seriesOf(r, 'lambda.throttles');
    expect(th.slice(0, 6)).toEqual([0, 0, 100, 100, 0, 0]);
  });
  it('a throttled client retries like the AWS SDK (attempts include the first)', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(10) })],
      scenarios: [scenario('s', invoke('f', 'RequestResponse', 3), constantRate(10, 1000))],
      faults: [fault(0, 0, 60_000, { action: 'set-reserved-concurrency', function: 'f', value: 0 })],
    });
    const t = simulate(exp).totals;
    expect(t.scenarios['s']!.requests).toBe(30);
    expect(t.scenarios['s']!.status429).toBe(30);
    expect(t.scenarios['s']!.iterations).toBe(10);
  });
  it('disable-event-source stops polling; at the end of the window the backlog drains', () => {
    const exp = experiment({
      functions: [fn('w', { duration: constant(10) })],
      queues: [queue('q')],
      eventSources: [esm('q', 'w')],
      scenarios: [scenario('p', sqsProducer('q', 10), constantRate(10, 10_000))],
      faults: [fault(0, 0, 5000, { action: 'disable-event-source', eventSource: 'q->w' })],
    });
    const r = simulate(exp);
    const visible = seriesOf(r, 'sqs.visible', { queue: 'q' });
    expect(visible[3]).toBe(400);
    expect(visible[6]).toBe(0);
    expect(r.totals.queues['q']!.deleted).toBe(1000);
  });
  it('inject-poison spreads a count evenly over its window', () => {
    const exp = experiment({
      queues: [queue('q')],
      faults: [fault(0, 1000, 4000, { action: 'inject-poison', queue: 'q', kind: 'marker', count: 8, ratePerSecond: null })],
      durationMs: 6000,
    });
    const r = simulate(exp);
    expect(seriesOf(r, 'sqs.sent').slice(0, 6)).toEqual([0, 2, 2, 2, 2, 0]);
  });
});

describe('asynchronous invocation (§2)', () => {
  it('function errors are retried twice, 60 s then 120 s apart, then go to the on-failure destination', () => {
    const f = fn('f', { duration: constant(10), errorRate: 1 });
    f.async.onFailure = 'failures';
    const exp = experiment({
      functions: [f],
      queues: [queue('failures')],
      scenarios: [scenario('s', invoke('f', 'Event'), constantRate(5, 1000))],
    });
    const r = simulate(exp);
    const t = r.totals.functions['f']!;
    expect(t.asyncEvents).toBe(5);
    expect(t.invocations).toBe(15);
    expect(t.asyncRetries).toBe(10);
    expect(t.asyncDropped).toBe(5);
    expect(r.totals.queues['failures']!.sent).toBe(5);
    const inv = seriesOf(r, 'lambda.invocations');
    expect(inv[0]).toBe(5);
    expect(inv[60]).toBe(5);
    expect(inv[180]).toBe(5);
    expect(r.totals.scenarios['s']!.status2xx).toBe(5);
  });
  it('reserved concurrency 0 sends async events straight to the destination (ZeroReservedConcurrency)', () => {
    const f = fn('f', { reservedConcurrency: 0 });
    f.async.onFailure = 'failures';
    const exp = experiment({ functions: [f], queues: [queue('failures')], scenarios: [scenario('s', invoke('f', 'Event'), constantRate(5, 1000))] });
    const t = simulate(exp).totals;
    expect(t.functions['f']!.invocations).toBe(0);
    expect(t.functions['f']!.throttles).toBe(0);
    expect(t.functions['f']!.asyncDropped).toBe(5);
    expect(t.queues['failures']!.sent).toBe(5);
  });
  it('throttled async events wait and retry without using up retry attempts', () => {
    const exp = experiment({
      functions: [fn('f', { duration: constant(10), reservedConcurrency: 1 })],
      scenarios: [scenario('s', invoke('f', 'Event'), constantRate(50, 1000))],
    });
    const t = simulate(exp).totals.functions['f']!;
    expect(t.invocations).toBe(50);
    expect(t.asyncRetries).toBeGreaterThan(0);
    expect(t.asyncDropped).toBe(0);
  });
});

describe('SQS and event source mappings (§3, §4)', () => {
  function sqsSystem(o: { errorRate?: number; maxReceive?: number; reportBIF?: boolean; poison?: 'throw' | 'batch-item-failures'; ratio?: number; vt?: number; delay?: number; batchSize?: number; window?: number } = {}): ResolvedExperiment {
    return experiment({
      functions: [
        fn('w', {
          duration: constant(20),
          errorRate: o.errorRate ?? 0,
          poison: o.poison ? { attribute: 'squall-poison', bodyContains: null, invalidJson: false, response: o.poison } : null,
        }),
      ],
      queues: [
        queue('q', { visibilityTimeoutSeconds: o.vt ?? 5, delaySeconds: o.delay ?? 0, redrive: o.maxReceive ? { deadLetterQueue: 'dlq', maxReceiveCount: o.maxReceive } : null }),
        queue('dlq'),
      ],
      eventSources: [esm('q', 'w', { reportBatchItemFailures: o.reportBIF ?? false, batchSize: o.batchSize ?? 10, maximumBatchingWindowSeconds: o.window ?? 0 })],
      scenarios: [scenario('p', sqsProducer('q', 10, o.ratio ? { ratio: o.ratio, kind: 'marker' } : null), constantRate(10, 5000))],
    });
  }
  it('every message sent is deleted when the function succeeds (no loss)', () => {
    const r = simulate(sqsSystem());
    const t = r.totals;
    // The agenda stays proportional to the work (one event per send, batch, completion, timeout …).
    expect(r.events).toBeLessThan(2000);
    expect(t.queues['q']!.sent).toBe(500);
    expect(t.queues['q']!.deleted).toBe(500);
    expect(t.queues['q']!.finalBacklog).toBe(0);
    expect(t.mappings['q->w']!.batches).toBeGreaterThanOrEqual(50);
  });
  it('a failing function: the batch reappears after the visibility timeout and after maxReceiveCount goes to the DLQ', () => {
    const t = simulate(sqsSystem({ errorRate: 1, maxReceive: 3 })).totals;
    expect(t.queues['q']!.received).toBe(1500);
    expect(t.queues['q']!.deadLettered).toBe(500);
    expect(t.queues['q']!.deleted).toBe(0);
    expect(t.queues['dlq']!.finalBacklog).toBe(500);
    expect(t.mappings['q->w']!.failedBatches).toBeGreaterThanOrEqual(150);
    // Three receives at least 5 s apart, slowed further by the pollers' back-off (1 s, 2 s, 4 s … ≤ 60 s).
    expect(t.queues['q']!.timeToDrainMs).toBeGreaterThanOrEqual(10_000);
    expect(t.queues['q']!.timeToDrainMs).toBeLessThanOrEqual(180_000);
    expect(t.mappings['q->w']!.peakPollers).toBe(5);
  });
  it('partial batch response with ReportBatchItemFailures: only poison messages return and reach the DLQ', () => {
    const t = simulate(sqsSystem({ poison: 'batch-item-failures', reportBIF: true, ratio: 0.1, maxReceive: 2 })).totals;
    const q = t.queues['q']!;
    // Ratio 0.1 by k6's deterministic chooser: exactly 50 poison messages of 500.
    expect(q.deadLettered).toBe(50);
    expect(q.deleted).toBe(450);
    expect(t.mappings['q->w']!.partialBatches).toBeGreaterThan(0);
  });
  it('without ReportBatchItemFailures AWS ignores the returned failures: every message is deleted', () => {
    const t = simulate(sqsSystem({ poison: 'batch-item-failures', reportBIF: false, ratio: 0.1, maxReceive: 2 })).totals;
    expect(t.queues['q']!.deleted).toBe(500);
    expect(t.queues['q']!.deadLettered).toBe(0);
  });
  it('a poison message that makes the function throw fails its whole batch: good messages go round too', () => {
    const t = simulate(sqsSystem({ poison: 'throw', ratio: 0.1, maxReceive: 2 })).totals;
    expect(t.queues['q']!.deadLettered).toBeGreaterThan(50);
    expect(t.functions['w']!.errors).toBeGreaterThan(0);
  });
  it('a producer iteration of 25 messages is three SendMessageBatch requests', () => {
    const e = experiment({ queues: [queue('q')], scenarios: [scenario('p', sqsProducer('q', 25), constantRate(10, 1000))] });
    const t = simulate(e).totals;
    expect(t.scenarios['p']!.requests).toBe(30);
    expect(t.queues['q']!.sent).toBe(250);
  });
  it('oversized messages: a batch stops before the 6 MB synchronous payload cap (5 of about 1 MiB each)', () => {
    // Two busy pollers (2 s per batch) let messages pile up, so each receive could take 10.
    const mk = (kind: 'oversized' | null) =>
      experiment({
        functions: [fn('w', { duration: constant(2000) })],
        queues: [queue('q')],
        eventSources: [esm('q', 'w', { batchSize: 10, maximumConcurrency: 2 })],
        scenarios: [scenario('p', sqsProducer('q', 10, kind ? { ratio: 1, kind } : null), constantRate(2, 5000))],
      });
    const big = simulate(mk('oversized')).totals;
    expect(big.queues['q']!.deleted).toBe(100);
    expect(big.mappings['q->w']!.batches).toBeGreaterThanOrEqual(20);
    const small = simulate(mk(null)).totals;
    expect(small.queues['q']!.deleted).toBe(100);
    expect(small.mappings['q->w']!.batches).toBeLessThan(20);
  });
  it('ApproximateAgeOfOldestMessage counts messages in flight (a failed batch keeps aging)', () => {
    const e = experiment({
      functions: [fn('w', { duration: constant(10), errorRate: 1 })],
      queues: [queue('q', { visibilityTimeoutSeconds: 20 })],
      eventSources: [esm('q', 'w')],
      scenarios: [scenario('p', sqsProducer('q', 10), constantRate(1, 1000))],
    });
    const r = simulate(e, { drainLimitMs: 15_000 });
    const age = seriesOf(r, 'sqs.oldest_age_seconds', { queue: 'q' });
    // At 10 s the one batch is in flight (failed, invisible for 20 s): nothing visible, age ≈ 10 s.
    expect(seriesOf(r, 'sqs.visible', { queue: 'q' })[9]).toBe(0);
    expect(seriesOf(r, 'sqs.in_flight', { queue: 'q' })[9]).toBe(10);
    expect(age[9]!).toBeCloseTo(10, 5);
  });

  it('queue delay holds messages before they are visible', () => {
    const r = simulate(sqsSystem({ delay: 3 }));
    const delayed = seriesOf(r, 'sqs.delayed', { queue: 'q' });
    expect(delayed[1]).toBe(200);
    expect(delayed[2]).toBe(300);
    expect(delayed[3]).toBe(300);
    expect(sum(seriesOf(r, 'sqs.deleted', { queue: 'q' }).slice(0, 3))).toBe(0);
    expect(r.totals.queues['q']!.deleted).toBe(500);
  });
  it('a batching window collects up to BatchSize messages before invoking (five pollers fill five batches at once)', () => {
    const t = simulate(sqsSystem({ batchSize: 100, window: 2 })).totals;
    // Five pollers each open a window; 500 messages in 5 s fill about five batches per 2 s window.
    expect(t.mappings['q->w']!.batches).toBeLessThanOrEqual(30);
    expect(t.mappings['q->w']!.batches).toBeGreaterThanOrEqual(5);
    expect(t.queues['q']!.deleted).toBe(500);
  });
  it('without a window, a SendMessageBatch is received whole by one waiting poller (as the emulator wakes receivers once per batch)', () => {
    const t = simulate(sqsSystem({ batchSize: 10 })).totals;
    expect(t.mappings['q->w']!.batches).toBe(50);
    expect(t.queues['q']!.deleted).toBe(500);
  });

  it('pollers start at 5 and grow by 300 per minute while a backlog waits, capped by MaximumConcurrency', () => {
    const mk = (maximumConcurrency: number | null) =>
      experiment({
        functions: [fn('w', { duration: constant(1000), timeoutSeconds: 5 })],
        queues: [queue('q')],
        eventSources: [esm('q', 'w', { batchSize: 1, maximumConcurrency })],
        scenarios: [scenario('p', sqsProducer('q', 10), constantRate(100, 30_000))],
      });
    // The mapping's one-second clock aligned to the load's start (the conformance suite's world).
    const r = simulate(mk(null), { idealEsmTiming: true });
    const pollers = seriesOf(r, 'esm.pollers');
    expect(pollers[0]).toBe(5);
    expect(pollers[10]).toBeGreaterThanOrEqual(50);
    expect(pollers[10]).toBeLessThanOrEqual(60);
    const capped = simulate(mk(20));
    expect(Math.max(...seriesOf(capped, 'esm.pollers').map((v) => v ?? 0))).toBe(20);
    expect(capped.totals.mappings['q->w']!.peakConcurrency).toBe(20);
    // By default the clock's phase is drawn per seed (rules/esm-poller.ts, "Dispatch"): its first
    // tick falls inside the load's first second rather than on its end, and the growth is 5 a
    // second whatever the phase.
    for (let seed = 1; seed <= 20; seed++) {
      const p = seriesOf(simulate(mk(null), { seed }), 'esm.pollers');
      expect(p[0]).toBe(10);
      expect(p[10]! - p[5]!).toBe(25);
    }
  });
  it('throttled batches are retried, then dropped and returned after the visibility timeout', () => {
    const exp = experiment({
      functions: [fn('w', { duration: constant(200), reservedConcurrency: 1 })],
      queues: [queue('q', { visibilityTimeoutSeconds: 5, redrive: { deadLetterQueue: 'dlq', maxReceiveCount: 2 } }), queue('dlq')],
      eventSources: [esm('q', 'w', { batchSize: 5 })],
      scenarios: [scenario('p', sqsProducer('q', 10), constantRate(10, 20_000))],
    });
    const t = simulate(exp).totals;
    expect(t.functions['w']!.throttles).toBeGreaterThan(0);
    expect(t.mappings['q->w']!.throttledAttempts).toBe(t.functions['w']!.throttles);
    // Good messages land in the DLQ only because of throttles: the trap the example shows.
    expect(t.queues['q']!.deadLettered).toBeGreaterThan(0);
    expect(t.queues['q']!.deleted + t.queues['q']!.deadLettered).toBe(2000);
  });
});
