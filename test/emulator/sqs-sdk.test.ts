/**
 * Every SQS operation driven by the real @aws-sdk/client-sqs (JSON 1.0) over HTTP against the
 * emulator on 127.0.0.1, checking the answers field by field.
 */
import { createHash } from 'node:crypto';
import {
  AddPermissionCommand,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';
import { md5OfMessageAttributes } from '../../harness/emulator/sqs/md5.ts';

let emu: Emulator;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startEmulator();
  sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  sqs.destroy();
  await emu.close();
});

async function queue(name: string, Attributes?: Record<string, string>): Promise<string> {
  const r = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes }));
  return r.QueueUrl!;
}

describe('queues', () => {
  it('creates, finds, lists, tags and deletes queues', async () => {
    const url = await queue('sdk-life', { VisibilityTimeout: '45' });
    expect(url).toBe(`${emu.endpoint}/000000000000/sdk-life`);
    // Same name and same attributes is idempotent; a different value is QueueNameExists.
    expect(await queue('sdk-life', { VisibilityTimeout: '45' })).toBe(url);
    await expect(queue('sdk-life', { VisibilityTimeout: '46' })).rejects.toMatchObject({ name: 'QueueNameExists' });
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'sdk-life' }))).QueueUrl).toBe(url);
    await queue('sdk-life-2');
    await queue('other-x');
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'sdk-life' }));
    expect(listed.QueueUrls).toEqual([url, `${emu.endpoint}/000000000000/sdk-life-2`]);
    const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'sdk-life', MaxResults: 1 }));
    expect(page1.QueueUrls).toEqual([url]);
    expect(page1.NextToken).toBeTruthy();
    const page2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'sdk-life', MaxResults: 1, NextToken: page1.NextToken }));
    expect(page2.QueueUrls).toEqual([`${emu.endpoint}/000000000000/sdk-life-2`]);
    expect(page2.NextToken).toBeUndefined();

    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'a', env: 'dev' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ team: 'a' });

    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'sdk-life' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(queue('sdk-life')).rejects.toMatchObject({ name: 'QueueDeletedRecently' });
  });

  it('creates with tags and reports every attribute', async () => {
    const r = await sqs.send(new CreateQueueCommand({ QueueName: 'sdk-attrs', tags: { owner: 'squall' }, Attributes: { DelaySeconds: '2', MaximumMessageSize: '2048' } }));
    const url = r.QueueUrl!;
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ owner: 'squall' });
    const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(a).toMatchObject({
      DelaySeconds: '2',
      MaximumMessageSize: '2048',
      VisibilityTimeout: '30',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:sdk-attrs',
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      SqsManagedSseEnabled: 'true',
    });
    expect(Number(a!['CreatedTimestamp'])).toBeGreaterThan(1_600_000_000);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '10', DelaySeconds: '0' } }));
    const { Attributes: b } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'DelaySeconds'] }));
    expect(b).toEqual({ VisibilityTimeout: '10', DelaySeconds: '0' });
    await expect(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '43201' } }))).rejects.toMatchObject({
      name: 'InvalidAttributeValue',
    });
    await expect(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as 'All'] }))).rejects.toMatchObject({ name: 'InvalidAttributeName' });
  });

  it('adds and removes permissions in the queue policy', async () => {
    const url = await queue('sdk-perm');
    await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'p1', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }));
    const policy = JSON.parse(Attributes!['Policy']!) as { Statement: Array<{ Sid: string; Action: string[] }> };
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({ Sid: 'p1', Action: ['SQS:SendMessage'] });
    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'p1' }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }));
    expect(after.Attributes?.['Policy']).toBeUndefined();
    await expect(sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'p1' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});

