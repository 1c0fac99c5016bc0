/**
 * `squall emulator` as a user runs it: a subprocess on --port 0 built from an example experiment;
 * the test reads the printed endpoint, drives it with the real SDK and the function URL, sends
 * SIGTERM and expects a clean exit 0. Bad flags exit 2 with a hint.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionUrlConfigCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { isSquallError } from '../../harness/contracts/exit-codes.ts';
import { spawnEmulatorProcess } from '../../harness/emulator/lambda/process.ts';
import { loadExperiment } from '../../harness/experiment/load.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/squall.js');

function squall(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [bin, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
}

function exited(p: ChildProcessWithoutNullStreams): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, stdout, stderr })));
}

function endpointOf(p: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`no endpoint printed; output so far: ${buf}`)), 20_000);
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
}

describe('squall emulator', () => {
  it('serves an experiment’s system on the printed endpoint and exits 0 on SIGTERM', async () => {
    const p = squall(['emulator', '--port', '0', '--config', 'examples/experiments/quickstart.yaml']);
    const done = exited(p);
    const endpoint = await endpointOf(p);
    const client = new LambdaClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
    try {
      const fns = await client.send(new ListFunctionsCommand({}));
      expect(fns.Functions?.map((f) => f.FunctionName)).toEqual(['orders-api']);
      const url = (await client.send(new GetFunctionUrlConfigCommand({ FunctionName: 'orders-api' }))).FunctionUrl!;
      expect(url).toBe(`${endpoint}/_url/orders-api/`);
      const r = await fetch(`${url}orders`, { method: 'POST', body: '{"orderId":"1"}', headers: { 'content-type': 'application/json' } });
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ ok: true });
      const inv = await client.send(new InvokeCommand({ FunctionName: 'orders-api', Payload: Buffer.from('{}') }));
      expect(inv.StatusCode).toBe(200);
    } finally {
      client.destroy();
      p.kill('SIGTERM');
    }
    const { code, stdout } = await done;
    expect(stdout).toContain('function orders-api  url');
    expect(stdout).toContain('squall emulator stopped (SIGTERM)');
    expect(code).toBe(0);
  });

  it('exits 2 with a hint for bad --credentials, 7 (environment) for a port in use', async () => {
    const bad = await exited(squall(['emulator', '--port', '0', '--credentials', 'nocolon']));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--credentials must be KEY:SECRET');
    const first = squall(['emulator', '--port', '0']);
    const firstDone = exited(first);
    const endpoint = await endpointOf(first);
    const port = new URL(endpoint).port;
    const second = await exited(squall(['emulator', '--port', port]));
    expect(second.code).toBe(7);
    expect(second.stderr).toContain('EADDRINUSE');
    expect(second.stderr).toContain('hint:');
    first.kill('SIGINT');
    expect((await firstDone).code).toBe(0);
  });
});

describe('spawnEmulatorProcess (how squall run starts it)', () => {
  it('starts the emulator from a run\'s resolved experiment.json in its own process and stops it with exit 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-emu-'));
    try {
      const exp = await loadExperiment(path.join(root, 'examples/experiments/sqs-poison.yaml'));
      const file = path.join(dir, 'experiment.json');
      writeFileSync(file, JSON.stringify(exp));
      const child = await spawnEmulatorProcess({ resolvedFile: file });
      expect(child.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = new LambdaClient({ endpoint: child.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' }, maxAttempts: 1 });
      expect((await client.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toEqual(['order-worker']);
      client.destroy();
      expect(await child.stop()).toBe(0);
      expect(child.output()).toContain('mapping orders->order-worker');

      writeFileSync(file, '{"schema":"something-else"}');
      const e = await spawnEmulatorProcess({ resolvedFile: file }).catch((x: unknown) => x);
      expect(isSquallError(e)).toBe(true);
      expect((e as { exitCode: number }).exitCode).toBe(2);
      expect((e as { hint: string }).hint).toContain('not a resolved experiment');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
