/** The system-series contract on the emulator's own per-second metrics, with real invocations and sends. */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startLambdaEmulator } from '../../harness/emulator/index.ts';
import { createClients, EMULATOR_CREDENTIALS } from '../../harness/target/clients.ts';
import { emulatorSeriesSource } from '../../harness/target/system-series.ts';
import { experiment } from '../generate/builders.ts';
import { systemSeriesContract } from './system-series.contract.ts';

systemSeriesContract('the emulator (/_squall/metrics)', async () => {
  const emu = await startLambdaEmulator({ experiment: experiment([]) });
  const clients = createClients({ endpoint: emu.emulator.endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 });
  return {
    source: emulatorSeriesSource(emu.emulator.endpoint),
    functionName: 'worker',
    queueName: 'orders',
    async produce(a) {
      const startMs = Date.now();
      for (let i = 0; i < a.invocations; i++) await clients.lambda.send(new InvokeCommand({ FunctionName: 'worker', Payload: new TextEncoder().encode('{}') }));
      const url = emu.system.queues.orders!.url;
      for (let i = 0; i < a.messagesSent; i++) await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      return { startMs, endMs: Date.now() };
    },
    close: async () => {
      clients.destroy();
      await emu.close();
    },
  };
});
