/**
 * The system-series contract on CloudWatch (moto_server): moto runs no functions, so the activity
 * is put as AWS would publish it (PutMetricData under AWS/Lambda and AWS/SQS), then read back with
 * batched GetMetricData. Also: the bounded wait for late points, with progress.
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { CLOUDWATCH_MAX_QUERIES, cloudWatchQueries, cloudWatchSeriesSource } from '../../harness/target/system-series.ts';
import { external } from '../helpers/external.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { MOTO_CREDENTIALS } from './moto-account.ts';
import { systemSeriesContract } from './system-series.contract.ts';

const moto = external('moto_server', 'the CloudWatch system-series tests');
const resources = {
  functions: ['worker'],
  queues: ['orders'],
  mappings: [{ uuid: '0b6f5f5e-0000-4000-8000-000000000001', function: 'worker', queue: 'orders' }],
  provisioned: { worker: ['live'] },
};

async function put(c: TargetClients, namespace: string, metric: string, dim: [string, string], at: Date, value: number): Promise<void> {
  await c.cloudwatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: [{ MetricName: metric, Dimensions: [{ Name: dim[0], Value: dim[1] }], Timestamp: at, Value: value }] }));
}

systemSeriesContract(
  'CloudWatch (moto_server)',
  async () => {
    const m = await startMoto();
    const clients = createClients({ endpoint: m.endpoint, credentials: MOTO_CREDENTIALS });
    return {
      source: cloudWatchSeriesSource(clients, resources, { maxWaitMs: 0 }),
      functionName: 'worker',
      queueName: 'orders',
      async produce(a) {
        const at = new Date();
        // Split over two points, as two publishing intervals would be.
        await put(clients, 'AWS/Lambda', 'Invocations', ['FunctionName', 'worker'], at, a.invocations - 1);
        await put(clients, 'AWS/Lambda', 'Invocations', ['FunctionName', 'worker'], at, 1);
        await put(clients, 'AWS/SQS', 'NumberOfMessagesSent', ['QueueName', 'orders'], at, a.messagesSent);
        return { startMs: at.getTime(), endMs: at.getTime() + 1 };
      },
      close: async () => {
        clients.destroy();
        await m.stop();
      },
    };
  },
  { skip: !moto.available },
);

describe.skipIf(!moto.available)('CloudWatch reading details', () => {
  let m: Moto;
  let clients: TargetClients;
  beforeAll(async () => {
    m = await startMoto();
    clients = createClients({ endpoint: m.endpoint, credentials: MOTO_CREDENTIALS });
  }, 30_000);
  afterAll(async () => {
    clients?.destroy();
    await m?.stop();
  });

  it('asks for every metric of the issue, per function, mapping and queue, in batches of at most 500', () => {
    const q = cloudWatchQueries(resources);
    const names = q.map((x) => `${x.query.MetricStat!.Metric!.MetricName}:${x.query.MetricStat!.Stat}`);
    expect(names).toEqual([
      'Invocations:Sum', 'Errors:Sum', 'Throttles:Sum', 'Duration:p50', 'Duration:p95', 'Duration:p99', 'ConcurrentExecutions:Maximum', 'AsyncEventsDropped:Sum',
      'ProvisionedConcurrencySpilloverInvocations:Sum',
      'PolledEventCount:Sum', 'InvokedEventCount:Sum', 'FailedInvokeEventCount:Sum', 'DeletedEventCount:Sum',
      'NumberOfMessagesSent:Sum', 'NumberOfMessagesReceived:Sum', 'NumberOfMessagesDeleted:Sum',
      'ApproximateNumberOfMessagesVisible:Maximum', 'ApproximateNumberOfMessagesNotVisible:Maximum', 'ApproximateAgeOfOldestMessage:Maximum',
    ]);
    expect(q.every((x) => x.query.MetricStat!.Period === 60)).toBe(true);
    const fns = Array.from({ length: 60 }, (_, i) => `f${i}`);
    const many = cloudWatchQueries({ functions: fns, queues: [], mappings: [], provisioned: Object.fromEntries(fns.map((f) => [f, ['live']])) });
    expect(many.length).toBeGreaterThan(CLOUDWATCH_MAX_QUERIES);
    expect(new Set(many.map((x) => x.query.Id)).size).toBe(many.length);
  });

  it('reads more than 500 queries in several GetMetricData calls', async () => {
    const functions = Array.from({ length: 60 }, (_, i) => `f${i}`);
    const at = new Date();
    await put(clients, 'AWS/Lambda', 'Invocations', ['FunctionName', 'f59'], at, 3);
    const file = await cloudWatchSeriesSource(clients, { functions, queues: [], mappings: [] }, { maxWaitMs: 0 }).read({ startMs: at.getTime(), endMs: at.getTime() + 1 });
    const last = file.series.find((s) => s.name === 'lambda.invocations' && s.labels.function === 'f59')!;
    expect(last.values.reduce<number>((a, v) => a + (v ?? 0), 0)).toBe(3);
  });

  it('waits, bounded and with progress, for the last minute to arrive', async () => {
    const startMs = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    await put(clients, 'AWS/SQS', 'NumberOfMessagesSent', ['QueueName', 'late'], new Date(startMs + 5_000), 2);
    let clock = 0;
    let polls = 0;
    const progress: string[] = [];
    const source = cloudWatchSeriesSource(clients, { functions: [], queues: ['late'], mappings: [] }, {
      maxWaitMs: 90_000,
      pollMs: 30_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
        // The last minute's point arrives late, during the second wait.
        if (++polls === 2) await put(clients, 'AWS/SQS', 'NumberOfMessagesSent', ['QueueName', 'late'], new Date(startMs + 65_000), 5);
      },
    });
    const file = await source.read({ startMs, endMs: startMs + 120_000 }, (l) => progress.push(l));
    expect(polls).toBe(2);
    expect(progress).toHaveLength(2);
    expect(progress[1]).toMatch(/waited 30 s of at most 90 s/);
    const sent = file.series.find((s) => s.name === 'sqs.sent')!;
    expect(sent.values).toEqual([2, 5]);

    // Nothing more comes: it gives up at the bound and says so.
    clock = 0;
    polls = 0;
    const gaveUp = cloudWatchSeriesSource(clients, { functions: [], queues: ['late'], mappings: [] }, { maxWaitMs: 60_000, pollMs: 30_000, now: () => clock, sleep: async (ms) => void (clock += ms) });
    const lines: string[] = [];
    const f2 = await gaveUp.read({ startMs, endMs: startMs + 180_000 }, (l) => lines.push(l));
    expect(f2.series.find((s) => s.name === 'sqs.sent')!.values).toEqual([2, 5, 0]);
    expect(lines[0]).toMatch(/^CloudWatch: waiting for late 1-minute points: 0\/1 series have \d\d:\d\d UTC \(waited 0 s of at most 60 s\)$/);
    expect(lines.at(-1)).toMatch(/^CloudWatch: gave up waiting after 60 s; 1 of 1 series lack their last minute/);
  });
});
