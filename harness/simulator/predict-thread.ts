/**
 * Starting the prediction early and awaiting it late: `startPrediction` runs `predict` (N seeds)
 * on a worker thread, so a run's 20 simulator runs cost no wall time beyond the load's own; the
 * run awaits `result()` once the load and tail are over. If a worker cannot start (a sandbox
 * without threads), the same computation runs in-process when the result is asked for.
 */
import { Worker } from 'node:worker_threads';
import { SquallError, EXIT, type ExitCode } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { predict, type PredictOptions, type Prediction } from './predict.ts';

export interface PendingPrediction {
  result(): Promise<Prediction>;
  /** Stop the worker (the run was interrupted); `result()` then rejects. */
  cancel(): Promise<void>;
}

type Reply = { ok: true; prediction: Prediction } | { ok: false; message: string; hint?: string; exitCode?: ExitCode };

export function startPrediction(experiment: ResolvedExperiment, options: PredictOptions): PendingPrediction {
  let worker: Worker | null = null;
  let settled: Promise<Prediction>;
  try {
    const w = new Worker(new URL('./predict-worker.mjs', import.meta.url), { workerData: { experiment, options } });
    worker = w;
    settled = new Promise<Prediction>((resolve, reject) => {
      w.once('message', (m: Reply) => {
        if (m.ok) resolve(m.prediction);
        else reject(new SquallError(`simulator: ${m.message}`, { exitCode: m.exitCode ?? EXIT.internalError, ...(m.hint ? { hint: m.hint } : {}) }));
      });
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`the simulator worker exited (code ${code}) before answering`)));
    }).finally(() => void w.terminate());
  } catch {
    settled = Promise.resolve().then(() => predict(experiment, options));
  }
  // Nobody may be awaiting yet (the load runs); a failure is reported when the result is asked for.
  settled.catch(() => {});
  return {
    result: () => settled,
    cancel: async () => {
      if (worker) await worker.terminate();
    },
  };
}
