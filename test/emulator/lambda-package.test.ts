/**
 * Running what users deploy: a Node.js function zipped with its own node_modules and a layer,
 * created and updated through the real AWS SDK v3 (and the AWS CLI when it is installed), invoked
 * sync and async, published behind an alias with a 10 % canary, and consumed from SQS — with
 * Lambda's handler resolution, context object, error shapes and START/END/REPORT log lines.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishLayerVersionCommand,
  PublishVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import { zip } from '../helpers/zip.ts';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const text = (p: Uint8Array | undefined) => Buffer.from(p ?? new Uint8Array()).toString('utf8');
const tail = (r: { LogResult?: string }) => Buffer.from(r.LogResult ?? '', 'base64').toString('utf8');

let emu: SquallEmulator;
let lambda: LambdaClient;
let sqs: SQSClient;
let layerArn = '';

/** The package as users build it: ESM handler, a CommonJS dependency in node_modules. */
const appZip = (greeting: string) =>
  zip({
    'package.json': JSON.stringify({ name: 'orders', type: 'module' }),
    'index.mjs': `import pad from 'left-pad-lite';
import { shout } from 'shared-layer-lib';
const started = Date.now();
export const handler = async (event, context) => {
  if (event.throw) throw new TypeError('bad order ' + event.throw);
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  console.log('order', event.id);
  return {
    greeting: ${JSON.stringify(greeting)},
    padded: pad(String(event.id ?? 0), 5),
    shouted: shout('hi'),
    stage: process.env.STAGE,
    taskRoot: process.env.LAMBDA_TASK_ROOT ? 'set' : 'unset',
    context: {
      functionName: context.functionName,
      awsRequestId: context.awsRequestId,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      functionVersion: context.functionVersion,
      remaining: context.getRemainingTimeInMillis(),
      waits: context.callbackWaitsForEmptyEventLoop,
    },
    records: Array.isArray(event.Records) ? event.Records.length : 0,
  };
};
`,
    'node_modules/left-pad-lite/package.json': JSON.stringify({ name: 'left-pad-lite', main: 'index.js' }),
    'node_modules/left-pad-lite/index.js': "module.exports = (s, n) => s.padStart(n, '0');",
  });

const layerZip = () =>
  zip({
    'nodejs/node_modules/shared-layer-lib/package.json': JSON.stringify({ name: 'shared-layer-lib', main: 'index.js' }),
    'nodejs/node_modules/shared-layer-lib/index.js': "exports.shout = (s) => s.toUpperCase() + '!';",
  });

beforeAll(async () => {
  emu = await startLambdaEmulator({ seed: 21 });
  const endpoint = emu.emulator.endpoint;
  lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'shared', Content: { ZipFile: layerZip() }, CompatibleRuntimes: ['nodejs20.x'] }));
  expect(layer).toMatchObject({ Version: 1, LayerVersionArn: 'arn:aws:lambda:us-east-1:000000000000:layer:shared:1' });
  layerArn = layer.LayerVersionArn!;
});
afterAll(async () => {
  lambda.destroy();
  sqs.destroy();
  await emu.close();
});

async function create(name: string, files: Buffer, over: Partial<ConstructorParameters<typeof CreateFunctionCommand>[0]> = {}) {
  return lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: files }, ...over }));
}

