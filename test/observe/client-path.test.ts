/**
 * Timing the client's request path once per run, against the real emulator over HTTP: the plain
 * keep-alive route used for the emulator, and the read-only SDK calls used for AWS.
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/server.ts';
import { calibrateClientPath } from '../../harness/observe/client-path.ts';
import { createClients, EMULATOR_CREDENTIALS } from '../../harness/target/clients.ts';
import { constantRate, experiment, fn, queue, scenario, sqsProducer } from '../simulator/builder.ts';

describe('client path calibration', () => {
  it('times N calls after a warm-up, over keep-alive HTTP to the emulator and over the SDK', async () => {
    const emu = await startEmulator();
    const clients = createClients({ endpoint: emu.endpoint, credentials: EMULATOR_CREDENTIALS });
    try {
      await clients.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
      const exp = experiment({ functions: [fn('f')], queues: [queue('jobs')], scenarios: [scenario('p', sqsProducer('jobs', 10), constantRate(1, 1000))] });
      const raw = await calibrateClientPath(exp, clients, { calls: 12, warmup: 2, emulatorEndpoint: emu.endpoint });
      expect(raw!.call).toBe(`GET ${emu.endpoint}/_squall/health`);
      expect(raw!.samplesMs).toHaveLength(12);
      for (const x of raw!.samplesMs) expect(x).toBeGreaterThan(0);
      const sdk = await calibrateClientPath(exp, clients, { calls: 8, warmup: 1 });
      expect(sdk!.call).toBe('sqs:GetQueueAttributes jobs');
      expect(sdk!.samplesMs).toHaveLength(8);
      // Nothing was sent: the calls only read.
      const m = await (await fetch(`${emu.endpoint}/_squall/metrics`)).json() as { series: Array<{ name: string; values: number[] }> };
      const sent = m.series.filter((s) => s.name === 'sqs.sent').flatMap((s) => s.values).reduce((a, b) => a + b, 0);
      expect(sent).toBe(0);
    } finally {
      clients.destroy();
      await emu.close();
    }
  });
});
