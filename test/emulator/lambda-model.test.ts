// The Lambda model on a manual clock: concurrency accounting exactly as AWS's (reserved,
// unreserved minimum, provisioned with spillover, scaling-rate bucket), warm reuse and idle
// expiry, timeouts, the poison rule, asynchronous retries and destinations, property tests.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { createRng } from '../../harness/contracts/distributions.ts';
import type { ResolvedAccount, SyntheticBehaviour } from '../../harness/experiment/types.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';
import { SqsModel } from '../../harness/emulator/sqs/model.ts';
import { AsyncInvoker } from '../../harness/emulator/lambda/model/async-invoke.ts';
import { defaultSpec, LambdaModel, type LambdaFunction } from '../../harness/emulator/lambda/model/functions.ts';
import type { InvokeOutcome } from '../../harness/emulator/lambda/model/runtime.ts';
import type { ThrottleReason } from '../../harness/contracts/aws-facts.ts';

const ACCOUNT: ResolvedAccount = { concurrencyLimit: 1000, unreservedMinimum: 100, scalingRate: { environments: 1000, perSeconds: 10 }, idleExpirySeconds: 600 };

function setup(account: Partial<ResolvedAccount> = {}) {
  const clock = new ManualClock();
  const metrics = new Metrics(clock);
  const model = new LambdaModel({ clock, metrics, account: { ...ACCOUNT, ...account }, rng: createRng(7) });
  return { clock, metrics, model };
}

function synthetic(b: Partial<SyntheticBehaviour> = {}): SyntheticBehaviour {
  return { duration: { kind: 'constant', ms: 100 }, errorRate: 0, poison: null, response: null, ...b };
}

function addFn(model: LambdaModel, name: string, b: Partial<SyntheticBehaviour> = {}, opts: { initMs?: number; timeoutSeconds?: number } = {}): LambdaFunction {
  return model.create({
    ...defaultSpec(name, { kind: 'synthetic', behaviour: synthetic(b) }),
    initMs: { kind: 'constant', ms: opts.initMs ?? 50 },
    timeoutSeconds: opts.timeoutSeconds ?? 3,
    asyncRetryDelaysSeconds: [60, 120],
  });
}

interface Result {
  throttle: ThrottleReason | null;
  outcome: InvokeOutcome | null;
  initMs: number;
}

function invoke(model: LambdaModel, fn: LambdaFunction, qualifier: string | null = null, payload = '{}', event?: unknown): { result: Result | null } {
  const box: { result: Result | null } = { result: null };
  model.invoke(fn, qualifier, { requestId: 'r', payload, event, logTail: false, clientContext: null }, (throttle, outcome, initMs) => {
    box.result = { throttle, outcome, initMs };
  });
  return box;
}

function total(metrics: Metrics, name: string, labels: Record<string, string>): number {
  const s = metrics.snapshot().series.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return (s?.values ?? []).reduce<number>((a, v) => a + (v ?? 0), 0);
}

