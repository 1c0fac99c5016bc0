/**
 * SigV4 verification: requests signed by the real AWS SDK v3 pass with the right secret and get
 * AWS's 403 errors with a wrong secret or an unknown key id, in both SQS protocols; presigned
 * query-string URLs verify too; and `verifySigV4` is usable on its own (Lambda reuses it).
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { CreateQueueCommand, ListQueuesCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import type { Emulator } from '../../harness/emulator/server.ts';
import { verifySigV4 } from '../../harness/emulator/sigv4.ts';
import type { EmuRequest } from '../../harness/emulator/http.ts';

function bytes(d: unknown): Uint8Array {
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  throw new TypeError('unsupported data');
}

/** node:crypto behind the SDK's Checksum interface (the SDK's own sha256 package is not a direct dependency). */
class Sha256 {
  private h: Hash | Hmac;
  private readonly secret: Uint8Array | undefined;
  constructor(secret?: unknown) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.h = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: unknown): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {
    this.h = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
}

const creds = { accessKeyId: 'AKIDSQUALLTEST', secretAccessKey: 'right-secret' };
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ credentials: creds });
});
afterAll(async () => {
  await emu.close();
});

function client(accessKeyId: string, secretAccessKey: string): SQSClient {
  return new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    const x = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: x.name, status: x.$metadata?.httpStatusCode };
  }
  throw new Error('expected a failure');
}

describe('SigV4 with the SDK', () => {
  it('accepts the right secret, including bodies with unicode and a queue-URL path', async () => {
    const c = client(creds.accessKeyId, creds.secretAccessKey);
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'signed' }));
    const r = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: 'ünïcode 🌊 body' }));
    expect(r.MessageId).toBeTruthy();
    c.destroy();
  });

  it('rejects a wrong secret with SignatureDoesNotMatch 403 and an unknown key with InvalidClientTokenId 403', async () => {
    const wrong = client(creds.accessKeyId, 'wrong-secret');
    expect(await failure(wrong.send(new ListQueuesCommand({})))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    const unknown = client('AKIDOTHER', creds.secretAccessKey);
    expect(await failure(unknown.send(new ListQueuesCommand({})))).toEqual({ name: 'InvalidClientTokenId', status: 403 });
    wrong.destroy();
    unknown.destroy();
  });

  it('rejects unsigned JSON and Query requests, Query with an XML ErrorResponse', async () => {
    const json = await fetch(`${emu.endpoint}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSQS.ListQueues', 'content-type': 'application/x-amz-json-1.0' }, body: '{}' });
    expect(json.status).toBe(403);
    expect(json.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
    const query = await fetch(`${emu.endpoint}/?Action=ListQueues`);
    expect(query.status).toBe(403);
    expect(await query.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('verifies presigned query-string URLs (Query protocol GET)', async () => {
    const url = new URL(emu.endpoint);
    const sign = (secret: string) =>
      new SignatureV4({ credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: secret }, region: 'us-east-1', service: 'sqs', sha256: Sha256 }).presign(
        { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: { Action: 'ListQueues', Version: '2012-11-05' }, headers: { host: url.host } },
      );
    const toUrl = (r: HttpRequest) => `${emu.endpoint}${r.path}?${new URLSearchParams(r.query as Record<string, string>).toString()}`;
    const ok = await fetch(toUrl(await sign(creds.secretAccessKey)));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<ListQueuesResponse');
    const bad = await fetch(toUrl(await sign('nope')));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('signing time', () => {
  it('refuses a signature made more than 15 minutes away from the emulator clock, with AWS wording', async () => {
    const { ManualClock } = await import('../../harness/contracts/clock.ts');
    // The manual clock's epoch is 2026-01-01; the SDK signs with the real time, months away.
    const e2 = await startEmulator({ credentials: creds, clock: new ManualClock(), checkSignatureTime: true });
    try {
      const c = new SQSClient({ endpoint: e2.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      let err: { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } = {};
      try {
        await c.send(new ListQueuesCommand({}));
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.name).toBe('SignatureDoesNotMatch');
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(err.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than 20260101T001500Z \(20260101T000000Z \+ 15 min\.\)$/);
      c.destroy();
    } finally {
      await e2.close();
    }
    // The same clock without the check (the default for an injected clock) accepts it.
    const e3 = await startEmulator({ credentials: creds, clock: new ManualClock() });
    try {
      const c = new SQSClient({ endpoint: e3.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
      expect((await c.send(new ListQueuesCommand({}))).$metadata.httpStatusCode).toBe(200);
      c.destroy();
    } finally {
      await e3.close();
    }
  });
});

describe('verifySigV4 as a library', () => {
  it('checks a REST-style request with an encoded path segment (as Lambda function names are)', async () => {
    const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'lambda', sha256: Sha256 });
    const path = '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Amy-fn/invocations';
    const body = '{"x":1}';
    const signed = await signer.sign(
      { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 9, path, query: { Qualifier: '$LATEST' }, headers: { host: '127.0.0.1:9', 'content-type': 'application/json' }, body },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
    const req: EmuRequest = {
      method: 'POST',
      rawPath: path,
      path: decodeURIComponent(path),
      rawQuery: 'Qualifier=%24LATEST',
      query: new URLSearchParams('Qualifier=%24LATEST'),
      headers,
      body: Buffer.from(body),
      requestId: 'r',
      receivedAt: 0,
      signal: new AbortController().signal,
    };
    expect(verifySigV4(req, creds)).toBeUndefined();
    expect(verifySigV4(req, creds, { nowEpochMs: Date.now() })).toBeUndefined();
    expect(verifySigV4(req, creds, { nowEpochMs: Date.now() + 16 * 60 * 1000 })?.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    expect(verifySigV4({ ...req, body: Buffer.from('{"x":2}') }, creds)?.kind).toBe('signature-mismatch');
    expect(verifySigV4(req, { ...creds, secretAccessKey: 'other' })?.kind).toBe('signature-mismatch');
    expect(verifySigV4({ ...req, headers: { ...headers, authorization: 'Bearer x' } }, creds)?.kind).toBe('malformed');
  });
});
