/**
 * `squall restore` after a hard kill: a process applies a fault through the chaos timeline and is
 * killed with SIGKILL before it can restore anything; the CLI then restores from the journal.
 */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
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

function journalWith(endpoint: string, extra: object[] = []): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-restore-'));
  const lines = [
    { event: 'run', runId: 'stuck', target: { kind: 'aws', region: 'us-east-1', endpoint }, at: new Date().toISOString() },
    { event: 'planned', faultId: 0, action: 'set-reserved-concurrency', previous: { kind: 'reserved-concurrency', function: 'victim', value: null }, change: {}, at: new Date().toISOString() },
    ...extra,
  ];
  writeFileSync(path.join(dir, 'chaos-journal.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return dir;
}

it('does not hang on an endpoint that accepts and never answers: exit 5 at the deadline, naming what is left', async () => {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s)); // accepts, reads nothing, answers nothing
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const dir = journalWith(endpoint);
  try {
    const t0 = Date.now();
    const child = spawn(process.execPath, [path.join(root, 'bin/squall.js'), 'restore', dir, '--deadline', '3s'], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    const took = Date.now() - t0;
    expect(stderr).not.toMatch(/internal error/);
    expect(code, stdout + stderr).toBe(5);
    // 3 s deadline + the CLI's own start-up (tsx) on a loaded machine; an unbounded wait would hit the test timeout.
    expect(took).toBeLessThan(20_000);
    expect(stdout).toContain('1 fault(s) to restore, 0 restored, 1 failed');
    expect(stderr).toContain('reserved-concurrency:victim');
    expect(stderr).toContain('should be reserved concurrency of victim = none');
    expect(stderr).toContain(`squall restore ${dir}`);
    // The journal is kept, still saying the fault is open, so the command can be run again.
    expect(readJournal(path.join(dir, 'chaos-journal.ndjson')).some((e) => e.event === 'restored')).toBe(false);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
}, 40_000);

it('passes target.profile to the SDK clients (credentials come from that profile)', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-profile-'));
  const creds = path.join(dir, 'credentials');
  writeFileSync(creds, '[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = d\n\n[chaos-lab]\naws_access_key_id = LABKEY\naws_secret_access_key = l\n');
  const saved = { f: process.env.AWS_SHARED_CREDENTIALS_FILE, k: process.env.AWS_ACCESS_KEY_ID, s: process.env.AWS_SECRET_ACCESS_KEY, p: process.env.AWS_PROFILE };
  process.env.AWS_SHARED_CREDENTIALS_FILE = creds;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  delete process.env.AWS_PROFILE;
  try {
    const withProfile = createClients({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', profile: 'chaos-lab' });
    const without = createClients({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' });
    expect((await withProfile.lambda.config.credentials()).accessKeyId).toBe('LABKEY');
    expect((await withProfile.sqs.config.credentials()).accessKeyId).toBe('LABKEY');
    expect((await without.lambda.config.credentials()).accessKeyId).toBe('DEFAULTKEY');
    withProfile.destroy();
    without.destroy();
  } finally {
    for (const [k, v] of [['AWS_SHARED_CREDENTIALS_FILE', saved.f], ['AWS_ACCESS_KEY_ID', saved.k], ['AWS_SECRET_ACCESS_KEY', saved.s], ['AWS_PROFILE', saved.p]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});
