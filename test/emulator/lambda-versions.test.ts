/**
 * Versions and aliases through the real AWS SDK v3: PublishVersion freezes $LATEST, aliases name a
 * version, a weighted alias sends its share of invokes to the additional version (checked against
 * binomial bounds over a bounded count), provisioned concurrency lives on any published version or
 * alias, and spillover is counted per qualifier.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaEmulator, type SquallEmulator } from '../../harness/emulator/index.ts';
import { fn as resolvedFn } from '../generate/builders.ts';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:';
const EMPTY_ZIP = new Uint8Array([80, 75, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

let emu: SquallEmulator;
let lambda: LambdaClient;

beforeAll(async () => {
  emu = await startLambdaEmulator({ seed: 11 });
  lambda = new LambdaClient({ endpoint: emu.emulator.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  lambda.destroy();
  await emu.close();
});

const until = async (cond: () => Promise<boolean>, ms = 5_000) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached in time');
};

async function fn(name: string): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP }, MemorySize: 128 }));
}
async function settled(name: string): Promise<void> {
  await until(async () => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).LastUpdateStatus === 'Successful');
}

describe('versions', () => {
  it('PublishVersion freezes $LATEST with a qualified ARN; an unchanged function publishes no new number; ListVersionsByFunction lists all', async () => {
    await fn('ver');
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(v1).toMatchObject({ Version: '1', FunctionArn: `${ARN}ver:1`, Description: 'first', MemorySize: 128 });
    expect((await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }))).Version).toBe('1');
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'ver', MemorySize: 256 }));
    await settled('ver');
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: 'ver' }));
    expect(v2).toMatchObject({ Version: '2', MemorySize: 256 });
    // Version 1 kept its configuration.
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'ver', Qualifier: '1' }))).MemorySize).toBe(128);
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${ARN}ver:2` }))).Version).toBe('2');
    const list = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
    expect(list.Versions?.map((v) => [v.Version, v.FunctionArn])).toEqual([
      ['$LATEST', `${ARN}ver`],
      ['1', `${ARN}ver:1`],
      ['2', `${ARN}ver:2`],
    ]);
    const run = await lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '1', LogType: 'Tail' }));
    expect(run.ExecutedVersion).toBe('1');
    expect(Buffer.from(run.LogResult!, 'base64').toString()).toMatch(/^START RequestId: \S+ Version: 1\n/);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: '7' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: `Function not found: ${ARN}ver:7` });
  });
});

describe('aliases', () => {
  it('create, get, list, update and delete with AWS’s shapes and errors', async () => {
    await fn('al');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'al' }));
    const created = await lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: 'prod', FunctionVersion: '1', Description: 'p' }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created).toMatchObject({ AliasArn: `${ARN}al:prod`, Name: 'prod', FunctionVersion: '1', Description: 'p' });
    expect(created.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: 'prod', FunctionVersion: '1' }))).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: `Alias already exists: ${ARN}al:prod`,
    });
    await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: 'x', FunctionVersion: '9' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: `Function not found: ${ARN}al:9` });
    await expect(lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: '12', FunctionVersion: '1' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(lambda.send(new GetAliasCommand({ FunctionName: 'al', Name: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: `Alias not found: ${ARN}al:nope` });
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'al', Name: 'prod' }))).FunctionVersion).toBe('1');
    expect((await lambda.send(new InvokeCommand({ FunctionName: `al:prod` }))).ExecutedVersion).toBe('1');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'al', Name: 'dev', FunctionVersion: '$LATEST' }));
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'al' }))).Aliases?.map((a) => a.Name)).toEqual(['prod', 'dev']);
    expect((await lambda.send(new ListAliasesCommand({ FunctionName: 'al', FunctionVersion: '1' }))).Aliases?.map((a) => a.Name)).toEqual(['prod']);
    await expect(lambda.send(new UpdateAliasCommand({ FunctionName: 'al', Name: 'prod', RevisionId: 'stale' }))).rejects.toMatchObject({ name: 'PreconditionFailedException' });
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'al', Name: 'dev' }));
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'al', Qualifier: 'dev' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a 10 % canary sends about 10 % of invokes to the additional version (binomial bounds over 800 invokes)', async () => {
    await fn('canary');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'canary' }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'canary', Description: 'v2' }));
    await settled('canary');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'canary' }));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'canary', Name: 'live', FunctionVersion: '1' }));
    const upd = await lambda.send(new UpdateAliasCommand({ FunctionName: 'canary', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } } }));
    expect(upd.RoutingConfig).toEqual({ AdditionalVersionWeights: { '2': 0.1 } });
    await expect(lambda.send(new UpdateAliasCommand({ FunctionName: 'canary', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '1': 0.5 } } }))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    const n = 800;
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i += 40) {
      const batch = await Promise.all(Array.from({ length: 40 }, () => lambda.send(new InvokeCommand({ FunctionName: 'canary', Qualifier: 'live' }))));
      for (const r of batch) counts[r.ExecutedVersion!] = (counts[r.ExecutedVersion!] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['1', '2']);
    // Mean 80, standard deviation √(800·0.1·0.9) ≈ 8.5: ±4σ.
    expect(counts['2']).toBeGreaterThanOrEqual(46);
    expect(counts['2']).toBeLessThanOrEqual(114);
    // Promoting version 2 and dropping the routing sends everything there.
    await lambda.send(new UpdateAliasCommand({ FunctionName: 'canary', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
    for (let i = 0; i < 20; i++) expect((await lambda.send(new InvokeCommand({ FunctionName: 'canary', Qualifier: 'live' }))).ExecutedVersion).toBe('2');
  });
});

describe('provisioned concurrency per qualifier', () => {
  it('sits on any published version or alias; invokes past it spill over and are counted per qualifier', async () => {
    // An experiment's function (300 ms synthetic), which comes with version 1 behind `live`.
    const made = await fetch(`${emu.emulator.endpoint}/_squall/lambda/functions`, {
      method: 'POST',
      body: JSON.stringify(
        resolvedFn('pcq', {
          synthetic: { duration: { kind: 'constant', ms: 300 }, errorRate: 0, poison: null, response: null },
          coldStart: { initMs: { kind: 'constant', ms: 0 } },
          url: false,
          async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: null, retryDelaysSeconds: [1, 2] },
        }),
      ),
    });
    expect(made.status).toBe(201);
    expect((await lambda.send(new GetAliasCommand({ FunctionName: 'pcq', Name: 'live' }))).FunctionVersion).toBe('1');
    await lambda.send(new CreateAliasCommand({ FunctionName: 'pcq', Name: 'blue', FunctionVersion: '1' }));
    await expect(lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pcq', Qualifier: 'green', ProvisionedConcurrentExecutions: 1 }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    for (const q of ['1', 'blue']) {
      await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'pcq', Qualifier: q, ProvisionedConcurrentExecutions: 1 }));
      await until(async () => (await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'pcq', Qualifier: q }))).Status === 'READY');
    }
    // Three at once on `blue`: one provisioned environment, two spill over (cold starts).
    const tails = await Promise.all(
      [0, 1, 2].map(async () => Buffer.from((await lambda.send(new InvokeCommand({ FunctionName: 'pcq', Qualifier: 'blue', LogType: 'Tail' }))).LogResult!, 'base64').toString()),
    );
    expect(tails.every((t) => t.includes('Version: 1'))).toBe(true);
    const snap = (await (await fetch(`${emu.emulator.endpoint}/_squall/metrics`)).json()) as { series: { name: string; labels: Record<string, string>; values: number[] }[] };
    const spill = snap.series.filter((s) => s.name === 'lambda.provisioned_spillover' && s.labels.function === 'pcq');
    const total = (q: string) => spill.filter((s) => s.labels.qualifier === q).reduce((a, s) => a + s.values.reduce((x, y) => x + y, 0), 0);
    expect(total('blue')).toBe(2);
    expect(total('1')).toBe(0);
  });
});
