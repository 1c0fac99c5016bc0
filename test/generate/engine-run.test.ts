/**
 * A generated script run for ~2 s by squall's embedded engine (`squall k6 run`, as a subprocess,
 * exactly as the runner calls it): its http scenario hits a node:http server on 127.0.0.1 and its
 * sqs-producer scenario sends signed SendMessageBatch calls to the emulator started WITH
 * credentials, through the engine's own k6/crypto and k6/http. The server's count, the emulator's
 * queue depth and k6's summary export must agree.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import { renderScript } from '../../harness/generate/render.ts';
import { experiment, httpTemplate, scenario, sqsTemplate } from './builders.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const k6Cli = join(ROOT, 'harness/cli/k6.ts');
const engineReady = existsSync(join(ROOT, 'harness/engine/run.ts')) && existsSync(k6Cli) && !readFileSync(k6Cli, 'utf8').includes('not built yet');

const credentials = { accessKeyId: 'AKIDENGINE', secretAccessKey: 'engine-secret' };
const tmp = mkdtempSync(join(tmpdir(), 'squall-engine-gen-'));
let server: http.Server;
let base = '';
let hits = 0;
let emu: SquallEmulator | null = null;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await emu?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!engineReady)('generated script on the embedded engine', () => {
  it('runs ~2 s: requests arrive, signed batches land in the emulator, the summary agrees', async () => {
    const exp = experiment([
      scenario('api', { ...httpTemplate, checks: [{ name: 'status 200', status: [200] }] } as never, { executor: 'constant-vus', vus: 2, durationMs: 2000 }, {
        gracefulStopMs: 1000,
        thinkTimeMs: 50,
      }),
      scenario('producer', { ...sqsTemplate, batchSize: 5, poison: { ratio: 0.2, kind: 'invalid-json' } } as never, {
        executor: 'constant-arrival-rate', rate: 4, timeUnitMs: 1000, durationMs: 2000, preAllocatedVUs: 2, maxVUs: 4,
      }, { gracefulStopMs: 1000 }),
    ]);
    exp.system.queues = { orders: exp.system.queues['orders']! };
    exp.load.thresholds = { 'checks{scenario:api}': [{ threshold: 'rate==1', abortOnFail: false, delayAbortEvalMs: null }] };
    emu = await startLambdaEmulator({ experiment: exp, credentials });
    const script = join(tmp, 'script.js');
    writeFileSync(script, renderScript(exp).script);
    const summaryFile = join(tmp, 'summary.json');
    const env = {
      SQUALL_URL_ORDERS_API: base,
      SQUALL_ENDPOINT: emu.emulator.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      SQUALL_QUEUE_URL_ORDERS: emu.system.queues['orders']!.url,
      SQUALL_RUN_ID: 'engine-run',
    };
    // The script right after `run`: yargs reads `-e` as an array option that would swallow a trailing path.
    const args = [join(ROOT, 'bin/squall.js'), 'k6', 'run', script, '--quiet', '--summary-export', summaryFile];
    for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
    const child = spawn(process.execPath, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);

    const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
    // 2 VUs, 50 ms think time, 2 s: tens of requests; all of them reached the server.
    expect(hits).toBeGreaterThan(10);
    const producerCalls = summary.metrics['squall_messages_sent'].count / 5;
    expect(summary.metrics['http_reqs'].count).toBe(hits + producerCalls); // http_reqs counts the SQS calls too
    expect(summary.metrics['checks'].value).toBe(1);
    // 4 iterations/s for 2 s (k6: ticks at 0, 250 ms, … ≈ 8, ±1 at the boundary: k6-contract §9) × 5 messages.
    const sent = summary.metrics['squall_messages_sent'].count;
    expect(sent).toBeGreaterThanOrEqual(35);
    expect(sent).toBeLessThanOrEqual(45);
    expect(summary.metrics['squall_poison_sent'].count).toBe(sent / 5);
    expect(summary.metrics['squall_messages_failed']).toBeUndefined();
    const sqs = new SQSClient({ endpoint: emu.emulator.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.SQUALL_QUEUE_URL_ORDERS, AttributeNames: ['ApproximateNumberOfMessages'] }));
    sqs.destroy();
    expect(Number(attrs.Attributes?.ApproximateNumberOfMessages)).toBe(sent);
  }, 45_000);

  it('k6\'s CLI shortcuts smoke-test the first scenario through the default export (-u 1 -i 3)', async () => {
    const exp = experiment([scenario('api', httpTemplate, { executor: 'constant-vus', vus: 5, durationMs: 60_000 })]);
    const script = join(tmp, 'smoke.js');
    writeFileSync(script, renderScript(exp).script);
    const before = hits;
    const child = spawn(process.execPath, [join(ROOT, 'bin/squall.js'), 'k6', 'run', script, '--quiet', '-u', '1', '-i', '3', '-e', `SQUALL_URL_ORDERS_API=${base}`], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(0);
    expect(hits - before, `stderr: ${stderr}`).toBe(3);
  }, 30_000);
});
