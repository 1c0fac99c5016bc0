/**
 * Function faults against moto_server as an `aws` target, through the real CLI: overlapping
 * inject-latency / inject-errors / override-status on one function put SQUALL_FAULTS in its
 * environment (read back mid-run, the other variables kept); a run to its end, and `kill -9` of
 * the whole process group mid-fault followed by `squall restore`, both leave the ORIGINAL
 * environment exactly — the user's variables, or no environment at all — and no process behind.
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openResources, readJournal } from '../../harness/chaos/journal.ts';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { external } from '../helpers/external.ts';
import { EMPTY_ZIP, motoCreateRole, startMoto, type Moto } from '../helpers/moto.ts';
import { journalEvents, leftovers, signalGroup, startCli, waitFor } from './crash-helpers.ts';

const MOTO_ACCOUNT = '123456789012';
const moto_ = external('moto_server', 'the function-fault crash tests against moto');

let moto: Moto;
let clients: TargetClients;
let role: string;
const work = mkdtempSync(path.join(os.tmpdir(), 'squall-crash-ff-'));
let n = 0;

type Env = Record<string, string> | null;

async function environment(fn: string): Promise<Env> {
  const v = (await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }))).Environment?.Variables ?? {};
  return Object.keys(v).length ? v : null;
}

/** A function with `env` (or none), a queue for the load, and the experiment file. */
async function target(env: Env, durationS = 6): Promise<{ fn: string; file: string; reports: string }> {
  const i = n++;
  const fn = `ff${i}`;
  await clients.lambda.send(
    new CreateFunctionCommand({ FunctionName: fn, Role: role, Runtime: 'nodejs20.x', Handler: 'i.h', Code: { ZipFile: EMPTY_ZIP }, ...(env ? { Environment: { Variables: env } } : {}) }),
  );
  await clients.sqs.send(new CreateQueueCommand({ QueueName: `${fn}-load` }));
  expect(await environment(fn)).toEqual(env);
  const dir = path.join(work, `t${i}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `ff-${i}.yaml`);
  writeFileSync(
    file,
    `
name: ff-${i}
seed: 1
target: { kind: aws, region: us-east-1, endpoint: '${moto.endpoint}', accountAllowlist: ['${MOTO_ACCOUNT}'] }
system:
  functions:
    ${fn}: { synthetic: { duration: 10ms } }
  queues:
    ${fn}-load: {}
load:
  scenarios:
    producer:
      # moto would run the function in docker for an invoke: the load goes to a queue instead.
      template: sqs-producer
      queue: ${fn}-load
      executor: constant-arrival-rate
      rate: 2
      timeUnit: 1s
      duration: ${durationS}s
      preAllocatedVUs: 1
chaos:
  faults:
    - { at: 0.2s, for: 3s, action: inject-latency, function: ${fn}, latency: { normal: { mean: 300ms, stddev: 50ms } }, percentage: 50 }
    - { at: 1s, for: 3s, action: inject-errors, function: ${fn}, percentage: 20, runHandler: true }
    - { at: 1.5s, for: 1s, action: override-status, function: ${fn}, statusCode: 503, percentage: 30 }
`,
  );
  return { fn, file, reports: path.join(dir, 'reports') };
}

function run(file: string, reports: string) {
  // --metrics-wait 0s: moto has no CloudWatch points to wait for.
  return startCli(['run', file, '--reports', reports, '--tail', '0s', '--yes', '--metrics-wait', '0s']);
}

async function expectNothingLeft(pgid: number, runDir: string): Promise<void> {
  expect(await leftovers(pgid, runDir), `processes left by ${runDir}`).toEqual({ group: false, pids: [] });
}

describe.skipIf(!moto_.available)('crash tests: function faults on moto_server as an aws target', () => {
  beforeAll(async () => {
    moto = await startMoto();
    clients = createClients({ endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    role = await motoCreateRole(moto.endpoint, 'crash-ff');
  }, 60_000);
  afterAll(async () => {
    clients?.destroy();
    await moto?.stop();
  });

  // One function each: the three runs go side by side.
  describe.concurrent('runs', () => {
    it('a run to its end sets SQUALL_FAULTS beside the user\'s variables and leaves the original environment', async () => {
      const original = { TABLE: 'orders', API_KEY: 'not-for-logs' };
      const t = await target(original);
      const r = run(t.file, t.reports);
      const runDir = await r.runDir;
      // Mid-run: all three faults in force (1.5 s – 2.5 s) in the one variable.
      await waitFor('the third fault applied', () => journalEvents(runDir).filter((e) => e.event === 'applied').length >= 3 || r.child.exitCode !== null, 60_000);
      const during = await environment(t.fn);
      expect(during).toMatchObject(original);
      const spec = JSON.parse(during!.SQUALL_FAULTS!) as Record<string, unknown>;
      expect(Object.keys(spec).sort()).toEqual(['errors', 'latency', 'status']);
      const { code } = await r.exit;
      expect(r.stderr()).not.toMatch(/internal error/);
      expect(code, r.stdout() + r.stderr()).not.toBe(5);
      expect(await environment(t.fn)).toEqual(original);
      const journal = path.join(runDir, 'chaos-journal.ndjson');
      expect(openResources(readJournal(journal))).toEqual([]);
      // The journal holds the user's variables: only its owner may read it.
      expect(statSync(journal).mode & 0o077).toBe(0);
      await expectNothingLeft(r.pgid, runDir);
    }, 90_000);

    for (const [what, original] of [
      ['the user\'s variables', { TABLE: 'orders', LOG_LEVEL: 'debug' }],
      ['no environment at all', null],
    ] as const) {
      it(`kill -9 mid-fault, then squall restore: ${what} exactly as before`, async () => {
        const t = await target(original, 20);
        const r = run(t.file, t.reports);
        const runDir = await r.runDir;
        await waitFor('two faults applied', () => journalEvents(runDir).filter((e) => e.event === 'applied').length >= 2 || r.child.exitCode !== null, 60_000);
        expect(r.child.exitCode).toBeNull();
        expect((await environment(t.fn))?.SQUALL_FAULTS).toBeDefined();
        signalGroup(r.pgid, 'SIGKILL');
        await r.exit;
        await expectNothingLeft(r.pgid, runDir);
        // Still changed: nothing restored it.
        expect((await environment(t.fn))?.SQUALL_FAULTS).toBeDefined();
        const res = startCli(['restore', runDir]);
        const { code } = await res.exit;
        expect(res.stderr()).not.toMatch(/internal error/);
        expect(code, res.stdout() + res.stderr()).toBe(0);
        expect(await environment(t.fn)).toEqual(original);
        expect(openResources(readJournal(path.join(runDir, 'chaos-journal.ndjson')))).toEqual([]);
      }, 90_000);
    }
  });
});
