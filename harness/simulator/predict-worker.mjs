// The simulator's N seeds on a worker thread, so they run while the load runs (predict-thread.ts).
// A plain .mjs entry that registers tsx itself: the worker then loads squall's TypeScript the
// same way bin/squall.js does, whether or not the parent's loader hooks reach worker threads.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
try {
  const { predict } = await import('./predict.ts');
  parentPort.postMessage({ ok: true, prediction: predict(workerData.experiment, workerData.options) });
} catch (e) {
  parentPort.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e), hint: e?.hint, exitCode: e?.exitCode });
}
