/**
 * `squall tune` against moto_server as an `aws` target: moto's Lambda stores configuration but
 * cannot run code here (it needs Docker), so the first invoke fails — and the tune must still put
 * the original memory back, read back through the SDK, and say so with a non-zero exit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { external } from '../helpers/external.ts';
import { EMPTY_ZIP, motoCreateRole, startMoto, type Moto } from '../helpers/moto.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/squall.js');
const motoServer = external('moto_server', 'the squall tune tests against moto_server');
let moto: Moto | undefined;
let clients: TargetClients;

beforeAll(async () => {
  if (!motoServer.available) return;
  moto = await startMoto();
  clients = createClients({ endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const role = await motoCreateRole(moto.endpoint, 'squall-tune');
  await clients.lambda.send(new CreateFunctionCommand({ FunctionName: 'api', Role: role, Runtime: 'nodejs20.x', Handler: 'index.handler', MemorySize: 640, Code: { ZipFile: EMPTY_ZIP } }));
}, 60_000);
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

describe.skipIf(!motoServer.available)('squall tune on moto as an aws target', () => {
  it('changes the memory through the API and puts the original back (read back) even when the invokes fail', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-tune-moto-'));
    const exp = path.join(dir, 'exp.yaml');
    writeFileSync(
      exp,
      [
        'name: tune-moto',
        'target: { kind: aws, region: us-east-1, accountAllowlist: ["123456789012"] }',
        'system:',
        '  functions:',
        '    api: { synthetic: { duration: 20ms }, memoryMB: 640 }',
        'load:',
        '  scenarios:',
        '    s: { template: lambda-invoke, function: api, executor: constant-vus, vus: 1, duration: 1s }',
        '',
      ].join('\n'),
    );
    const reports = path.join(dir, 'reports');
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
    const r = spawnSync(process.execPath, [BIN, 'tune', exp, '-f', 'api', '--memory', '256,1024', '-n', '5', '--target', 'aws', '--endpoint', moto!.endpoint, '--region', 'us-east-1', '--reports', reports], { encoding: 'utf8', env, timeout: 120_000 });
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).not.toBe(0);
    expect(out).toMatch(/memory of api back to 640 MB \(read back\)/);
    expect(out).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const after = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'api' }));
    expect(after.MemorySize).toBe(640);
    // The journal shows the change squall made and its restore, read back.
    const tuneDir = path.join(reports, 'tune-moto', readdirSync(path.join(reports, 'tune-moto'))[0]!);
    const journal = readFileSync(path.join(tuneDir, 'chaos-journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; readBack?: { value: number } });
    expect(journal.some((e) => e.event === 'applied')).toBe(true);
    expect(journal.filter((e) => e.event === 'restored').every((e) => e.readBack?.value === 640)).toBe(true);
    expect(journal.some((e) => e.event === 'restored')).toBe(true);
  }, 150_000);
});
