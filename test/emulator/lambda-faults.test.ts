/**
 * The emulator honours SQUALL_FAULTS in a function's environment, set through the public API with
 * the real @aws-sdk/client-lambda, on every invoke path (RequestResponse, Event with its
 * on-failure destination, function URLs, SQS event source mappings), for synthetic and handler
 * functions alike; and squall's own chaos timeline turns them on and off again.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFault } from '../../harness/chaos/function-faults.ts';
import { Journal } from '../../harness/chaos/journal.ts';
import { ChaosTimeline } from '../../harness/chaos/timeline.ts';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import type { FunctionFaultAction, ResolvedFault } from '../../harness/experiment/types.ts';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { EMPTY_ZIP } from '../helpers/moto.ts';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const flaky = path.resolve(import.meta.dirname, '../../examples/functions/flaky.mjs');
const echo = path.resolve(import.meta.dirname, '../fixtures/functions/faults-echo.mjs');

let emu: SquallEmulator;
let lambda: LambdaClient;
let sqs: SQSClient;
let clients: TargetClients;

beforeAll(async () => {
  emu = await startLambdaEmulator({ seed: 7 });
  const endpoint = emu.emulator.endpoint;
  lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  clients = createClients({ endpoint, credentials: creds });
});
afterAll(async () => {
  lambda.destroy();
  sqs.destroy();
  clients.destroy();
  await emu.close();
});

const text = (p: Uint8Array | undefined) => Buffer.from(p ?? new Uint8Array()).toString('utf8');

async function create(name: string, variables: Record<string, string> = {}, timeout = 3): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP }, Timeout: timeout, Environment: { Variables: variables } }));
}

/** Set the environment as squall does: the whole map, the faults' spec in SQUALL_FAULTS. */
async function setFaults(name: string, base: Record<string, string>, ...faults: FunctionFaultAction[]): Promise<void> {
  let spec: string | undefined;
  for (const f of faults) spec = addFault(spec, f);
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: spec ? { ...base, SQUALL_FAULTS: spec } : base } }));
}

const errors = (fn: string, over: Partial<Extract<FunctionFaultAction, { action: 'inject-errors' }>> = {}): FunctionFaultAction => ({
  action: 'inject-errors',
  function: fn,
  percentage: 100,
  runHandler: false,
  errorType: 'SquallInjectedError',
  ...over,
});
const latency = (fn: string, ms: number, percentage = 100): FunctionFaultAction => ({ action: 'inject-latency', function: fn, latency: { kind: 'constant', ms }, percentage });
const status = (fn: string, statusCode: number, percentage = 100): FunctionFaultAction => ({ action: 'override-status', function: fn, statusCode, percentage });

