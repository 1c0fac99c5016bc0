/**
 * The HTTP frame: private routes, dispatch to an explicit service list, unknown requests, the
 * body size cap, garbage on the socket, keep-alive, and long polls that stop when the client
 * goes away.
 */
import net from 'node:net';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';
import type { EmulatorService } from '../../harness/emulator/http.ts';
import { sqsService } from '../../harness/emulator/sqs/service.ts';
import { isSeriesName } from '../../harness/contracts/series.ts';

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

function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (out += d));
    s.on('end', () => resolve(out));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    setTimeout(() => s.destroy(), 3000);
  });
}

describe('private routes', () => {
  it('health, metrics (series file) and reset', async () => {
    const health = await fetch(`${emu.endpoint}/_squall/health`);
    expect(await health.json()).toEqual({ status: 'ok', services: ['sqs'] });

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'routes' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'a' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'b' }));
    const series = (await (await fetch(`${emu.endpoint}/_squall/metrics`)).json()) as {
      schema: string;
      stepMs: number;
      series: Array<{ name: string; labels: Record<string, string>; values: Array<number | null> }>;
    };
    expect(series.schema).toBe('squall.series/v1');
    expect(series.stepMs).toBe(1000);
    for (const s of series.series) expect(isSeriesName(s.name)).toBe(true);
    const sent = series.series.find((s) => s.name === 'sqs.sent' && s.labels['queue'] === 'routes')!;
    expect(sent.values.reduce((a: number, b) => a + (b ?? 0), 0)).toBe(2);
    const visible = series.series.find((s) => s.name === 'sqs.visible' && s.labels['queue'] === 'routes')!;
    expect(visible.values[visible.values.length - 1]).toBe(2);

    expect((await fetch(`${emu.endpoint}/_squall/reset`)).status).toBe(405);
    expect((await fetch(`${emu.endpoint}/_squall/reset`, { method: 'POST' })).status).toBe(200);
    expect(emu.sqs.getQueue('routes')).toBeUndefined();
    expect((await fetch(`${emu.endpoint}/_squall/nope`)).status).toBe(404);
  });
});

describe('dispatch and hostile requests', () => {
  it('answers requests no service matches with an AWS-style error', async () => {
    const r = await fetch(`${emu.endpoint}/some/path`, { method: 'PUT', body: 'x' });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await r.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('caps the body size with 413 and closes the connection', async () => {
    const big = Buffer.alloc(emu.services.get('sqs')!.maxBodyBytes + 1, 0x61);
    const r = await fetch(`${emu.endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSQS.ListQueues' }, body: big });
    expect(r.status).toBe(413);
    expect(r.headers.get('connection')).toBe('close');
    // Declared too large: answered without reading the body.
    const head = await rawHttp(emu.port, `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 999999999\r\nx-amz-target: AmazonSQS.ListQueues\r\n\r\nabc`);
    expect(head.startsWith('HTTP/1.1 413')).toBe(true);
    // Still serving.
    expect((await fetch(`${emu.endpoint}/_squall/health`)).status).toBe(200);
  });

  it('survives garbage on the socket', async () => {
    const out = await rawHttp(emu.port, 'GARBAGE \x00\x01\x02 NOT HTTP\r\n\r\n');
    expect(out.startsWith('HTTP/1.1 400')).toBe(true);
    const halfHeader = await rawHttp(emu.port, 'POST / HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n');
    expect(halfHeader.startsWith('HTTP/1.1 400')).toBe(true);
    expect((await fetch(`${emu.endpoint}/_squall/health`)).status).toBe(200);
  });

  it('keeps connections alive across requests', async () => {
    const out = await rawHttp(
      emu.port,
      'GET /_squall/health HTTP/1.1\r\nhost: x\r\n\r\nGET /_squall/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(out.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });

  it('stops a long poll when the client goes away, so no message is taken for nobody', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'gone-client' }));
    const ac = new AbortController();
    const p = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }), { abortSignal: ac.signal }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await p;
    await new Promise((r) => setTimeout(r, 100));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'for a live client' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(got.Messages?.[0]?.Body).toBe('for a live client');
  });
});

describe('explicit service list', () => {
  it('tries services in order and reports a service that throws as a 500 without dying', async () => {
    const boom: EmulatorService = {
      name: 'boom',
      maxBodyBytes: 1024,
      match: (req) => req.path.startsWith('/boom'),
      handle: () => {
        throw new Error('service bug');
      },
      authFailure: () => ({ status: 403, headers: {}, body: '' }),
    };
    const badHeader: EmulatorService = {
      name: 'bad-header',
      maxBodyBytes: 1024,
      match: (req) => req.path.startsWith('/bad-header'),
      handle: () => ({ status: 200, headers: { 'x-note': 'line\nbreak' }, body: 'x' }),
      authFailure: () => ({ status: 403, headers: {}, body: '' }),
    };
    const silenced = process.stderr.write.bind(process.stderr);
    const e2 = await startEmulator({ services: [() => boom, () => badHeader, sqsService] });
    try {
      process.stderr.write = (() => true) as typeof process.stderr.write;
      const r = await fetch(`${e2.endpoint}/boom`);
      const bad = await fetch(`${e2.endpoint}/bad-header`);
      process.stderr.write = silenced;
      expect(bad.status).toBe(500);
      expect(r.status).toBe(500);
      expect(((await r.json()) as { __type: string }).__type).toBe('InternalFailure');
      expect(await (await fetch(`${e2.endpoint}/_squall/health`)).json()).toEqual({ status: 'ok', services: ['boom', 'bad-header', 'sqs'] });
      const c = new SQSClient({ endpoint: e2.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      expect((await c.send(new CreateQueueCommand({ QueueName: 'after-boom' }))).QueueUrl).toBe(`${e2.endpoint}/000000000000/after-boom`);
      c.destroy();
    } finally {
      process.stderr.write = silenced;
      await e2.close();
    }
  });
});