describe('invoke pipeline', () => {
  it('cold start once, then warm reuse of the most recently used environment', () => {
    const { clock, model, metrics } = setup();
    const fn = addFn(model, 'f');
    const a = invoke(model, fn);
    expect(a.result).toBeNull();
    clock.advance(50 + 100);
    expect(a.result?.outcome?.payload).toBe('{"ok":true}');
    expect(a.result?.initMs).toBe(50);
    const b = invoke(model, fn);
    clock.advance(100);
    expect(b.result?.initMs).toBe(-1);
    expect(total(metrics, 'lambda.cold_starts', { function: 'f' })).toBe(1);
    expect(total(metrics, 'lambda.invocations', { function: 'f' })).toBe(2);
    expect(fn.aliveEnvironments()).toBe(1);
  });

  it('two overlapping invokes need two environments; idle environments expire after the idle time', () => {
    const { clock, model } = setup({ idleExpirySeconds: 60 });
    const fn = addFn(model, 'f');
    invoke(model, fn);
    invoke(model, fn);
    clock.advance(200);
    expect(fn.aliveEnvironments()).toBe(2);
    clock.advance(59_000);
    expect(fn.aliveEnvironments()).toBe(2);
    // Keep one warm: it was used last, so the other one is the one reclaimed.
    invoke(model, fn);
    clock.advance(1_000);
    expect(fn.aliveEnvironments()).toBe(1);
    clock.advance(60_000);
    expect(fn.aliveEnvironments()).toBe(0);
  });

  it('reserved concurrency 0 throttles every invoke with ReservedFunctionConcurrentInvocationLimitExceeded, counted', () => {
    const { model, metrics } = setup();
    const fn = addFn(model, 'f');
    model.concurrency.setReserved(fn.concurrency, 0);
    for (let i = 0; i < 3; i++) expect(invoke(model, fn).result?.throttle).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(total(metrics, 'lambda.throttles', { function: 'f' })).toBe(3);
    expect(total(metrics, 'lambda.throttles_by_reason', { function: 'f', reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' })).toBe(3);
    expect(total(metrics, 'lambda.invocations', { function: 'f' })).toBe(0);
  });

  it('reserved N admits N at once; the unreserved pool is the account limit minus all reservations', () => {
    const { clock, model } = setup({ concurrencyLimit: 20, unreservedMinimum: 5 });
    const a = addFn(model, 'a');
    const b = addFn(model, 'b');
    expect(model.concurrency.checkReserved(a.concurrency, 16)).toBe(
      "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [5].",
    );
    model.concurrency.setReserved(a.concurrency, 12);
    expect(model.concurrency.unreservedConcurrentExecutions()).toBe(8);
    const ra = Array.from({ length: 13 }, () => invoke(model, a));
    const rb = Array.from({ length: 9 }, () => invoke(model, b));
    expect(ra[12]!.result?.throttle).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(rb[8]!.result?.throttle).toBe('ConcurrentInvocationLimitExceeded');
    expect(ra.slice(0, 12).every((r) => r.result === null)).toBe(true);
    clock.advance(1000);
    expect(model.concurrency.totalRunning()).toBe(0);
  });

  it('the scaling-rate bucket limits new environments, refills continuously, and warm reuse needs no token', () => {
    const { clock, model, metrics } = setup({ scalingRate: { environments: 3, perSeconds: 3 } });
    const fn = addFn(model, 'f', { duration: { kind: 'constant', ms: 5000 } }, { timeoutSeconds: 10 });
    const r = Array.from({ length: 4 }, () => invoke(model, fn));
    expect(r[3]!.result?.throttle).toBe('FunctionInvocationRateLimitExceeded');
    clock.advance(1000); // one token back (3 per 3 s)
    expect(invoke(model, fn).result).toBeNull();
    expect(invoke(model, fn).result?.throttle).toBe('FunctionInvocationRateLimitExceeded');
    clock.advance(10_000); // everything finished; 4 environments idle, bucket full again
    const warm = Array.from({ length: 4 }, () => invoke(model, fn));
    expect(warm.map((w) => w.result?.throttle ?? null)).toEqual([null, null, null, null]);
    expect(total(metrics, 'lambda.cold_starts', { function: 'f' })).toBe(4);
  });

  it('provisioned environments are initialised ahead, serve the alias without a cold start, and spill over to on-demand', () => {
    const { clock, model, metrics } = setup();
    const fn = addFn(model, 'f', {}, { initMs: 200 });
    const state = model.setProvisioned(fn, 'live', 2);
    expect(state.status).toBe('IN_PROGRESS');
    clock.advance(200);
    expect(state.status).toBe('READY');
    const r = [invoke(model, fn, 'live'), invoke(model, fn, 'live'), invoke(model, fn, 'live')];
    clock.advance(400);
    expect(r.map((x) => x.result?.initMs)).toEqual([-1, -1, 200]);
    expect(total(metrics, 'lambda.cold_starts', { function: 'f' })).toBe(1);
    // Unqualified invokes never use the alias's provisioned environments.
    const u = invoke(model, fn, null);
    clock.advance(100);
    expect(u.result?.initMs).toBe(-1); // the spilled-over on-demand environment is warm now
    expect(fn.aliveEnvironments()).toBe(3);
  });

  it('a timeout ends the environment with the Sandbox.Timedout payload', () => {
    const { clock, model, metrics } = setup();
    const fn = addFn(model, 'f', { duration: { kind: 'constant', ms: 5000 } }, { timeoutSeconds: 1, initMs: 0 });
    const r = invoke(model, fn);
    clock.advance(1000);
    expect(r.result?.outcome?.functionError).toBe(true);
    expect(JSON.parse(r.result!.outcome!.payload)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: r Error: Task timed out after 1.00 seconds' });
    expect(fn.aliveEnvironments()).toBe(0);
    expect(total(metrics, 'lambda.errors', { function: 'f' })).toBe(1);
  });

  it('poison rule: batchItemFailures names exactly the poison records (marker attribute, body text, invalid JSON)', () => {
    const { clock, model } = setup();
    const fn = addFn(model, 'f', {
      duration: { kind: 'constant', ms: 1 },
      poison: { attribute: 'squall-poison', bodyContains: 'BOOM', invalidJson: true, response: 'batch-item-failures' },
    });
    const rec = (id: string, body: string, attrs: Record<string, unknown> = {}) => ({ messageId: id, body, messageAttributes: attrs });
    const event = { Records: [rec('1', '{"a":1}'), rec('2', '{"a":2}', { 'squall-poison': { stringValue: 'run' } }), rec('3', '{"x":"BOOM"}'), rec('4', 'not json')] };
    const r = invoke(model, fn, null, '', event);
    clock.advance(100);
    expect(r.result?.outcome?.value).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }, { itemIdentifier: '3' }, { itemIdentifier: '4' }] });
  });

  it('errorRate fails about that share of invocations, reproducibly for a seed', () => {
    const run = () => {
      const { clock, model } = setup();
      const fn = addFn(model, 'f', { errorRate: 0.3, duration: { kind: 'constant', ms: 1 } });
      let errors = 0;
      for (let i = 0; i < 500; i++) {
        const r = invoke(model, fn);
        clock.advance(100);
        if (r.result?.outcome?.functionError) errors++;
      }
      return errors;
    };
    const a = run();
    expect(a).toBeGreaterThan(110);
    expect(a).toBeLessThan(190);
    expect(run()).toBe(a);
  });
});

