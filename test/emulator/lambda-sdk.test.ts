/**
 * Every Lambda operation the emulator serves, driven by the real @aws-sdk/client-lambda over HTTP
 * on 127.0.0.1, with the AWS-validated behaviours of the reference: reserved 0 → 429
 * ReservedFunctionConcurrentInvocationLimitExceeded, the unreserved-minimum message, async
 * ZeroReservedConcurrency destination records, partial batch responses reaching the DLQ.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteFunctionUrlConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAccountSettingsCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionUrlConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionEventInvokeConfigsCommand,
  ListFunctionUrlConfigsCommand,
  ListFunctionsCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionEventInvokeConfigCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import type { ResolvedFunction, SyntheticBehaviour } from '../../harness/experiment/types.ts';
import { fn } from '../generate/builders.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '../../examples/functions');
const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
/** A package with no files: the emulator runs its synthetic body (0 ms, {"ok":true}). */
const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

let emu: SquallEmulator;
let lambda: LambdaClient;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startLambdaEmulator({ seed: 3 });
  const endpoint = emu.emulator.endpoint;
  lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
});
afterAll(async () => {
  lambda.destroy();
  sqs.destroy();
  await emu.close();
});

function resolved(name: string, over: Partial<ResolvedFunction> = {}, synthetic?: Partial<SyntheticBehaviour>): ResolvedFunction {
  return fn(name, {
    synthetic: { duration: { kind: 'constant', ms: 5 }, errorRate: 0, poison: null, response: null, ...synthetic },
    coldStart: { initMs: { kind: 'constant', ms: 0 } },
    url: false,
    async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: null, retryDelaysSeconds: [1, 2] },
    ...over,
  });
}

/** Create a function through the emulator's private route, as `squall run` does. */
async function squallFunction(f: ResolvedFunction): Promise<void> {
  const r = await fetch(`${emu.emulator.endpoint}/_squall/lambda/functions`, { method: 'POST', body: JSON.stringify(f) });
  expect(r.status).toBe(201);
}

const text = (p: Uint8Array | undefined) => Buffer.from(p ?? new Uint8Array()).toString('utf8');
const until = async (cond: () => Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not reached in time');
};

