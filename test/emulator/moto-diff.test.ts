/**
 * Differential tests: the same SQS sequences, sent with the real @aws-sdk/client-sqs to the
 * emulator and to `moto_server` (started here on loopback), must give the same results field by
 * field once run-specific values (endpoints, ids, handles, timestamps) are normalised. Without
 * `moto_server` they skip with one line; CI requires it (SQUALL_REQUIRE_MOTO=1). Where moto does not
 * implement an operation or answers differently from AWS, the step is left out with the reason.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';
import { external } from '../helpers/external.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';

const motoServer = external('moto_server', 'the emulator-vs-moto differential tests');
let emu: Emulator;
let moto: Moto | undefined;
let motoEndpoint = '';

beforeAll(async () => {
  emu = await startEmulator();
  // Absent moto_server skips these tests with one line; CI sets SQUALL_REQUIRE_MOTO=1, which makes it a failure.
  if (!motoServer.available) return;
  moto = await startMoto();
  motoEndpoint = moto.endpoint;
}, 30_000);

afterAll(async () => {
  await moto?.stop();
  await emu?.close();
});

type Step = (c: SQSClient, url: (name: string) => Promise<string>) => Promise<unknown>;

/** Run steps, recording each result or error, normalised so two backends can be compared. */
async function transcript(endpoint: string, steps: Array<[string, Step]>): Promise<Array<[string, unknown]>> {
  const c = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 1 });
  const ids = new Map<string, string>();
  const alias = (id: string) => {
    if (!ids.has(id)) ids.set(id, `id${ids.size + 1}`);
    return ids.get(id)!;
  };
  const url = async (name: string) => (await c.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  const norm = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') {
      if (key === 'MessageId') return alias(v);
      if (key === 'ReceiptHandle') return '<handle>';
      if (key === 'SentTimestamp' || key === 'ApproximateFirstReceiveTimestamp' || key === 'CreatedTimestamp' || key === 'LastModifiedTimestamp') return '<time>';
      if (key === 'SenderId') return '<sender>';
      if (key === 'SequenceNumber') return /^\d+$/.test(v) ? '<seq>' : v;
      if (key === 'TaskHandle') return '<task>';
      return v
        .replace(/http:\/\/127\.0\.0\.1:\d+\/\d{12}\//g, '<url>/')
        .replace(/arn:aws:sqs:us-east-1:\d{12}:/g, 'arn:<acct>:');
    }
    if (Array.isArray(v)) return v.map((x) => norm(x, key));
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        if (k === '$metadata') continue;
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined) continue;
        o[k] = k === 'RedrivePolicy' && typeof x === 'string' ? norm(JSON.parse(x)) : norm(x, k);
      }
      return o;
    }
    return v;
  };
  const out: Array<[string, unknown]> = [];
  for (const [name, step] of steps) {
    try {
      out.push([name, norm(await step(c, url))]);
    } catch (e) {
      const x = e as { name: string; Code?: string; $metadata?: { httpStatusCode?: number } };
      out.push([name, { error: x.name, code: x.Code, status: x.$metadata?.httpStatusCode }]);
    }
  }
  c.destroy();
  return out;
}

/**
 * Steps where moto does not do what AWS does (it skips a check AWS makes): they still run on both
 * sides, so later steps see the same state, but are not compared. The emulator's answer for each
 * is pinned against AWS's documented behaviour in the file named.
 */
const MOTO_GAPS: Record<string, string> = {
  'invalid attribute value': 'moto accepts VisibilityTimeout 50000; AWS allows 0–43,200 (sqs-sdk.test.ts, InvalidAttributeValue)',
  'unknown attribute name': 'moto ignores unknown attributes; AWS answers InvalidAttributeName (sqs-errors.test.ts)',
  'fifo name without FifoQueue': "moto creates a standard queue named x.fifo; AWS standard names cannot contain '.' (sqs-errors.test.ts)",
  'list with pagination': 'moto ignores ListQueues MaxResults; AWS pages (sqs-sdk.test.ts)',
};

const gapsUsed = new Set<string>();

