import { CreateEventSourceMappingCommand, CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { createClients } from '../../harness/target/clients.ts';
import { describe } from 'vitest';
import { external } from '../helpers/external.ts';
import { EMPTY_ZIP, motoCreateRole, startMoto } from '../helpers/moto.ts';
import { chaosContract } from './chaos.contract.ts';

const motoServer = external('moto_server', 'the chaos contract tests against moto_server');

describe.skipIf(!motoServer.available)('moto_server', () => chaosContract('moto_server', async () => {
  const moto = await startMoto();
  const clients = createClients({ endpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const role = await motoCreateRole(moto.endpoint, 'squall-chaos');
  await clients.lambda.send(new CreateFunctionCommand({ FunctionName: 'fn', Role: role, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }));
  const q = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await clients.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn', EventSourceArn: arn, BatchSize: 10 }));
  return {
    clients,
    functionName: 'fn',
    queueName: 'q',
    close: async () => {
      clients.destroy();
      await moto.stop();
    },
  };
}));
