// SQS event source mappings on a manual clock, against the real SQS model: poller scaling
// (5, then +5 per second while busy, capped by MaximumConcurrency), the batching window, the
// 6 MB batch cap, throttled batches retried, then dropped back to the queue until the DLQ, and
// the partial batch response rules of reference §3.5.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { createRng } from '../../harness/contracts/distributions.ts';
import type { SyntheticBehaviour } from '../../harness/experiment/types.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';
import { SqsModel } from '../../harness/emulator/sqs/model.ts';
import { EsmManager, parseBatchItemFailures, type MappingConfig } from '../../harness/emulator/lambda/model/esm.ts';
import { DEFAULT_ACCOUNT, defaultSpec, LambdaModel } from '../../harness/emulator/lambda/model/functions.ts';

function setup() {
  const clock = new ManualClock();
  const metrics = new Metrics(clock);
  const lambda = new LambdaModel({ clock, metrics, account: DEFAULT_ACCOUNT, rng: createRng(5) });
  const sqs = new SqsModel({ clock, accountId: '000000000000', region: 'us-east-1' });
  const esm = new EsmManager(lambda, sqs);
  const flush = () => new Promise<void>((r) => setImmediate(r));
  /** Advance in small steps, letting promise continuations (poller loops) run between steps. */
  const run = async (ms: number, step = 20) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t));
      await flush();
    }
  };
  const series = (name: string, labels: Record<string, string>) =>
    metrics.snapshot().series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.values ?? [];
  const sum = (name: string, labels: Record<string, string>) => series(name, labels).reduce<number>((a, v) => a + (v ?? 0), 0);
  return { clock, metrics, lambda, sqs, esm, run, flush, series, sum };
}

function fnWith(lambda: LambdaModel, name: string, b: Partial<SyntheticBehaviour>) {
  return lambda.create({
    ...defaultSpec(name, { kind: 'synthetic', behaviour: { duration: { kind: 'constant', ms: 100 }, errorRate: 0, poison: null, response: null, ...b } }),
    initMs: { kind: 'constant', ms: 0 },
    timeoutSeconds: 30,
  });
}

const cfg = (c: Partial<MappingConfig> = {}): MappingConfig => ({ batchSize: 10, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: false, maximumConcurrency: null, enabled: true, ...c });

function fill(sqs: SqsModel, q: ReturnType<SqsModel['createQueue']>, n: number, body = (i: number) => JSON.stringify({ i })) {
  for (let i = 0; i < n; i++) sqs.send(q, { body: body(i) });
}

describe('scaling', () => {
  it('starts with 5 concurrent batches and adds 5 per second while messages keep coming, up to MaximumConcurrency', async () => {
    const { lambda, sqs, esm, run, series } = setup();
    const fn = fnWith(lambda, 'worker', { duration: { kind: 'constant', ms: 900 } });
    const q = sqs.createQueue('backlog', { VisibilityTimeout: '60' });
    fill(sqs, q, 3000);
    const mp = esm.create(q, fn, null, cfg({ maximumConcurrency: 20 }));
    await run(6000);
    const conc = series('esm.concurrency', { function: 'worker', queue: 'backlog' });
    expect(conc[0]).toBe(5);
    expect(conc[1]).toBe(10);
    expect(conc[2]).toBe(15);
    expect(Math.max(...(conc as number[]))).toBe(20);
    expect(mp.allowed).toBe(20);
    expect(lambda.concurrency.get('worker')!.peak).toBe(20);
    esm.close();
  });

  it('drops back to 5 pollers when the queue is idle', async () => {
    const { lambda, sqs, esm, run } = setup();
    const fn = fnWith(lambda, 'w', { duration: { kind: 'constant', ms: 900 } });
    const q = sqs.createQueue('burst', { VisibilityTimeout: '60' });
    fill(sqs, q, 300);
    const mp = esm.create(q, fn, null, cfg());
    await run(3000);
    expect(mp.allowed).toBeGreaterThan(5);
    await run(10_000);
    expect(sqs.size(q)).toBe(0);
    expect(mp.allowed).toBe(5);
    esm.close();
  });
});

describe('batching', () => {
  it('waits for the batching window to fill a batch larger than one receive', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = fnWith(lambda, 'batcher', { duration: { kind: 'constant', ms: 10 } });
    const q = sqs.createQueue('trickle', { VisibilityTimeout: '60' });
    esm.create(q, fn, null, cfg({ batchSize: 100, maximumBatchingWindowSeconds: 2 }));
    await run(100);
    // 30 messages arrive over 1.5 s: one batch when the window closes, not one per receive.
    for (let i = 0; i < 30; i++) {
      sqs.send(q, { body: `{"i":${i}}` });
      await run(50);
    }
    await run(3000);
    expect(sum('esm.batches', { function: 'batcher', queue: 'trickle' })).toBe(1);
    expect(sum('lambda.invocations', { function: 'batcher' })).toBe(1);
    expect(sqs.size(q)).toBe(0);
    esm.close();
  });

  it('caps a batch at the 6 MB synchronous payload limit', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = fnWith(lambda, 'big', { duration: { kind: 'constant', ms: 10 } });
    const q = sqs.createQueue('large', { VisibilityTimeout: '60' });
    fill(sqs, q, 30, (i) => `${i}:${'x'.repeat(250_000)}`);
    esm.create(q, fn, null, cfg({ batchSize: 30, maximumBatchingWindowSeconds: 1, maximumConcurrency: 2 }));
    await run(5000);
    expect(sqs.size(q)).toBe(0);
    // 30 × ~250 KB = ~7.5 MB: at least two invocations, never one with everything.
    expect(sum('esm.batches', { function: 'big', queue: 'large' })).toBeGreaterThanOrEqual(2);
    esm.close();
  });
});

