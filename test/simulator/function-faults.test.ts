/**
 * The simulator predicts the function faults the way lambda-faults applies them: errors on their
 * share of invocations (as the client of a function URL sees them, and with their retry and
 * event-source consequences), latency that shifts the durations and forces timeouts past the
 * function's timeout, status overrides on URL responses only, all within the fault's window.
 */
import { describe, expect, it } from 'vitest';
import { simulate } from '../../harness/simulator/simulate.ts';
import type { ResolvedFaultAction } from '../../harness/experiment/types.ts';
import { constantRate, esm, experiment, fault, fn, http, invoke, queue, scenario, sqsProducer } from './builder.ts';

const constant = (ms: number) => ({ kind: 'constant', ms }) as const;
const noInit = { initMs: constant(0) };

function seriesOf(r: ReturnType<typeof simulate>, name: string) {
  const s = r.series.series.find((x) => x.name === name);
  if (!s) throw new Error(`no series ${name}`);
  return s.values.map((v) => v ?? 0);
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const errors = (percentage: number, runHandler = false): ResolvedFaultAction => ({ action: 'inject-errors', function: 'api', percentage, runHandler, errorType: 'SquallInjectedError' });
const latency = (ms: number, percentage = 100): ResolvedFaultAction => ({ action: 'inject-latency', function: 'api', latency: constant(ms), percentage });
const status = (statusCode: number, percentage: number): ResolvedFaultAction => ({ action: 'override-status', function: 'api', statusCode, percentage });

/** 50 requests/s for 20 s to a 20 ms function URL; `faults` in force from 5 s to 15 s. */
function urlRun(...faults: ResolvedFaultAction[]) {
  const exp = experiment({
    functions: [fn('api', { duration: constant(20), ...noInit })],
    scenarios: [scenario('web', http('api'), constantRate(50, 20_000))],
    faults: faults.map((f, i) => fault(i, 5000, 10_000, f)),
  });
  return simulate(exp, { seed: 5 });
}

describe('function faults in the simulator', () => {
  it('inject-errors 50 % on a URL: about half the requests in the window are 502s, none outside it', () => {
    const r = urlRun(errors(50));
    const fives = seriesOf(r, 'http.status_5xx');
    const inWindow = sum(fives.slice(5, 15));
    // 500 requests in the window, each failing with p = 0.5 (binomial σ ≈ 11)
    expect(inWindow).toBeGreaterThan(200);
    expect(inWindow).toBeLessThan(300);
    expect(sum(fives.slice(0, 5)) + sum(fives.slice(15))).toBe(0);
    expect(r.totals.functions['api']!.errors).toBe(inWindow);
    expect(r.totals.scenarios['web']!.status5xx).toBe(inWindow);
  });

  it('inject-latency shifts the median duration by the latency during the window', () => {
    const r = urlRun(latency(300));
    const p50 = seriesOf(r, 'lambda.duration_p50_ms');
    expect(p50[2]).toBeCloseTo(20, 0);
    expect(p50[10]).toBeGreaterThan(310);
    expect(p50[10]).toBeLessThan(330);
    expect(p50[18]).toBeCloseTo(20, 0);
    // The client sees it too.
    const client = seriesOf(r, 'http.latency_p50_ms');
    expect(client[10]! - client[2]!).toBeGreaterThan(290);
    expect(client[10]! - client[2]!).toBeLessThan(310);
  });

  it('a latency past the timeout forces timeouts: errors and timeouts, duration at the timeout', () => {
    const exp = experiment({
      functions: [fn('api', { duration: constant(20), timeoutSeconds: 1, ...noInit })],
      scenarios: [scenario('web', http('api'), constantRate(10, 20_000))],
      faults: [fault(0, 5000, 10_000, latency(5000))],
    });
    const r = simulate(exp, { seed: 5 });
    const t = r.totals.functions['api']!;
    expect(t.timeouts).toBe(100);
    expect(t.errors).toBe(100);
    expect(Math.max(...seriesOf(r, 'lambda.duration_p95_ms'))).toBeCloseTo(1000, -1);
  });

  it('override-status 30 % 503 on a URL: 503s as the client sees them; on Invoke the status stays 200', () => {
    const r = urlRun(status(503, 30));
    const s = r.totals.scenarios['web']!;
    expect(s.status5xx).toBeGreaterThan(110);
    expect(s.status5xx).toBeLessThan(190);
    expect(r.totals.functions['api']!.errors).toBe(0);
    const inv = simulate(
      experiment({
        functions: [fn('api', { duration: constant(20), ...noInit })],
        scenarios: [scenario('call', invoke('api', 'RequestResponse'), constantRate(50, 20_000))],
        faults: [fault(0, 5000, 10_000, status(503, 30))],
      }),
      { seed: 5 },
    );
    expect(inv.totals.scenarios['call']!.status5xx).toBe(0);
  });

  it('an overridden 429 is retried by a client that retries 429s', () => {
    const exp = experiment({
      functions: [fn('api', { duration: constant(20), ...noInit })],
      scenarios: [scenario('web', http('api', 3), constantRate(20, 5000))],
      faults: [fault(0, 0, null, status(429, 100))],
      // The fault lasts to 10 s: every retry (at most 0.5 s + 1 s of backoff) still meets it.
      durationMs: 10_000,
    });
    const s = simulate(exp, { seed: 5 }).totals.scenarios['web']!;
    // Every iteration tries three times and ends on a 429.
    expect(s.iterations).toBe(100);
    expect(s.status429).toBe(300);
    expect(s.requests).toBe(300);
  });

  it('faults on one function stack: two overlapping error faults fail 1 − (1−p₁)(1−p₂) of invocations', () => {
    const r = urlRun(errors(50), errors(50, true));
    const fives = sum(seriesOf(r, 'http.status_5xx').slice(5, 15));
    // 75 % of 500
    expect(fives).toBeGreaterThan(330);
    expect(fives).toBeLessThan(420);
  });

  it('inject-errors on an SQS consumer: failed batches return to the queue and are received again', () => {
    const base = {
      functions: [fn('api', { duration: constant(20), ...noInit })],
      queues: [queue('q', { visibilityTimeoutSeconds: 2 })],
      eventSources: [esm('q', 'api', { batchSize: 1 })],
      scenarios: [scenario('p', sqsProducer('q'), constantRate(10, 20_000))],
    };
    const clean = simulate(experiment(base), { seed: 5 });
    const faulted = simulate(experiment({ ...base, faults: [fault(0, 5000, 10_000, errors(100))] }), { seed: 5 });
    expect(clean.totals.functions['api']!.errors).toBe(0);
    expect(faulted.totals.functions['api']!.errors).toBeGreaterThan(10);
    // Every failed batch is received again: more invocations than messages, none lost.
    expect(faulted.totals.functions['api']!.invocations).toBeGreaterThan(clean.totals.functions['api']!.invocations);
  });
});

describe('a function fault is a configuration update', () => {
  it('its start and its end stop the idle environments: the next invocations start cold', () => {
    const exp = (faults: boolean) =>
      experiment({
        functions: [fn('api', { duration: constant(20) })],
        scenarios: [scenario('web', http('api'), constantRate(20, 20_000))],
        faults: faults ? [fault(0, 5000, 5000, { action: 'inject-latency', function: 'api', latency: constant(1), percentage: 100 })] : [],
      });
    const cold = (r: ReturnType<typeof simulate>) => seriesOf(r, 'lambda.cold_starts');
    const without = cold(simulate(exp(false), { seed: 5 }));
    const withFault = cold(simulate(exp(true), { seed: 5 }));
    expect(sum(without.slice(3))).toBe(0);
    expect(withFault[5]).toBeGreaterThan(0);
    expect(withFault[10]).toBeGreaterThan(0);
    expect(sum(withFault.slice(11))).toBe(0);
  });
});