describe('functions', () => {
  it('creates, reads, lists and deletes a function; a duplicate is ResourceConflictException; a missing one is AWS’s 404', async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'api-made', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP }, Timeout: 10, MemorySize: 256 }),
    );
    expect(created).toMatchObject({ FunctionName: 'api-made', FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:api-made', Timeout: 10, MemorySize: 256, State: 'Active', Version: '$LATEST' });
    await expect(lambda.send(new CreateFunctionCommand({ FunctionName: 'api-made', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }))).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: 'Function already exist: api-made',
    });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:api-made' }));
    expect(got.Configuration?.FunctionName).toBe('api-made');
    expect(got.Code?.RepositoryType).toBe('S3');
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'api-made' }))).Handler).toBe('index.handler');
    const list = await lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toContain('api-made');
    // An API-made function runs the default synthetic body.
    const inv = await lambda.send(new InvokeCommand({ FunctionName: 'api-made', Payload: Buffer.from('{"a":1}') }));
    expect(inv.StatusCode).toBe(200);
    expect(text(inv.Payload)).toBe('{"ok":true}');
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'api-made' }));
    const e = await lambda.send(new GetFunctionCommand({ FunctionName: 'api-made' })).catch((x: unknown) => x);
    expect(e).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:api-made',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'f', Qualifier: 'v9' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('updates configuration (SQUALL_HANDLER switches an API-made function to a real handler file); legacy InvokeAsync is 202', async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'switch', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }));
    const upd = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'switch', Timeout: 7, Environment: { Variables: { SQUALL_HANDLER: `${path.join(examples, 'flaky.mjs')}#handler`, FAIL_RATE: '0' } } }),
    );
    expect(upd).toMatchObject({ Timeout: 7, Environment: { Variables: { FAIL_RATE: '0' } } });
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'switch', Payload: Buffer.from('{"delayMs":1}') }));
    expect(JSON.parse(text(r.Payload))).toMatchObject({ ok: true, delayMs: 1 });
    await expect(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'switch', Environment: { Variables: { SQUALL_HANDLER: 'relative.mjs' } } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringContaining('SQUALL_HANDLER must be an absolute file path') });
    const legacy = await fetch(`${emu.emulator.endpoint}/2014-11-13/functions/switch/invoke-async/`, { method: 'POST', body: '{"delayMs":1}' });
    expect(legacy.status).toBe(202);
    expect(await legacy.json()).toEqual({ Status: 202 });
    const state = (await (await fetch(`${emu.emulator.endpoint}/_squall/lambda/state`)).json()) as { functions: Record<string, { environments: number }> };
    expect(state.functions.switch!.environments).toBeGreaterThanOrEqual(1);
  });

  it('rejects hostile input with AWS errors, never a crash', async () => {
    const base = emu.emulator.endpoint;
    const bad = await fetch(`${base}/2015-03-31/functions`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    const badName = await fetch(`${base}/2015-03-31/functions/${encodeURIComponent('bad name!')}/invocations`, { method: 'POST', body: '{}' });
    expect(badName.status).toBe(400);
    expect(badName.headers.get('x-amzn-errortype')).toBe('ValidationException');
    const unknown = await fetch(`${base}/2015-03-31/nothing-here`, { method: 'PATCH' });
    expect(unknown.status).toBe(404);
    await expect(lambda.send(new CreateFunctionCommand({ FunctionName: 'x', Role: 'not-a-role', Code: {} }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      lambda.send(new CreateFunctionCommand({ FunctionName: 'x', Role: ROLE, Code: {}, MemorySize: 99999 })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'memorySize'") });
    await squallFunction(resolved('json-check'));
    const notJson = await fetch(`${base}/2015-03-31/functions/json-check/invocations`, { method: 'POST', body: 'not json' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    const huge = await lambda.send(new InvokeCommand({ FunctionName: 'json-check', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ x: 'y'.repeat(1_100_000) })) })).catch((x: unknown) => x);
    expect(huge).toMatchObject({ name: 'RequestEntityTooLargeException', $metadata: { httpStatusCode: 413 } });
    const health = await fetch(`${base}/_squall/health`);
    expect(health.status).toBe(200);
  });
});

describe('invoke', () => {
  it('RequestResponse, Event (202), DryRun (204); a function error is 200 with X-Amz-Function-Error; the log tail has REPORT', async () => {
    await squallFunction(resolved('flaky', { handler: { file: path.join(examples, 'flaky.mjs'), export: 'handler' }, synthetic: null, timeoutSeconds: 1 }));
    const okRes = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{"delayMs":5,"failRate":0}'), LogType: 'Tail' }));
    expect(okRes.StatusCode).toBe(200);
    expect(okRes.FunctionError).toBeUndefined();
    expect(JSON.parse(text(okRes.Payload))).toMatchObject({ ok: true, delayMs: 5 });
    expect(okRes.ExecutedVersion).toBe('$LATEST');
    const log = Buffer.from(okRes.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toMatch(/^START RequestId: \S+ Version: \$LATEST\n/);
    expect(log).toMatch(/REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/);
    expect(log).toContain('Init Duration:');

    const ctx = await lambda.send(
      new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{"delayMs":1,"failRate":0,"echoContext":true}'), ClientContext: Buffer.from('{"custom":{"k":"v"}}').toString('base64') }),
    );
    expect(JSON.parse(text(ctx.Payload))).toMatchObject({ clientContext: { custom: { k: 'v' } } });

    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{"delayMs":1,"failRate":1}'), LogType: 'Tail' }));
    expect(failed.StatusCode).toBe(200);
    expect(Buffer.from(failed.LogResult ?? '', 'base64').toString()).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"flaky failure/);
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(failed.Payload))).toMatchObject({ errorType: 'Error', errorMessage: expect.stringContaining('flaky failure') });

    const timedOut = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{"hang":true}') }));
    expect(timedOut.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(timedOut.Payload))).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/) });

    // Outgrowing the memory size kills the environment like Lambda's OOM. Its own function with a
    // 30 s timeout: on a loaded machine, filling 128 MB can take longer than flaky's 1 s.
    await squallFunction(resolved('hog', { handler: { file: path.join(examples, 'flaky.mjs'), export: 'handler' }, synthetic: null, timeoutSeconds: 30 }));
    const oom = await lambda.send(new InvokeCommand({ FunctionName: 'hog', Payload: Buffer.from('{"hog":true}') }));
    expect(oom.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(oom.Payload))).toMatchObject({ errorType: 'Runtime.OutOfMemory' });

    const ev = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'Event', Payload: Buffer.from('{"delayMs":1,"failRate":0}') }));
    expect(ev.StatusCode).toBe(202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'flaky', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
  });
});

