/**
 * `squall restore` after a hard kill: a process applies a fault through the chaos timeline and is
 * killed with SIGKILL before it can restore anything; the CLI then restores from the journal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, GetFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readJournal } from '../../harness/chaos/journal.ts';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { external } from '../helpers/external.ts';
import { EMPTY_ZIP, motoCreateRole, startMoto, type Moto } from '../helpers/moto.ts';

const root = path.resolve(import.meta.dirname, '../..');
const motoServer = external('moto_server', 'the restore-after-kill tests against moto_server');
let moto: Moto | undefined;
let clients: TargetClients;

beforeAll(async () => {
  if (!motoServer.available) return;
  moto = await startMoto();
  clients = createClients({ endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const role = await motoCreateRole(moto.endpoint, 'r');
  await clients.lambda.send(new CreateFunctionCommand({ FunctionName: 'victim', Role: role, Runtime: 'nodejs20.x', Handler: 'i.h', Code: { ZipFile: EMPTY_ZIP } }));
  await clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'victim', ReservedConcurrentExecutions: 9 }));
}, 60_000);
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

it.skipIf(!motoServer.available)('restores what a killed run changed, from the journal alone', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-restore-'));
  const script = path.join(dir, 'victim.mts');
  writeFileSync(
    script,
    `import { Journal } from ${JSON.stringify(path.join(root, 'harness/chaos/journal.ts'))};
import { ChaosTimeline } from ${JSON.stringify(path.join(root, 'harness/chaos/timeline.ts'))};
import { systemClock } from ${JSON.stringify(path.join(root, 'harness/contracts/clock.ts'))};
import { createClients } from ${JSON.stringify(path.join(root, 'harness/target/clients.ts'))};
const clients = createClients({ endpoint: ${JSON.stringify(moto!.endpoint)}, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const journal = new Journal(${JSON.stringify(path.join(dir, 'chaos-journal.ndjson'))});
journal.write({ event: 'run', runId: 'killed', target: { kind: 'aws', region: 'us-east-1', endpoint: ${JSON.stringify(moto!.endpoint)} }, at: new Date().toISOString() });
const tl = new ChaosTimeline({ faults: [{ id: 0, atMs: 0, forMs: 600000, action: 'set-reserved-concurrency', function: 'victim', value: 0 }], clients, journal, clock: systemClock(), runId: 'killed' });
tl.start();
await new Promise((r) => setTimeout(r, 50));
await tl.settled();
process.stdout.write('applied\\n');
setInterval(() => {}, 1000);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => b.toString().includes('applied') && resolve());
    child.once('exit', (c) => reject(new Error(`victim exited early with ${c}`)));
  });
  expect((await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'victim' }))).ReservedConcurrentExecutions).toBe(0);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));

  const r = spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), 'restore', dir, '--region', 'us-east-1'], {
    encoding: 'utf8',
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.stdout).toContain('1 fault(s) to restore, 1 restored, 0 failed');
  expect(r.status).toBe(0);
  expect((await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'victim' }))).ReservedConcurrentExecutions).toBe(9);
  expect(readJournal(path.join(dir, 'chaos-journal.ndjson')).map((e) => e.event)).toEqual(['run', 'planned', 'applied', 'restored']);
});

it('says clearly when there is no journal', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), 'restore', '/nonexistent/run'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('no chaos journal at /nonexistent/run/chaos-journal.ndjson');
  expect(r.stderr).toContain('hint:');
});
