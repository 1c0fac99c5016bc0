/**
 * The SQS error contract (fact sheet §5.1): the raw JSON 1.0 error shape on the wire
 * (`x-amzn-query-error: <legacy>;Sender`, `__type: com.amazonaws.sqs#<Shape>`, no
 * `x-amzn-ErrorType`), and a regression pin on how the installed @aws-sdk/client-sqs surfaces
 * it (`err.name`, `err.Code`, `$metadata.httpStatusCode`), for every limit the emulator enforces.
 */
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand, SendMessageCommand, DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQS } from '../../harness/contracts/aws-facts.ts';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';

let emu: Emulator;
let sqs: SQSClient;
let url: string;

beforeAll(async () => {
  emu = await startEmulator({ sqsLimits: { inFlightMaxStandard: 3, fifoApiCallsPerSecond: 5 } });
  sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  url = (await sqs.send(new CreateQueueCommand({ QueueName: 'errs' }))).QueueUrl!;
});
afterAll(async () => {
  sqs.destroy();
  await emu.close();
});

async function raw(target: string, body: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${emu.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${target}`, 'x-amzn-query-mode': 'true' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

async function caught(p: Promise<unknown>): Promise<{ name: string; Code: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const x = e as { name: string; Code: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: x.name, Code: x.Code, status: x.$metadata?.httpStatusCode, message: x.message };
  }
  throw new Error('expected the call to fail');
}

describe('wire shape of JSON 1.0 errors', () => {
  it('QueueDoesNotExist exactly as the AWS documentation example', async () => {
    const r = await raw('GetQueueUrl', { QueueName: 'missing' });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-amzn-query-error')).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(r.headers.get('x-amzn-errortype')).toBeNull();
    expect(r.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(r.json).toEqual({ __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
  });

  it('malformed JSON, wrong types and unknown operations', async () => {
    const bad = await raw('SendMessage', '{"QueueUrl":');
    expect(bad.status).toBe(400);
    expect(bad.json['__type']).toBe('com.amazon.coral.service#SerializationException');
    const wrongType = await raw('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 'ten' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json['message']).toContain('MaxNumberOfMessages');
    const notObject = await raw('ListQueues', '[1,2]');
    expect(notObject.status).toBe(400);
    const unknown = await raw('DoMagic', {});
    expect(unknown.status).toBe(400);
    expect(unknown.json['__type']).toBe('com.amazon.coral.service#UnknownOperationException');
    // A `__proto__` attribute name stays a plain name (no prototype games), and round-trips.
    const proto = await raw('SendMessage', JSON.parse(`{"QueueUrl":"${url}","MessageBody":"p","MessageAttributes":{"__proto__":{"DataType":"String","StringValue":"x"}}}`));
    expect(proto.status).toBe(200);
    const back = await raw('ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
    const msgs = back.json['Messages'] as Array<{ Body: string; MessageAttributes?: Record<string, unknown> }>;
    expect(Object.keys(msgs.find((m) => m.Body === 'p')!.MessageAttributes!)).toEqual(['__proto__']);
    const missing = await raw('SendMessage', { QueueUrl: url });
    expect(missing.headers.get('x-amzn-query-error')).toBe('MissingParameter;Sender');
    expect(missing.json).toEqual({ __type: 'com.amazonaws.sqs#MissingRequiredParameterException', message: 'The request must contain the parameter MessageBody.' });
  });
});

describe('what @aws-sdk/client-sqs (pinned version) makes of them', () => {
  it('modeled errors get the shape name and the legacy Code', async () => {
    expect(await caught(sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })))).toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
      message: 'The specified queue does not exist.',
    });
  });

  it('batch limits', async () => {
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
    expect(await caught(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries(SQS.batchMaxEntries + 1) })))).toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
      Code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      status: 400,
    });
    expect(await caught(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })))).toMatchObject({ name: 'EmptyBatchRequest', status: 400 });
    expect(await caught(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'a', MessageBody: 'y' }] })))).toMatchObject({
      name: 'BatchEntryIdsNotDistinct',
      message: 'Id a repeated.',
    });
    expect(await caught(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'bad id!', ReceiptHandle: 'x' }] })))).toMatchObject({
      name: 'InvalidBatchEntryId',
    });
    const half = 'x'.repeat(SQS.batchMaxTotalBytes / 2 + 1);
    expect(await caught(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: half }, { Id: 'b', MessageBody: half }] })))).toMatchObject({
      name: 'BatchRequestTooLong',
      status: 400,
    });
  });

  it('message size, contents and parameter ranges', async () => {
    expect(await caught(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(SQS.maximumMessageSizeMaxBytes + 1) })))).toMatchObject({
      name: 'InvalidParameterValue',
      message: `One or more parameters are invalid. Reason: Message must be shorter than ${SQS.maximumMessageSizeMaxBytes} bytes.`,
    });
    expect(await caught(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0001 char' })))).toMatchObject({ name: 'InvalidMessageContents', status: 400 });
    expect(await caught(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: SQS.delayMaxSeconds + 1 })))).toMatchObject({
      name: 'InvalidParameterValue',
    });
    expect(await caught(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })))).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    });
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    expect(await caught(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: eleven })))).toMatchObject({ name: 'InvalidParameterValue' });
    expect(await caught(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })))).toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('queue names and attributes', async () => {
    expect(await caught(sqs.send(new CreateQueueCommand({ QueueName: 'bad name' })))).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    expect(await caught(sqs.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })))).toMatchObject({ name: 'InvalidParameterValue' });
    expect(await caught(sqs.send(new CreateQueueCommand({ QueueName: 'f.fifo' })))).toMatchObject({ name: 'InvalidParameterValue' });
    expect(await caught(sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { Bogus: '1' } as Record<string, string> })))).toMatchObject({
      name: 'InvalidAttributeName',
      message: 'Unknown Attribute Bogus.',
    });
    expect(await caught(sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { MessageRetentionPeriod: '59' } })))).toMatchObject({
      name: 'InvalidAttributeValue',
    });
    expect(
      await caught(sqs.send(new CreateQueueCommand({ QueueName: 'q', Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:none","maxReceiveCount":3}' } }))),
    ).toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('Dead letter target does not exist') });
  });

  it('OverLimit when too many messages are in flight', async () => {
    const q = (await sqs.send(new CreateQueueCommand({ QueueName: 'overlimit' }))).QueueUrl!;
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q, Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' })) }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q, MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(3);
    expect(await caught(sqs.send(new ReceiveMessageCommand({ QueueUrl: q })))).toMatchObject({ name: 'OverLimit', Code: 'OverLimit', status: 400 });
  });

  it('RequestThrottled past the FIFO API rate, counted in sqs.throttled with OverLimit', async () => {
    const q = (await sqs.send(new CreateQueueCommand({ QueueName: 'rate.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }))).QueueUrl!;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => caught(sqs.send(new SendMessageCommand({ QueueUrl: q, MessageBody: `m${i}`, MessageGroupId: 'g' }))).catch(() => 'sent')),
    );
    const throttled = results.filter((r) => typeof r === 'object');
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    for (const t of throttled) expect(t).toMatchObject({ name: 'RequestThrottled', Code: 'RequestThrottled', status: 400 });
    const series = emu.metrics.snapshot().series;
    const sum = (queue: string) => series.find((s) => s.name === 'sqs.throttled' && s.labels['queue'] === queue)!.values.reduce((a: number, b) => a + (b ?? 0), 0);
    expect(sum('rate.fifo')).toBe(throttled.length);
    expect(sum('overlimit')).toBe(1);
  });
});