describe('failures', () => {
  it('throttled batches are retried until their visibility deadline, then return with a higher receive count and reach the DLQ', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = fnWith(lambda, 'narrow', { duration: { kind: 'constant', ms: 3000 } });
    lambda.concurrency.setReserved(fn.concurrency, 1);
    const dlq = sqs.createQueue('narrow-dlq');
    const q = sqs.createQueue('narrow-in', { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    fill(sqs, q, 20);
    esm.create(q, fn, null, cfg({ batchSize: 1 }));
    await run(90_000, 50);
    const throttles = sum('lambda.throttles', { function: 'narrow' });
    expect(throttles).toBeGreaterThan(0);
    // A throttle is retried, so several throttles make one dropped batch (lambda-esm-throttle.test.ts has the exact cases).
    const dropped = sum('esm.failed_batches', { function: 'narrow', queue: 'narrow-in' });
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(throttles);
    // Good messages were dead-lettered only because they were throttled; nothing is lost.
    expect(sqs.size(q)).toBe(0);
    expect(sqs.size(dlq)).toBeGreaterThan(0);
    // A retry that starts just before the deadline can run past it, so a message may be processed
    // twice (at least once, as on AWS), never zero times.
    expect(sum('lambda.invocations', { function: 'narrow' }) + sqs.size(dlq)).toBeGreaterThanOrEqual(20);
    esm.close();
  });

  it('a function error without ReportBatchItemFailures fails the whole batch; with it only the named records return', async () => {
    const { lambda, sqs, esm, run } = setup();
    const poison = { attribute: 'squall-poison', bodyContains: null, invalidJson: false } as const;
    const whole = fnWith(lambda, 'whole', { duration: { kind: 'constant', ms: 10 }, poison: { ...poison, response: 'throw' } });
    const partial = fnWith(lambda, 'partial', { duration: { kind: 'constant', ms: 10 }, poison: { ...poison, response: 'batch-item-failures' } });
    const qa = sqs.createQueue('qa', { VisibilityTimeout: '30' });
    const qb = sqs.createQueue('qb', { VisibilityTimeout: '30' });
    for (const q of [qa, qb]) {
      sqs.send(q, { body: '{"ok":1}' });
      sqs.send(q, { body: '{"bad":1}', messageAttributes: { 'squall-poison': { DataType: 'String', StringValue: 'r1' } } });
      sqs.send(q, { body: '{"ok":2}' });
    }
    esm.create(qa, whole, null, cfg());
    esm.create(qb, partial, null, cfg({ reportBatchItemFailures: true }));
    await run(1000);
    expect(sqs.size(qa)).toBe(3); // all three in flight again after the visibility timeout
    expect(sqs.size(qb)).toBe(1); // only the poison record
    esm.close();
  });
});

describe('FIFO', () => {
  it('drains a FIFO queue with several message groups through the mapping', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = fnWith(lambda, 'fifo-worker', { duration: { kind: 'constant', ms: 50 } });
    const q = sqs.createQueue('orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
    for (let i = 0; i < 60; i++) sqs.send(q, { body: JSON.stringify({ i }), messageGroupId: `g${i % 3}` });
    esm.create(q, fn, null, cfg({ batchSize: 10 }));
    await run(5000);
    expect(sqs.size(q)).toBe(0);
    expect(sum('esm.batches', { function: 'fifo-worker', queue: 'orders.fifo' })).toBeGreaterThanOrEqual(6);
    expect(sum('lambda.errors', { function: 'fifo-worker' })).toBe(0);
    esm.close();
  });
});

describe('partial batch response rules (§3.5)', () => {
  const ids = new Set(['a', 'b', 'c']);
  it.each([
    [null, 'success'],
    [undefined, 'success'],
    ['a string', 'success'],
    [{}, 'success'],
    [{ batchItemFailures: [] }, 'success'],
    [{ batchItemFailures: null }, 'success'],
    [{ batchItemFailures: [{ itemIdentifier: 'b' }] }, 'partial'],
    [{ batchItemFailures: [{ itemIdentifier: '' }] }, 'failed'],
    [{ batchItemFailures: [{ itemIdentifier: null }] }, 'failed'],
    [{ batchItemFailures: [{ itemIdentifier: 'zzz' }] }, 'failed'],
    [{ batchItemFailures: [{ id: 'a' }] }, 'failed'],
    [{ batchItemFailures: 'a' }, 'failed'],
  ])('%j → %s', (value, kind) => {
    const v = parseBatchItemFailures(value, ids);
    expect(v.kind).toBe(kind);
    if (v.kind === 'partial') expect([...v.failedIds]).toEqual(['b']);
  });
});