describe('log tail', () => {
  it('carries the handler\'s console output between START and END', async () => {
    await squallFunction(resolved('logger', { handler: { file: path.join(examples, 'sqs-batch-consumer.mjs'), export: 'handler' }, synthetic: null }));
    const event = { Records: [{ messageId: 'm-1', body: '{"a":1}', messageAttributes: {} }, { messageId: 'm-2', body: 'not json', messageAttributes: {} }] };
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'logger', LogType: 'Tail', Payload: Buffer.from(JSON.stringify(event)) }));
    expect(JSON.parse(text(r.Payload))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    const log = Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');
    expect(log).toMatch(/START RequestId: \S+ Version: \$LATEST\npoison record m-2\nprocessed 1, failed 1\nEND RequestId: /);
  });
});

describe('concurrency', () => {
  it('reserved concurrency: put/get/delete; 0 throttles sync invokes with 429 ReservedFunctionConcurrentInvocationLimitExceeded', async () => {
    await squallFunction(resolved('reserved'));
    expect(await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }))).not.toHaveProperty('ReservedConcurrentExecutions');
    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 0 }));
    expect(put.ReservedConcurrentExecutions).toBe(0);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }))).ReservedConcurrentExecutions).toBe(0);
    const e = await lambda.send(new InvokeCommand({ FunctionName: 'reserved', Payload: Buffer.from('{}') })).catch((x: unknown) => x);
    expect(e).toMatchObject({
      name: 'TooManyRequestsException',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
      Type: 'User',
      message: 'Rate Exceeded.',
      $metadata: { httpStatusCode: 429 },
    });
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000, TotalCodeSize: 80530636800 });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 50 }));
    expect((await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions).toBe(950);
    await expect(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 901 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'reserved' }));
    const back = await lambda.send(new InvokeCommand({ FunctionName: 'reserved', Payload: Buffer.from('{}') }));
    expect(back.StatusCode).toBe(200);
  });

  it('provisioned concurrency on the alias: 202 IN_PROGRESS then READY; $LATEST is refused; list and delete', async () => {
    await squallFunction(resolved('pc', { coldStart: { initMs: { kind: 'constant', ms: 100 } } }));
    await expect(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 2 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
    });
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live', ProvisionedConcurrentExecutions: 2 }));
    expect(put.$metadata.httpStatusCode).toBe(202);
    expect(put).toMatchObject({ Status: 'IN_PROGRESS', RequestedProvisionedConcurrentExecutions: 2, AllocatedProvisionedConcurrentExecutions: 0 });
    await until(async () => (await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live' }))).Status === 'READY');
    const got = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live' }));
    expect(got).toMatchObject({ AllocatedProvisionedConcurrentExecutions: 2, AvailableProvisionedConcurrentExecutions: 2 });
    // A provisioned environment answers without a cold start (no Init Duration in REPORT).
    const warm = await lambda.send(new InvokeCommand({ FunctionName: 'pc', Qualifier: 'live', LogType: 'Tail' }));
    expect(Buffer.from(warm.LogResult ?? '', 'base64').toString()).not.toContain('Init Duration');
    const list = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'pc' }));
    expect(list.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn)).toEqual(['arn:aws:lambda:us-east-1:000000000000:function:pc:live']);
    await lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live' }));
    await expect(lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pc', Qualifier: 'live' }))).rejects.toMatchObject({
      name: 'ProvisionedConcurrencyConfigNotFoundException',
      message: 'No Provisioned Concurrency Config found for this function',
    });
  });
});

