/**
 * The least-privilege IAM policy for one experiment, derived from the very list of SDK calls the
 * plan prints: each action on exactly the resources it touches, `*` only where AWS offers no
 * resource-level permission (GetAccountSettings, ListEventSourceMappings, GetMetricData), and
 * event source mapping updates limited by the `lambda:FunctionArn` condition key.
 * sts:GetCallerIdentity needs no permission (AWS: "no permissions are required").
 */
import { iamAction, type SdkCall } from './calls.ts';

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

export function leastPrivilegePolicy(calls: SdkCall[]): IamPolicy {
  // resource (with an optional condition) → actions
  const byResource = new Map<string, Set<string>>();
  for (const c of calls) {
    const action = iamAction(c);
    if (NEEDS_NO_PERMISSION.has(action)) continue;
    const set = byResource.get(c.arn) ?? new Set<string>();
    set.add(action);
    byResource.set(c.arn, set);
  }
  // Resources needing the same actions share one statement.
  const byActions = new Map<string, { actions: string[]; resources: string[] }>();
  for (const [arn, set] of byResource) {
    const actions = [...set].sort();
    const key = `${actions.join(',')}#${arn.includes('|') ? arn : ''}`;
    const g = byActions.get(key) ?? { actions, resources: [] };
    g.resources.push(arn);
    byActions.set(key, g);
  }
  const statements: IamStatement[] = [];
  const groups = [...byActions.values()].sort((a, b) => sidOf(a.actions).localeCompare(sidOf(b.actions)) || a.resources[0]!.localeCompare(b.resources[0]!));
  const seen = new Map<string, number>();
  for (const g of groups) {
    let sid = sidOf(g.actions);
    const n = (seen.get(sid) ?? 0) + 1;
    seen.set(sid, n);
    if (n > 1) sid = `${sid}${n}`;
    const conditioned = g.resources[0]!.split('|');
    if (conditioned.length === 2) {
      // One mapping wildcard per function, limited by the function's ARN.
      const [key, value] = conditioned[1]!.split('=') as [string, string];
      statements.push({ Sid: sid, Effect: 'Allow', Action: g.actions, Resource: conditioned[0]!, Condition: { ArnLike: { [key]: [value] } } });
      continue;
    }
    const resources = [...new Set(g.resources)].sort();
    statements.push({ Sid: sid, Effect: 'Allow', Action: g.actions, Resource: resources.length === 1 ? resources[0]! : resources });
  }
  return { Version: '2012-10-17', Statement: statements };
}

function sidOf(actions: string[]): string {
  const services = [...new Set(actions.map((a) => a.split(':')[0]!))];
  const writes = actions.some((a) => !/:(Get|List|Describe)/.test(a));
  const name = services.map((s) => (s === 'sqs' ? 'Sqs' : s === 'cloudwatch' ? 'CloudWatch' : s[0]!.toUpperCase() + s.slice(1))).join('');
  return `Squall${name}${writes ? 'Write' : 'Read'}`;
}
