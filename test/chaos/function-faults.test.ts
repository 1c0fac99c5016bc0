/**
 * Function faults without a target: the file's fields resolve with their defaults, each fault's
 * entry in SQUALL_FAULTS is in the wrapper's format (the wrapper itself decides on it), faults on
 * one function stack in the one variable, and the stack's bottom is the original environment,
 * exactly (including "no environment").
 */
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFault, withFault } from '../../harness/chaos/function-faults.ts';
import { compose, sameState, writeVerified, type ResourceState } from '../../harness/chaos/resources.ts';
import { parseTextSource } from '../../harness/experiment/source.ts';
import type { FunctionFaultAction } from '../../harness/experiment/types.ts';
import { validateExperiment } from '../../harness/experiment/validate.ts';
import { createClients } from '../../harness/target/clients.ts';
import { decideFaults, parseFaults } from '../../lambda-faults/index.mjs';

const root = path.resolve(import.meta.dirname, '../..');

const file = (faults: string) => `
name: ff
system:
  functions:
    api: { synthetic: { duration: 20ms }, url: true, timeoutSeconds: 2 }
load:
  scenarios:
    a: { template: http, url: { function: api }, executor: constant-vus, vus: 1, duration: 30s }
chaos:
  faults:
${faults}
`;

function resolve(faults: string) {
  const r = validateExperiment(parseTextSource(path.join(root, 'test/fixtures/experiments/inline.yaml'), file(faults)));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.experiment!;
}

describe('function faults in the experiment file', () => {
  it('resolve with their defaults: 100 %, errors before the handler, squall\'s error type', () => {
    const exp = resolve(`    - { at: 1s, for: 5s, action: inject-latency, function: api, latency: { normal: { mean: 300ms, stddev: 50ms } }, percentage: 25 }
    - { at: 1s, action: inject-errors, function: api }
    - { at: 2s, for: 1s, action: override-status, function: api, statusCode: 503, percentage: 50 }`);
    expect(exp.chaos.faults).toEqual([
      { id: 0, atMs: 1000, forMs: 5000, action: 'inject-latency', function: 'api', latency: { kind: 'normal', meanMs: 300, stddevMs: 50 }, percentage: 25 },
      { id: 1, atMs: 1000, forMs: null, action: 'inject-errors', function: 'api', percentage: 100, runHandler: false, errorType: 'SquallInjectedError' },
      { id: 2, atMs: 2000, forMs: 1000, action: 'override-status', function: 'api', statusCode: 503, percentage: 50 },
    ]);
  });

  it('warns on an aws target when the function is reached through its alias (provisioned concurrency)', () => {
    const text = file(`    - { at: 1s, action: inject-errors, function: api }`)
      .replace('name: ff', "name: ff\ntarget: { kind: aws, region: us-east-1, accountAllowlist: ['123456789012'] }")
      .replace('timeoutSeconds: 2', 'timeoutSeconds: 2, provisionedConcurrency: 2');
    const r = validateExperiment(parseTextSource(path.join(root, 'test/fixtures/experiments/inline.yaml'), text));
    expect(r.experiment).toBeDefined();
    expect(r.diagnostics.find((d) => d.severity === 'warning' && d.message.includes('does not reach it'))?.hint).toMatch(/publish a version/);
  });

  it('warns when override-status names a function without a URL', () => {
    const text = file(`    - { at: 1s, action: override-status, function: api, statusCode: 503 }`).replace('url: true, ', '').replace('template: http, url: { function: api }', 'template: lambda-invoke, function: api');
    const r = validateExperiment(parseTextSource(path.join(root, 'test/fixtures/experiments/inline.yaml'), text));
    expect(r.experiment).toBeDefined();
    expect(r.diagnostics.some((d) => d.severity === 'warning' && d.message.includes('has no URL'))).toBe(true);
  });
});

const latency: FunctionFaultAction = { action: 'inject-latency', function: 'api', latency: { kind: 'constant', ms: 300 }, percentage: 100 };
const errors: FunctionFaultAction = { action: 'inject-errors', function: 'api', percentage: 100, runHandler: false, errorType: 'SquallInjectedError' };
const status: FunctionFaultAction = { action: 'override-status', function: 'api', statusCode: 503, percentage: 100 };

