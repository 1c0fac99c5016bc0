/**
 * k6-scripts/sigv4.js against the AWS SDK's own signer (@smithy/signature-v4, installed with the
 * SDK): the same request signed both ways must give the same Authorization header, for fixed
 * cases (SQS JSON, Lambda Invoke with an ARN and a qualifier, session tokens) and for random
 * paths, queries, header values and bodies (fast-check).
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { importK6Module } from './k6-shim.ts';

/** The Hash interface smithy expects, on node:crypto (HMAC when given a secret). */
class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? Buffer.from(secret) : Buffer.from(secret));
  }
  update(data: Uint8Array | string): void {
    this.h.update(typeof data === 'string' ? Buffer.from(data) : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

interface Req {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}
interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let sigv4: {
  signAwsRequest: (req: Req, opts: Record<string, unknown>) => Record<string, string>;
  splitUrl: (u: string) => { scheme: string; host: string; path: string; query: string };
  normalizeUrl: (u: string) => string;
};

beforeAll(async () => {
  sigv4 = await importK6Module('sigv4.js');
});

/** Sign with the SDK signer: build the smithy HttpRequest the SDK would send for the same URL. */
async function sdkSign(req: Req, region: string, service: string, creds: Creds, nowMs: number): Promise<Record<string, string>> {
  const u = sigv4.splitUrl(req.url);
  const [hostname, port] = u.host.split(':');
  const query: Record<string, string> = {};
  for (const part of u.query.split('&').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    query[decodeURIComponent(eq < 0 ? part : part.slice(0, eq))] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  const signer = new SignatureV4({ credentials: creds, region, service, sha256: Sha256 as never });
  const signed = await signer.sign({
    method: req.method,
    protocol: `${u.scheme}:`,
    hostname: hostname!,
    port: port === undefined ? undefined : Number(port),
    path: u.path,
    query,
    headers: { ...req.headers, host: u.host },
    body: req.body ?? undefined,
  } as never, { signingDate: new Date(nowMs) });
  return (signed as unknown as { headers: Record<string, string> }).headers;
}

async function bothWays(req: Req, region: string, service: string, creds: Creds, nowMs: number) {
  const ours = sigv4.signAwsRequest(req, { region, service, ...creds, nowMs });
  const sdk = await sdkSign(req, region, service, creds, nowMs);
  return { ours, sdk };
}

const creds: Creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const now = Date.UTC(2026, 10, 27, 11, 22, 4, 123);

describe('sigv4.js signs exactly like @smithy/signature-v4', () => {
  it('SQS JSON 1.0 SendMessageBatch', async () => {
    const { ours, sdk } = await bothWays(
      {
        method: 'POST',
        url: 'http://127.0.0.1:4566/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessageBatch', 'x-amzn-query-mode': 'true' },
        body: '{"QueueUrl":"http://127.0.0.1:4566/000000000000/orders","Entries":[{"Id":"0","MessageBody":"héllo ✓"}]}',
      },
      'us-east-1', 'sqs', creds, now,
    );
    expect(ours['authorization']).toBe(sdk['authorization']);
    expect(ours['x-amz-date']).toBe('20261127T112204Z');
    expect(ours['x-amz-content-sha256']).toBe(sdk['x-amz-content-sha256']);
    expect(ours['authorization']).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261127\/us-east-1\/sqs\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amzn-query-mode, Signature=[0-9a-f]{64}$/);
  });

  it('Lambda Invoke with an escaped ARN path, a qualifier and a session token', async () => {
    const { ours, sdk } = await bothWays(
      {
        method: 'POST',
        url: 'https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af/invocations?Qualifier=live',
        headers: { 'content-type': 'application/octet-stream', 'x-amz-invocation-type': 'Event' },
        body: '{"a":1}',
      },
      'eu-west-1', 'lambda', { ...creds, sessionToken: 'FwoGZXIvYXdzEXAMPLE//token==' }, now,
    );
    expect(ours['authorization']).toBe(sdk['authorization']);
    expect(ours['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE//token==');
    expect(ours['authorization']).toContain('x-amz-security-token');
  });

  it('drops the default port from the signed host, as the Host header k6 sends', () => {
    expect(sigv4.normalizeUrl('https://sqs.us-east-1.amazonaws.com:443/')).toBe('https://sqs.us-east-1.amazonaws.com/');
    expect(sigv4.normalizeUrl('http://127.0.0.1:80/a?b=c')).toBe('http://127.0.0.1/a?b=c');
    expect(sigv4.normalizeUrl('http://127.0.0.1:4566')).toBe('http://127.0.0.1:4566/');
  });

  it('skips unsignable headers (user-agent) but signs the rest, trimmed', async () => {
    const { ours, sdk } = await bothWays(
      { method: 'GET', url: 'http://localhost:9000/a/./b/../c/', headers: { 'User-Agent': 'k6/2.2', 'X-Custom': '  two   spaces  ' }, body: null },
      'us-west-2', 'execute-api', creds, now,
    );
    expect(ours['authorization']).toBe(sdk['authorization']);
    expect(ours['authorization']).not.toContain('user-agent');
  });

  it('sorts query parameters by name, then value (regression: "V" before "V-")', async () => {
    const { ours, sdk } = await bothWays(
      { method: 'GET', url: 'http://127.0.0.1:4566/?V-=&V=&a=2&B=1', headers: {}, body: null },
      'us-east-1', 'sqs', creds, now,
    );
    expect(ours['authorization']).toBe(sdk['authorization']);
  });

  it('property: random paths, queries, header values and bodies sign identically', async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9._~!$'()*+,;=:@% -]{1,12}$/).map((s) => encodeURIComponent(s));
    const arb = fc.record({
      segments: fc.array(segment, { maxLength: 4 }),
      query: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 12 }), { maxKeys: 4 }),
      header: fc.string({ maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, '')),
      extra: fc.dictionary(fc.stringMatching(/^X-[A-Za-z0-9-]{1,10}$/), fc.string({ maxLength: 10 }).map((s) => s.replace(/[\r\n]/g, '')), { maxKeys: 3 }),
      body: fc.option(fc.string({ unit: 'binary', maxLength: 200 }), { nil: null }),
      region: fc.constantFrom('us-east-1', 'eu-central-1', 'ap-southeast-2'),
      service: fc.constantFrom('sqs', 'lambda'),
      at: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const qs = Object.entries(c.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const url = `http://127.0.0.1:4566/${c.segments.join('/')}${qs ? `?${qs}` : ''}`;
        const { ours, sdk } = await bothWays(
          { method: 'POST', url, headers: { ...c.extra, 'x-squall-test': c.header, 'content-type': 'application/json' }, body: c.body },
          c.region, c.service, creds, c.at,
        );
        expect(ours['authorization']).toBe(sdk['authorization']);
      }),
      { numRuns: Number(process.env.SQUALL_PROPERTY_RUNS ?? 500) },
    );
  });
});
