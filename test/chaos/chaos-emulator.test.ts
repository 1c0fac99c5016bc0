import { CreateEventSourceMappingCommand, CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { startLambdaEmulator } from '../../harness/emulator/index.ts';
import { createClients } from '../../harness/target/clients.ts';
import { EMPTY_ZIP } from '../helpers/moto.ts';
import { chaosContract } from './chaos.contract.ts';

chaosContract('emulator', async () => {
  const emu = await startLambdaEmulator({ seed: 1 });
  const clients = createClients({ endpoint: emu.emulator.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await clients.lambda.send(
    new CreateFunctionCommand({ FunctionName: 'fn', Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }),
  );
  const q = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await clients.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'fn', EventSourceArn: arn, BatchSize: 10 }));
  // The emulator's mapping really polls q, so poison goes to a queue nothing consumes.
  await clients.sqs.send(new CreateQueueCommand({ QueueName: 'poison' }));
  return {
    clients,
    functionName: 'fn',
    queueName: 'q',
    poisonQueueName: 'poison',
    close: async () => {
      clients.destroy();
      await emu.close();
    },
  };
});