describe('messages', () => {
  it('sends, receives with attributes and digests, deletes', async () => {
    const url = await queue('sdk-msg');
    const MessageAttributes = {
      'squall-poison': { DataType: 'String', StringValue: 'run-123' },
      n: { DataType: 'Number', StringValue: '42' },
      bin: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
      'custom.type': { DataType: 'String.json', StringValue: '{"a":1}' },
    };
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'héllo 🌊', MessageAttributes }));
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('héllo 🌊', 'utf8').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(MessageAttributes));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(1);
    const m = got.Messages![0]!;
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.Body).toBe('héllo 🌊');
    expect(m.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(m.MessageAttributes).toEqual(MessageAttributes);
    expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: '000000000000' });
    expect(Number(m.Attributes!['SentTimestamp'])).toBeGreaterThan(1_600_000_000_000);
    // Only the requested attribute names come back, and the digest covers exactly those.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['squall-*'.replace('-*', '-poison')], MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const m2 = again.Messages![0]!;
    expect(m2.MessageAttributes).toEqual({ 'squall-poison': MessageAttributes['squall-poison'] });
    expect(m2.MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ 'squall-poison': MessageAttributes['squall-poison'] }));
    expect(m2.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    // The deprecated AttributeNames takes message system attribute names too, as clients always did.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 0 }));
    const legacy = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['ApproximateReceiveCount' as 'All', 'SentTimestamp' as 'All'] }));
    expect(Object.keys(legacy.Messages![0]!.Attributes!).sort()).toEqual(['ApproximateReceiveCount', 'SentTimestamp']);
    const m3 = legacy.Messages![0]!;
    // The first handle is stale now: deleting with it succeeds but leaves the message.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }))).Attributes).toEqual({
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m3.ReceiptHandle }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }))).Attributes).toEqual({
      ApproximateNumberOfMessagesNotVisible: '0',
    });
    await expect(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' }))).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
  });

  it('carries AWSTraceHeader as a message system attribute with its own digest', async () => {
    const url = await queue('sdk-trace');
    const trace = { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1' } };
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'traced', MessageSystemAttributes: trace }));
    expect(sent.MD5OfMessageSystemAttributes).toBe(md5OfMessageAttributes(trace));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['AWSTraceHeader'] }));
    expect(got.Messages?.[0]?.Attributes).toEqual({ AWSTraceHeader: trace.AWSTraceHeader.StringValue });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageSystemAttributes: { Other: { DataType: 'String', StringValue: 'v' } } as never })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('batches: send, change visibility and delete with partial failures', async () => {
    const url = await queue('sdk-batch');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 0 },
          { Id: 'c', MessageBody: 'three', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
          { Id: 'bad', MessageBody: 'x', DelaySeconds: 901 },
        ],
      }),
    );
    expect(sent.Successful!.map((s) => s.Id).sort()).toEqual(['a', 'b', 'c']);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'InvalidParameterValue' })]);
    const c = sent.Successful!.find((s) => s.Id === 'c')!;
    expect(c.MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ k: { DataType: 'String', StringValue: 'v' } }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages!.map((m) => m.Body).sort()).toEqual(['one', 'three', 'two']);
    const handles = got.Messages!.map((m, i) => ({ Id: `e${i}`, ReceiptHandle: m.ReceiptHandle! }));
    const cv = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [...handles.map((h) => ({ ...h, VisibilityTimeout: 100 })), { Id: 'junk', ReceiptHandle: 'nope', VisibilityTimeout: 5 }],
      }),
    );
    expect(cv.Successful).toHaveLength(3);
    expect(cv.Failed).toEqual([expect.objectContaining({ Id: 'junk', Code: 'ReceiptHandleIsInvalid', SenderFault: true })]);
    const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: handles }));
    expect(del.Successful).toHaveLength(3);
    expect(del.Failed ?? []).toEqual([]);
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attrs.Attributes!['ApproximateNumberOfMessages']).toBe('0');
    expect(attrs.Attributes!['ApproximateNumberOfMessagesNotVisible']).toBe('0');
  });

  it('long polls until a message arrives, and returns empty after WaitTimeSeconds', async () => {
    const url = await queue('sdk-poll');
    const t0 = Date.now();
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(empty.Messages).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await new Promise((r) => setTimeout(r, 100));
    const t1 = Date.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
    const got = await waiting;
    expect(got.Messages?.[0]?.Body).toBe('wake');
    expect(Date.now() - t1).toBeLessThan(1000);
  });

  it('delays messages and reports them as delayed', async () => {
    const url = await queue('sdk-delay');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
    const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessages'] }));
    expect(a.Attributes).toEqual({ ApproximateNumberOfMessagesDelayed: '1', ApproximateNumberOfMessages: '0' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 3 }));
    expect(got.Messages?.[0]?.Body).toBe('later');
  });

  it('purges once per 60 seconds', async () => {
    const url = await queue('sdk-purge');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toMatchObject({ name: 'PurgeQueueInProgress', $metadata: { httpStatusCode: 400 } });
  });
});

