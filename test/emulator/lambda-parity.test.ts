/**
 * The AWS behaviours that real clients showed the emulator missing (issue 14), each driven by the
 * real AWS SDK v3 over HTTP: the 413 code and messages, X-Amz-Client-Context validation, ESM
 * Disabling/Enabling before settling, a Query request without Action, and the shapes the real-AWS
 * target reads (GetAccountSettings, UpdateFunctionConfiguration's LastUpdateStatus, MetricsConfig).
 */
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetAccountSettingsCommand,
  GetEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

let emu: SquallEmulator;
let lambda: LambdaClient;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startLambdaEmulator({ seed: 5 });
  const endpoint = emu.emulator.endpoint;
  lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'parity', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }));
});
afterAll(async () => {
  lambda.destroy();
  sqs.destroy();
  await emu.close();
});

const until = async (cond: () => Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached in time');
};

describe('oversized invoke payloads', () => {
  it('answers 413 RequestEntityTooLargeException with AWS’s messages for sync and Event', async () => {
    const sync = await lambda.send(new InvokeCommand({ FunctionName: 'parity', Payload: Buffer.from(JSON.stringify({ x: 'y'.repeat(6 * 1024 * 1024) })) })).catch((e: unknown) => e);
    expect(sync).toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 }, message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    const payload = Buffer.from(JSON.stringify({ x: 'y'.repeat(1_100_000) }));
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'parity', InvocationType: 'Event', Payload: payload })).catch((e: unknown) => e);
    expect(event).toMatchObject({
      name: 'RequestEntityTooLargeException',
      $metadata: { httpStatusCode: 413 },
      message: `${payload.length} byte payload is too large for the Event invocation type (limit 1048576 bytes)`,
    });
    // Just under the Event limit is accepted.
    const fits = await lambda.send(new InvokeCommand({ FunctionName: 'parity', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ x: 'y'.repeat(1_000_000) })) }));
    expect(fits.StatusCode).toBe(202);
  });
});

describe('X-Amz-Client-Context', () => {
  it('rejects what is not Base64 JSON with 400 InvalidRequestContentException and accepts a Base64 JSON object', async () => {
    for (const bad of ['not base64!', Buffer.from('not json').toString('base64'), Buffer.from('[1,2]').toString('base64'), Buffer.from('"s"').toString('base64')]) {
      const e = await lambda.send(new InvokeCommand({ FunctionName: 'parity', ClientContext: bad })).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 }, message: 'Client context must be a valid Base64-encoded JSON object.' });
    }
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'parity', ClientContext: Buffer.from('{"custom":{"a":"b"}}').toString('base64') }));
    expect(ok.StatusCode).toBe(200);
  });
});

describe('UpdateFunctionConfiguration', () => {
  it('answers LastUpdateStatus InProgress, applies Environment, MemorySize and Timeout, then settles to Successful', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'parity' }));
    expect(before.LastUpdateStatus).toBe('Successful');
    const upd = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'parity', Environment: { Variables: { STAGE: 'chaos', A: '1' } }, MemorySize: 512, Timeout: 9 }),
    );
    expect(upd).toMatchObject({ LastUpdateStatus: 'InProgress', MemorySize: 512, Timeout: 9, Environment: { Variables: { STAGE: 'chaos', A: '1' } } });
    expect(upd.RevisionId).not.toBe(before.RevisionId);
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 5, minDelay: 1 }, { FunctionName: 'parity' });
    const after = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'parity' }));
    expect(after).toMatchObject({ LastUpdateStatus: 'Successful', MemorySize: 512, Timeout: 9, Environment: { Variables: { STAGE: 'chaos', A: '1' } } });
    // An empty Variables map removes the environment, as on AWS.
    const cleared = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'parity', Environment: { Variables: {} } }));
    expect(cleared.Environment).toBeUndefined();
    await until(async () => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'parity' }))).LastUpdateStatus === 'Successful');
  });

  it('GetAccountSettings has AWS’s AccountLimit and AccountUsage members', async () => {
    const s = await lambda.send(new GetAccountSettingsCommand({}));
    expect(s.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000, CodeSizeZipped: 52_428_800, CodeSizeUnzipped: 262_144_000 });
    expect(s.AccountUsage?.FunctionCount).toBeGreaterThanOrEqual(1);
  });
});

describe('event source mappings', () => {
  it('Enabled=false/true answers Disabling/Enabling, then settles; MetricsConfig is kept and echoed', async () => {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'parity-src', Attributes: { VisibilityTimeout: '30' } }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'parity', EventSourceArn: arn, BatchSize: 10, MetricsConfig: { Metrics: ['EventCount'] } }));
    expect(created.State).toBe('Creating');
    expect(created.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
    const id = created.UUID!;
    const get = () => lambda.send(new GetEventSourceMappingCommand({ UUID: id }));
    await until(async () => (await get()).State === 'Enabled');

    const off = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: false }));
    expect(off.State).toBe('Disabling');
    await until(async () => (await get()).State === 'Disabled');
    const on = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: true }));
    expect(on.State).toBe('Enabling');
    await until(async () => (await get()).State === 'Enabled');
    const other = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, BatchSize: 5 }));
    expect(other.State).toBe('Updating');
    expect((await get()).MetricsConfig).toEqual({ Metrics: ['EventCount'] });

    const noMetrics = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, MetricsConfig: { Metrics: [] } }));
    expect(noMetrics.MetricsConfig).toBeUndefined();
    const bad = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, MetricsConfig: { Metrics: ['Nope' as 'EventCount'] } })).catch((e: unknown) => e);
    expect(bad).toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });
});

describe('Query protocol', () => {
  it('a form POST without Action answers a Query XML error, not another protocol’s', async () => {
    for (const path of ['/', '/000000000000/parity-src']) {
      const res = await fetch(`${emu.emulator.endpoint}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: 'Version=2012-11-05&QueueName=x',
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/xml');
      const xml = await res.text();
      expect(xml).toMatch(/^<\?xml version="1.0"\?><ErrorResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>MissingAction<\/Code>/);
    }
  });
});
