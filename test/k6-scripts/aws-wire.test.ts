/**
 * The SQS and Lambda requests of the k6 library against the real thing:
 * 1. the same SendMessageBatch / SendMessage / Invoke sent by @aws-sdk/client-sqs|lambda and by
 *    k6-scripts/sqs.js|lambda.js to one capturing node:http server on 127.0.0.1: same method,
 *    path, target header, content type, and the same JSON body members;
 * 2. producer.js (batch packing, poison, metrics) against moto_server's SQS, read back with the SDK.
 */
import http from 'node:http';
import net from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { external } from '../helpers/external.ts';
import { startMoto, type Moto } from '../helpers/moto.ts';
import { importK6Module, metricSum, resetShim, shim } from './k6-shim.ts';

interface Captured {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const creds = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
let server: http.Server;
let endpoint = '';
const captured: Captured[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      captured.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"Successful":[],"Failed":[]}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  captured.length = 0;
  resetShim();
});

function awsConfig(ep: string) {
  return { region: 'us-east-1', ...creds, sessionToken: null, sqsEndpoint: ep, lambdaEndpoint: ep, accountId: '000000000000', runId: 'run-1', local: true };
}

describe('k6 SQS requests match @aws-sdk/client-sqs (JSON 1.0)', () => {
  it('SendMessageBatch and SendMessage: same target, content type, path and body members', async () => {
    const sqs = await importK6Module('sqs.js');
    const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const queueUrl = `${endpoint}/000000000000/orders`;
    const entries = [
      { Id: '0', MessageBody: '{"n":0}' },
      { Id: '1', MessageBody: 'ünïcode ✓', MessageAttributes: { 'squall-poison': { DataType: 'String', StringValue: 'run-1' } } },
      { Id: '2', MessageBody: 'g', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' },
    ];
    await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    await sqs.sendMessageBatch(awsConfig(endpoint), queueUrl, entries, { tags: {} });
    // The capture server's answer has no MD5OfMessageBody, so the SDK rejects it after sending: fine here.
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'one', DelaySeconds: 0 })).catch(() => undefined);
    await sqs.sendMessage(awsConfig(endpoint), queueUrl, { MessageBody: 'one', DelaySeconds: 0 }, { tags: {} });
    client.destroy();
    expect(captured).toHaveLength(4);
    for (const [sdk, k6] of [[captured[0]!, captured[1]!], [captured[2]!, captured[3]!]] as const) {
      expect(k6.method).toBe(sdk.method);
      expect(k6.url).toBe(sdk.url);
      expect(k6.url).toBe('/');
      for (const h of ['content-type', 'x-amz-target', 'x-amzn-query-mode']) expect(k6.headers[h], h).toBe(sdk.headers[h]);
      expect(JSON.parse(k6.body)).toEqual(JSON.parse(sdk.body));
      expect(k6.headers['authorization']).toMatch(/Credential=AKIDTEST\/\d{8}\/us-east-1\/sqs\/aws4_request/);
    }
    expect(captured[1]!.headers['x-amz-target']).toBe('AmazonSQS.SendMessageBatch');
    expect(captured[3]!.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
  });
});

describe('k6 Lambda Invoke matches @aws-sdk/client-lambda (REST-JSON)', () => {
  it.each(['RequestResponse', 'Event'] as const)('%s: same path, content type and payload; X-Amz-Invocation-Type explicit', async (type) => {
    const lambda = await importK6Module('lambda.js');
    const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const payload = '{"job":"é","n":1}';
    for (const name of ['orders-api', 'arn:aws:lambda:us-east-1:123456789012:function:orders-api']) {
      captured.length = 0;
      await client.send(new InvokeCommand({ FunctionName: name, InvocationType: type, Payload: Buffer.from(payload) })).catch(() => undefined);
      await lambda.invoke(awsConfig(endpoint), name, payload, type, { tags: {} });
      expect(captured).toHaveLength(2);
      const [sdk, k6] = [captured[0]!, captured[1]!];
      expect(k6.method).toBe('POST');
      expect(k6.url).toBe(sdk.url);
      expect(k6.headers['content-type']).toBe(sdk.headers['content-type']);
      expect(k6.body).toBe(sdk.body);
      // The SDK leaves the header out for the default (RequestResponse); squall always sends it.
      expect(k6.headers['x-amz-invocation-type']).toBe(type);
      if (sdk.headers['x-amz-invocation-type'] !== undefined) expect(sdk.headers['x-amz-invocation-type']).toBe(type);
      expect(k6.headers['authorization']).toMatch(/\/us-east-1\/lambda\/aws4_request/);
    }
    client.destroy();
  });
});

