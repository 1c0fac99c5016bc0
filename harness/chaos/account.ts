/**
 * The account guard: in aws mode squall changes only an account listed in
 * target.accountAllowlist. The account id is read from the target itself (a function's or a
 * queue's ARN), never assumed from credentials.
 */
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import type { TargetClients } from '../target/clients.ts';

export async function checkAccount(exp: ResolvedExperiment, clients: TargetClients): Promise<void> {
  if (exp.target.kind !== 'aws') return;
  const fn = Object.keys(exp.system.functions)[0];
  let account: string | undefined;
  if (fn) {
    const r = await clients.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
    account = r.Configuration?.FunctionArn?.split(':')[4];
  } else {
    const q = Object.keys(exp.system.queues)[0];
    if (q) {
      const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: q }))).QueueUrl!;
      const a = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      account = a.Attributes?.QueueArn?.split(':')[4];
    }
  }
  if (!account || !exp.target.accountAllowlist.includes(account)) {
    throw new SquallError(`the target account ${account ?? '(unknown)'} is not in target.accountAllowlist (${exp.target.accountAllowlist.join(', ')})`, {
      exitCode: EXIT.invalidInput,
      hint: 'squall only changes accounts you list; add the account id to target.accountAllowlist if this is the account you mean',
    });
  }
}