describe('asynchronous invocation', () => {
  function withSqs() {
    const s = setup();
    const sqs = new SqsModel({ clock: s.clock, accountId: '000000000000', region: 'us-east-1' });
    const dlq = sqs.createQueue('failures');
    const invoker = new AsyncInvoker(s.model, (arn, record) => {
      const q = sqs.getQueueByArn(arn);
      if (!q) return false;
      sqs.send(q, { body: record });
      return true;
    });
    return { ...s, sqs, dlq, invoker };
  }

  it('a function error is retried twice after the configured delays, then sent to the on-failure destination', () => {
    const { clock, model, metrics, sqs, dlq, invoker } = withSqs();
    const fn = addFn(model, 'f', { errorRate: 1, duration: { kind: 'constant', ms: 10 } }, { initMs: 0 });
    fn.eventInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onSuccess: null, onFailure: dlq.arn, lastModifiedEpochMs: 0 };
    invoker.enqueue(fn, null, '{"n":1}');
    clock.advance(100);
    expect(total(metrics, 'lambda.invocations', { function: 'f' })).toBe(1);
    clock.advance(59_000);
    expect(total(metrics, 'lambda.invocations', { function: 'f' })).toBe(1);
    clock.advance(1_000);
    expect(total(metrics, 'lambda.invocations', { function: 'f' })).toBe(2);
    clock.advance(120_000);
    expect(total(metrics, 'lambda.invocations', { function: 'f' })).toBe(3);
    expect(total(metrics, 'lambda.async_retries', { function: 'f' })).toBe(2);
    const [msg] = sqs.receiveNow(dlq, { maxNumberOfMessages: 10 }) as Array<{ body: string }>;
    const rec = JSON.parse(msg!.body);
    expect(rec).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST' },
      requestPayload: { n: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error' },
    });
    expect(invoker.pending).toBe(0);
  });

  it('reserved concurrency 0 sends the event straight to on-failure with ZeroReservedConcurrency and no responseContext', () => {
    const { clock, model, sqs, dlq, invoker } = withSqs();
    const fn = addFn(model, 'f');
    model.concurrency.setReserved(fn.concurrency, 0);
    fn.eventInvokeConfig = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onSuccess: null, onFailure: dlq.arn, lastModifiedEpochMs: 0 };
    invoker.enqueue(fn, null, '{"n":2}');
    clock.advance(1);
    const [msg] = sqs.receiveNow(dlq, { maxNumberOfMessages: 10 }) as Array<{ body: string }>;
    const rec = JSON.parse(msg!.body);
    expect(rec.requestContext).toMatchObject({ condition: 'ZeroReservedConcurrency', approximateInvokeCount: 0 });
    expect(rec.responseContext).toBeUndefined();
  });

  it('throttled events are retried with growing delays without using retry attempts, until the event is too old', () => {
    const { clock, model, metrics, sqs, dlq, invoker } = withSqs();
    const fn = addFn(model, 'f', { duration: { kind: 'constant', ms: 200_000 } }, { timeoutSeconds: 900, initMs: 0 });
    model.concurrency.setReserved(fn.concurrency, 1);
    fn.eventInvokeConfig = { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60, onSuccess: null, onFailure: dlq.arn, lastModifiedEpochMs: 0 };
    invoker.enqueue(fn, null, '{"first":true}');
    clock.advance(1);
    invoker.enqueue(fn, null, '{"second":true}');
    clock.advance(61_000);
    // Retries at +1, +2, +4, +8, +16 s; the next (+32 s) would pass the 60 s age limit.
    expect(total(metrics, 'lambda.async_retries', { function: 'f' })).toBe(5);
    const [msg] = sqs.receiveNow(dlq, { maxNumberOfMessages: 10 }) as Array<{ body: string }>;
    expect(JSON.parse(msg!.body).requestContext.condition).toBe('EventAgeExceeded');
    expect(total(metrics, 'lambda.async_dropped', { function: 'f' })).toBe(1);
  });
});