describe('dead-letter queues and redrive', () => {
  it('moves a message to the DLQ after maxReceiveCount receives, lists sources, and moves it back', async () => {
    const dlqUrl = await queue('sdk-dlq');
    const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:sdk-dlq';
    const srcUrl = await queue('sdk-src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }), VisibilityTimeout: '0' });
    await sqs.send(new SendMessageCommand({ QueueUrl: srcUrl, MessageBody: 'poison', MessageAttributes: { 'squall-poison': { DataType: 'String', StringValue: 'run-9' } } }));
    for (let i = 1; i <= 2; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      expect(r.Messages?.[0]?.Attributes?.['ApproximateReceiveCount']).toBe(String(i));
    }
    // Third receive: the count would pass maxReceiveCount, so the message moves instead.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl }))).Messages).toBeUndefined();
    const inDlq = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'], VisibilityTimeout: 0 }));
    expect(inDlq.Messages?.[0]?.Body).toBe('poison');
    expect(inDlq.Messages?.[0]?.MessageAttributes?.['squall-poison']?.StringValue).toBe('run-9');
    expect(inDlq.Messages?.[0]?.Attributes?.['DeadLetterQueueSourceArn']).toBe('arn:aws:sqs:us-east-1:000000000000:sdk-src');
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }))).queueUrls).toEqual([srcUrl]);

    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(task.TaskHandle).toBeTruthy();
    let status = '';
    for (let i = 0; i < 50 && status !== 'COMPLETED'; i++) {
      const l = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      status = l.Results?.[0]?.Status ?? '';
      if (status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('COMPLETED');
    const l = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    expect(l.Results![0]).toMatchObject({ ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 1, SourceArn: dlqArn });
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: srcUrl, MessageAttributeNames: ['All'] }));
    expect(back.Messages?.[0]?.Body).toBe('poison');
    expect(back.Messages?.[0]?.MessageAttributes?.['squall-poison']?.StringValue).toBe('run-9');
    await expect(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: task.TaskHandle }))).rejects.toMatchObject({ name: 'UnsupportedOperation' });
  });

  it('cancels a running move task', async () => {
    const dlqArn = 'arn:aws:sqs:us-east-1:000000000000:sdk-dlq2';
    const dlqUrl = await queue('sdk-dlq2');
    await queue('sdk-src2', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: 'arn:aws:sqs:us-east-1:000000000000:sdk-src2', MaxNumberOfMessagesPerSecond: 1 }));
    const c = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: task.TaskHandle }));
    expect(c.ApproximateNumberOfMessagesMoved).toBeLessThanOrEqual(1);
    const l = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(l.Results?.[0]?.Status).toBe('CANCELLED');
  });
});

describe('FIFO queues', () => {
  it('keeps group order, locks a group while in flight, and deduplicates', async () => {
    const url = await queue('sdk-order.fifo', { FifoQueue: 'true' });
    const s1 = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-a', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' }));
    expect(s1.SequenceNumber).toMatch(/^\d{20}$/);
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-a', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' }));
    expect(dup.MessageId).toBe(s1.MessageId);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-b', MessageGroupId: 'g1', MessageDeduplicationId: 'd2' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g2-a', MessageGroupId: 'g2', MessageDeduplicationId: 'd3' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, MessageSystemAttributeNames: ['All'] }));
    expect(first.Messages?.[0]?.Body).toBe('g1-a');
    expect(first.Messages?.[0]?.Attributes).toMatchObject({ MessageGroupId: 'g1', MessageDeduplicationId: 'd1', SequenceNumber: s1.SequenceNumber });
    // g1 is locked while g1-a is in flight: only g2 can be served.
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(second.Messages?.map((m) => m.Body)).toEqual(['g2-a']);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(third.Messages?.map((m) => m.Body)).toEqual(['g1-b']);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'MissingParameter' });
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' }))).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('content-based deduplication uses the body', async () => {
    const url = await queue('sdk-cbd.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const a = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
    const b = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g' }));
    expect(b.MessageId).toBe(a.MessageId);
    const all = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageDeduplicationId'] }));
    expect(all.Messages).toHaveLength(1);
    expect(all.Messages![0]!.Attributes!['MessageDeduplicationId']).toBe(createHash('sha256').update('same').digest('hex'));
  });
});
