/**
 * `squall plan <experiment>`: the dry run. Every SDK call a run would make against the target, in
 * timeline order, with the resource it touches, the value it reads now, the value it sets and the
 * value it puts back; on `aws` the current values come from a real preflight (reads only). With
 * `--iam`, the least-privilege IAM policy for exactly those calls. Nothing is changed.
 * `squall run` on `aws` prints the same plan and asks for confirmation (or `--yes`).
 */
import { alarmName } from '../chaos/alarms.ts';
import { faultCalls } from '../chaos/plan.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { formatDuration, parseDuration } from '../experiment/duration.ts';
import { loadExperiment } from '../experiment/load.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import { iamAction, arns, type ArnContext, type SdkCall } from '../target/calls.ts';
import { deployedReadCalls } from '../target/deployed.ts';
import { formatDriftTable } from '../target/drift.ts';
import { leastPrivilegePolicy, type IamPolicy } from '../target/iam.ts';
import { preflight, type Preflight } from '../target/preflight.ts';
import { applyTargetOverrides, type TargetFlags } from '../target/override.ts';
import { targetFlags } from './target-flags.ts';
import { defineCommand } from './command.ts';

export type PlanPhase = 'preflight' | 'setup' | 'load' | 'fault' | 'restore' | 'observe';

export interface PlanRow {
  phase: PlanPhase;
  /** Offset on the load's timeline (ms); null for before the load starts. */
  atMs: number | null;
  /** Human label of the time when it is a window or an end: `0s–60s`, `end of run`. */
  when: string;
  call: SdkCall;
  now: string | null;
  set: string | null;
  restoreTo: string | null;
}

export interface RunPlan {
  account: string;
  region: string;
  endpoint: string | null;
  rows: PlanRow[];
}

