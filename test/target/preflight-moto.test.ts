/**
 * Preflight against moto_server as an `aws` target: the caller's account is checked against the
 * allowlist, every named resource is read, the values the faults will replace are dry-read, and
 * each environment failure is a SquallError with the environment exit code, a cause and a fix.
 * moto lacks GetAccountSettings and GetProvisionedConcurrencyConfig: preflight says so as a
 * warning on an endpoint override (the emulator tests cover those APIs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { EXIT, SquallError } from '../../harness/contracts/exit-codes.ts';
import { loadExperiment } from '../../harness/experiment/load.ts';
import { checkExpiry } from '../../harness/target/credentials.ts';
import { formatDriftTable, withDeployed } from '../../harness/target/drift.ts';
import { preflight } from '../../harness/target/preflight.ts';
import { external } from '../helpers/external.ts';
import { freePort } from '../helpers/moto.ts';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, startMotoAccount, writeExperiment, type MotoAccount } from './moto-account.ts';

const moto = external('moto_server', 'the aws-target preflight tests');

async function failure(p: Promise<unknown>): Promise<SquallError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SquallError);
    return e as SquallError;
  }
  throw new Error('expected a failure');
}

describe.skipIf(!moto.available)('preflight on moto_server as an aws target', () => {
  let acct: MotoAccount;
  const saved = { ...process.env };
  beforeAll(async () => {
    acct = await startMotoAccount();
    // The default credential chain reads these first, as it would in CI.
    process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  }, 30_000);
  afterAll(async () => {
    process.env = saved;
    await acct?.close();
  });

  it('reads every named resource and the values the faults replace, and shows drift', async () => {
    const exp = await loadExperiment(writeExperiment({ endpoint: acct.moto.endpoint }));
    const { preflight: p, clients } = await preflight(exp, { runMs: 60_000 });
    clients.destroy();
    expect(p.identity.account).toBe(MOTO_ACCOUNT);
    expect(p.credentials.accessKeyId).toBe('test');
    const worker = p.deployed.functions.worker!;
    expect(worker).toMatchObject({ memoryMB: 512, timeoutSeconds: 10, reservedConcurrency: 5, environment: { STAGE: 'test' } });
    expect(p.deployed.queues.jobs).toMatchObject({ visibilityTimeoutSeconds: 60, redrive: { deadLetterQueue: 'jobs-dlq', maxReceiveCount: 3 } });
    expect(p.deployed.eventSources['jobs->worker']).toMatchObject({ uuid: acct.mappingUuid, batchSize: 5 });
    // moto has neither API (nor any provisioned concurrency); on AWS itself their absence would be an error, not a warning.
    expect(p.deployed.warnings.join('\n')).toMatch(/does not implement lambda:GetAccountSettings/);
    expect(p.deployed.warnings.join('\n')).toMatch(/does not implement lambda:ListProvisionedConcurrencyConfigs/);
    const drift = p.drift.map((r) => `${r.resource} ${r.field} ${r.experiment}->${r.deployed}`);
    expect(drift).toEqual(['function worker memoryMB 256->512', 'queue jobs visibilityTimeoutSeconds 30->60', 'mapping jobs->worker batchSize 10->5']);
    expect(formatDriftTable(p.drift)).toMatch(/3 difference\(s\)[\s\S]*memoryMB\s+256\s+512/);
    // The prediction is made from what is deployed.
    const predicted = withDeployed(exp, p.deployed);
    expect(predicted.system.functions.worker!.memoryMB).toBe(512);
    expect(predicted.system.eventSources[0]!.batchSize).toBe(5);
    expect(p.current.map((c) => c.previous)).toEqual([
      { kind: 'reserved-concurrency', function: 'worker', value: 5 },
      expect.objectContaining({ kind: 'event-source', uuid: acct.mappingUuid, batchSize: 5 }),
    ]);
  });

  it('refuses an account that is not on the allowlist, before changing anything', async () => {
    const exp = await loadExperiment(writeExperiment({ endpoint: acct.moto.endpoint, allowlist: ['111111111111'] }));
    const e = await failure(preflight(exp, { runMs: 60_000 }));
    expect(e.exitCode).toBe(EXIT.environmentUnavailable);
    expect(e.message).toContain(`account ${MOTO_ACCOUNT}`);
    expect(e.message).toContain('111111111111');
    expect(e.hint).toMatch(/accountAllowlist/);
    const r = await acct.clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'worker' }));
    expect(r.ReservedConcurrentExecutions).toBe(5);
  });

  it('names a function that is not deployed, with the fix', async () => {
    const exp = await loadExperiment(writeExperiment({ endpoint: acct.moto.endpoint, functionName: 'ghost' }));
    const e = await failure(preflight(exp, { runMs: 60_000 }));
    expect(e.exitCode).toBe(EXIT.environmentUnavailable);
    expect(e.message).toMatch(/^ghost does not exist on the endpoint http:\/\/127\.0\.0\.1:\d+ \(lambda:GetFunctionConfiguration/);
    expect(e.hint).toMatch(/deploy it, or fix its name/);
  });

  it('says an unreachable endpoint did not answer', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const exp = await loadExperiment(writeExperiment({ endpoint: closed }));
    const e = await failure(preflight(exp, { runMs: 60_000 }));
    expect(e.exitCode).toBe(EXIT.environmentUnavailable);
    expect(e.message).toBe(`the endpoint ${closed} did not answer sts:GetCallerIdentity (ECONNREFUSED)`);
    expect(e.hint).toMatch(/start the service behind/);
  });
});

describe('temporary credentials', () => {
  const base = { accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't' };
  it('refuses a run longer than the session has left', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    let e: unknown;
    try {
      checkExpiry({ ...base, expiresAtMs: now + 10 * 60_000 }, 30 * 60_000, now);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(SquallError);
    expect((e as SquallError).exitCode).toBe(EXIT.environmentUnavailable);
    expect((e as SquallError).message).toMatch(/expire in 10 min, but the run needs about 35 min/);
  });
  it('accepts a session that outlives the run and its restore margin, and long-term keys', () => {
    const now = 0;
    expect(() => checkExpiry({ ...base, expiresAtMs: 40 * 60_000 }, 30 * 60_000, now)).not.toThrow();
    expect(() => checkExpiry({ ...base, expiresAtMs: null }, 10 * 3600_000, now)).not.toThrow();
  });
});