describe('asynchronous invocation', () => {
  it('event invoke config put/get/update/delete; reserved 0 sends the event to on-failure with ZeroReservedConcurrency', async () => {
    await squallFunction(resolved('async-zero'));
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'async-failures' }));
    const qArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: qArn } } }),
    );
    expect(put).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 21600, DestinationConfig: { OnFailure: { Destination: qArn } } });
    expect(put.LastModified).toBeInstanceOf(Date);
    const upd = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero', MaximumEventAgeInSeconds: 3600 }));
    expect(upd).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero', MaximumRetryAttempts: 3 }))).rejects.toMatchObject({ name: 'ValidationException' });

    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'async-zero', ReservedConcurrentExecutions: 0 }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'async-zero', InvocationType: 'Event', Payload: Buffer.from('{"order":42}') }));
    expect(r.StatusCode).toBe(202);
    const msgs = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
    expect(msgs.Messages).toHaveLength(1);
    const rec = JSON.parse(msgs.Messages![0]!.Body!);
    expect(rec).toMatchObject({
      version: '1.0',
      requestContext: { condition: 'ZeroReservedConcurrency', approximateInvokeCount: 0, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:async-zero:$LATEST' },
      requestPayload: { order: 42 },
    });
    expect(rec).not.toHaveProperty('responseContext');
    const listed = await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'async-zero' }));
    expect(listed.FunctionEventInvokeConfigs?.map((c) => c.MaximumEventAgeInSeconds)).toEqual([3600]);

    // Back to normal concurrency: a success goes to the OnSuccess destination with condition Success.
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'async-zero' }));
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero', DestinationConfig: { OnSuccess: { Destination: qArn } } }));
    await lambda.send(new InvokeCommand({ FunctionName: 'async-zero', InvocationType: 'Event', Payload: Buffer.from('{"order":43}') }));
    const ok = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
    expect(JSON.parse(ok.Messages![0]!.Body!)).toMatchObject({
      requestContext: { condition: 'Success', approximateInvokeCount: 1 },
      requestPayload: { order: 43 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { ok: true },
    });
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero' }));
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-zero' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('event source mappings', () => {
  it('validates like AWS, polls the queue, deletes successes and lets poison records reach the DLQ; disable/enable/delete live', async () => {
    await squallFunction(resolved('consumer', { handler: { file: path.join(examples, 'sqs-batch-consumer.mjs'), export: 'handler' }, synthetic: null, timeoutSeconds: 1 }));
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const src = await sqs.send(
      new CreateQueueCommand({ QueueName: 'orders-in', Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) } }),
    );
    const srcArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: srcArn, BatchSize: 100 }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10',
    });
    await expect(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: srcArn, ScalingConfig: { MaximumConcurrency: 1 } })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });

    const created = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: srcArn, BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } }),
    );
    expect(created).toMatchObject({ State: 'Creating', BatchSize: 10, EventSourceArn: srcArn, FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer', FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 2 } });
    expect(created.$metadata.httpStatusCode).toBe(202);
    const id = created.UUID!;
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: srcArn }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await until(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: id }))).State === 'Enabled');

    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: src.QueueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: `m${i}`,
          MessageBody: i === 7 ? 'not json' : JSON.stringify({ i }),
          ...(i === 3 ? { MessageAttributes: { 'squall-poison': { DataType: 'String', StringValue: 'run-1' } } } : {}),
        })),
      }),
    );
    const counts = async (url: string) => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
    };
    await until(async () => (await counts(dlq.QueueUrl!)) === 2 && (await counts(src.QueueUrl!)) === 0, 15_000);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(dead.Messages?.map((m) => m.Body).sort()).toEqual(['not json', '{"i":3}']);

    const list = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'consumer' }));
    expect(list.EventSourceMappings?.map((m) => m.UUID)).toEqual([id]);
    const disabled = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: false }));
    expect(disabled.$metadata.httpStatusCode).toBe(202);
    await until(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: id }))).State === 'Disabled');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: src.QueueUrl, Entries: [{ Id: 'late', MessageBody: '{"late":true}' }] }));
    await new Promise((r) => setTimeout(r, 300));
    expect(await counts(src.QueueUrl!)).toBe(1);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: id, Enabled: true }));
    await until(async () => (await counts(src.QueueUrl!)) === 0);
    const del = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: id }));
    expect(del.State).toBe('Deleting');
    await until(async () => (await lambda.send(new GetEventSourceMappingCommand({ UUID: id })).catch((e: { name: string }) => e.name)) === 'ResourceNotFoundException');
  });
});

