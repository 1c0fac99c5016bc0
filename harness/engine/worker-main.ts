/**
 * A `--workers` child: receives its config over IPC, runs its execution segment with the same
 * engine, writes its NDJSON lines to fd 4, reports progress every second and its sink snapshots
 * at the end (see workers.ts). Script console output goes to stderr so fd 1 stays free.
 */
import { Console } from 'node:console';
import { createWriteStream } from 'node:fs';
import { isSquallError } from '../contracts/exit-codes.ts';
import { runK6Script } from './run.ts';
import type { WorkerConfig, WorkerDone, WorkerMessage } from './workers.ts';

globalThis.console = new Console(process.stderr, process.stderr);
const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

process.once('message', (cfg: WorkerConfig) => {
  const points = cfg.wantPoints ? createWriteStream('', { fd: 4 }) : undefined;
  let done: WorkerDone | undefined;
  void runK6Script({
    script: cfg.script,
    cwd: cfg.cwd,
    cli: cfg.cli,
    env: cfg.env,
    includeSystemEnv: cfg.includeSystemEnv,
    noThresholds: cfg.noThresholds,
    noSetup: cfg.noSetup,
    noTeardown: cfg.noTeardown,
    noSummary: true,
    quiet: true,
    progress: 'none',
    handleSignals: true,
    segmentFlags: { segment: cfg.segment, sequence: cfg.sequence },
    pointsSink: points,
    onProgress: (progress) => send({ type: 'progress', progress }),
    onStopRequest: (stop) => process.on('message', (m: { type?: string }) => m?.type === 'stop' && stop()),
    onWorkerDone: (d) => {
      done = d;
    },
  })
    .then(() => {
      // The run closed the points stream (fd 4) already; the parent reads it to its end.
      if (done) send({ type: 'done', done });
    })
    .catch((e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      send({ type: 'fatal', message: err.message, hint: isSquallError(e) ? e.hint : undefined, exitCode: isSquallError(e) ? e.exitCode : 255 });
      points?.end();
    })
    .finally(() => {
      process.disconnect?.();
    });
});