describe('function faults on the emulator', () => {
  it('function URL: override-status replaces the status of its share of responses, and stops when the environment is put back', async () => {
    await create('web');
    const url = (await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'web', AuthType: 'NONE' }))).FunctionUrl!;
    expect((await fetch(url)).status).toBe(200);
    await setFaults('web', {}, status('web', 503));
    const r = await fetch(url);
    expect(r.status).toBe(503);
    expect(r.headers.get('x-squall-fault')).toBe('override-status');
    await setFaults('web', {}, status('web', 429, 50));
    const codes: number[] = [];
    for (let i = 0; i < 200; i++) codes.push((await fetch(url)).status);
    const overridden = codes.filter((c) => c === 429).length;
    // 50 % of 200: a binomial count, ±5 standard deviations (σ ≈ 7)
    expect(overridden).toBeGreaterThan(65);
    expect(overridden).toBeLessThan(135);
    expect(codes.every((c) => c === 200 || c === 429)).toBe(true);
    await setFaults('web', {});
    expect((await fetch(url)).status).toBe(200);
  });

  it('RequestResponse: inject-errors is a function error with its errorType; latency adds to the duration and takes from the remaining time', async () => {
    await create('sync', { SQUALL_HANDLER: `${flaky}#handler` });
    await setFaults('sync', { SQUALL_HANDLER: `${flaky}#handler` }, errors('sync', { errorType: 'ChaosMonkeyError' }));
    const failed = await lambda.send(new InvokeCommand({ FunctionName: 'sync', Payload: Buffer.from('{"failRate":0,"delayMs":1}') }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(failed.Payload))).toMatchObject({ errorType: 'ChaosMonkeyError', errorMessage: 'injected by squall (inject-errors)' });

    await setFaults('sync', { SQUALL_HANDLER: `${flaky}#handler` }, latency('sync', 400));
    const t0 = Date.now();
    const slow = await lambda.send(new InvokeCommand({ FunctionName: 'sync', Payload: Buffer.from('{"failRate":0,"delayMs":1}') }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(slow.FunctionError).toBeUndefined();
    const body = JSON.parse(text(slow.Payload)) as { ok: boolean; remainingMs: number };
    expect(body.ok).toBe(true);
    // The handler started with the 3 s timeout less the 400 ms the fault slept.
    expect(body.remainingMs).toBeLessThanOrEqual(2600);
    expect(body.remainingMs).toBeGreaterThan(2000);

    await setFaults('sync', { SQUALL_HANDLER: `${flaky}#handler` });
    const fine = await lambda.send(new InvokeCommand({ FunctionName: 'sync', Payload: Buffer.from('{"failRate":0,"delayMs":1}') }));
    expect(JSON.parse(text(fine.Payload)).remainingMs).toBeGreaterThan(2900);
  });

  it('a latency past the timeout ends in Lambda\'s Task timed out at the timeout', async () => {
    await create('hang', {}, 1);
    await setFaults('hang', {}, latency('hang', 5000));
    const t0 = Date.now();
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'hang', Payload: Buffer.from('{}') }));
    const took = Date.now() - t0;
    expect(r.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(r.Payload))).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringContaining('Task timed out after 1.00 seconds') });
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(4000);
  });

  it('handler functions: runHandler decides whether the handler runs before the failure; the handler never sees SQUALL_FAULTS', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-faults-'));
    const mark = path.join(dir, 'marks');
    const base = { SQUALL_HANDLER: `${echo}#handler`, MARK_FILE: mark };
    await create('echo', base);
    await setFaults('echo', base, errors('echo'));
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{}') }))).FunctionError).toBe('Unhandled');
    expect(existsSync(mark)).toBe(false);
    await setFaults('echo', base, errors('echo', { runHandler: true }));
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{}') }))).FunctionError).toBe('Unhandled');
    expect(readFileSync(mark, 'utf8')).toBe('ran\n');
    await setFaults('echo', base, latency('echo', 1));
    const ok = await lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{}') }));
    expect(JSON.parse(text(ok.Payload))).toEqual({ sees: null });
  });

  it('Event: an injected error is an asynchronous failure, delivered to the on-failure destination', async () => {
    await create('async-f');
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'async-f-failures' }));
    const qArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-f', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: qArn } } }));
    await setFaults('async-f', {}, errors('async-f', { errorType: 'AsyncChaos' }));
    expect((await lambda.send(new InvokeCommand({ FunctionName: 'async-f', InvocationType: 'Event', Payload: Buffer.from('{"order":7}') }))).StatusCode).toBe(202);
    const msgs = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
    expect(msgs.Messages).toHaveLength(1);
    expect(JSON.parse(msgs.Messages![0]!.Body!)).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 },
      requestPayload: { order: 7 },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: { errorType: 'AsyncChaos' },
    });
  });

  it('event source mapping: failed batches stay in the queue while the fault is in force, and drain once it ends', async () => {
    await create('consumer', {}, 1);
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'faulted-in', Attributes: { VisibilityTimeout: '1' } }));
    const qArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await setFaults('consumer', {}, errors('consumer'));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'consumer', EventSourceArn: qArn, BatchSize: 10 }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.QueueUrl, Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: `m${i}`, MessageBody: `{"n":${i}}` })) }));
    const left = async () => {
      const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!;
      return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
    };
    await new Promise((r) => setTimeout(r, 2500));
    expect(await left()).toBe(5);
    await setFaults('consumer', {});
    const end = Date.now() + 10_000;
    while ((await left()) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(await left()).toBe(0);
  });

  it('squall\'s chaos timeline turns a fault on at its time and off at the end of its window', async () => {
    await create('timed', { KEEP: 'me' });
    const journal = new Journal(path.join(mkdtempSync(path.join(os.tmpdir(), 'squall-faults-')), 'chaos-journal.ndjson'));
    const clock = new ManualClock();
    const faults: ResolvedFault[] = [{ id: 0, atMs: 1000, forMs: 1000, ...errors('timed', { errorType: 'Windowed' }) } as ResolvedFault];
    const tl = new ChaosTimeline({ faults, clients, journal, clock, runId: 'emu-faults' });
    const invoke = async () => {
      const r = await lambda.send(new InvokeCommand({ FunctionName: 'timed', Payload: Buffer.from('{}') }));
      return r.FunctionError ? (JSON.parse(text(r.Payload)) as { errorType: string }).errorType : 'ok';
    };
    tl.start();
    expect(await invoke()).toBe('ok');
    clock.advance(1000);
    await tl.settled();
    expect(await invoke()).toBe('Windowed');
    clock.advance(1000);
    await tl.settled();
    expect(await invoke()).toBe('ok');
    expect(await tl.finish()).toEqual({ restored: 0, failed: [] });
    journal.close();
  });
});
