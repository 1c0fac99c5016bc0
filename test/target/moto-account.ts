/**
 * A small "real account" on moto_server for the aws-target tests: a worker function with its own
 * memory, timeout and reserved concurrency, a queue with a dead-letter queue and a mapping, all
 * deliberately different from the experiment file so that drift shows. The experiment file is
 * written next to it with `target: aws` pointing at moto.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createClients, type TargetClients } from '../../harness/target/clients.ts';
import { EMPTY_ZIP, motoCreateRole, startMoto, type Moto } from '../helpers/moto.ts';

/** moto's fixed account id for any credentials. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface MotoAccount {
  moto: Moto;
  clients: TargetClients;
  mappingUuid: string;
  close(): Promise<void>;
}

export async function startMotoAccount(): Promise<MotoAccount> {
  const moto = await startMoto();
  const clients = createClients({ endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  const role = await motoCreateRole(moto.endpoint, 'squall-target');
  await clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'worker',
      Role: role,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: EMPTY_ZIP },
      MemorySize: 512,
      Timeout: 10,
      Environment: { Variables: { STAGE: 'test' } },
    }),
  );
  await clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'worker', ReservedConcurrentExecutions: 5 }));
  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'jobs-dlq' }));
  const dlqArn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const q = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '60', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) } }),
  );
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const m = await clients.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'worker', EventSourceArn: arn, BatchSize: 5 }));
  return {
    moto,
    clients,
    mappingUuid: m.UUID!,
    close: async () => {
      clients.destroy();
      await moto.stop();
    },
  };
}

export interface ExperimentOptions {
  endpoint: string;
  allowlist?: string[];
  /** Replaces the function name (to name a resource that does not exist). */
  functionName?: string;
  faults?: string;
  /** Lines appended inside `chaos:` (e.g. stopConditions), indented by two spaces. */
  extraChaos?: string;
  /** Extra fields of `target:` (e.g. `maxCostUsd: 1`), indented by two spaces. */
  targetExtra?: string;
  /** The producer's duration (default 2s). */
  loadDuration?: string;
}

/** Writes an experiment aimed at the moto account; returns its path. */
export function writeExperiment(o: ExperimentOptions): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-aws-'));
  const fn = o.functionName ?? 'worker';
  const file = path.join(dir, 'aws-exp.yaml');
  writeFileSync(
    file,
    `name: aws-exp
target:
  kind: aws
  region: us-east-1
  endpoint: ${o.endpoint}
  accountAllowlist: [${(o.allowlist ?? [MOTO_ACCOUNT]).map((a) => `'${a}'`).join(', ')}]
${o.targetExtra ?? ''}
system:
  functions:
    ${fn}:
      synthetic: { duration: { constant: 20ms } }
      memoryMB: 256
      timeoutSeconds: 10
      reservedConcurrency: 5
  queues:
    jobs:
      visibilityTimeoutSeconds: 30
      redrive: { deadLetterQueue: jobs-dlq, maxReceiveCount: 3 }
    jobs-dlq: {}
  eventSources:
    - { queue: jobs, function: ${fn}, batchSize: 10 }
load:
  scenarios:
    producer:
      template: sqs-producer
      queue: jobs
      batchSize: 10
      body: '{"n":{{seq}}}'
      executor: constant-arrival-rate
      rate: 2
      timeUnit: 1s
      duration: ${o.loadDuration ?? '2s'}
      preAllocatedVUs: 1
      maxVUs: 2
chaos:
  faults:
${o.faults ?? `    - { at: 1s, for: 1s, action: set-reserved-concurrency, function: ${fn}, value: 0 }
    - { at: 1s, for: 1s, action: update-event-source, eventSource: 'jobs->${fn}', batchSize: 2 }`}
${o.extraChaos ?? ''}
`,
  );
  return file;
}
