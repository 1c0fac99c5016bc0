/**
 * `squall plan` and `--iam` for function faults, through the real CLI against moto_server as an
 * `aws` target: the rows read the function's configuration, update it with SQUALL_FAULTS at the
 * fault's time and put the environment read now back at its end; the policy grants exactly
 * GetFunctionConfiguration and UpdateFunctionConfiguration on that function; nothing is changed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../harness/contracts/exit-codes.ts';
import { external } from '../helpers/external.ts';
import { MOTO_ACCOUNT, startMotoAccount, writeExperiment, type MotoAccount } from './moto-account.ts';

const root = path.resolve(import.meta.dirname, '../..');
const moto = external('moto_server', 'the function-fault plan tests');

function squall(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/squall.js'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`squall ${args.join(' ')} took over 60 s\n${stdout}\n${stderr}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function env(keys: boolean): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) out[k] = v;
  const home = mkdtempSync(path.join(os.tmpdir(), 'squall-home-'));
  return {
    ...out,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(keys ? { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } : {}),
  };
}

const faults = `    - { at: 1s, for: 1s, action: inject-errors, function: worker, percentage: 25 }
    - { at: 0.5s, action: inject-latency, function: worker, latency: 200ms }`;

describe.skipIf(!moto.available)('squall plan with function faults, moto_server as an aws target', () => {
  let acct: MotoAccount;
  beforeAll(async () => {
    acct = await startMotoAccount();
  }, 30_000);
  afterAll(async () => {
    await acct?.close();
  });

  const environment = async () => (await acct.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'worker' }))).Environment?.Variables;

  it('plan: read, update with SQUALL_FAULTS at the fault\'s time, put the environment read now back; nothing changed', async () => {
    const r = await squall(['plan', writeExperiment({ endpoint: acct.moto.endpoint, faults })], env(true));
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const lines = r.stdout.split('\n');
    const update = lines.filter((l) => /lambda:UpdateFunctionConfiguration/.test(l));
    // Apply at 0.5 s and 1 s, restore at 2 s (the errors' window) and at the end of the load (2 s).
    expect(update.map((l) => l.trim().split(/\s+/)[0])).toEqual(['500ms', '1s', '2s', 'end']);
    const apply = update.find((l) => l.trim().startsWith('1s'))!;
    expect(apply).toMatch(/function worker\s+1 variable\(s\): STAGE\s+SQUALL_FAULTS=\{"errors":\{"percentage":25,"runHandler":false,"errorType":"SquallInjectedError"\}\} \(other variables kept\)\s+1 variable\(s\): STAGE$/);
    expect(lines.find((l) => /^\s+1s\s+lambda:GetFunctionConfiguration/.test(l))).toMatch(/1 variable\(s\): STAGE/);
    expect(await environment()).toEqual({ STAGE: 'test' });
  });

  it('plan --iam: GetFunctionConfiguration and UpdateFunctionConfiguration on that function only', async () => {
    const r = await squall(['plan', writeExperiment({ endpoint: 'http://127.0.0.1:9', faults }), '--iam'], env(false));
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const policy = JSON.parse(r.stdout) as { Statement: Array<{ Action: string[]; Resource: string | string[] }> };
    const fn = `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT}:function:worker`;
    const on = (resource: string) => policy.Statement.filter((s) => s.Resource === resource || (Array.isArray(s.Resource) && s.Resource.includes(resource))).flatMap((s) => s.Action).sort();
    expect(on(fn)).toEqual(['lambda:GetFunctionConcurrency', 'lambda:GetFunctionConfiguration', 'lambda:ListProvisionedConcurrencyConfigs', 'lambda:UpdateFunctionConfiguration']);
    const anywhere = policy.Statement.filter((s) => s.Action.includes('lambda:UpdateFunctionConfiguration'));
    expect(anywhere.map((s) => s.Resource)).toEqual([fn]);
  });
});
