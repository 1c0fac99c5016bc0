/**
 * A SendMessageBatch makes its entries receivable together: a long poll already waiting gets up to
 * its MaxNumberOfMessages of them in one answer (event source mappings then invoke with whole
 * batches, as the simulator assumes), instead of every waiting poll getting one message each.
 */
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../harness/emulator/server.ts';

let emu: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startEmulator();
  sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
});
afterAll(async () => {
  sqs.destroy();
  await emu.close();
});

it('one batch of 10 reaches the first waiting long poll whole', async () => {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'batch-wake' }))).QueueUrl!;
  const polls = [0, 1, 2].map(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 })));
  await new Promise((r) => setTimeout(r, 200));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${i}` })) }));
  const sizes = (await Promise.all(polls)).map((r) => r.Messages?.length ?? 0).sort((a, b) => b - a);
  expect(sizes).toEqual([10, 0, 0]);
});
