/**
 * Hostile input: thousands of random and mutated SQS requests (JSON 1.0 and Query; flipped
 * bytes, truncated bodies, wrong types, nulls, huge values, odd headers and paths) against one
 * emulator. Every request must get an AWS-style answer — never a 5xx, never a dropped connection —
 * and afterwards the server must still answer correctly and a sentinel queue the fuzz never names
 * must hold exactly the messages it had, with its model counts consistent.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';

const REQUESTS = 2000;
const CONCURRENCY = 16;

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

/** mulberry32: a seeded PRNG so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPS = [
  'CreateQueue',
  'GetQueueUrl',
  'ListQueues',
  'DeleteQueue',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'PurgeQueue',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
  'ListDeadLetterSourceQueues',
  'StartMessageMoveTask',
  'ListMessageMoveTasks',
  'CancelMessageMoveTask',
  'AddPermission',
  'RemovePermission',
  'NotAnOperation',
];

describe('fuzz', () => {
  it(`answers ${REQUESTS} hostile requests without a crash and without touching other state`, async () => {
    const sentinel = (await sqs.send(new CreateQueueCommand({ QueueName: 'sentinel', Attributes: { VisibilityTimeout: '600' } }))).QueueUrl!;
    const bodies = Array.from({ length: 10 }, (_, i) => `sentinel message ${i} ✓`);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: sentinel, Entries: bodies.map((b, i) => ({ Id: `s${i}`, MessageBody: b })) }));

    // Three queues live through the fuzz (DeleteQueue only ever names a fourth), so most requests reach the model.
    for (const n of [0, 1, 2]) await sqs.send(new CreateQueueCommand({ QueueName: `fuzz-${n}` }));
    const rnd = prng(20261127);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const fuzzQueue = () => `${emu.endpoint}/000000000000/fuzz-${Math.floor(rnd() * 3)}`;
    const weird = (): unknown =>
      pick<() => unknown>([
        () => null,
        () => -1,
        () => 2 ** 40,
        () => 1.5,
        () => 'x'.repeat(Math.floor(rnd() * 2000)),
        () => ({ nested: [1, { a: null }] }),
        () => [1, 'two', null],
        () => true,
        () => '\u0000\uFFFF\uD800',
        () => '',
        () => '{"a":',
      ])();
    const validInput = (op: string): Record<string, unknown> => {
      const handle = `AQEB${Buffer.from(`${Math.floor(rnd() * 9)}:${Math.floor(rnd() * 9)}:1`).toString('base64url')}`;
      switch (op) {
        case 'CreateQueue':
          return { QueueName: `fuzz-${Math.floor(rnd() * 4)}`, Attributes: { VisibilityTimeout: String(Math.floor(rnd() * 3)), DelaySeconds: '0' } };
        case 'GetQueueUrl':
          return { QueueName: `fuzz-${Math.floor(rnd() * 4)}` };
        case 'SendMessage':
          return { QueueUrl: fuzzQueue(), MessageBody: `m${rnd()}`, MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } } };
        case 'SendMessageBatch':
          return { QueueUrl: fuzzQueue(), Entries: [{ Id: 'a', MessageBody: 'x' }, { Id: 'b', MessageBody: 'y', DelaySeconds: 1 }] };
        case 'ReceiveMessage':
          return { QueueUrl: fuzzQueue(), MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageAttributeNames: ['All'] };
        case 'DeleteMessage':
          return { QueueUrl: fuzzQueue(), ReceiptHandle: handle };
        case 'DeleteMessageBatch':
          return { QueueUrl: fuzzQueue(), Entries: [{ Id: 'a', ReceiptHandle: handle }] };
        case 'ChangeMessageVisibility':
          return { QueueUrl: fuzzQueue(), ReceiptHandle: handle, VisibilityTimeout: 0 };
        case 'ChangeMessageVisibilityBatch':
          return { QueueUrl: fuzzQueue(), Entries: [{ Id: 'a', ReceiptHandle: handle, VisibilityTimeout: 1 }] };
        case 'SetQueueAttributes':
          return { QueueUrl: fuzzQueue(), Attributes: { VisibilityTimeout: String(Math.floor(rnd() * 5)), RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:fuzz-0","maxReceiveCount":1}' } };
        case 'TagQueue':
          return { QueueUrl: fuzzQueue(), Tags: { k: 'v' } };
        case 'UntagQueue':
          return { QueueUrl: fuzzQueue(), TagKeys: ['k'] };
        case 'StartMessageMoveTask':
        case 'ListMessageMoveTasks':
          return { SourceArn: 'arn:aws:sqs:us-east-1:000000000000:fuzz-0', MaxResults: 10 };
        case 'CancelMessageMoveTask':
          return { TaskHandle: Buffer.from('{"taskId":"1","sourceArn":"arn:aws:sqs:us-east-1:000000000000:fuzz-0"}').toString('base64') };
        case 'AddPermission':
          return { QueueUrl: fuzzQueue(), Label: 'l', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] };
        case 'RemovePermission':
          return { QueueUrl: fuzzQueue(), Label: 'l' };
        case 'ListQueues':
          return { QueueNamePrefix: 'fuzz', MaxResults: 2 };
        case 'DeleteQueue':
          return { QueueUrl: `${emu.endpoint}/000000000000/fuzz-3` };
        default:
          return { QueueUrl: fuzzQueue() };
      }
    };
    const mutate = (input: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = { ...input };
      const keys = Object.keys(out);
      const n = Math.floor(rnd() * 3);
      for (let i = 0; i < n; i++) {
        const r = rnd();
        const k = pick(keys.length ? keys : ['X']);
        if (r < 0.4) out[k] = weird();
        else if (r < 0.6) delete out[k];
        else if (r < 0.8) out[`Extra${i}`] = weird();
        else if (Array.isArray(out[k])) out[k] = [...(out[k] as unknown[]), weird()];
      }
      return out;
    };
    const flipBytes = (s: string): string => {
      const b = Buffer.from(s);
      const n = 1 + Math.floor(rnd() * 4);
      for (let i = 0; i < n && b.length; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      return b.toString('latin1');
    };
    const toForm = (op: string, input: Record<string, unknown>): string => {
      const p = new URLSearchParams({ Action: op });
      for (const [k, v] of Object.entries(input)) {
        if (typeof v === 'object' && v !== null) {
          p.set(`${k}.1.Name`, String(Object.keys(v)[0] ?? ''));
          p.set(`${k}.1.Value`, JSON.stringify(v));
        }
        else p.set(k, String(v));
      }
      return p.toString();
    };

    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const op = pick(OPS);
        const style = rnd();
        let init: RequestInit & { headers: Record<string, string> };
        let path = '/';
        const input = rnd() < 0.3 ? validInput(op) : mutate(validInput(op));
        if (op === 'ReceiveMessage' && typeof input === 'object') input['WaitTimeSeconds'] = 0;
        if (style < 0.55) {
          let body = JSON.stringify(input);
          if (rnd() < 0.25) body = flipBytes(body);
          if (rnd() < 0.1) body = body.slice(0, Math.floor(rnd() * body.length));
          init = { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` }, body };
          if (rnd() < 0.1) path = `/000000000000/fuzz-${Math.floor(rnd() * 4)}`;
        } else if (style < 0.85) {
          let body = toForm(op, input);
          if (rnd() < 0.2) body = flipBytes(body);
          init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
        } else if (style < 0.95) {
          init = { method: 'GET', headers: {} };
          path = `/?${toForm(op, input)}`;
        } else {
          init = { method: pick(['PUT', 'DELETE', 'PATCH', 'POST']), headers: { 'content-type': pick(['text/plain', 'application/json', '']) }, body: flipBytes('{"QueueUrl":"x"}') };
          path = pick(['/', '/000000000000/fuzz-1', '/../../etc/passwd', '/%zz', '/2015-03-31/functions']);
        }
        if (process.env['FUZZ_LOG']) (await import('node:fs')).appendFileSync(process.env['FUZZ_LOG'], `#${i} ${init.method} ${path} ${op} ${String(init.body ?? '').slice(0, 300)}\n`);
        try {
          const res = await fetch(`${emu.endpoint}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500 || ![200, 400, 403, 404, 413].includes(res.status)) failures.push(`#${i} ${init.method} ${path} ${op}: ${res.status}`);
          if (res.status === 400 && !res.headers.get('x-amzn-requestid')) failures.push(`#${i}: 400 without request id`);
        } catch (e) {
          failures.push(`#${i} ${init.method} ${path} ${op}: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(300);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(400);

    // Model invariants on every queue the fuzz created: counts match the messages held.
    for (const q of emu.sqs.listQueues()) {
      emu.sqs.tick(q);
      expect(q.visibleCount + q.inFlightCount + q.delayedCount).toBe(q.live.size);
      expect(Math.min(q.visibleCount, q.inFlightCount, q.delayedCount)).toBeGreaterThanOrEqual(0);
    }

    // The sentinel is intact: all ten messages, bodies and digests right.
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: sentinel, AttributeNames: ['ApproximateNumberOfMessages', 'VisibilityTimeout'] }));
    expect(attrs.Attributes).toEqual({ ApproximateNumberOfMessages: '10', VisibilityTimeout: '600' });
    const got: string[] = [];
    for (let i = 0; i < 5 && got.length < 10; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sentinel, MaxNumberOfMessages: 10 }));
      for (const m of r.Messages ?? []) {
        expect(m.MD5OfBody).toBe(createHash('md5').update(m.Body!).digest('hex'));
        got.push(m.Body!);
      }
    }
    expect(got.sort()).toEqual([...bodies].sort());
  });

  it('answers Query requests with tens of thousands of numbered parameters at once (no quadratic decoding)', async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'wide' }));
    // Built as a string: URLSearchParams.set is linear per call and would itself be quadratic here.
    const many = (action: string, prefix: string, n: number, fields: Record<string, string>) => {
      const parts = [`Action=${action}`, `QueueUrl=${encodeURIComponent(`${emu.endpoint}/000000000000/wide`)}`];
      for (let i = 1; i <= n; i++) for (const [f, v] of Object.entries(fields)) parts.push(`${prefix}.${i}.${f}=${v}`);
      return parts.join('&');
    };
    const post = (body: string) => fetch(`${emu.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const batch = many('SendMessageBatch', 'SendMessageBatchRequestEntry', 20_000, { Id: 'x', MessageBody: 'y', 'MessageAttribute.1.Name': 'a' });
    const attrs = many('SetQueueAttributes', 'Attribute', 40_000, { Name: 'VisibilityTimeout', Value: '1' });
    expect(batch.length).toBeLessThan(emu.services.get('sqs')!.maxBodyBytes);
    expect(attrs.length).toBeLessThan(emu.services.get('sqs')!.maxBodyBytes);
    const t0 = performance.now();
    const r1 = await post(batch);
    expect(r1.status).toBe(400);
    expect(await r1.text()).toContain('<Code>AWS.SimpleQueueService.TooManyEntriesInBatchRequest</Code>');
    const r2 = await post(attrs);
    expect(r2.status).toBe(400);
    expect(await r2.text()).toContain('<Code>InvalidParameterValue</Code>');
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
