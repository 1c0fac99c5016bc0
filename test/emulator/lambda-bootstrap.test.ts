/**
 * `bootstrapFromExperiment` on the example experiments (loaded with the real loader): functions,
 * concurrency, queues with redrive, mappings and URLs exist as the experiment says; the poison
 * example runs end to end (poison records reach the DLQ, good ones are processed once) and shows
 * up in the emulator's per-second metrics; a system AWS would refuse stops with exit 2.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetAccountSettingsCommand, GetFunctionConcurrencyCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { isSquallError } from '../../harness/contracts/exit-codes.ts';
import type { SeriesFile } from '../../harness/contracts/series.ts';
import { startLambdaEmulator } from '../../harness/emulator/index.ts';
import { loadExperiment } from '../../harness/experiment/load.ts';
import { POISON_MARKER_ATTRIBUTE } from '../../harness/experiment/resolve.ts';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/experiments');
const creds = { accessKeyId: 'k', secretAccessKey: 's' };

describe('bootstrapFromExperiment', () => {
  it.each(['quickstart', 'ramp-past-limit', 'sqs-poison', 'throttle-dlq-trap'])('builds %s as the experiment describes', async (name) => {
    const exp = await loadExperiment(path.join(examples, `${name}.yaml`));
    const emu = await startLambdaEmulator({ experiment: exp });
    const lambda = new LambdaClient({ endpoint: emu.emulator.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    try {
      expect(emu.system.functions).toEqual(Object.keys(exp.system.functions));
      const settings = await lambda.send(new GetAccountSettingsCommand({}));
      expect(settings.AccountLimit?.ConcurrentExecutions).toBe(exp.system.account.concurrencyLimit);
      for (const f of Object.values(exp.system.functions)) {
        const c = await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: f.name }));
        expect(c.ReservedConcurrentExecutions).toBe(f.reservedConcurrency ?? undefined);
        if (f.url) expect(emu.system.urls[f.name]).toBe(`${emu.emulator.endpoint}/_url/${f.name}/`);
      }
      for (const q of Object.values(exp.system.queues)) {
        expect(emu.emulator.sqs.getQueue(q.name)?.config.VisibilityTimeout).toBe(q.visibilityTimeoutSeconds);
        if (q.redrive) expect(emu.emulator.sqs.getQueue(q.name)?.config.RedrivePolicy?.maxReceiveCount).toBe(q.redrive.maxReceiveCount);
      }
      const mappings = await lambda.send(new ListEventSourceMappingsCommand({}));
      expect(mappings.EventSourceMappings).toHaveLength(exp.system.eventSources.length);
    } finally {
      lambda.destroy();
      await emu.close();
    }
  });

  it('runs the poison example end to end: poison records reach the DLQ, good ones are processed, metrics show it', async () => {
    const exp = await loadExperiment(path.join(examples, 'sqs-poison.yaml'));
    // Same system, faster clock on redelivery: 1 s visibility, 2 receives before the DLQ.
    exp.system.queues.orders!.visibilityTimeoutSeconds = 1;
    exp.system.queues.orders!.redrive = { deadLetterQueue: 'orders-dlq', maxReceiveCount: 2 };
    const emu = await startLambdaEmulator({ experiment: exp });
    const sqs = new SQSClient({ endpoint: emu.emulator.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    try {
      const url = emu.system.queues.orders!.url;
      for (let b = 0; b < 3; b++) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: url,
            Entries: Array.from({ length: 10 }, (_, i) => ({
              Id: `e${i}`,
              MessageBody: JSON.stringify({ b, i }),
              ...(i === 4 ? { MessageAttributes: { [POISON_MARKER_ATTRIBUTE]: { DataType: 'String', StringValue: 'test-run' } } } : {}),
            })),
          }),
        );
      }
      const total = async (name: string) => {
        const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: emu.system.queues[name]!.url, AttributeNames: ['All'] }))).Attributes!;
        return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed);
      };
      const end = Date.now() + 15_000;
      while (Date.now() < end && ((await total('orders-dlq')) < 3 || (await total('orders')) > 0)) await new Promise((r) => setTimeout(r, 100));
      expect(await total('orders-dlq')).toBe(3);
      expect(await total('orders')).toBe(0);
      const metrics = (await (await fetch(`${emu.emulator.endpoint}/_squall/metrics`)).json()) as SeriesFile;
      const sum = (name: string, labels: Record<string, string>) =>
        metrics.series
          .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
          .reduce((a, s) => a + s.values.reduce<number>((x, v) => x + (v ?? 0), 0), 0);
      expect(metrics.schema).toBe('squall.series/v1');
      expect(sum('esm.batches', { function: 'order-worker', queue: 'orders' })).toBeGreaterThanOrEqual(3);
      expect(sum('lambda.invocations', { function: 'order-worker' })).toBe(sum('esm.batches', { function: 'order-worker', queue: 'orders' }));
      expect(sum('lambda.errors', { function: 'order-worker' })).toBe(0);
      expect(sum('sqs.moved_to_dlq', { queue: 'orders' })).toBe(3);
      expect(sum('sqs.deleted', { queue: 'orders' })).toBe(27);
      expect(metrics.series.some((s) => s.name === 'esm.pollers')).toBe(true);
      expect(metrics.series.some((s) => s.name === 'lambda.duration_p95_ms')).toBe(true);
    } finally {
      sqs.destroy();
      await emu.close();
    }
  });

  it('refuses a system AWS would refuse, naming the function and the fix (exit 2)', async () => {
    const exp = await loadExperiment(path.join(examples, 'quickstart.yaml'));
    exp.system.functions['orders-api']!.reservedConcurrency = 950;
    const e = await startLambdaEmulator({ experiment: exp }).catch((x: unknown) => x);
    expect(isSquallError(e)).toBe(true);
    expect((e as { exitCode: number }).exitCode).toBe(2);
    expect((e as Error).message).toContain('function orders-api: reservedConcurrency 950');
    expect((e as Error).message).toContain('below its minimum value of [100]');
  });
});