/** Every SDK call of a run, in order; `pf` holds the current values when a preflight ran. */
export function buildRunPlan(exp: ResolvedExperiment, x: ArnContext & { endpoint: string | null }, pf: Preflight | null, tailMs: number, opts: { mappingMetrics?: boolean } = {}): RunPlan {
  const rows: PlanRow[] = [];
  const row = (phase: PlanPhase, atMs: number | null, when: string, call: SdkCall, now: string | null = null, set: string | null = null, restoreTo: string | null = null) =>
    rows.push({ phase, atMs, when, call, now, set, restoreTo });
  const endMs = exp.load.durationMs;

  rows.push(...[{ service: 'sts', operation: 'GetCallerIdentity', resource: 'the caller', arn: '*' } as SdkCall].map((call) => ({ phase: 'preflight' as const, atMs: null, when: 'before', call, now: pf ? `${pf.identity.arn}` : null, set: null, restoreTo: null })));
  for (const call of pf ? pf.deployed.calls : deployedReadCalls(exp, x)) row('preflight', null, 'before', call, pf ? currentValue(pf, call) : null);

  for (const f of Object.values(exp.system.functions)) {
    if (f.url) row('setup', null, 'before', { service: 'lambda', operation: 'GetFunctionUrlConfig', resource: f.name, arn: arns.function(x, f.name) });
  }
  const metricsRows: Array<[string, string]> = [];
  if (opts.mappingMetrics) {
    for (const es of exp.system.eventSources) {
      const deployed = pf?.deployed.eventSources[es.id];
      if (deployed?.metrics.includes('EventCount')) continue;
      const fnArn = arns.function(x, es.function);
      const call = (operation: string): SdkCall => ({ service: 'lambda', operation, resource: `mapping ${es.id}`, arn: `${arns.mapping(x, '*')}|lambda:FunctionArn=${fnArn}` });
      const now = deployed ? `metrics ${deployed.metrics.join(', ') || 'none'}` : null;
      row('setup', null, 'before', call('UpdateEventSourceMapping'), now, `metrics ${[...(deployed?.metrics ?? []), 'EventCount'].join(', ')}`, now ?? '(the value read now)');
      row('setup', null, 'before', call('GetEventSourceMapping'), null, null, null);
      metricsRows.push([es.id, now ?? '(the value read now)']);
    }
  }
  for (const s of Object.values(exp.load.scenarios)) {
    const window = `${formatDuration(s.startTimeMs)}–${formatDuration(endMs)}`;
    if (s.template === 'sqs-producer') row('load', s.startTimeMs, window, { service: 'sqs', operation: 'SendMessageBatch', resource: s.queue, arn: arns.queue(x, s.queue) }, null, `k6 scenario ${s.name}`);
    if (s.template === 'lambda-invoke') row('load', s.startTimeMs, window, { service: 'lambda', operation: 'Invoke', resource: s.function, arn: arns.function(x, s.function) }, null, `k6 scenario ${s.name} (${s.invocationType})`);
  }
  for (const f of exp.chaos.faults) {
    const previous = pf?.current.find((c) => c.fault.id === f.id)?.previous ?? null;
    const fc = faultCalls(f, x, previous);
    const at = formatDuration(f.atMs);
    // The value is known once the last read is made (a mapping needs the queue's ARN first).
    fc.read.forEach((call, i) => row('fault', f.atMs, at, call, i === fc.read.length - 1 ? fc.now : null));
    if (f.action === 'inject-poison') {
      for (const call of fc.apply) row('fault', f.atMs, `${at}–${formatDuration(f.atMs + (f.forMs ?? 0))}`, call, null, fc.set);
      continue;
    }
    for (const call of fc.apply) row('fault', f.atMs, at, call, fc.now, fc.set, fc.restoreTo);
    const backAt = f.forMs !== null ? f.atMs + f.forMs : null;
    for (const call of fc.restore) row('restore', backAt ?? endMs, backAt !== null ? formatDuration(backAt) : 'end of load', call, fc.set, fc.restoreTo ?? '(the value read when applied)');
  }
  for (const a of exp.chaos.alarms ?? []) {
    row('observe', 0, `0s–${formatDuration(endMs)}, every 5s`, { service: 'cloudwatch', operation: 'DescribeAlarms', resource: `alarm ${a.alarm}`, arn: arns.alarm(x, alarmName(a.alarm)) }, null, `stop condition (then ${a.then})`);
  }
  const after = `end of load + ${formatDuration(tailMs)}`;
  for (const [id, back] of metricsRows) {
    const es = exp.system.eventSources.find((e) => e.id === id)!;
    rows.push({ phase: 'restore', atMs: endMs + tailMs, when: after, call: { service: 'lambda', operation: 'UpdateEventSourceMapping', resource: `mapping ${id}`, arn: `${arns.mapping(x, '*')}|lambda:FunctionArn=${arns.function(x, es.function)}` }, now: null, set: back, restoreTo: null });
  }
  rows.push({ phase: 'observe', atMs: endMs + tailMs, when: after, call: { service: 'cloudwatch', operation: 'GetMetricData', resource: 'AWS/Lambda and AWS/SQS metrics of the named resources', arn: '*' }, now: null, set: null, restoreTo: null });
  // Timeline order; calls at the same time keep the order they are made in (stable sort).
  const order = (r: PlanRow) => (r.atMs === null ? -1 : r.atMs);
  rows.sort((a, b) => order(a) - order(b));
  return { account: x.account, region: x.region, endpoint: x.endpoint, rows };
}

function currentValue(pf: Preflight, call: SdkCall): string | null {
  const d = pf.deployed;
  const fn = d.functions[call.resource];
  if (fn && call.operation === 'GetFunctionConfiguration') return `memory ${fn.memoryMB} MB, timeout ${fn.timeoutSeconds} s`;
  if (fn && call.operation === 'GetFunctionConcurrency') return `reserved ${fn.reservedConcurrency ?? 'none'}`;
  const pcFn = d.functions[call.resource.split(':')[0]!];
  if (pcFn && call.operation === 'ListProvisionedConcurrencyConfigs') return pcFn.provisionedConcurrency === null ? 'not readable here' : `provisioned ${pcFn.provisionedConcurrency} in all`;
  const q = d.queues[call.resource];
  if (q && call.operation === 'GetQueueAttributes') return `visibility ${q.visibilityTimeoutSeconds} s, redrive ${q.redrive ? `${q.redrive.deadLetterQueue}×${q.redrive.maxReceiveCount}` : 'none'}`;
  const m = d.eventSources[call.resource];
  if (m) return `batch ${m.batchSize}, window ${m.maximumBatchingWindowSeconds} s, max concurrency ${m.maximumConcurrency ?? 'none'}`;
  if (call.operation === 'GetAccountSettings') return d.account.concurrencyLimit === null ? 'not readable here' : `concurrency limit ${d.account.concurrencyLimit}`;
  return null;
}