describe('provisioned concurrency lowered while starting', () => {
  it('environments still starting above the new level are never allocated (found by the property below)', () => {
    const { clock, model } = setup({ concurrencyLimit: 5, unreservedMinimum: 2, scalingRate: { environments: 8, perSeconds: 1 } });
    const fn = addFn(model, 'p', { duration: { kind: 'constant', ms: 50 } }, { initMs: 20 });
    model.setProvisioned(fn, 'live', 2);
    model.setProvisioned(fn, 'live', 1); // both environments of the first request are still in INIT
    clock.advance(100);
    const slots = fn.concurrency.provisioned.get('live')!;
    expect(slots.allocated).toBe(1);
    expect(fn.provisionedAlive.get('live')).toBe(1);
  });
});

describe('properties', () => {
  it('running executions never exceed reserved or account capacity, and every throttle is counted', () => {
    // Configuration first (AWS lets running invocations finish when a limit is lowered, so the
    // invariant is about admissions under a fixed configuration), then traffic.
    const config = fc.oneof(
      fc.record({ k: fc.constant('reserve' as const), f: fc.integer({ min: 0, max: 2 }), n: fc.option(fc.integer({ min: 0, max: 12 })) }),
      fc.record({ k: fc.constant('provision' as const), f: fc.integer({ min: 0, max: 2 }), n: fc.integer({ min: 1, max: 4 }) }),
    );
    const traffic = fc.oneof(
      fc.record({ k: fc.constant('invoke' as const), f: fc.integer({ min: 0, max: 2 }), live: fc.boolean() }),
      fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.array(config, { maxLength: 6 }), fc.array(traffic, { maxLength: 150 }), fc.integer({ min: 5, max: 30 }), (cfg, ops, limit) => {
        const { clock, model, metrics } = setup({ concurrencyLimit: limit, unreservedMinimum: 2, scalingRate: { environments: 8, perSeconds: 1 } });
        const fns = [0, 1, 2].map((i) => addFn(model, `f${i}`, { duration: { kind: 'uniform', minMs: 10, maxMs: 500 } }, { initMs: 20 }));
        for (const o of cfg) {
          const c = fns[o.f]!.concurrency;
          if (o.k === 'reserve') {
            if (o.n === null) model.concurrency.setReserved(c, null);
            else if (model.concurrency.checkReserved(c, o.n) === null) model.concurrency.setReserved(c, o.n);
          } else if (model.concurrency.checkProvisioned(c, 'live', o.n) === null) model.setProvisioned(fns[o.f]!, 'live', o.n);
        }
        clock.advance(100);
        let throttles = 0;
        for (const o of ops) {
          if (o.k === 'invoke') {
            const r = invoke(model, fns[o.f]!, o.live ? 'live' : null);
            if (r.result?.throttle) throttles++;
          } else clock.advance(o.ms);
          let sum = 0;
          for (const f of fns) {
            const c = f.concurrency;
            const running = c.running();
            sum += running;
            if (c.reserved !== null && running > c.reserved) return false;
            if (c.runningOnDemand < 0) return false;
            let busy = 0;
            for (const s of c.provisioned.values()) {
              if (s.busy > s.allocated) return false;
              busy += s.busy;
            }
            if (busy !== c.provisionedBusy) return false;
          }
          if (sum > limit) return false;
        }
        const counted = fns.reduce((a, f) => a + total(metrics, 'lambda.throttles', { function: f.name }), 0);
        return counted === throttles;
      }),
      { numRuns: 150 },
    );
  });
});
