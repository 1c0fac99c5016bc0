// The throttle→DLQ trap on the emulator's models (reference §3.5, rules/esm-poller.ts): reserved
// concurrency 2 under 5 pollers and a backlog dead-letters good messages. The retry and drop
// cases are in the conformance suite (test/conformance/), run through both engines; this one
// stays here (and in test/simulator/esm-throttle.test.ts) until the two engines agree on it
// second by second (its conformance case is marked divergent).
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
