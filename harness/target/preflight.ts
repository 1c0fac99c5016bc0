/**
 * Preflight of an `aws` target, before anything is created or changed: resolve the credentials
 * (and check a temporary session outlives the run), ask STS who they belong to, refuse an account
 * that is not on the allowlist, read every resource the experiment names and dry-read the current
 * value each planned fault will replace. Any failure is an environment error naming its cause and
 * its fix; on success the caller holds clients signed with the same credentials the script gets.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { capture } from '../chaos/actions.ts';
import type { PreviousState } from '../chaos/journal.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment, ResolvedFault } from '../experiment/types.ts';
import { call, environmentError } from './aws-errors.ts';
import { createClients, type TargetClients } from './clients.ts';
import { checkExpiry, resolveCredentials, type ResolvedCredentials } from './credentials.ts';
import { readDeployed, type DeployedSystem } from './deployed.ts';
import { driftRows, type DriftRow } from './drift.ts';

export type AwsTarget = Extract<ResolvedExperiment['target'], { kind: 'aws' }>;

export interface Preflight {
  identity: { account: string; arn: string };
  credentials: ResolvedCredentials;
  deployed: DeployedSystem;
  drift: DriftRow[];
  /** The value each fault will replace, read now (and read again when the fault is applied). */
  current: Array<{ fault: ResolvedFault; previous: PreviousState }>;
}

export interface PreflightOptions {
  /** How long the run lasts (load + tail), for the credentials' expiry check. */
  runMs: number;
  nowMs?: number;
  /** Called with each step, for progress output. */
  log?: (line: string) => void;
}

export function awsTarget(exp: ResolvedExperiment): AwsTarget {
  if (exp.target.kind !== 'aws') throw new SquallError('internal: preflight needs an aws target');
  return exp.target;
}

/** Who the credentials belong to; the one call every identity may make (no IAM permission needed). */
export async function callerIdentity(c: TargetClients): Promise<{ account: string; arn: string }> {
  const r = await call({ action: 'sts:GetCallerIdentity', resource: 'the caller', endpoint: c.endpoint, region: c.region }, () => c.sts.send(new GetCallerIdentityCommand({})));
  return { account: r.Account ?? '', arn: r.Arn ?? '' };
}

export function checkAllowlist(target: AwsTarget, identity: { account: string; arn: string }): void {
  if (target.accountAllowlist.includes(identity.account)) return;
  throw new SquallError(`the credentials belong to account ${identity.account || '(unknown)'} (${identity.arn}), which is not on target.accountAllowlist (${target.accountAllowlist.join(', ')}); nothing was changed`, {
    exitCode: EXIT.environmentUnavailable,
    hint: 'squall only touches accounts the experiment lists: switch credentials (--profile, AWS_PROFILE) to an allowed account, or add this account id to target.accountAllowlist if it is the one you mean',
  });
}

/** Runs the whole preflight; on success returns the clients to use for the run (caller destroys them). */
export async function preflight(exp: ResolvedExperiment, o: PreflightOptions): Promise<{ preflight: Preflight; clients: TargetClients }> {
  const target = awsTarget(exp);
  const log = o.log ?? (() => {});
  const credentials = await resolveCredentials({ region: target.region, profile: target.profile, endpoint: target.endpoint });
  checkExpiry(credentials, o.runMs, o.nowMs ?? Date.now());
  const clients = createClients({
    endpoint: target.endpoint,
    region: target.region,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}) },
    // Preflight reads fail fast: a retry storm against an unreachable endpoint helps nobody.
    maxAttempts: 2,
  });
  try {
    const identity = await callerIdentity(clients);
    log(`preflight: credentials of ${identity.arn} (account ${identity.account})`);
    checkAllowlist(target, identity);
    const deployed = await readDeployed(exp, clients, identity.account);
    for (const w of deployed.warnings) log(`preflight: warning: ${w}`);
    const current: Preflight['current'] = [];
    for (const f of exp.chaos.faults) {
      try {
        current.push({ fault: f, previous: await capture(clients, f) });
      } catch (e) {
        throw environmentError(e, { action: `the dry read for fault ${f.id} (${f.action})`, resource: faultResource(f), endpoint: clients.endpoint, region: clients.region });
      }
    }
    log(`preflight: ${deployed.calls.length + current.length} read(s) passed; nothing changed`);
    return { preflight: { identity, credentials, deployed, drift: driftRows(exp, deployed), current }, clients };
  } catch (e) {
    clients.destroy();
    throw e;
  }
}

export function faultResource(f: ResolvedFault): string {
  if ('function' in f) return `function ${f.function}`;
  if ('eventSource' in f) return `mapping ${f.eventSource}`;
  if ('queue' in f) return `queue ${f.queue}`;
  return 'the target';
}