describe('a zipped Node.js function with node_modules and a layer', () => {
  it('is created, and runs with its dependency, the layer, its environment and Lambda’s context; REPORT as AWS writes it', async () => {
    const made = await create('orders', appZip('v1'), { Layers: [layerArn], Environment: { Variables: { STAGE: 'test' } }, MemorySize: 256, Timeout: 5 });
    expect(made).toMatchObject({ Runtime: 'nodejs20.x', Handler: 'index.handler', Layers: [{ Arn: layerArn }] });
    expect(made.CodeSize).toBeGreaterThan(100);
    const cold = await lambda.send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.from('{"id":42}'), LogType: 'Tail' }));
    expect(cold.FunctionError).toBeUndefined();
    const out = JSON.parse(text(cold.Payload));
    expect(out).toMatchObject({ greeting: 'v1', padded: '00042', shouted: 'HI!', stage: 'test', taskRoot: 'set' });
    expect(out.context).toMatchObject({
      functionName: 'orders',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:orders',
      memoryLimitInMB: '256',
      functionVersion: '$LATEST',
      waits: true,
    });
    expect(out.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.context.remaining).toBeGreaterThan(3000);
    expect(out.context.remaining).toBeLessThanOrEqual(5000);
    const log = tail(cold);
    expect(log).toMatch(
      /^START RequestId: ([0-9a-f-]{36}) Version: \$LATEST\norder 42\nEND RequestId: \1\nREPORT RequestId: \1\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$/,
    );
    const [, dur, billed, init] = /Duration: ([\d.]+) ms\tBilled Duration: (\d+) ms.*Init Duration: ([\d.]+) ms/.exec(log)!;
    expect(Number(billed)).toBe(Math.max(1, Math.ceil(Number(dur) + Number(init))));
    const warm = await lambda.send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.from('{"id":1}'), LogType: 'Tail' }));
    expect(tail(warm)).not.toContain('Init Duration');
  });

  it('answers Lambda’s error shapes: a throw, a timeout, a missing module, a missing export, a failing init', async () => {
    const thrown = await lambda.send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.from('{"throw":"x"}') }));
    expect(thrown.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(thrown.Payload))).toMatchObject({ errorType: 'TypeError', errorMessage: 'bad order x', trace: expect.arrayContaining([expect.stringContaining('/var/task/index.mjs')]) });

    await create('slow', appZip('s'), { Layers: [layerArn], Timeout: 1 });
    const slow = await lambda.send(new InvokeCommand({ FunctionName: 'slow', Payload: Buffer.from('{"sleepMs":3000}') }));
    expect(JSON.parse(text(slow.Payload))).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/) });

    await create('no-module', appZip('x'), { Layers: [layerArn], Handler: 'app.handler' });
    const noModule = await lambda.send(new InvokeCommand({ FunctionName: 'no-module' }));
    expect(noModule.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(noModule.Payload))).toMatchObject({ errorType: 'Runtime.ImportModuleError', errorMessage: "Error: Cannot find module 'app'\nRequire stack:\n- /var/runtime/index.mjs" });

    await create('no-export', appZip('x'), { Layers: [layerArn], Handler: 'index.main' });
    expect(JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'no-export' }))).Payload))).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'index.main is undefined or not exported',
    });

    // Without the layer, the import of its package fails at INIT.
    await create('no-layer', appZip('x'));
    const noLayer = JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'no-layer' }))).Payload));
    expect(noLayer.errorType).toBe('Runtime.ImportModuleError');
    expect(noLayer.errorMessage).toContain("Cannot find package 'shared-layer-lib' imported from /var/task/index.mjs");

    await create('init-throws', zip({ 'index.js': "throw new Error('no config');\nexports.handler = async () => 1;" }));
    expect(JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'init-throws' }))).Payload))).toMatchObject({ errorType: 'Error', errorMessage: 'no config' });
  });

  it('resolves Handler as Lambda does: nested paths, CommonJS .js, .cjs, "type": "module" .js, callback handlers', async () => {
    await create(
      'shapes',
      zip({
        'src/handlers/cjs.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { kind: "callback", n: event.n }), 5); };',
        'src/legacy.cjs': 'module.exports.run = async () => ({ kind: "cjs" });',
        'esm/package.json': '{"type":"module"}',
        'esm/app.js': 'export const go = async () => ({ kind: "esm-js" }); export const nested = { fn: async () => ({ kind: "nested" }) };',
      }),
      { Handler: 'src/handlers/cjs.handler' },
    );
    const call = async (handler: string, payload = '{"n":3}') => {
      const { LastUpdateStatus } = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'shapes' }));
      if (LastUpdateStatus !== 'Successful') await new Promise((r) => setTimeout(r, 20));
      const { UpdateFunctionConfigurationCommand } = await import('@aws-sdk/client-lambda');
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'shapes', Handler: handler }));
      await new Promise((r) => setTimeout(r, 10));
      return JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'shapes', Payload: Buffer.from(payload) }))).Payload));
    };
    expect(JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'shapes', Payload: Buffer.from('{"n":3}') }))).Payload))).toEqual({ kind: 'callback', n: 3 });
    expect(await call('src/legacy.run')).toEqual({ kind: 'cjs' });
    expect(await call('esm/app.go')).toEqual({ kind: 'esm-js' });
    expect(await call('esm/app.nested.fn')).toEqual({ kind: 'nested' });
    expect(await call('index')).toMatchObject({ errorType: 'Runtime.MalformedHandlerName', errorMessage: 'Bad handler' });
  });

  it('refuses other runtimes, S3 code and unreadable zips with InvalidParameterValueException', async () => {
    await expect(create('py', appZip('x'), { Runtime: 'python3.12' })).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: expect.stringContaining('nodejs18.x, nodejs20.x, nodejs22.x'),
    });
    await expect(create('bad-zip', Buffer.from('not a zip at all, honestly'))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
      message: 'Could not unzip uploaded file. Please check your file, then try to upload again.',
    });
    await expect(lambda.send(new CreateFunctionCommand({ FunctionName: 's3', Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { S3Bucket: 'b', S3Key: 'k' } }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('is invoked asynchronously (the success record reaches the SQS destination)', async () => {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-done' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'orders', DestinationConfig: { OnSuccess: { Destination: arn } } }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'orders', InvocationType: 'Event', Payload: Buffer.from('{"id":7}') }));
    expect(r.StatusCode).toBe(202);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 5 }));
    const record = JSON.parse(got.Messages![0]!.Body!);
    expect(record.requestContext.condition).toBe('Success');
    expect(record.responsePayload).toMatchObject({ padded: '00007', shouted: 'HI!' });
  });

  it('a failed async event goes to the legacy DeadLetterConfig queue: the event itself, with RequestID, ErrorCode and ErrorMessage', async () => {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const made = await create('dlq-fn', appZip('d'), { Layers: [layerArn], DeadLetterConfig: { TargetArn: arn } });
    expect(made.DeadLetterConfig).toEqual({ TargetArn: arn });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'dlq-fn', MaximumRetryAttempts: 0 }));
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'dlq-fn', InvocationType: 'Event', Payload: Buffer.from('{"throw":"late"}') }));
    expect(r.StatusCode).toBe(202);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.QueueUrl, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] }));
    const m = got.Messages![0]!;
    expect(JSON.parse(m.Body!)).toEqual({ throw: 'late' });
    expect(m.MessageAttributes).toMatchObject({
      RequestID: { DataType: 'String', StringValue: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'bad order late' },
    });
  });

  it('new code through UpdateFunctionCode; versions behind an alias with a 10 % canary split the invokes', async () => {
    await lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    const upd = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'orders', ZipFile: appZip('v2') }));
    expect(upd.LastUpdateStatus).toBe('InProgress');
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(text((await lambda.send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.from('{}') }))).Payload)).greeting).toBe('v2');
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'orders' }));
    expect(v2.Version).toBe('2');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'orders', Name: 'prod', FunctionVersion: '1' }));
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'orders', Name: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    const seen: Record<string, number> = {};
    const n = 400;
    for (let i = 0; i < n; i += 4) {
      const batch = await Promise.all(Array.from({ length: 4 }, () => lambda.send(new InvokeCommand({ FunctionName: 'orders:prod', Payload: Buffer.from('{}') }))));
      for (const b of batch) {
        const out = JSON.parse(text(b.Payload));
        // The code that ran and the version Lambda reports agree.
        expect(out.greeting).toBe(b.ExecutedVersion === '2' ? 'v2' : 'v1');
        expect(out.context.functionVersion).toBe(b.ExecutedVersion);
        expect(out.context.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:orders:prod');
        seen[b.ExecutedVersion!] = (seen[b.ExecutedVersion!] ?? 0) + 1;
      }
    }
    // Mean 40, σ = √(400·0.1·0.9) = 6: ±4σ.
    expect(seen['2']).toBeGreaterThanOrEqual(16);
    expect(seen['2']).toBeLessThanOrEqual(64);
  });

  it('is consumed from SQS through an event source mapping', async () => {
    const q = await sqs.send(new CreateQueueCommand({ QueueName: 'orders-in', Attributes: { VisibilityTimeout: '30' } }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'orders:prod', EventSourceArn: arn, BatchSize: 10 }));
    for (let i = 0; i < 3; i++) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.QueueUrl, Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `m${k}`, MessageBody: JSON.stringify({ id: i * 10 + k }) })) }));
    }
    const end = Date.now() + 10_000;
    let left = -1;
    while (Date.now() < end) {
      const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      left = Number(a.Attributes!.ApproximateNumberOfMessages) + Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible);
      if (left === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(left).toBe(0);
    const state = (await (await fetch(`${emu.emulator.endpoint}/_squall/metrics`)).json()) as { series: { name: string; labels: Record<string, string>; values: number[] }[] };
    const batches = state.series.filter((s) => s.name === 'esm.batches' && s.labels.function === 'orders').reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0);
    expect(batches).toBeGreaterThanOrEqual(3);
  });
});

