/**
 * The real CLI, as a child process, against moto_server as an `aws` target: `squall plan` (with
 * the current values, and `--iam`), and the guardrails of `squall run` — consent, allowlist,
 * credentials, strict drift — each proven by reading the target's configuration back: nothing is
 * changed unless the run goes ahead, and then everything is put back.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetEventSourceMappingCommand, GetFunctionConcurrencyCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { EXIT } from '../../harness/contracts/exit-codes.ts';
import type { SeriesFile } from '../../harness/contracts/series.ts';
import { external } from '../helpers/external.ts';
import { MOTO_ACCOUNT, startMotoAccount, writeExperiment, type MotoAccount } from './moto-account.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const moto = external('moto_server', 'the aws-target CLI tests');

/** Only what the SDK's default chain should see: no AWS variables from the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && k !== 'SQUALL_DEBUG') env[k] = v;
  const home = mkdtempSync(path.join(os.tmpdir(), 'squall-home-'));
  return {
    ...env,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}
const KEYS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

function squall(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000, onStdout?: (soFar: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'bin/squall.js'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`squall ${args.join(' ')} took over ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!moto.available)('squall plan and run against moto_server as an aws target', () => {
  let acct: MotoAccount;
  beforeAll(async () => {
    acct = await startMotoAccount();
  }, 30_000);
  afterAll(async () => {
    await acct?.close();
  });

  /** The two values the experiment's faults change, read back from moto. */
  async function configNow(): Promise<{ reserved: number | undefined; batchSize: number | undefined }> {
    const r = await acct.clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'worker' }));
    const m = await acct.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: acct.mappingUuid }));
    return { reserved: r.ReservedConcurrentExecutions, batchSize: m.BatchSize };
  }
  const untouched = { reserved: 5, batchSize: 5 };

  it('plan prints every call on the timeline with the value now, set and restored, and changes nothing', async () => {
    const exp = writeExperiment({ endpoint: acct.moto.endpoint });
    const r = await squall(['plan', exp], cleanEnv(KEYS));
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/drift: 3 difference\(s\)/);
    expect(r.stdout).toMatch(new RegExp(`plan: account ${MOTO_ACCOUNT}, region us-east-1, endpoint ${acct.moto.endpoint}: 21 SDK call\\(s\\); nothing has been changed`));
    const lines = r.stdout.split('\n');
    const apply = lines.find((l) => /^\s+1s\s+lambda:PutFunctionConcurrency/.test(l));
    expect(apply).toMatch(/function worker\s+reserved concurrency 5\s+reserved concurrency 0\s+reserved concurrency 5$/);
    expect(lines.find((l) => /^\s+2s\s+lambda:PutFunctionConcurrency/.test(l))).toMatch(/reserved concurrency 0\s+reserved concurrency 5/);
    expect(lines.find((l) => /^\s+1s\s+lambda:UpdateEventSourceMapping/.test(l))).toMatch(/enabled, batch size 5, maximum concurrency none\s+batch size 2\s+enabled, batch size 5/);
    expect(lines.find((l) => /sqs:SendMessage /.test(l))).toMatch(/^\s+0s–2s\s+sqs:SendMessage\s+jobs/);
    // Timeline order: nothing at 2 s is listed before something at 1 s.
    const times = lines.filter((l) => /^\s+(before|\d)/.test(l)).map((l) => l.trim().split(/\s+/)[0]!).map((t) => (t === 'before' ? -1 : parseFloat(t)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await configNow()).toEqual(untouched);
  });

  it('plan --iam prints the least-privilege policy without reading the account', async () => {
    // No credentials at all: the policy is what someone without them needs to ask for.
    const r = await squall(['plan', writeExperiment({ endpoint: 'http://127.0.0.1:9' }), '--iam'], cleanEnv({}));
    expect(r.code).toBe(EXIT.ok);
    const policy = JSON.parse(r.stdout) as { Statement: Array<{ Action: string[]; Resource: string | string[]; Condition?: unknown }> };
    const fn = `arn:aws:lambda:us-east-1:${MOTO_ACCOUNT}:function:worker`;
    const on = (resource: string) => policy.Statement.filter((s) => s.Resource === resource || (Array.isArray(s.Resource) && s.Resource.includes(resource))).flatMap((s) => s.Action).sort();
    // Provisioned concurrency is read as the function's total over every version and alias (ListProvisionedConcurrencyConfigs on the function).
    expect(on(fn)).toEqual(['lambda:DeleteFunctionConcurrency', 'lambda:GetFunctionConcurrency', 'lambda:GetFunctionConfiguration', 'lambda:ListProvisionedConcurrencyConfigs', 'lambda:PutFunctionConcurrency']);
    expect(on(`arn:aws:sqs:us-east-1:${MOTO_ACCOUNT}:jobs`)).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(on(`arn:aws:sqs:us-east-1:${MOTO_ACCOUNT}:jobs-dlq`)).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl']);
    expect(on('*')).toEqual(['cloudwatch:GetMetricData', 'lambda:GetAccountSettings', 'lambda:ListEventSourceMappings']);
    const esm = policy.Statement.find((s) => s.Action.includes('lambda:UpdateEventSourceMapping'))!;
    expect(esm.Resource).toBe(`arn:aws:lambda:us-east-1:${MOTO_ACCOUNT}:event-source-mapping:*`);
    expect(esm.Condition).toEqual({ ArnLike: { 'lambda:FunctionArn': [fn] } });
    // The restore is read back until the mapping reports it.
    expect(esm.Action).toEqual(['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping']);
    expect(r.stdout).not.toContain('sts:');
  });

  it('run without --yes and without a terminal refuses after showing the plan, and changes nothing', async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-reports-'));
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint }), '--reports', reports], cleanEnv(KEYS));
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stdout).toMatch(/plan: account 123456789012/);
    expect(r.stderr).toMatch(/stdin is not a terminal[^\n]*nothing was changed\nhint: read the plan above, then rerun with --yes/);
    expect(readdirSync(reports)).toEqual([]);
    expect(await configNow()).toEqual(untouched);
  });

  it('run refuses an account not on the allowlist before touching anything', async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-reports-'));
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint, allowlist: ['210987654321'] }), '--reports', reports, '--yes'], cleanEnv(KEYS));
    expect(r.code).toBe(EXIT.environmentUnavailable);
    expect(r.stderr).toMatch(/^error: the credentials belong to account 123456789012 .*not on target\.accountAllowlist \(210987654321\); nothing was changed$/m);
    expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
    expect(readdirSync(reports)).toEqual([]);
    expect(await configNow()).toEqual(untouched);
  });

  it('run with no credentials anywhere is an environment error naming the fix', async () => {
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint }), '--yes'], cleanEnv({}));
    expect(r.code).toBe(EXIT.environmentUnavailable);
    expect(r.stderr).toMatch(/^error: no AWS credentials found/m);
    expect(r.stderr).toMatch(/^hint: squall uses the AWS SDK default chain: set AWS_ACCESS_KEY_ID/m);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await configNow()).toEqual(untouched);
  });

  it('run refuses when the predicted cost is above target.maxCostUsd, before changing anything', async () => {
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint, targetExtra: '  maxCostUsd: 0.000000001' }), '--yes'], cleanEnv(KEYS));
    expect(r.code).toBe(EXIT.invalidInput);
    expect(r.stdout).toMatch(/predicted cost of the run: \$\d+\.\d{4} \(target\.maxCostUsd \$1e-9\)/);
    expect(r.stderr).toMatch(/^error: the predicted cost of the run, \$[\d.]+, is above target\.maxCostUsd \(\$1e-9\); nothing was changed/m);
    expect(await configNow()).toEqual(untouched);
  });

  it('run --strict-drift refuses a deployment that differs from the experiment', async () => {
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint }), '--yes', '--strict-drift'], cleanEnv(KEYS));
    expect(r.code).toBe(EXIT.environmentUnavailable);
    expect(r.stdout).toMatch(/memoryMB\s+256\s+512/);
    expect(r.stderr).toMatch(/3 difference\(s\) between the experiment and the deployed configuration \(--strict-drift\); nothing was changed/);
    expect(await configNow()).toEqual(untouched);
  });

  it('a CloudWatch alarm stop condition: read in preflight, and when it goes to ALARM every fault is restored at once and the load stops', async () => {
    await acct.clients.cloudwatch.send(
      new PutMetricAlarmCommand({ AlarmName: 'squall-brake', Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
    );
    await acct.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'squall-brake', StateValue: 'OK', StateReason: 'test start' }));
    const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-reports-'));
    const exp = writeExperiment({
      endpoint: acct.moto.endpoint,
      loadDuration: '30s',
      faults: '    - { at: 1s, action: set-reserved-concurrency, function: worker, value: 0 }',
      extraChaos: `  stopConditions:\n    - { alarm: 'arn:aws:cloudwatch:us-east-1:${MOTO_ACCOUNT}:alarm:squall-brake' }`,
    });
    let tripped = false;
    const started = Date.now();
    const r = await squall(['run', exp, '--reports', reports, '--yes', '--tail', '0s', '--metrics-wait', '0s'], cleanEnv(KEYS), 90_000, (out) => {
      if (tripped || !/applied: reserved concurrency of worker set to 0/.test(out)) return;
      tripped = true;
      // What CloudWatch does when the alarm's metric crosses its threshold.
      void acct.clients.cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'squall-brake', StateValue: 'ALARM', StateReason: 'errors' }));
    });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(tripped).toBe(true);
    expect(r.stdout).toMatch(/DescribeAlarms\s+alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:squall-brake/);
    expect(r.stdout).toMatch(/stop condition fired \+[\d.]+s: CloudWatch alarm arn:aws:cloudwatch:us-east-1:123456789012:alarm:squall-brake in ALARM; restoring every fault and stopping the load/);
    // The load of 30 s was stopped well before its end.
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(await configNow()).toEqual(untouched);
    const runDir = path.join(reports, 'aws-exp', readdirSync(path.join(reports, 'aws-exp'))[0]!);
    const journal = readFileSync(path.join(runDir, 'chaos-journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; condition?: string });
    expect(journal.find((e) => e.event === 'stop-condition')?.condition).toBe(`CloudWatch alarm arn:aws:cloudwatch:us-east-1:${MOTO_ACCOUNT}:alarm:squall-brake in ALARM`);
    expect(journal.findIndex((e) => e.event === 'stop-condition')).toBeLessThan(journal.findIndex((e) => e.event === 'restored'));
    const comparison = JSON.parse(readFileSync(path.join(runDir, 'comparison.json'), 'utf8')) as { stoppedBy: { index: number; then: string } };
    expect(comparison.stoppedBy).toMatchObject({ index: 0, then: 'stop-load' });
    expect(r.code).toBe(EXIT.thresholdsFailed);
  }, 120_000);

  it('a stop condition naming an alarm that does not exist is refused in preflight', async () => {
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint, extraChaos: '  stopConditions:\n    - { alarm: no-such-alarm }' }), '--yes'], cleanEnv(KEYS));
    expect(r.code).toBe(EXIT.environmentUnavailable);
    expect(r.stderr).toMatch(/^error: the CloudWatch alarm no-such-alarm \(a stop condition\) does not exist/m);
    expect(await configNow()).toEqual(untouched);
  });

  async function mappingMetrics(): Promise<string[]> {
    const m = await acct.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: acct.mappingUuid }));
    return [...(m.MetricsConfig?.Metrics ?? [])];
  }

  it('--mapping-metrics turns the mapping event metrics on for the run, journaled, and off again after', async () => {
    expect(await mappingMetrics()).toEqual([]);
    const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-reports-'));
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint, faults: '    []' }), '--reports', reports, '--yes', '--tail', '0s', '--metrics-wait', '0s', '--mapping-metrics'], cleanEnv(KEYS), 90_000);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).toMatch(/before\s+lambda:UpdateEventSourceMapping\s+mapping jobs->worker\s+metrics none\s+metrics EventCount\s+metrics none/);
    expect(r.stdout).toMatch(/metrics: metrics of event source jobs->worker = EventCount for the run/);
    expect(r.stdout).toMatch(/metrics: metrics of event source jobs->worker = none again/);
    expect(await mappingMetrics()).toEqual([]);
    const runDir = path.join(reports, 'aws-exp', readdirSync(path.join(reports, 'aws-exp'))[0]!);
    const journal = readFileSync(path.join(runDir, 'chaos-journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; action?: string; previous?: unknown });
    expect(journal.find((e) => e.event === 'planned')).toMatchObject({ action: 'enable-mapping-metrics', previous: { kind: 'event-source-metrics', uuid: acct.mappingUuid, metrics: [] } });
    expect(journal.map((e) => e.event).filter((e) => e !== 'run')).toEqual(['planned', 'applied', 'restored']);
    expect(r.code).toBe(EXIT.ok);
  }, 120_000);

  it('squall restore puts the mapping metrics back after a killed run, from the journal', async () => {
    // The state a run killed mid-way leaves: metrics on, the planned line written, no restored line.
    await acct.clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: acct.mappingUuid, MetricsConfig: { Metrics: ['EventCount'] } }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-killed-'));
    const previous = { kind: 'event-source-metrics', uuid: acct.mappingUuid, id: 'jobs->worker', metrics: [] };
    writeFileSync(
      path.join(dir, 'chaos-journal.ndjson'),
      [
        { event: 'run', runId: 'killed', target: { kind: 'aws', region: 'us-east-1', endpoint: acct.moto.endpoint, profile: null }, at: new Date().toISOString() },
        { event: 'planned', faultId: 10_000, action: 'enable-mapping-metrics', resource: `event-source-metrics:${acct.mappingUuid}`, previous, target: { ...previous, metrics: ['EventCount'] }, change: {}, at: new Date().toISOString() },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    expect(await mappingMetrics()).toEqual(['EventCount']);
    const r = await squall(['restore', dir], cleanEnv(KEYS));
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(EXIT.ok);
    expect(await mappingMetrics()).toEqual([]);
  });

  it('run --yes applies the faults on the timeline and restores them', async () => {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-reports-'));
    // What AWS would publish about the run, put first (moto runs no functions): 11 invocations a minute.
    const now = Date.now();
    for (const at of [now, now + 60_000]) {
      await acct.clients.cloudwatch.send(
        new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: [{ MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'worker' }], Timestamp: new Date(at), Value: 11 }] }),
      );
    }
    // The fault windows (1 s–2 s) end a second before the load: a restore still in flight when the
    // load ends is counted late by the run's summary line (reported to the lead), not lost.
    const r = await squall(['run', writeExperiment({ endpoint: acct.moto.endpoint, loadDuration: '3s' }), '--reports', reports, '--yes', '--tail', '0s', '--metrics-wait', '0s'], cleanEnv(KEYS), 90_000);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stdout).toMatch(/chaos \+[\d.]+s applied: reserved concurrency of worker set to 0/);
    expect(r.stdout).toMatch(/faults restored: 2\n/);
    expect(await configNow()).toEqual(untouched);
    const runDir = path.join(reports, 'aws-exp', readdirSync(path.join(reports, 'aws-exp'))[0]!);
    const journal = readFileSync(path.join(runDir, 'chaos-journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(journal.map((e) => e.event).filter((e) => e !== 'run').sort()).toEqual(['applied', 'applied', 'planned', 'planned', 'restored', 'restored']);
    // The load ran against the target (moto does not check signatures): every SendMessageBatch answered 200.
    expect(existsSync(path.join(runDir, 'k6-points.ndjson.gz'))).toBe(true);
    const summary = JSON.parse(readFileSync(path.join(runDir, 'k6-summary.json'), 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
    expect(summary.metrics.http_req_failed!.values.rate).toBe(0);
    // System series from CloudWatch, compared on its 1-minute grid, and the output says so.
    expect(r.stdout).toMatch(/compared at 60 s steps from .*: cloudwatch publishes 1-minute points/);
    const measured = JSON.parse(readFileSync(path.join(runDir, 'measured.json'), 'utf8')) as SeriesFile;
    expect(measured.stepMs).toBe(60_000);
    expect(measured.source).toBe('k6+cloudwatch');
    const inv = measured.series.find((s) => s.name === 'lambda.invocations' && s.labels.function === 'worker')!;
    const sum = inv.values.reduce<number>((a, v) => a + (v ?? 0), 0);
    expect(sum % 11).toBe(0);
    expect(sum).toBeGreaterThan(0);
    const predicted = JSON.parse(readFileSync(path.join(runDir, 'predicted.json'), 'utf8')) as SeriesFile;
    expect(predicted.stepMs).toBe(60_000);
    expect(r.code).toBe(EXIT.ok);
  }, 120_000);
});