export function formatPlan(p: RunPlan): string {
  const head = `plan: account ${p.account}, region ${p.region}${p.endpoint ? `, endpoint ${p.endpoint}` : ''}: ${p.rows.length} SDK call(s); nothing has been changed\n`;
  const cols = ['when', 'call', 'resource', 'now', 'set', 'restore'];
  const cells = p.rows.map((r) => [r.when, iamAction(r.call), r.call.resource, r.now ?? '—', r.set ?? '—', r.restoreTo ?? '—']);
  const w = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ')}`.trimEnd();
  return `${head}${[cols, ...cells].map(line).join('\n')}\n`;
}

/** The plan's IAM policy: every call of the plan, plus restore's read-back of faults. */
export function planPolicy(plan: RunPlan): IamPolicy {
  return leastPrivilegePolicy(plan.rows.map((r) => r.call));
}

export default defineCommand({
  command: 'plan <experiment>',
  describe: 'Dry run: every SDK call a run would make, when, on what, the value now, set and restored; --iam prints the least-privilege IAM policy',
  builder: (y) =>
    targetFlags(
      y
        .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (YAML, JSON or TypeScript)' })
        .option('iam', { type: 'boolean', default: false, describe: 'print the least-privilege IAM policy (JSON) for this experiment instead of the plan' })
        .option('json', { type: 'boolean', default: false, describe: 'print the plan as JSON' })
        .option('mapping-metrics', { type: 'boolean', default: false, describe: 'as for squall run: include turning on the mappings\' event metrics' })
        .option('offline', { type: 'boolean', default: false, describe: 'do not read the target (no credentials needed); current values are not shown' })
        .option('tail', { type: 'string', default: '15s', describe: 'as for squall run: observation after the load' }),
    )
      .example('$0 plan exp.yaml --target aws', 'read the account (nothing is changed) and print every call the run would make')
      .example('$0 plan exp.yaml --iam > policy.json', 'the IAM policy squall needs for this experiment'),
  run: async (args) => {
    const tail = parseDuration(args.tail);
    if ('error' in tail) throw new SquallError(`--tail: ${tail.error}`, { exitCode: EXIT.invalidInput });
    const loaded = await loadExperiment(args.experiment as string, { onWarning: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`) });
    const exp = applyTargetOverrides(loaded, args as TargetFlags);
    if (exp.target.kind !== 'aws') {
      if (args.iam) throw new SquallError('--iam is for an aws target: the emulator needs no IAM policy', { exitCode: EXIT.invalidInput, hint: 'add --target aws (with target.accountAllowlist in the experiment)' });
    }
    const target = exp.target.kind === 'aws' ? exp.target : null;
    const region = target?.region ?? 'us-east-1';
    const endpoint = target?.endpoint ?? null;
    let pf: Preflight | null = null;
    // The IAM policy needs no credentials: who would run it may be exactly who lacks them.
    if (target && !args.iam && !args.offline) {
      const r = await preflight(exp, { runMs: exp.load.durationMs + tail.ms, log: (l) => process.stderr.write(`${l}\n`) });
      r.clients.destroy();
      pf = r.preflight;
    }
    const account = pf?.identity.account ?? (target?.accountAllowlist.length === 1 ? target.accountAllowlist[0]! : '*');
    const plan = buildRunPlan(exp, { region, account, endpoint }, pf, tail.ms, { mappingMetrics: args['mapping-metrics'] });
    if (args.iam) {
      process.stdout.write(`${JSON.stringify(planPolicy(plan), null, 2)}\n`);
      return EXIT.ok;
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...plan, drift: pf?.drift ?? null, warnings: pf?.deployed.warnings ?? [] }, null, 2)}\n`);
      return EXIT.ok;
    }
    if (pf) process.stdout.write(formatDriftTable(pf.drift));
    process.stdout.write(formatPlan(plan));
    return EXIT.ok;
  },
});
