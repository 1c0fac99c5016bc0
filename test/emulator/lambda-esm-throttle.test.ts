// Throttled SQS batches on a manual clock (reference §3.5, aws-facts ESM_SCALING): the poller
// keeps a throttled batch and retries it after 1 s, 2 s, 4 s … while the retry starts before the
// visibility deadline, then drops it so its messages return with a higher receive count; throttles
// never shrink polling below 5, so reserved concurrency 2 dead-letters good messages. The
// simulator runs the same cases in test/simulator/esm-throttle.test.ts.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { createRng } from '../../harness/contracts/distributions.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';
import { SqsModel } from '../../harness/emulator/sqs/model.ts';
import { EsmManager, type MappingConfig } from '../../harness/emulator/lambda/model/esm.ts';
import { DEFAULT_ACCOUNT, defaultSpec, LambdaModel } from '../../harness/emulator/lambda/model/functions.ts';

function setup() {
  const clock = new ManualClock();
  const metrics = new Metrics(clock);
  const lambda = new LambdaModel({ clock, metrics, account: DEFAULT_ACCOUNT, rng: createRng(5) });
  const sqs = new SqsModel({ clock, accountId: '000000000000', region: 'us-east-1' });
  const esm = new EsmManager(lambda, sqs);
  const flush = () => new Promise<void>((r) => setImmediate(r));
  const run = async (ms: number, step = 20, each?: () => void) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t));
      await flush();
      each?.();
    }
  };
  const sum = (name: string, labels: Record<string, string>) =>
    (metrics.snapshot().series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.values ?? []).reduce<number>(
      (a, v) => a + (v ?? 0),
      0,
    );
  return { clock, lambda, sqs, esm, run, sum };
}

function worker(lambda: LambdaModel, name: string, ms: number, reserved: number) {
  const fn = lambda.create({
    ...defaultSpec(name, { kind: 'synthetic', behaviour: { duration: { kind: 'constant', ms }, errorRate: 0, poison: null, response: null } }),
    initMs: { kind: 'constant', ms: 0 },
    timeoutSeconds: 30,
  });
  lambda.concurrency.setReserved(fn.concurrency, reserved);
  return fn;
}

const cfg = (c: Partial<MappingConfig> = {}): MappingConfig => ({ batchSize: 1, maximumBatchingWindowSeconds: 0, reportBatchItemFailures: false, maximumConcurrency: null, enabled: true, ...c });

describe('throttled batches (§3.5)', () => {
  it('a throttled batch is kept and retried (1 s, then 2 s later) and succeeds once capacity frees before the deadline', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = worker(lambda, 'one', 1500, 1);
    const q = sqs.createQueue('in', { VisibilityTimeout: '30' });
    sqs.send(q, { body: '{"a":1}' });
    sqs.send(q, { body: '{"b":2}' });
    esm.create(q, fn, null, cfg());
    // t≈0: one runs (to 1.5 s), the other is throttled; retry at 1 s is throttled; retry at 3 s runs.
    await run(2500);
    expect(sum('lambda.throttles', { function: 'one' })).toBe(2);
    expect(sqs.size(q)).toBe(1);
    await run(2500);
    expect(sum('lambda.invocations', { function: 'one' })).toBe(2);
    expect(sum('lambda.throttles', { function: 'one' })).toBe(2);
    expect(sum('esm.batches', { function: 'one', queue: 'in' })).toBe(4);
    expect(sum('esm.failed_batches', { function: 'one', queue: 'in' })).toBe(0);
    // Both deleted on their first receive, long before the 30 s visibility timeout.
    expect(sqs.size(q)).toBe(0);
    esm.close();
  });

  it('a batch throttled past its visibility deadline is dropped; it returns with a higher receive count and reaches the DLQ', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = worker(lambda, 'off', 100, 0);
    const dlq = sqs.createQueue('dlq');
    const q = sqs.createQueue('in', { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    sqs.send(q, { body: '{"a":1}' });
    const mp = esm.create(q, fn, null, cfg());
    // Throttled at 0, 1, 3 s; a retry at 7 s would pass the 5 s deadline, so it is dropped at 3 s.
    await run(4000);
    expect(sum('lambda.throttles', { function: 'off' })).toBe(3);
    expect(sum('esm.failed_batches', { function: 'off', queue: 'in' })).toBe(1);
    expect(sqs.size(dlq)).toBe(0);
    // Visible at 5 s, received again (receive count 2): throttled at 5, 6, 8 s, dropped; at 10 s
    // the third receive moves it to the DLQ.
    await run(7000);
    expect(sum('lambda.throttles', { function: 'off' })).toBe(6);
    expect(sum('esm.batches', { function: 'off', queue: 'in' })).toBe(6);
    expect(sum('esm.failed_batches', { function: 'off', queue: 'in' })).toBe(2);
    expect(sqs.size(dlq)).toBe(1);
    expect(sqs.size(q)).toBe(0);
    // Throttles never take polling below the initial five.
    expect(mp.allowed).toBe(5);
    esm.close();
  });

  it('reserved concurrency 2 under 5 pollers and a backlog: good messages reach the DLQ and pollers never drop below 5', async () => {
    const { lambda, sqs, esm, run, sum } = setup();
    const fn = worker(lambda, 'slow', 200, 2);
    const dlq = sqs.createQueue('dlq');
    const q = sqs.createQueue('jobs', { VisibilityTimeout: '5', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) });
    for (let i = 0; i < 1000; i++) sqs.send(q, { body: JSON.stringify({ i }) });
    const mp = esm.create(q, fn, null, cfg({ batchSize: 5 }));
    let minAllowed = Infinity;
    await run(60_000, 20, () => {
      if (mp.state === 'Enabled') minAllowed = Math.min(minAllowed, mp.allowed);
    });
    expect(minAllowed).toBe(5);
    expect(sum('lambda.throttles', { function: 'slow' })).toBeGreaterThan(0);
    // Under a backlog the freed concurrency goes to the poller that just finished, so held batches
    // lose their retries, are dropped and come back: good messages are dead-lettered.
    expect(sqs.size(dlq)).toBeGreaterThan(0);
    expect(sum('esm.failed_batches', { function: 'slow', queue: 'jobs' })).toBeGreaterThan(0);
    // No loss: every message was either processed (5 per invocation) or dead-lettered.
    expect(sqs.size(q)).toBe(0);
    expect(sum('lambda.invocations', { function: 'slow' }) * 5 + sqs.size(dlq)).toBe(1000);
    esm.close();
  });
});
