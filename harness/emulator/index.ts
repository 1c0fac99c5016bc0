/**
 * The whole local AWS in one call: the frame's server with Lambda (lambda/) and SQS (sqs/) on one
 * endpoint, optionally built from an experiment. `squall emulator`, `squall run` and
 * `squall calibrate` start the emulator through here.
 */
import type { ResolvedExperiment } from '../experiment/types.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from './server.ts';
import { sqsService } from './sqs/service.ts';
import { stsService } from './sts/service.ts';
import { bootstrapFromExperiment, type BootstrapResult } from './lambda/bootstrap.ts';
import { lambdaService, type LambdaService } from './lambda/service.ts';

export interface SquallEmulator {
  emulator: Emulator;
  lambda: LambdaService;
  /** What was created from the experiment (empty without one). */
  system: BootstrapResult;
  close(): Promise<void>;
}

export async function startLambdaEmulator(opts: Omit<EmulatorOptions, 'services'> & { experiment?: ResolvedExperiment; seed?: number } = {}): Promise<SquallEmulator> {
  const exp = opts.experiment;
  const emulator = await startEmulator({
    ...opts,
    services: [stsService, lambdaService({ seed: opts.seed ?? exp?.seed ?? 1, ...(exp ? { account: exp.system.account } : {}) }), sqsService],
  });
  const lambda = emulator.services.get('lambda') as LambdaService;
  let system: BootstrapResult = { functions: [], queues: {}, mappings: {}, urls: {} };
  if (exp) {
    try {
      system = bootstrapFromExperiment(lambda, emulator.sqs, exp, emulator.endpoint);
    } catch (e) {
      await emulator.close();
      throw e;
    }
  }
  return { emulator, lambda, system, close: () => emulator.close() };
}

export { bootstrapFromExperiment, lambdaService };
export type { LambdaService };