describe('function URLs', () => {
  it('maps HTTP to the payload 2.0 event and the handler response back; GetFunctionUrlConfig returns the URL', async () => {
    await squallFunction(resolved('orders-api', { handler: { file: path.join(examples, 'orders-api.mjs'), export: 'handler' }, synthetic: null }));
    const cfg = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'orders-api', AuthType: 'NONE' }));
    expect(cfg.FunctionUrl).toBe(`${emu.emulator.endpoint}/_url/orders-api/`);
    const got = await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: 'orders-api' }));
    expect(got).toMatchObject({ FunctionUrl: cfg.FunctionUrl, AuthType: 'NONE', InvokeMode: 'BUFFERED' });
    const post = await fetch(`${cfg.FunctionUrl}orders?src=test`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"orderId":"o-1","qty":2}' });
    expect(post.status).toBe(201);
    expect(await post.json()).toMatchObject({ orderId: 'o-1', stored: 1 });
    const read = await fetch(`${cfg.FunctionUrl}orders/o-1`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ orderId: 'o-1', qty: 2 });
    const badBody = await fetch(`${cfg.FunctionUrl}orders`, { method: 'POST', body: 'nope' });
    expect(badBody.status).toBe(400);
    // A TypeScript handler runs too (tsx registered inside its worker).
    await squallFunction(resolved('hello-ts', { handler: { file: path.join(examples, 'hello-url.ts'), export: 'handler' }, synthetic: null }));
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'hello-ts', AuthType: 'NONE' }));
    const hello = await fetch(`${emu.emulator.endpoint}/_url/hello-ts/greet?name=squall`);
    expect(await hello.json()).toEqual({ greeting: 'hello, squall', path: '/greet', coldStart: true });
    const again = await fetch(`${emu.emulator.endpoint}/_url/hello-ts/greet`);
    expect(await again.json()).toEqual({ greeting: 'hello, world', path: '/greet', coldStart: false });

    // Host-header addressing reaches the same function.
    const viaHost = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${emu.emulator.endpoint}/orders/o-1`, { headers: { host: `orders-api.lambda-url.us-east-1.localhost:${emu.emulator.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(viaHost).toBe(200);

    await squallFunction(resolved('url-zero', { url: false }));
    await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-zero', AuthType: 'NONE' }));
    const ok = await fetch(`${emu.emulator.endpoint}/_url/url-zero/`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('{"ok":true}');
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'url-zero', ReservedConcurrentExecutions: 0 }));
    const throttled = await fetch(`${emu.emulator.endpoint}/_url/url-zero/`);
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toEqual({ Message: 'Rate Exceeded.' });
    const updated = await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: 'url-zero', Cors: { AllowOrigins: ['*'] } }));
    expect(updated.Cors).toEqual({ AllowOrigins: ['*'] });
    const urls = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'url-zero' }));
    expect(urls.FunctionUrlConfigs?.map((u) => u.FunctionUrl)).toEqual([`${emu.emulator.endpoint}/_url/url-zero/`]);
    await expect(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-zero', AuthType: 'NONE' }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'url-zero' }));
    expect((await fetch(`${emu.emulator.endpoint}/_url/url-zero/`)).status).toBe(404);
  });
});

describe('SigV4', () => {
  it('with credentials configured, a bad signature is AWS’s 403 and a good one passes', async () => {
    const secured = await startLambdaEmulator({ credentials: { accessKeyId: 'AKIDSQUALL', secretAccessKey: 'right-secret' } });
    try {
      const good = new LambdaClient({ endpoint: secured.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSQUALL', secretAccessKey: 'right-secret' }, maxAttempts: 1 });
      const bad = new LambdaClient({ endpoint: secured.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDSQUALL', secretAccessKey: 'wrong' }, maxAttempts: 1 });
      expect((await good.send(new GetAccountSettingsCommand({}))).AccountLimit?.ConcurrentExecutions).toBe(1000);
      await expect(bad.send(new GetAccountSettingsCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
      good.destroy();
      bad.destroy();
    } finally {
      await secured.close();
    }
  });
});
