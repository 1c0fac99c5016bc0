/**
 * The environment the generated k6 script runs with: the target's endpoint and credentials, each
 * function URL and queue URL as the target itself reports them, and the run id. Read from the
 * target through its SDK clients, so the script reaches exactly what chaos changes.
 */
import { GetFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { envSuffix } from '../generate/view-model.ts';
import { EMULATOR_CREDENTIALS, type TargetClients } from './clients.ts';
import { credentialsEnv, type ResolvedCredentials } from './credentials.ts';

/**
 * `credentials`: an aws target's, resolved once by its preflight, so the script signs as the very
 * identity squall's own clients use; null for the emulator (its fixed keys).
 */
export async function scriptEnv(exp: ResolvedExperiment, clients: TargetClients, runId: string, endpoint: string | null, credentials: ResolvedCredentials | null = null): Promise<Record<string, string>> {
  const env: Record<string, string> = { SQUALL_RUN_ID: runId, AWS_REGION: clients.region };
  if (endpoint) env.SQUALL_ENDPOINT = endpoint;
  if (credentials) Object.assign(env, credentialsEnv(credentials));
  else if (endpoint) {
    env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  }
  for (const f of Object.values(exp.system.functions)) {
    if (!f.url) continue;
    const noUrl = () =>
      new SquallError(`function ${f.name} has no function URL on the target, but the experiment says \`url: true\``, {
        exitCode: EXIT.environmentUnavailable,
        hint: `create one (aws lambda create-function-url-config --function-name ${f.name} …) or remove \`url: true\` from system.functions.${f.name}`,
      });
    let r;
    try {
      r = await clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: f.name }));
    } catch (e) {
      if ((e as { name?: string }).name === 'ResourceNotFoundException') throw noUrl();
      throw e;
    }
    if (!r.FunctionUrl) throw noUrl();
    env[`SQUALL_URL_${envSuffix(f.name)}`] = r.FunctionUrl.replace(/\/$/, '');
  }
  for (const q of Object.keys(exp.system.queues)) {
    const r = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: q }));
    env[`SQUALL_QUEUE_URL_${envSuffix(q)}`] = r.QueueUrl!;
  }
  return env;
}
