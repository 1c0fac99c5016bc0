/**
 * Generated scripts executed in Node through the k6 shims (test/k6-scripts/k6-shim.ts): the
 * inlined library and the scenario code really send what they should. http → a node:http server
 * on 127.0.0.1; sqs-producer → moto_server's SQS; lambda-invoke → a capturing server; setup()
 * refuses to start without the environment it needs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderScript } from '../../harness/generate/render.ts';
import { importK6Script, metricSum, resetShim, setK6Globals, shim } from '../k6-scripts/k6-shim.ts';
import { executors, experiment, httpTemplate, lambdaTemplate, scenario, sqsTemplate } from './builders.ts';

interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const hits: Hit[] = [];
let server: http.Server;
let base = '';
let status = 200;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  hits.length = 0;
  status = 200;
  resetShim();
});

describe('generated http scenario', () => {
  const exp = experiment([scenario('api', httpTemplate, executors['constant-vus'], { thinkTimeMs: 20 })]);

  it('POSTs the rendered body to the function URL from __ENV, checks, and thinks', async () => {
    const { script, view } = renderScript(exp);
    const mod = await importK6Script(script);
    setK6Globals({ SQUALL_URL_ORDERS_API: `${base}/` }, 3, 0);
    await mod.setup();
    const exec = view.scenarios[0]!.exec;
    for (let i = 0; i < 4; i++) {
      setK6Globals({ SQUALL_URL_ORDERS_API: `${base}/` }, 3, i);
      await mod[exec]();
    }
    expect(hits).toHaveLength(4);
    expect(hits.every((h) => h.method === 'POST' && h.url === '/orders' && h.headers['content-type'] === 'application/json')).toBe(true);
    const bodies = hits.map((h) => JSON.parse(h.body));
    expect(bodies.map((b) => b.vu)).toEqual([3, 3, 3, 3]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(4);
    expect(shim.checks.filter((c) => c.name === 'status is 2xx').every((c) => c.ok)).toBe(true);
    expect(shim.checks.filter((c) => c.name === 'ok body').every((c) => c.ok)).toBe(true);
    expect(shim.sleeps).toEqual([0.02, 0.02, 0.02, 0.02]);
    expect(shim.requests[0]!.params.tags).toEqual({});
  });

  it('retries a 429 up to retryOn429 attempts and records squall_throttled', async () => {
    status = 429;
    const { script, view } = renderScript(exp);
    const mod = await importK6Script(script);
    setK6Globals({ SQUALL_URL_ORDERS_API: base });
    await mod[view.scenarios[0]!.exec]();
    expect(hits).toHaveLength(3); // retryOn429: 3 attempts including the first
    expect(metricSum('squall_throttled')).toBe(3);
    expect(shim.checks.find((c) => c.name === 'status is 2xx')!.ok).toBe(false);
  });

  it('setup() signals the load start to SQUALL_START_URL when squall run sets it', async () => {
    const mod = await importK6Script(renderScript(exp).script);
    setK6Globals({ SQUALL_URL_ORDERS_API: base });
    await mod.setup();
    expect(hits).toHaveLength(0);
    setK6Globals({ SQUALL_URL_ORDERS_API: base, SQUALL_START_URL: `${base}/_start` });
    await mod.setup();
    expect(hits.map((h) => `${h.method} ${h.url}`)).toEqual(['POST /_start']);
  });

  it('setup() refuses to start without the function URL, naming the variable', async () => {
    const mod = await importK6Script(renderScript(exp).script);
    setK6Globals({});
    await expect((async () => mod.setup())()).rejects.toThrow(/missing environment: SQUALL_URL_ORDERS_API \(function URL of orders-api\)/);
  });
});

describe('generated lambda-invoke scenario', () => {
  it('invokes through the Lambda REST path with the invocation type, signed for lambda', async () => {
    status = 202;
    const exp = experiment([scenario('inv', lambdaTemplate, executors['constant-arrival-rate'])]);
    const { script, view } = renderScript(exp);
    const mod = await importK6Script(script);
    setK6Globals({ SQUALL_ENDPOINT: base }, 2, 5);
    await mod.setup();
    await mod[view.scenarios[0]!.exec]();
    expect(hits).toHaveLength(1);
    expect(hits[0]!.url).toBe('/2015-03-31/functions/worker/invocations');
    expect(hits[0]!.headers['x-amz-invocation-type']).toBe('Event');
    expect(hits[0]!.headers['authorization']).toMatch(/Credential=test\/\d{8}\/us-east-1\/lambda\/aws4_request/);
    expect(JSON.parse(hits[0]!.body).iter).toBe(5);
    expect(shim.requests[0]!.params.tags).toEqual({ function: 'worker', aws_operation: 'Invoke' });
    expect(shim.checks.every((c) => c.ok)).toBe(true);
  });

  it('SQUALL_QUALIFIER_<F> invokes a version or alias (provisioned concurrency lives on an alias)', async () => {
    status = 202;
    const exp = experiment([scenario('inv', lambdaTemplate, executors['constant-vus'])]);
    const { script, view } = renderScript(exp);
    const mod = await importK6Script(script);
    setK6Globals({ SQUALL_ENDPOINT: base, SQUALL_QUALIFIER_WORKER: 'live' });
    await mod[view.scenarios[0]!.exec]();
    expect(hits[0]!.url).toBe('/2015-03-31/functions/worker/invocations?Qualifier=live');
  });

  it('an emulated experiment without SQUALL_ENDPOINT refuses rather than calling real AWS', async () => {
    const exp = experiment([scenario('inv', lambdaTemplate, executors['constant-vus'])]);
    const mod = await importK6Script(renderScript(exp).script);
    setK6Globals({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    await expect((async () => mod.setup())()).rejects.toThrow(/targets squall's emulator: set SQUALL_ENDPOINT/);
  });
});

describe('generated sqs-producer scenario against moto_server', () => {
  let moto: ChildProcess | null = null;
  let endpoint = '';
  let client: SQSClient;

  beforeAll(async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    endpoint = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await fetch(`${endpoint}/moto-api/`);
        break;
      } catch {
        if (Date.now() > deadline) throw new Error('moto_server did not start within 15 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  }, 20_000);
  afterAll(() => {
    client?.destroy();
    moto?.kill('SIGTERM');
  });

  it('each iteration sends batchSize messages; every tenth is poison marked with SQUALL_RUN_ID', async () => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'orders' }));
    const exp = experiment([scenario('producer', sqsTemplate, executors['constant-arrival-rate'])]);
    const { script, view } = renderScript(exp);
    const mod = await importK6Script(script);
    const env = { SQUALL_ENDPOINT: endpoint, SQUALL_QUEUE_URL_ORDERS: QueueUrl!, SQUALL_RUN_ID: 'run-77' };
    setK6Globals(env, 1, 0);
    await mod.setup();
    for (let i = 0; i < 3; i++) {
      setK6Globals(env, 1, i);
      await mod[view.scenarios[0]!.exec]();
    }
    expect(metricSum('squall_messages_sent')).toBe(30);
    expect(metricSum('squall_poison_sent')).toBe(3);
    expect(shim.requests.every((r) => JSON.stringify(r.params.tags) === '{"queue":"orders","aws_operation":"SendMessageBatch"}')).toBe(true);
    const got: Array<{ Body?: string; MessageAttributes?: Record<string, { StringValue?: string }> }> = [];
    for (let i = 0; i < 20 && got.length < 30; i++) {
      const r = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }));
      got.push(...(r.Messages ?? []));
    }
    expect(got).toHaveLength(30);
    const poison = got.filter((m) => m.MessageAttributes?.['squall-poison']?.StringValue === 'run-77');
    expect(poison).toHaveLength(3);
    const normal = got.filter((m) => !m.MessageAttributes?.['squall-poison']).map((m) => JSON.parse(m.Body!));
    expect(normal.every((b) => typeof b.order === 'number' && typeof b.at === 'number')).toBe(true);
  });
});
