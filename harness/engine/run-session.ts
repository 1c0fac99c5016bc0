/**
 * What one `k6 run` shares between its phases (run-impl.ts reads them in order): the run
 * context the shims see, the metrics, the stop signal, the run's first error, the scenario
 * runtimes, and the process hooks the run owns (SIGINT/SIGTERM, unhandled rejections), which
 * `close()` gives back on every path. k6 keeps the same state in its test run state and
 * scheduler (cmd/state, execution/scheduler.go).
 */
import { Console } from 'node:console';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import { type SegmentShare, WHOLE_TEST } from './executors/types.ts';
import { MetricsEngine } from './metrics/engine.ts';
import type { K6RunOptions } from './run-impl.ts';
import type { RunTicker } from './run-ticker.ts';
import { registerRun, unregisterRun } from './runtime/host.ts';
import { RunContext, consoleLogger } from './runtime/run-context.ts';
import { type ScenarioRuntimeImpl, StopSignal } from './runtime/scenario-runtime.ts';
import { errorText } from './runtime/vu.ts';
import { ExecutionTuple, segmentShare } from './segments.ts';
import { WorkerGroup } from './workers.ts';

/** An error that ends the test with k6's exit code for it (abort, timeout, script exception...). */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export class RunSession {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly cwd: string;
  readonly scriptPath: string;
  readonly log: ReturnType<typeof consoleLogger>;
  readonly metrics = new MetricsEngine();
  readonly segment: SegmentShare;
  /** How many worker processes run the test; 0 when it runs in this process. */
  readonly workers: number;
  readonly run: RunContext;
  readonly stop = new StopSignal();
  readonly group = new WorkerGroup();
  /** One per scenario, once the scenarios start in this process. */
  readonly runtimes: ScenarioRuntimeImpl[] = [];
  ticker: RunTicker | undefined;
  /** The first error wins its exit code (k6 keeps the first); later ones only stop the test. */
  runError: ScriptError | undefined;
  private signals = 0;

  /** Checks the script exists before anything is registered, so a wrong path changes nothing. */
  static open(opts: K6RunOptions): RunSession {
    const scriptPath = resolve(opts.cwd ?? process.cwd(), opts.script);
    if (!existsSync(scriptPath)) {
      throw new SquallError(`script not found: ${scriptPath}`, { exitCode: K6_EXIT.scriptException, hint: 'pass the path of a k6 script, e.g. squall k6 run script.js' });
    }
    return new RunSession(opts, scriptPath);
  }

  private constructor(
    readonly opts: K6RunOptions,
    scriptPath: string,
  ) {
    const err = opts.stderr ?? ((s: string) => void process.stderr.write(s));
    this.out = opts.stdout ?? ((s: string) => void process.stdout.write(s));
    this.err = err;
    this.cwd = opts.cwd ?? process.cwd();
    this.scriptPath = scriptPath;
    this.log = consoleLogger(err);
    this.segment =
      opts.segment ?? (opts.segmentFlags ? segmentShare(ExecutionTuple.fromFlags(opts.segmentFlags.segment, opts.segmentFlags.sequence)) : WHOLE_TEST);
    this.workers = opts.workers !== undefined && opts.workers > 1 ? opts.workers : 0;
    this.run = registerRun((id) => new RunContext(id, this.metrics, {}, scriptEnv(opts), scriptPath, pathToFileURL(scriptPath).href, this.log));
    if (opts.stderr) {
      const w = new Writable({ write: (chunk: Buffer, _enc, cb) => { err(chunk.toString()); cb(); } });
      this.run.console = new Console({ stdout: w, stderr: w });
    }
    this.run.onAbort = (reason) => this.fail(reason, K6_EXIT.scriptAborted);
    opts.onStopRequest?.(() => this.fail('test stopped by the parent process', K6_EXIT.externalAbort));
    process.on('unhandledRejection', this.onUnhandled);
    if (opts.handleSignals) {
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
    }
  }

  readonly fail = (message: string, code: number): void => {
    if (!this.runError) this.runError = new ScriptError(message, code);
    this.stop.stop();
  };

  private readonly onUnhandled = (reason: unknown): void => this.log.iterationError(`Uncaught (in promise) ${errorText(reason)}`);

  private readonly onSignal = (sig: string): void => {
    this.signals++;
    if (this.signals > 1) {
      this.err('\nsecond signal: exiting now\n');
      process.exit(K6_EXIT.externalAbort);
    }
    this.err(`\n${sig} received: stopping the test (send it again to exit at once)\n`);
    this.fail(`test interrupted by ${sig}`, K6_EXIT.externalAbort);
    this.group.stop();
  };

  /** Every path ends here: timers, hooks, outputs not yet closed, the HTTP client, the run. */
  async close(): Promise<void> {
    this.ticker?.cancel();
    this.stop.stop();
    process.off('unhandledRejection', this.onUnhandled);
    if (this.opts.handleSignals) {
      process.off('SIGINT', this.onSignal);
      process.off('SIGTERM', this.onSignal);
    }
    if (this.metrics.outputs.length) for (const o of this.metrics.outputs) await o.close().catch(() => undefined);
    await this.run.http?.close();
    unregisterRun(this.run.id);
  }
}

/** __ENV: the system environment unless left out (k6 --include-system-env-vars), then `-e` values. */
function scriptEnv(opts: K6RunOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.includeSystemEnv !== false) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, opts.env ?? {});
  return env;
}
