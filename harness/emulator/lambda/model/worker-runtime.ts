/**
 * A handler function's execution environment: one `node:worker_threads` Worker that imports the
 * user's module (real module init = real cold start) and then serves invocations one at a time.
 * A timeout terminates the worker and answers with AWS's `Sandbox.Timedout` payload; a crashed
 * worker answers like a runtime exit. A `.ts` handler registers tsx inside its worker first; other
 * files load with no loader at all.
 */
import { Worker } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../../../contracts/clock.ts';
import { sampleDuration, type Rng } from '../../../contracts/distributions.ts';
import type { DurationDistribution } from '../../../experiment/types.ts';
import { measuredCpuStretchMs } from '../../../rules/memory-cpu.ts';
import { errorPayload, timeoutOutcome, type EnvironmentRuntime, type InvokeOutcome, type InvokeRequest } from './runtime.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface HandlerSpec {
  /** A handler file and export (SQUALL_HANDLER, an experiment's handler file) … */
  file: string;
  export: string;
  /** … or an unpacked deployment package (/var/task) with Lambda's Handler string. */
  taskRoot?: string;
  handler?: string;
  functionVersion: string;
  functionName: string;
  functionArn: string;
  memoryMB: number;
  timeoutSeconds: number;
  /** Extra init time on top of the real module init (cold start model). */
  initMs: DurationDistribution;
  env: Record<string, string>;
}

interface WorkerReply {
  type: 'ready' | 'init-error' | 'result';
  ok?: boolean;
  payload?: string;
  durationMs?: number;
  memoryUsedMB?: number;
  /** Time the handler kept the worker's thread busy (event loop active), in ms. */
  busyMs?: number;
  /** Time the worker's thread waited for a host core during the handler (Linux), in ms. */
  hostWaitMs?: number;
  log?: string;
  error?: { errorType: string; errorMessage: string; trace: string[] };
}

export class WorkerRuntime implements EnvironmentRuntime {
  private worker: Worker | null = null;
  private pending: ((r: WorkerReply) => void) | null = null;
  private crashed: ((e: unknown) => void) | null = null;
  private timer: TimerHandle | null = null;
  private disposed = false;

  constructor(
    private readonly spec: HandlerSpec,
    private readonly clock: Clock,
    private readonly rng: Rng,
  ) {}

  init(done: (failure: InvokeOutcome | null, initMs: number) => void): void {
    const started = this.clock.now();
    const needsTsx = /\.[cm]?tsx?$/.test(this.spec.file);
    const w = new Worker(ENTRY, {
      workerData: {
        file: this.spec.file,
        exportName: this.spec.export,
        taskRoot: this.spec.taskRoot,
        handlerName: this.spec.handler,
        functionVersion: this.spec.functionVersion,
        functionName: this.spec.functionName,
        functionArn: this.spec.functionArn,
        memoryMB: this.spec.memoryMB,
        typescript: needsTsx,
      },
      execArgv: [],
      // The function's memory size bounds the worker's heap, so a handler that outgrows it dies
      // the way it would on Lambda (Runtime.OutOfMemory) instead of growing the emulator.
      resourceLimits: { maxOldGenerationSizeMb: this.spec.memoryMB },
      env: { ...process.env, ...this.spec.env },
      stdout: true,
      stderr: true,
    });
    // Output is captured through console inside the worker; anything else written to the
    // worker's stdio must not fill the pipes.
    w.stdout.resume();
    w.stderr.resume();
    w.unref();
    this.worker = w;
    w.on('message', (r: WorkerReply) => {
      const p = this.pending;
      this.pending = null;
      p?.(r);
    });
    w.on('error', (e) => this.crashed?.(e));
    w.on('exit', (code) => {
      if (!this.disposed) this.crashed?.(new Error(`exit status ${code}`));
    });
    this.crashed = (e) => {
      this.pending = null;
      const msg = e instanceof Error ? e.message : String(e);
      done(
        { payload: errorPayload('Runtime.ExitError', `Error: Runtime exited with error: ${msg}`), functionError: true, fatal: true, durationMs: 0, log: '' },
        this.clock.now() - started,
      );
    };
    this.pending = (r) => {
      this.crashed = null;
      if (r.type === 'init-error') {
        const err = r.error ?? { errorType: 'Runtime.Unknown', errorMessage: 'init failed', trace: [] };
        done({ payload: JSON.stringify(err), functionError: true, fatal: true, durationMs: 0, log: '' }, this.clock.now() - started);
        return;
      }
      const extra = sampleDuration(this.spec.initMs, this.rng);
      if (extra <= 0) done(null, this.clock.now() - started);
      else this.clock.setTimer(() => done(null, this.clock.now() - started), extra);
    };
    w.postMessage({ type: 'init' });
  }

  invoke(req: InvokeRequest, done: (o: InvokeOutcome) => void): void {
    const w = this.worker;
    if (!w || this.disposed) {
      done({ payload: errorPayload('Runtime.ExitError', 'Error: Runtime exited'), functionError: true, fatal: true, durationMs: 0, log: '' });
      return;
    }
    const timeoutMs = req.remainingMs ?? this.spec.timeoutSeconds * 1000;
    let finished = false;
    const finish = (o: InvokeOutcome) => {
      if (finished) return;
      finished = true;
      if (this.timer) this.clock.clearTimer(this.timer);
      this.timer = null;
      this.pending = null;
      this.crashed = null;
      done(o);
    };
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.dispose();
      finish(timeoutOutcome(req.requestId, this.spec.timeoutSeconds));
    }, timeoutMs);
    this.crashed = (e) => {
      const msg = e instanceof Error ? e.message : String(e);
      const oom = (e as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish({
        payload: oom
          ? errorPayload('Runtime.OutOfMemory', `RequestId: ${req.requestId} Error: Runtime exited with error: signal: killed`)
          : errorPayload('Runtime.ExitError', `RequestId: ${req.requestId} Error: Runtime exited with error: ${msg}`),
        functionError: true,
        fatal: true,
        durationMs: 0,
        log: '',
      });
    };
    this.pending = (r) => {
      // The handler ran on a whole host core (one vCPU); at less memory its CPU part takes longer.
      // A Lambda function has its CPU share to itself: the host's run-queue wait is not its time.
      const stretch = measuredCpuStretchMs(r.busyMs ?? 0, this.spec.memoryMB);
      const durationMs = Math.max(0, (r.durationMs ?? 0) - (r.hostWaitMs ?? 0)) + stretch;
      const outcome: InvokeOutcome = { payload: r.payload ?? 'null', functionError: r.ok === false, fatal: false, durationMs, log: r.log ?? '', memoryUsedMB: r.memoryUsedMB };
      if (stretch < 1) finish(outcome);
      else this.clock.setTimer(() => finish(outcome), stretch);
    };
    w.postMessage({ type: 'invoke', requestId: req.requestId, payload: req.payload, logTail: req.logTail, clientContext: req.clientContext, timeoutMs, invokedFunctionArn: req.invokedFunctionArn });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
    const w = this.worker;
    this.worker = null;
    if (w) void w.terminate();
  }
}
