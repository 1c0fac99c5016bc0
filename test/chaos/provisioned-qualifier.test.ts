/**
 * A set-provisioned-concurrency fault acts on the version or alias it names, through the real SDK
 * against the emulator: two faults on two qualifiers of one function are applied, read back, and
 * restored independently (each journaled under its own qualifier). moto has no provisioned
 * concurrency API, so this runs on the emulator only.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { Journal, readJournal } from '../../harness/chaos/journal.ts';
import { faultCalls } from '../../harness/chaos/plan.ts';
import { ChaosTimeline } from '../../harness/chaos/timeline.ts';
import { startLambdaEmulator } from '../../harness/emulator/index.ts';
import type { ResolvedExperiment, ResolvedFault } from '../../harness/experiment/types.ts';
import { readDeployed } from '../../harness/target/deployed.ts';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { EMPTY_ZIP } from '../helpers/moto.ts';

describe('set-provisioned-concurrency on a named version or alias (emulator)', () => {
  let clients: TargetClients;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const emu = await startLambdaEmulator({ seed: 1 });
    clients = createClients({ endpoint: emu.emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    close = async () => {
      clients.destroy();
      await emu.close();
    };
    await clients.lambda.send(
      new CreateFunctionCommand({ FunctionName: 'fn', Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }),
    );
    expect((await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'fn' }))).Version).toBe('1');
    await clients.lambda.send(new CreateAliasCommand({ FunctionName: 'fn', Name: 'blue', FunctionVersion: '1' }));
    await clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fn', Description: 'second' }));
    expect((await clients.lambda.send(new PublishVersionCommand({ FunctionName: 'fn' }))).Version).toBe('2');
  }, 60_000);
  afterAll(async () => {
    await close?.();
  });

  const provisioned = async (qualifier: string): Promise<number | null> => {
    try {
      return (await clients.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'fn', Qualifier: qualifier }))).RequestedProvisionedConcurrentExecutions ?? null;
    } catch (e) {
      if ((e as Error).name === 'ProvisionedConcurrencyConfigNotFoundException') return null;
      throw e;
    }
  };

  it('applies each fault to its own qualifier and restores each to "none" at its window end', async () => {
    const clock = new ManualClock();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'squall-pq-')), 'chaos-journal.ndjson');
    const faults: ResolvedFault[] = [
      { id: 0, atMs: 1000, forMs: 1000, action: 'set-provisioned-concurrency', function: 'fn', qualifier: '2', value: 3 },
      { id: 1, atMs: 1000, forMs: 3000, action: 'set-provisioned-concurrency', function: 'fn', qualifier: 'blue', value: 2 },
    ];
    const tl = new ChaosTimeline({ faults, clients, journal: new Journal(file), clock, runId: 'run-pq' });
    tl.start();
    clock.advance(1000);
    await tl.settled();
    expect(await provisioned('2')).toBe(3);
    expect(await provisioned('blue')).toBe(2);
    expect(await provisioned('1')).toBeNull();
    clock.advance(1000);
    await tl.settled();
    expect(await provisioned('2')).toBeNull();
    expect(await provisioned('blue')).toBe(2);
    clock.advance(2000);
    await tl.settled();
    expect(await provisioned('blue')).toBeNull();
    await tl.finish();
    const resources = readJournal(file).map((e) => JSON.stringify(e)).join('\n');
    expect(resources).toContain('"qualifier":"2"');
    expect(resources).toContain('"qualifier":"blue"');
  });

  it('plans the calls on the qualified ARN', () => {
    const f: ResolvedFault = { id: 0, atMs: 0, forMs: null, action: 'set-provisioned-concurrency', function: 'fn', qualifier: 'blue', value: 1 };
    const calls = faultCalls(f, { region: 'us-east-1', account: '123456789012' }, null);
    expect(calls.apply).toEqual([{ service: 'lambda', operation: 'PutProvisionedConcurrencyConfig', resource: 'function fn:blue', arn: 'arn:aws:lambda:us-east-1:123456789012:function:fn:blue' }]);
    expect(calls.set).toBe('provisioned concurrency 1');
  });

  it("reads a deployed function's provisioned concurrency as its total over every version and alias", async () => {
    const exp = { system: { functions: { fn: {} }, queues: {}, eventSources: [] }, chaos: { faults: [], alarms: [] } } as unknown as ResolvedExperiment;
    expect((await readDeployed(exp, clients, '000000000000')).functions.fn!.provisionedConcurrency).toBe(0);
    await clients.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'fn', Qualifier: '2', ProvisionedConcurrentExecutions: 3 }));
    await clients.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'fn', Qualifier: 'blue', ProvisionedConcurrentExecutions: 2 }));
    const d = await readDeployed(exp, clients, '000000000000');
    expect(d.functions.fn!.provisionedConcurrency).toBe(5);
    expect(d.calls.map((c) => c.operation)).toContain('ListProvisionedConcurrencyConfigs');
    for (const q of ['2', 'blue']) await clients.lambda.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'fn', Qualifier: q }));
  });
});