async function compare(steps: Array<[string, Step]>): Promise<void> {
  const [ours, theirs] = await Promise.all([transcript(emu.endpoint, steps), transcript(motoEndpoint, steps)]);
  // Soft: one run reports every step that differs.
  for (let i = 0; i < steps.length; i++) {
    const name = steps[i]![0];
    if (MOTO_GAPS[name] !== undefined) {
      gapsUsed.add(name);
      continue;
    }
    expect.soft(ours[i], `step ${name}`).toEqual(theirs[i]);
  }
}

const SETTABLE: QueueAttributeName[] = ['VisibilityTimeout', 'DelaySeconds', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ReceiveMessageWaitTimeSeconds'];
const COUNTS: QueueAttributeName[] = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'];
const sortBy = <T>(xs: T[] | undefined, key: (x: T) => string) => (xs ? [...xs].sort((a, b) => (key(a) < key(b) ? -1 : 1)) : xs);

describe.skipIf(!motoServer.available)('emulator vs moto_server', () => {
  it('queue lifecycle, attributes, listing and tags', async () => {
    await compare([
      ['create', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-life', Attributes: { VisibilityTimeout: '40', DelaySeconds: '3' } }))],
      ['create again, same attributes', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-life', Attributes: { VisibilityTimeout: '40' } }))],
      ['create again, other attributes', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-life', Attributes: { VisibilityTimeout: '41' } }))],
      ['create second', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-life-2' }))],
      ['get url', (c) => c.send(new GetQueueUrlCommand({ QueueName: 'd-life' }))],
      ['get url missing', (c) => c.send(new GetQueueUrlCommand({ QueueName: 'd-none' }))],
      ['attributes', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-life'), AttributeNames: [...SETTABLE, ...COUNTS, 'QueueArn'] }))],
      ['set attributes', async (c, url) => c.send(new SetQueueAttributesCommand({ QueueUrl: await url('d-life'), Attributes: { VisibilityTimeout: '5', MaximumMessageSize: '2048' } }))],
      ['attributes after set', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-life'), AttributeNames: SETTABLE }))],
      ['list by prefix', (c) => c.send(new ListQueuesCommand({ QueueNamePrefix: 'd-life' }))],
      ['tag', async (c, url) => c.send(new TagQueueCommand({ QueueUrl: await url('d-life'), Tags: { a: '1', b: '2' } }))],
      ['untag', async (c, url) => c.send(new UntagQueueCommand({ QueueUrl: await url('d-life'), TagKeys: ['a'] }))],
      ['list tags', async (c, url) => c.send(new ListQueueTagsCommand({ QueueUrl: await url('d-life') }))],
      ['delete', async (c, url) => c.send(new DeleteQueueCommand({ QueueUrl: await url('d-life-2') }))],
      ['list after delete', (c) => c.send(new ListQueuesCommand({ QueueNamePrefix: 'd-life' }))],
      ['bad name', (c) => c.send(new CreateQueueCommand({ QueueName: 'bad name!' }))],
    ]);
  });

  it('messages: digests, attributes, receive counts, visibility, delete', async () => {
    const attrs = {
      'squall-poison': { DataType: 'String', StringValue: 'run-42' },
      n: { DataType: 'Number', StringValue: '3.14' },
      b: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 250]) },
    };
    await compare([
      ['create', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-msg', Attributes: { VisibilityTimeout: '30' } }))],
      ['send with attributes', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-msg'), MessageBody: 'héllo 🌊 <xml/> & "q"', MessageAttributes: attrs }))],
      ['send plain', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-msg'), MessageBody: 'plain' }))],
      ['counts', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-msg'), AttributeNames: COUNTS }))],
      [
        'receive all attributes, visibility 0',
        async (c, url) => {
          const r = await c.send(new ReceiveMessageCommand({ QueueUrl: await url('d-msg'), MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SenderId', 'SentTimestamp'] }));
          return sortBy(r.Messages, (m) => m.Body!);
        },
      ],
      [
        'receive a subset of attributes',
        async (c, url) => {
          const r = await c.send(new ReceiveMessageCommand({ QueueUrl: await url('d-msg'), MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['squall-poison'], MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
          return sortBy(r.Messages, (m) => m.Body!);
        },
      ],
      [
        'receive, then change visibility to 0 and receive again',
        async (c, url) => {
          const u = await url('d-msg');
          const r = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MaxNumberOfMessages: 10 }));
          const hidden = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MaxNumberOfMessages: 10 }));
          for (const m of r.Messages ?? []) await c.send(new ChangeMessageVisibilityCommand({ QueueUrl: u, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
          const again = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
          return { first: (r.Messages ?? []).length, hidden: hidden.Messages ?? [], again: sortBy(again.Messages, (m) => m.Body!) };
        },
      ],
      ['counts in flight', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-msg'), AttributeNames: COUNTS }))],
      [
        'delete one by one and in a batch',
        async (c, url) => {
          const u = await url('d-msg');
          await c.send(new SendMessageCommand({ QueueUrl: u, MessageBody: 'third' }));
          const r = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
          const msgs = sortBy(r.Messages, (m) => m.Body!)!;
          await c.send(new DeleteMessageCommand({ QueueUrl: u, ReceiptHandle: msgs[0]!.ReceiptHandle }));
          return c.send(new DeleteMessageBatchCommand({ QueueUrl: u, Entries: msgs.slice(1).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
        },
      ],
      ['counts after delete', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-msg'), AttributeNames: COUNTS }))],
      ['delayed message', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-msg'), MessageBody: 'later', DelaySeconds: 60 }))],
      ['counts with a delayed message', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-msg'), AttributeNames: COUNTS }))],
      ['purge', async (c, url) => c.send(new PurgeQueueCommand({ QueueUrl: await url('d-msg') }))],
      ['counts after purge', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-msg'), AttributeNames: COUNTS }))],
    ]);
  });

  it('batches and their limits', async () => {
    await compare([
      ['create', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-batch' }))],
      [
        'send batch',
        async (c, url) => {
          const r = await c.send(
            new SendMessageBatchCommand({
              QueueUrl: await url('d-batch'),
              Entries: [
                { Id: 'a', MessageBody: 'one' },
                { Id: 'b', MessageBody: 'two', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
              ],
            }),
          );
          return { ...r, Successful: sortBy(r.Successful, (s) => s.Id!) };
        },
      ],
      [
        'change visibility and delete in batches, one bad handle each',
        async (c, url) => {
          const u = await url('d-batch');
          const r = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MaxNumberOfMessages: 10 }));
          const msgs = sortBy(r.Messages, (m) => m.Body!)!;
          const cv = await c.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: u,
              Entries: msgs.map((m, i) => ({ Id: `c${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
            }),
          );
          const again = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
          const del = await c.send(
            new DeleteMessageBatchCommand({ QueueUrl: u, Entries: (again.Messages ?? []).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
          );
          return { cv: sortBy(cv.Successful, (x) => x.Id!), again: sortBy(again.Messages, (m) => m.Body!), del: sortBy(del.Successful, (x) => x.Id!) };
        },
      ],
      ['all attributes', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-batch'), AttributeNames: ['All'] }))],
      ['too many entries', async (c, url) => c.send(new SendMessageBatchCommand({ QueueUrl: await url('d-batch'), Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' })) }))],
      ['ids not distinct', async (c, url) => c.send(new SendMessageBatchCommand({ QueueUrl: await url('d-batch'), Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] }))],
      ['receive out of range', async (c, url) => c.send(new ReceiveMessageCommand({ QueueUrl: await url('d-batch'), MaxNumberOfMessages: 11 }))],
    ]);
  });

  it('redrive to a dead-letter queue', async () => {
    await compare([
      ['create dlq', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-dlq' }))],
      [
        'create source',
        async (c, url) => {
          const arn = (await c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-dlq'), AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
          return c.send(new CreateQueueCommand({ QueueName: 'd-src', Attributes: { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 2 }) } }));
        },
      ],
      ['send', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-src'), MessageBody: 'poison', MessageAttributes: { 'squall-poison': { DataType: 'String', StringValue: 'r1' } } }))],
      [
        'receive until moved',
        async (c, url) => {
          const u = await url('d-src');
          const counts: Array<string | undefined> = [];
          for (let i = 0; i < 3; i++) {
            const r = await c.send(new ReceiveMessageCommand({ QueueUrl: u, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
            counts.push(r.Messages?.[0]?.Attributes?.['ApproximateReceiveCount']);
          }
          return counts;
        },
      ],
      ['dlq holds it', async (c, url) => (await c.send(new ReceiveMessageCommand({ QueueUrl: await url('d-dlq'), MessageAttributeNames: ['All'] }))).Messages],
      ['dead-letter sources', async (c, url) => c.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: await url('d-dlq') }))],
      ['redrive policy attribute', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-src'), AttributeNames: ['RedrivePolicy'] }))],
    ]);
  });

  it('FIFO queues: groups, deduplication, order', async () => {
    await compare([
      ['create', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-f.fifo', Attributes: { FifoQueue: 'true' } }))],
      ['send a1', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-f.fifo'), MessageBody: 'a1', MessageGroupId: 'a', MessageDeduplicationId: 'x1' }))],
      [
        'send a1 again (duplicate)',
        async (c, url) => {
          // Skip-list: the MessageId of an accepted duplicate. moto mints a new id; the emulator
          // returns the original's (as LocalStack does). Delivery (one a1) is compared below.
          const { MessageId: _ignored, ...rest } = await c.send(new SendMessageCommand({ QueueUrl: await url('d-f.fifo'), MessageBody: 'a1', MessageGroupId: 'a', MessageDeduplicationId: 'x1' }));
          return rest;
        },
      ],
      ['send a2', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-f.fifo'), MessageBody: 'a2', MessageGroupId: 'a', MessageDeduplicationId: 'x2' }))],
      ['send without group', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-f.fifo'), MessageBody: 'z' }))],
      ['send without dedup id', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-f.fifo'), MessageBody: 'z', MessageGroupId: 'a' }))],
      ['counts', async (c, url) => c.send(new GetQueueAttributesCommand({ QueueUrl: await url('d-f.fifo'), AttributeNames: [...COUNTS, 'FifoQueue', 'ContentBasedDeduplication'] }))],
      ['receive in order', async (c, url) => c.send(new ReceiveMessageCommand({ QueueUrl: await url('d-f.fifo'), MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'SequenceNumber'] }))],
    ]);
  });

  it('errors for invalid input', async () => {
    await compare([
      ['create small queue', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-err', Attributes: { MaximumMessageSize: '1024' } }))],
      ['invalid attribute value', async (c, url) => c.send(new SetQueueAttributesCommand({ QueueUrl: await url('d-err'), Attributes: { VisibilityTimeout: '50000' } }))],
      ['unknown attribute name', async (c, url) => c.send(new SetQueueAttributesCommand({ QueueUrl: await url('d-err'), Attributes: { Bogus: '1' } as Record<string, string> }))],
      ['message over the queue maximum', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-err'), MessageBody: 'x'.repeat(1025) }))],
      ['wait time out of range', async (c, url) => c.send(new ReceiveMessageCommand({ QueueUrl: await url('d-err'), WaitTimeSeconds: 21 }))],
      ['invalid receipt handle', async (c, url) => c.send(new DeleteMessageCommand({ QueueUrl: await url('d-err'), ReceiptHandle: 'not-a-handle' }))],
      ['fifo name without FifoQueue', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-err.fifo' }))],
      ['create fifo', (c) => c.send(new CreateQueueCommand({ QueueName: 'd-err2.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }))],
      ['per-message delay on fifo', async (c, url) => c.send(new SendMessageCommand({ QueueUrl: await url('d-err2.fifo'), MessageBody: 'x', MessageGroupId: 'g', DelaySeconds: 5 }))],
      ['empty batch', async (c, url) => c.send(new SendMessageBatchCommand({ QueueUrl: await url('d-err'), Entries: [] }))],
      ['list with pagination', (c) => c.send(new ListQueuesCommand({ QueueNamePrefix: 'd-err', MaxResults: 1 })).then((r) => ({ QueueUrls: r.QueueUrls, hasToken: r.NextToken !== undefined }))],
    ]);
  });

  it('every skip-list entry names a step that ran (the list cannot rot)', () => {
    expect([...gapsUsed].sort()).toEqual(Object.keys(MOTO_GAPS).sort());
  });
});
