/**
 * One SDK call squall makes against a target, described before it is made: the service and
 * operation, the IAM action that authorizes it, the resource as a person names it and as IAM names
 * it (ARN). Preflight records the reads it made, `squall plan` lists every call of a run, and the
 * least-privilege policy is derived from the same list, so the three never disagree.
 */
export type AwsService = 'lambda' | 'sqs' | 'sts' | 'cloudwatch';

export interface SdkCall {
  service: AwsService;
  /** The API operation, AWS's spelling: `GetFunctionConfiguration`, `SendMessageBatch`. */
  operation: string;
  /** The resource as the experiment names it (function, queue, `queue->function`, alarm, `account`). */
  resource: string;
  /** The resource as IAM names it; `*` where the action has no resource-level permission. */
  arn: string;
}

/** Operations authorized by another action's name (batch APIs, Invoke). */
const ACTION_OF: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'lambda:Invoke': 'lambda:InvokeFunction',
  'lambda:GetProvisionedConcurrencyConfig': 'lambda:GetProvisionedConcurrencyConfig',
};

export function iamAction(c: Pick<SdkCall, 'service' | 'operation'>): string {
  const a = `${c.service}:${c.operation}`;
  return ACTION_OF[a] ?? a;
}

export interface ArnContext {
  region: string;
  /** The account id, or `*` when it is not known (an offline `squall plan --iam`). */
  account: string;
}

export const arns = {
  function: (x: ArnContext, name: string) => (name.startsWith('arn:') ? name : `arn:aws:lambda:${x.region}:${x.account}:function:${name}`),
  queue: (x: ArnContext, name: string) => (name.startsWith('arn:') ? name : `arn:aws:sqs:${x.region}:${x.account}:${name}`),
  mapping: (x: ArnContext, uuid: string) => `arn:aws:lambda:${x.region}:${x.account}:event-source-mapping:${uuid}`,
  alarm: (x: ArnContext, name: string) => (name.startsWith('arn:') ? name : `arn:aws:cloudwatch:${x.region}:${x.account}:alarm:${name}`),
};