describe('SQUALL_FAULTS written by squall', () => {
  it('is the wrapper\'s format: the wrapper decides on exactly what squall meant', () => {
    const spec = parseFaults(addFault(addFault(addFault(undefined, latency), errors), status))!;
    expect(spec).toEqual({
      latency: { percentage: 100, ms: 300 },
      errors: { percentage: 100, runHandler: false, errorType: 'SquallInjectedError' },
      status: { percentage: 100, statusCode: 503 },
    });
    const d = decideFaults(spec, () => 0.5, { getRemainingTimeInMillis: () => 2000 });
    expect(d.latencyMs).toBe(300);
    expect(d.error).toEqual({ errorType: 'SquallInjectedError', message: 'injected by squall (inject-errors)', runHandler: false });
    expect(d.status?.statusCode).toBe(503);
  });

  it('writes uniform latency in the wrapper\'s own fields and any other distribution whole', () => {
    expect(parseFaults(addFault(undefined, { ...latency, latency: { kind: 'uniform', minMs: 10, maxMs: 20 } }))).toEqual({ latency: { percentage: 100, minMs: 10, maxMs: 20 } });
    expect(parseFaults(addFault(undefined, { ...latency, latency: { kind: 'exponential', meanMs: 70 } }))).toEqual({ latency: { percentage: 100, distribution: { kind: 'exponential', meanMs: 70 } } });
  });

  it('stacks two faults of one kind as a list in the one variable', () => {
    const two = parseFaults(addFault(addFault(undefined, latency), { ...latency, percentage: 10 }))!;
    expect(two.latency).toEqual([
      { percentage: 100, ms: 300 },
      { percentage: 10, ms: 300 },
    ]);
  });

  it('keeps every other variable, and the stack\'s bottom is the original environment exactly', () => {
    const original: ResourceState = { kind: 'function-environment', function: 'api', variables: { TABLE: 'orders', SECRET: 's3cr3t' } };
    const top = compose(original, [latency, errors]);
    expect(top.kind === 'function-environment' && top.variables).toEqual({ TABLE: 'orders', SECRET: 's3cr3t', SQUALL_FAULTS: addFault(addFault(undefined, latency), errors) });
    // The window of the first fault ends: the second stays in force alone.
    const beneath = compose(original, [errors]);
    expect(beneath.kind === 'function-environment' && beneath.variables?.SQUALL_FAULTS).toBe(addFault(undefined, errors));
    expect(sameState(compose(original, []), original)).toBe(true);
    // No environment at all: the faults' environment holds only SQUALL_FAULTS, and the bottom is none again.
    const none: ResourceState = { kind: 'function-environment', function: 'api', variables: null };
    const onNone = compose(none, [status]);
    expect(onNone.kind === 'function-environment' && Object.keys(onNone.variables ?? {})).toEqual(['SQUALL_FAULTS']);
    expect(sameState(compose(none, []), none)).toBe(true);
    expect(sameState(none, { ...none, variables: {} })).toBe(true);
    expect(sameState(original, { ...original, variables: { TABLE: 'orders' } })).toBe(false);
    expect(withFault(null, status)).toEqual({ SQUALL_FAULTS: addFault(undefined, status) });
  });
});

/**
 * AWS applies UpdateFunctionConfiguration asynchronously (LastUpdateStatus InProgress for
 * seconds) and refuses another update meanwhile. A slow Lambda on 127.0.0.1 — the real SDK over
 * HTTP — shows squall waiting for Successful before each update, and reading back only then.
 */
describe('function environment updates wait for LastUpdateStatus', () => {
  it('two updates in a row: the second waits until the first has settled; none is refused', async () => {
    let variables: Record<string, string> = { A: '1' };
    let inProgressReads = 0;
    const log: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const json = (status: number, v: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(v));
        };
        if (req.method === 'GET') {
          const status = inProgressReads > 0 ? 'InProgress' : 'Successful';
          if (inProgressReads > 0) inProgressReads--;
          log.push(`GET ${status}`);
          return json(200, { FunctionName: 'slow', LastUpdateStatus: status, Environment: { Variables: variables } });
        }
        if (inProgressReads > 0) {
          log.push('PUT refused');
          return json(409, { Type: 'User', message: 'The operation cannot be performed at this time. An update is in progress for resource: slow' }, { 'x-amzn-errortype': 'ResourceConflictException' });
        }
        variables = (JSON.parse(body) as { Environment: { Variables: Record<string, string> } }).Environment.Variables;
        inProgressReads = 3; // AWS takes a while: the next three reads say InProgress
        log.push('PUT');
        return json(200, { FunctionName: 'slow', LastUpdateStatus: 'InProgress' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const clients = createClients({ endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    try {
      const first: ResourceState = { kind: 'function-environment', function: 'slow', variables: { A: '1', SQUALL_FAULTS: addFault(undefined, latency) } };
      const second: ResourceState = { kind: 'function-environment', function: 'slow', variables: { A: '1' } };
      expect(sameState(await writeVerified(clients, first, { deadlineAt: Date.now() + 10_000, backoffMs: 50 }), first)).toBe(true);
      expect(sameState(await writeVerified(clients, second, { deadlineAt: Date.now() + 10_000, backoffMs: 50 }), second)).toBe(true);
      expect(log).not.toContain('PUT refused');
      // Each PUT comes after a read that said Successful.
      log.forEach((l, i) => {
        if (l === 'PUT') expect(log[i - 1]).toBe('GET Successful');
      });
      expect(log.filter((l) => l === 'PUT')).toHaveLength(2);
      expect(variables).toEqual({ A: '1' });
    } finally {
      clients.destroy();
      server.close();
    }
  });
});