const motoServer = external('moto_server', 'the producer.js tests against moto_server');

describe.skipIf(!motoServer.available)('producer.js against moto_server SQS', () => {
  let moto: Moto | null = null;
  let motoEndpoint = '';
  let client: SQSClient;

  beforeAll(async () => {
    moto = await startMoto();
    motoEndpoint = moto.endpoint;
    client = new SQSClient({ endpoint: motoEndpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  }, 30_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  async function receiveAll(queueUrl: string, expected: number) {
    const got: Array<{ Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }> = [];
    for (let i = 0; i < 20 && got.length < expected; i++) {
      const r = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
      got.push(...(r.Messages ?? []));
    }
    return got;
  }

  it('sends every entry in ≤10-entry batches; poison carries the run id; metrics count what SQS accepted', async () => {
    const producer = await importK6Module('producer.js');
    const poison = await importK6Module('poison.js');
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'k6-orders' }));
    const aws = awsConfig(motoEndpoint);
    const entries: Array<Record<string, unknown>> = [];
    const poisonIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      if (i % 10 === 3) {
        entries.push({ Id: `m${i}`, ...poison.poisonMessage(i % 20 === 3 ? 'marker' : 'invalid-json', aws.runId, `1-0-${i}`, 1048576) });
        poisonIds.push(`m${i}`);
      } else {
        entries.push({ Id: `m${i}`, MessageBody: JSON.stringify({ i }) });
      }
    }
    const out = await producer.produceMessages(aws, QueueUrl, entries, poisonIds, 1048576, { queue: 'k6-orders' });
    expect(out).toEqual({ sent: 25, poison: 3, failed: 0 });
    expect(shim.requests.map((r) => JSON.parse(r.body!).Entries.length)).toEqual([10, 10, 5]);
    expect(metricSum('squall_messages_sent')).toBe(25);
    expect(metricSum('squall_poison_sent')).toBe(3);
    expect(shim.checks.every((c) => c.ok)).toBe(true);
    const msgs = await receiveAll(QueueUrl!, 25);
    expect(msgs).toHaveLength(25);
    const marked = msgs.filter((m) => m.MessageAttributes?.['squall-poison']?.StringValue === 'run-1');
    expect(marked).toHaveLength(3);
    expect(marked.filter((m) => { try { JSON.parse(m.Body!); return false; } catch { return true; } })).toHaveLength(1);
  });

  it('an oversized poison message fits just under the queue\'s MaximumMessageSize and is sent alone', async () => {
    const producer = await importK6Module('producer.js');
    const poison = await importK6Module('poison.js');
    const max = 4096;
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'k6-small', Attributes: { MaximumMessageSize: String(max) } }));
    const aws = awsConfig(motoEndpoint);
    const big = { Id: 'p', ...poison.poisonMessage('oversized', aws.runId, 'x', max) };
    const size = producer.sqsMessageSize(big);
    expect(size).toBeLessThanOrEqual(max);
    expect(size).toBeGreaterThan(max - 128);
    const out = await producer.produceMessages(aws, QueueUrl, [{ Id: 'a', MessageBody: 'a'.repeat(100) }, big, { Id: 'b', MessageBody: 'b'.repeat(100) }], ['p'], max, {});
    expect(out).toEqual({ sent: 3, poison: 1, failed: 0 });
    expect(shim.requests).toHaveLength(3); // the 4 KiB sum limit splits the batch around the big one
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(attrs.Attributes?.ApproximateNumberOfMessages).toBe('3');
  });

  it('a refused batch is counted as failed, not thrown', async () => {
    const producer = await importK6Module('producer.js');
    const aws = awsConfig(motoEndpoint);
    const out = await producer.produceMessages(aws, `${motoEndpoint}/123456789012/does-not-exist`, [{ Id: '0', MessageBody: 'x' }], [], 1048576, {}, 1);
    expect(out).toEqual({ sent: 0, poison: 0, failed: 1 });
    expect(metricSum('squall_messages_failed')).toBe(1);
    expect(shim.checks.some((c) => !c.ok)).toBe(true);
  });
});
