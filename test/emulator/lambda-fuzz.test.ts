/**
 * Hostile input against the Lambda service: random methods, paths built from real route parts and
 * junk, random query strings, headers and bodies. Every answer must be an AWS-shaped response —
 * a 2xx, or a 4xx with `x-amzn-ErrorType` and a JSON body — never a crash and never a 500 (which
 * here would mean a bug caught by the last-resort handler).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmuRequest, EmuResponse } from '../../harness/emulator/http.ts';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import { fn } from '../generate/builders.ts';

let emu: SquallEmulator;
beforeAll(async () => {
  emu = await startLambdaEmulator({ seed: 9 });
  // A few real targets so random requests reach deep code paths, not only 404s.
  for (const name of ['fz', 'fz-url']) {
    emu.lambda.provider.createFromResolved(
      fn(name, {
        synthetic: { duration: { kind: 'constant', ms: 0 }, errorRate: 0.2, poison: { attribute: 'x', bodyContains: 'BAD', invalidJson: true, response: 'throw' }, response: null },
        coldStart: { initMs: { kind: 'constant', ms: 0 } },
        async: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60, onFailure: null, retryDelaysSeconds: [1, 1] },
      }),
    );
  }
  const now = new Date().toISOString();
  emu.lambda.model.get('fz-url')!.urlConfig = { qualifier: null, authType: 'NONE', invokeMode: 'BUFFERED', cors: undefined, createdIso: now, modifiedIso: now };
});
afterAll(async () => {
  await emu.close();
});

const versions = ['2015-03-31', '2017-10-31', '2019-09-30', '2016-08-19', '2019-09-25', '2021-10-31', '2014-11-13', '_squall', '_url'];
const parts = ['functions', 'fz', 'fz-url', 'arn:aws:lambda:us-east-1:000000000000:function:fz', 'fz:live', 'fz:$LATEST', 'invocations', 'concurrency', 'provisioned-concurrency', 'event-invoke-config', 'list', 'url', 'urls', 'configuration', 'event-source-mappings', 'account-settings', 'lambda', 'state', 'invoke-async', '%', '..', '', 'ü', 'a b', '0'.repeat(300)];
const segment = fc.oneof(fc.constantFrom(...parts), fc.string({ maxLength: 12 }));
const junkPath = fc.tuple(fc.constantFrom(...versions), fc.array(segment, { maxLength: 4 })).map(([v, s]) => `/${[v, ...s].join('/')}`);
// Real routes with a random function name, so most requests get past routing into validation.
const routes = [
  '/2015-03-31/functions',
  '/2015-03-31/functions/{f}',
  '/2015-03-31/functions/{f}/configuration',
  '/2015-03-31/functions/{f}/invocations',
  '/2014-11-13/functions/{f}/invoke-async',
  '/2017-10-31/functions/{f}/concurrency',
  '/2019-09-30/functions/{f}/concurrency',
  '/2019-09-30/functions/{f}/provisioned-concurrency',
  '/2016-08-19/account-settings',
  '/2015-03-31/event-source-mappings',
  '/2015-03-31/event-source-mappings/{f}',
  '/2019-09-25/functions/{f}/event-invoke-config',
  '/2019-09-25/functions/{f}/event-invoke-config/list',
  '/2021-10-31/functions/{f}/url',
  '/2021-10-31/functions/{f}/urls',
  '/_squall/lambda/functions',
  '/_url/{f}/orders',
];
const fnName = fc.oneof(fc.constantFrom('fz', 'fz-url', 'fz:live', 'fz:$LATEST', 'fz:v2', 'arn:aws:lambda:us-east-1:000000000000:function:fz', '12345678-1234-1234-1234-123456789012'), fc.string({ maxLength: 10 }));
const routePath = fc.tuple(fc.constantFrom(...routes), fnName).map(([r, f]) => r.replace('{f}', encodeURIComponent(f)));
const path = fc.oneof({ weight: 3, arbitrary: routePath }, { weight: 1, arbitrary: junkPath });
const jsonish = fc.oneof(
  fc.json(),
  fc.record({
    FunctionName: fc.oneof(fc.constantFrom('fz', 'new-fn', 'bad name', ''), fc.string()),
    Role: fc.constantFrom('arn:aws:iam::000000000000:role/r', 'x'),
    Code: fc.oneof(fc.constant({ ZipFile: 'UEsFBg==' }), fc.constant(null), fc.string()),
    ReservedConcurrentExecutions: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.string(), fc.constant(null)),
    ProvisionedConcurrentExecutions: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double()),
    MaximumRetryAttempts: fc.integer({ min: -1, max: 5 }),
    MaximumEventAgeInSeconds: fc.integer({ min: 0, max: 30000 }),
    EventSourceArn: fc.constantFrom('arn:aws:sqs:us-east-1:000000000000:none', 'arn:aws:kinesis:x', ''),
    BatchSize: fc.integer({ min: -1, max: 20000 }),
    AuthType: fc.constantFrom('NONE', 'AWS_IAM', 'x'),
    Timeout: fc.integer({ min: -1, max: 6000 }),
    MemorySize: fc.integer({ min: 0, max: 40000 }),
    DestinationConfig: fc.oneof(fc.constant({ OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:q' } }), fc.json()),
    ScalingConfig: fc.oneof(fc.constant({ MaximumConcurrency: 1 }), fc.json()),
    FunctionResponseTypes: fc.oneof(fc.constant(['ReportBatchItemFailures']), fc.json()),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
);

function request(method: string, p: string, query: string, headers: Record<string, string>, body: string): EmuRequest {
  let decoded: string;
  try {
    decoded = decodeURIComponent(p);
  } catch {
    decoded = p;
  }
  return {
    method,
    rawPath: p,
    path: decoded,
    rawQuery: query,
    query: new URLSearchParams(query),
    headers,
    body: Buffer.from(body, 'utf8'),
    requestId: '00000000-0000-4000-8000-000000000000',
    receivedAt: 0,
    signal: new AbortController().signal,
  };
}

describe('hostile input', () => {
  it('always answers like AWS: 2xx, or 4xx with x-amzn-ErrorType and a JSON body; never 500, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        path,
        fc.oneof(fc.constant(''), fc.constantFrom('Qualifier=live', 'Qualifier=$LATEST', 'Qualifier=v1', 'List=ALL', 'MaxItems=0', 'MaxItems=5&Marker=x', 'Marker=-1'), fc.string({ maxLength: 20 })),
        fc.record({
          'x-amz-invocation-type': fc.constantFrom('RequestResponse', 'Event', 'DryRun', 'bogus'),
          'x-amz-log-type': fc.constantFrom('None', 'Tail', 'x'),
          'x-amz-client-context': fc.string({ maxLength: 10 }),
          host: fc.constantFrom('127.0.0.1', 'fz-url.lambda-url.us-east-1.localhost', 'nope.lambda-url.us-east-1.localhost:1'),
          'content-type': fc.constantFrom('application/json', 'application/octet-stream', 'text/plain'),
        }, { requiredKeys: [] }),
        jsonish,
        async (method, p, query, headers, body) => {
          const req = request(method, p, query, headers as Record<string, string>, body);
          if (!emu.lambda.match(req)) return true;
          let res: EmuResponse;
          try {
            res = await emu.lambda.handle(req);
          } catch (e) {
            throw new Error(`${method} ${p}?${query} threw: ${String(e)}`, { cause: e });
          }
          expect(res.status, `${method} ${p}?${query} ${body.slice(0, 80)} → ${String(res.body).slice(0, 200)}`).not.toBe(500);
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(600);
          const isUrl = p.startsWith('/_url/') || (headers as Record<string, string>).host?.includes('lambda-url');
          if (res.status >= 400 && !isUrl) {
            expect(res.headers['x-amzn-errortype']).toBeTruthy();
            expect(() => JSON.parse(String(res.body))).not.toThrow();
          }
          return true;
        },
      ),
      { numRuns: 3000 },
    );
  });
});