const aws = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).status === 0;
if (!aws) console.log('lambda-package: AWS CLI not on PATH; skipping the create-function-with-the-CLI test (install awscli to run it)');

describe.skipIf(!aws)('the AWS CLI', () => {
  it('creates the same package with `aws lambda create-function --zip-file fileb://…` and invokes it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'squall-cli-'));
    try {
      fs.writeFileSync(path.join(dir, 'function.zip'), appZip('cli'));
      const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
      const base = ['--endpoint-url', emu.emulator.endpoint, '--output', 'json'];
      // Asynchronous: the emulator answers from this very process.
      const run = (args: string[]) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const p = spawn('aws', [...args, ...base], { env, timeout: 60_000 });
          let stdout = '';
          let stderr = '';
          p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          p.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      const made = await run(['lambda', 'create-function', '--function-name', 'cli-orders', '--runtime', 'nodejs20.x', '--handler', 'index.handler', '--role', ROLE, '--zip-file', `fileb://${path.join(dir, 'function.zip')}`, '--layers', layerArn]);
      expect(made.status, made.stderr).toBe(0);
      expect(JSON.parse(made.stdout)).toMatchObject({ FunctionName: 'cli-orders', Runtime: 'nodejs20.x' });
      const out = path.join(dir, 'out.json');
      // CLI v1 sends --payload as is; v2 expects base64 unless told the payload is raw.
      const v2 = /^aws-cli\/2/.test(spawnSync('aws', ['--version'], { encoding: 'utf8' }).stdout);
      const inv = await run(['lambda', 'invoke', '--function-name', 'cli-orders', '--payload', '{"id":5}', ...(v2 ? ['--cli-binary-format', 'raw-in-base64-out'] : []), out]);
      expect(inv.status, inv.stderr).toBe(0);
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ greeting: 'cli', padded: '00005', shouted: 'HI!' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a deployment package in an experiment', () => {
  it('is built from `package: {zip, handler, layers}` and consumes its queue through the event source', async () => {
    const { loadExperiment } = await import('../../harness/experiment/load.ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'squall-pkg-exp-'));
    try {
      fs.writeFileSync(path.join(dir, 'function.zip'), appZip('from-experiment'));
      fs.writeFileSync(path.join(dir, 'layer.zip'), layerZip());
      fs.writeFileSync(
        path.join(dir, 'exp.yaml'),
        `name: package-exp
system:
  functions:
    orders:
      package: { zip: function.zip, handler: index.handler, runtime: nodejs20.x, layers: [layer.zip] }
      timeoutSeconds: 3
  queues:
    orders-in:
      visibilityTimeoutSeconds: 18
  eventSources:
    - queue: orders-in
      function: orders
      batchSize: 10
load:
  scenarios:
    producer:
      template: sqs-producer
      queue: orders-in
      batchSize: 10
      body: '{"id":{{seq}}}'
      executor: constant-arrival-rate
      rate: 1
      timeUnit: 1s
      duration: 1s
      preAllocatedVUs: 1
`,
      );
      const exp = await loadExperiment(path.join(dir, 'exp.yaml'));
      expect(exp.system.functions.orders!.package).toEqual({ zip: path.join(dir, 'function.zip'), handler: 'index.handler', runtime: 'nodejs20.x', layers: [path.join(dir, 'layer.zip')] });
      const run = await startLambdaEmulator({ experiment: exp });
      const client = new SQSClient({ endpoint: run.emulator.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      const fnClient = new LambdaClient({ endpoint: run.emulator.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      try {
        const direct = JSON.parse(text((await fnClient.send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.from('{"id":9}') }))).Payload));
        expect(direct).toMatchObject({ greeting: 'from-experiment', padded: '00009', shouted: 'HI!' });
        const url = `${run.emulator.endpoint}/000000000000/orders-in`;
        for (let i = 0; i < 5; i++) {
          await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `e${k}`, MessageBody: JSON.stringify({ id: i * 10 + k }) })) }));
        }
        const end = Date.now() + 10_000;
        let left = -1;
        while (Date.now() < end) {
          const a = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
          left = Number(a.Attributes!.ApproximateNumberOfMessages) + Number(a.Attributes!.ApproximateNumberOfMessagesNotVisible);
          if (left === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(left).toBe(0);
        const snap = (await (await fetch(`${run.emulator.endpoint}/_squall/metrics`)).json()) as { series: { name: string; labels: Record<string, string>; values: number[] }[] };
        const sum = (name: string) => snap.series.filter((s) => s.name === name && s.labels.function === 'orders').reduce((a, s) => a + s.values.reduce((x, y) => x + (y ?? 0), 0), 0);
        expect(sum('lambda.errors')).toBe(0);
        expect(sum('lambda.invocations')).toBeGreaterThanOrEqual(6);
      } finally {
        client.destroy();
        fnClient.destroy();
        await run.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
