/**
 * Crash tests against squall's emulator, both ways it is used:
 *  - embedded (target.kind emulated): the emulator is the run's child and dies with it, so "read
 *    back" means the journal shows every fault restored, with read-back values, before it stopped;
 *    after a kill -9 the emulator must not outlive the run (its watchdog);
 *  - long-lived (`squall emulator` started by the test, an `aws` target pointed at it): kill -9 at
 *    seeded instants and Ctrl-C, then the configuration is read back from the emulator itself.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResources, readJournal, type JournalEntry } from '../../harness/chaos/journal.ts';
import { EMULATED_ACCOUNT } from '../../harness/contracts/aws-facts.ts';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { EMPTY_ZIP } from '../helpers/moto.ts';
import { BIN, crashExperiment, journalEvents, leftovers, processesMentioning, readConfig, seeded, signalGroup, startCli, waitFor, type Config } from './crash-helpers.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'squall-crash-emu-'));

function embeddedExperiment(name: string): string {
  return `
name: ${name}
seed: 2
system:
  functions:
    api:
      synthetic: { duration: 10ms }
      url: true
    worker:
      synthetic: { duration: 10ms }
      reservedConcurrency: 4
  queues:
    jobs: {}
  eventSources:
    - { queue: jobs, function: worker, batchSize: 10 }
load:
  scenarios:
    hits:
      template: http
      url: { function: api }
      executor: constant-arrival-rate
      rate: 5
      duration: 6s
      preAllocatedVUs: 2
chaos:
  faults:
    - { at: 0.2s, for: 3s, action: set-reserved-concurrency, function: api, value: 3 }
    - { at: 1s, for: 3s, action: set-reserved-concurrency, function: api, value: 0 }
    - { at: 0.5s, for: 4s, action: set-reserved-concurrency, function: worker, value: 0 }
    - { at: 0.7s, for: 4s, action: update-event-source, eventSource: jobs->worker, batchSize: 2, maximumConcurrency: 2 }
`;
}

/** For every resource: the last restored line's read-back equals the original (the first planned `previous`). */
function restoredWithReadBack(entries: JournalEntry[]): void {
  const originals = new Map<string, unknown>();
  for (const e of entries) if (e.event === 'planned' && e.resource && !originals.has(e.resource)) originals.set(e.resource, e.previous);
  expect(originals.size).toBeGreaterThan(0);
  expect(openResources(entries)).toEqual([]);
  for (const [key, original] of originals) {
    const ids = new Set(entries.filter((e) => e.event === 'planned' && e.resource === key).map((e) => (e as { faultId: number }).faultId));
    const last = entries.filter((e) => e.event === 'restored' && ids.has(e.faultId)).at(-1) as Extract<JournalEntry, { event: 'restored' }>;
    expect(last.readBack, key).toEqual(original);
  }
}

describe('crash tests: the embedded emulator', () => {
  it('Ctrl-C once: the emulator lives until every fault is restored and read back, then exit 130 and nothing left', async () => {
    const file = path.join(work, 'embedded-int.yaml');
    writeFileSync(file, embeddedExperiment('embedded-int'));
    const r = startCli(['run', file, '--reports', path.join(work, 'reports'), '--tail', '0s']);
    const runDir = await r.runDir;
    await waitFor('faults applied', () => journalEvents(runDir).filter((e) => e.event === 'applied').length >= 3 || r.child.exitCode !== null, 60_000);
    signalGroup(r.pgid, 'SIGINT');
    const { code } = await r.exit;
    expect(r.stderr()).not.toMatch(/ECONNREFUSED|internal error/);
    expect(code, r.stdout() + r.stderr()).toBe(130);
    restoredWithReadBack(readJournal(path.join(runDir, 'chaos-journal.ndjson')));
    expect(await leftovers(r.pgid, runDir)).toEqual({ group: false, pids: [] });
  }, 90_000);

  it('kill -9 of the group: the emulator and the load die with the run; squall restore has nothing to do', async () => {
    const file = path.join(work, 'embedded-kill.yaml');
    writeFileSync(file, embeddedExperiment('embedded-kill'));
    const r = startCli(['run', file, '--reports', path.join(work, 'reports'), '--tail', '0s']);
    const runDir = await r.runDir;
    await waitFor('faults applied', () => journalEvents(runDir).some((e) => e.event === 'applied') || r.child.exitCode !== null, 60_000);
    // Both children exist before the kill (so their absence after it means something).
    expect(processesMentioning(runDir).length).toBeGreaterThanOrEqual(2);
    signalGroup(r.pgid, 'SIGKILL');
    await r.exit;
    expect(await leftovers(r.pgid, runDir)).toEqual({ group: false, pids: [] });
    const res = startCli(['restore', runDir]);
    expect((await res.exit).code, res.stdout() + res.stderr()).toBe(0);
    expect(res.stdout()).toContain('its emulator ended with the run');
  }, 90_000);
});

/**
 * An `aws` run starts with an STS GetCallerIdentity preflight (target/preflight.ts); until the
 * emulator serves STS, an aws target cannot point at it, and this part says so in one line.
 */
const emulatorHasSts = (() => {
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { startLambdaEmulator } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../harness/emulator/index.ts'))};
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
const emu = await startLambdaEmulator({});
const sts = new STSClient({ endpoint: emu.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' }, maxAttempts: 1 });
let ok = false;
try { ok = Boolean((await sts.send(new GetCallerIdentityCommand({}))).Account); } catch {}
await emu.close();
process.exit(ok ? 0 : 3);`,
    ],
    { cwd: path.resolve(import.meta.dirname, '../..'), env: { ...process.env, NODE_OPTIONS: '--import tsx' }, timeout: 60_000 },
  );
  if (r.status !== 0) process.stderr.write('skip: crash tests with a long-lived `squall emulator` as an aws target need STS GetCallerIdentity in the emulator (the aws preflight asks it), which it does not serve yet\n');
  return r.status === 0;
})();

describe.skipIf(!emulatorHasSts)('crash tests: a long-lived `squall emulator` as an aws target', () => {
  let emu: ChildProcess;
  let endpoint: string;
  let clients: TargetClients;
  let n = 0;
  beforeAll(async () => {
    emu = spawn(process.execPath, [BIN, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    endpoint = await new Promise<string>((resolve, reject) => {
      emu.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      emu.once('exit', (c) => reject(new Error(`squall emulator exited ${c}`)));
    });
    clients = createClients({ endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }, 60_000);
  afterAll(() => {
    clients?.destroy();
    emu?.kill('SIGTERM');
  });

  async function target(reserved: number | null): Promise<{ fn: string; file: string; reports: string; original: Config }> {
    const i = n++;
    const fn = `efn${i}`;
    const queue = `eq${i}`;
    await clients.lambda.send(new CreateFunctionCommand({ FunctionName: fn, Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'nodejs20.x', Handler: 'i.h', Code: { ZipFile: EMPTY_ZIP } }));
    if (reserved !== null) await clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: fn, ReservedConcurrentExecutions: reserved }));
    const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: queue }))).QueueUrl!;
    const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await clients.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: fn, EventSourceArn: arn, BatchSize: 10 }));
    await clients.sqs.send(new CreateQueueCommand({ QueueName: `${queue}-load` }));
    const dir = path.join(work, `e${i}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `ecrash-${i}.yaml`);
    writeFileSync(file, crashExperiment({ name: `ecrash-${i}`, endpoint, account: EMULATED_ACCOUNT.accountId, fn, queue }));
    return { fn, file, reports: path.join(dir, 'reports'), original: await readConfig(clients, fn) };
  }

  it('kill -9 at 6 seeded instants and one Ctrl-C: read back from the emulator, the original every time', async () => {
    const rand = seeded(7);
    const cases = Array.from({ length: 7 }, (_, i) => ({ i, reserved: i % 2 ? 12 : null, delayMs: Math.round(-300 + rand() * 5000), sig: (i === 6 ? 'SIGINT' : 'SIGKILL') as NodeJS.Signals }));
    const one = async (k: (typeof cases)[number]) => {
      const t = await target(k.reserved);
      const r = startCli(['run', t.file, '--reports', t.reports, '--tail', '0s', '--yes']);
      const runDir = await r.runDir;
      await waitFor('the first fault', () => journalEvents(runDir).some((e) => e.event === 'planned') || r.child.exitCode !== null, 60_000);
      if (k.delayMs > 0) await new Promise((res) => setTimeout(res, k.delayMs));
      signalGroup(r.pgid, k.sig);
      const { code } = await r.exit;
      expect(await leftovers(r.pgid, runDir)).toEqual({ group: false, pids: [] });
      if (k.sig === 'SIGINT') expect(code, r.stdout() + r.stderr()).toBe(130);
      else {
        const res = startCli(['restore', runDir]);
        expect((await res.exit).code, res.stdout() + res.stderr()).toBe(0);
      }
      expect(await readConfig(clients, t.fn), `${k.sig} ${k.i} at +${k.delayMs} ms`).toEqual(t.original);
    };
    for (let b = 0; b < cases.length; b += 4) await Promise.all(cases.slice(b, b + 4).map(one));
  }, 240_000);
});
