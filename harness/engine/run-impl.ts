/**
 * One `k6 run`, wired: the first init context (VU 0) yields the options; then thresholds,
 * outputs, VUs, setup, the scenarios (each executor at its startTime), the 1 s `vus`/`vus_max`
 * tick and the 2 s threshold evaluation, teardown, the final evaluation, the summary and
 * handleSummary, and k6's exit code with k6's precedence (k6-contract.md §1.4, §3.4–3.5).
 * Loaded through Node's own loader (see run.ts), so the shims share these module instances.
 */
import { Console } from 'node:console';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { K6_EXIT, SquallError, isSquallError } from '../contracts/exit-codes.ts';
import { formatDuration } from './duration.ts';
import { createExecutor, planScenario } from './executors/index.ts';
import { type Executor, type SegmentShare, WHOLE_TEST } from './executors/types.ts';
import { MetricsEngine } from './metrics/engine.ts';
import { TagSet } from './metrics/tags.ts';
import { type CliOverrides, type ResolvedOptions, resolveOptions } from './options.ts';
import { NdjsonOutput } from './outputs/ndjson.ts';
import { ThreadedNdjsonOutput } from './outputs/ndjson-threaded.ts';
import { ProgressReporter } from './progress.ts';
import { registerRun, unregisterRun } from './runtime/host.ts';
import { HttpClient } from './runtime/http-client.ts';
import { RunContext, consoleLogger } from './runtime/run-context.ts';
import { ScenarioRuntimeImpl, StopSignal } from './runtime/scenario-runtime.ts';
import { type ScenarioState, type VuContext, errorText } from './runtime/vu.ts';
import { VuPool, initVU } from './runtime/vu-pool.ts';
import { ExecutionTuple, segmentShare } from './segments.ts';
import { WorkerGroup, type WorkerDone, type WorkerProgress } from './workers.ts';
import { type K6SummaryData, buildSummaryData, oldJsonSummaryText } from './summary/legacy.ts';
import { handleSummary } from './runtime/handle-summary.ts';

export interface K6RunOptions {
  /** Path of the k6 script (.js, .mjs or .ts). */
  script: string;
  cli?: CliOverrides;
  /** `-e KEY=VALUE` values, over the system environment. */
  env?: Record<string, string>;
  /** k6 run includes system env vars in __ENV by default. */
  includeSystemEnv?: boolean;
  /** `--out` values; `json=FILE` (FILE.gz for gzip) is supported. */
  out?: string[];
  summaryExport?: string;
  noThresholds?: boolean;
  /** `--summary-mode=disabled`: no handleSummary, no text summary, no export. */
  noSummary?: boolean;
  /** k6 --no-setup / --no-teardown. */
  noSetup?: boolean;
  noTeardown?: boolean;
  quiet?: boolean;
  /** Resolve relative paths (script, outputs, handleSummary files) against this. */
  cwd?: string;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Stop on SIGINT/SIGTERM with exit 105 (the CLI sets this; in-process callers usually do not). */
  handleSignals?: boolean;
  /** Progress line: on a TTY by default; 'none' for tests. */
  progress?: 'auto' | 'tty' | 'plain' | 'none';
  /** This process's share of a segmented test; the whole test by default. */
  segment?: SegmentShare;
  /** k6's --execution-segment / --execution-segment-sequence values (parsed by segments.ts). */
  segmentFlags?: { segment: string; sequence: string };
  /** Split the test over this many processes (`--workers N`) and merge their metrics. */
  workers?: number;
  /** --workers child: NDJSON lines go to this stream instead of a file. */
  pointsSink?: Writable | undefined;
  /** --workers child: counters every second, for the parent's progress line. */
  onProgress?: (p: WorkerProgress) => void;
  /** --workers child: receives a function that stops the test (the parent asked). */
  onStopRequest?: (stop: () => void) => void;
  /** --workers child: everything the parent merges, once the run is over. */
  onWorkerDone?: (d: WorkerDone) => void;
}

export interface K6RunResult {
  exitCode: number;
  summary: K6SummaryData | undefined;
  /** p99 of how late arrival-rate iterations started after their due time (ms), when any ran. */
  schedulingLagP99Ms: number | undefined;
  droppedIterations: number;
  /** VU initialization in this process: how many, how long, live heap per VU (measured between two full GCs). */
  vuInit: { count: number; ms: number; heapBytesPerVU: number } | undefined;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(onTimeout()), ms);
      t.unref();
    }),
  ]).finally(() => clearTimeout(t));
}

async function callPart(vu: VuContext, name: string, arg: unknown): Promise<unknown> {
  const fn = vu.module?.[name];
  if (typeof fn !== 'function') throw new SquallError(`exported ${name} is not a function`, { exitCode: K6_EXIT.scriptException });
  return await (fn as (a: unknown) => unknown)(arg);
}

class ScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function runK6ScriptImpl(opts: K6RunOptions): Promise<K6RunResult> {
  const out = opts.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = opts.stderr ?? ((s: string) => void process.stderr.write(s));
  const cwd = opts.cwd ?? process.cwd();
  const scriptPath = resolve(cwd, opts.script);
  if (!existsSync(scriptPath)) {
    throw new SquallError(`script not found: ${scriptPath}`, { exitCode: K6_EXIT.scriptException, hint: 'pass the path of a k6 script, e.g. squall k6 run script.js' });
  }
  const log = consoleLogger(err);
  const metrics = new MetricsEngine();
  const env: Record<string, string> = {};
  if (opts.includeSystemEnv !== false) for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, opts.env ?? {});
  const segment: SegmentShare =
    opts.segment ?? (opts.segmentFlags ? segmentShare(ExecutionTuple.fromFlags(opts.segmentFlags.segment, opts.segmentFlags.sequence)) : WHOLE_TEST);
  const workers = opts.workers !== undefined && opts.workers > 1 ? opts.workers : 0;
  const run = registerRun((id) => new RunContext(id, metrics, {}, env, scriptPath, pathToFileURL(scriptPath).href, log));
  if (opts.stderr) {
    const w = new Writable({ write: (chunk: Buffer, _enc, cb) => { err(chunk.toString()); cb(); } });
    run.console = new Console({ stdout: w, stderr: w });
  }
  const stop = new StopSignal();
  let runError: ScriptError | undefined;
  const fail = (message: string, code: number): void => {
    if (!runError) runError = new ScriptError(message, code);
    stop.stop();
  };
  run.onAbort = (reason) => fail(reason, K6_EXIT.scriptAborted);
  opts.onStopRequest?.(() => fail('test stopped by the parent process', K6_EXIT.externalAbort));
  const group = new WorkerGroup();
  const onUnhandled = (reason: unknown): void => log.iterationError(`Uncaught (in promise) ${errorText(reason)}`);
  process.on('unhandledRejection', onUnhandled);
  let signals = 0;
  const onSignal = (sig: string): void => {
    signals++;
    if (signals > 1) {
      err('\nsecond signal: exiting now\n');
      process.exit(K6_EXIT.externalAbort);
    }
    err(`\n${sig} received: stopping the test (send it again to exit at once)\n`);
    fail(`test interrupted by ${sig}`, K6_EXIT.externalAbort);
    group.stop();
  };
  if (opts.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  let ndjson: NdjsonOutput | undefined;
  let threaded: ThreadedNdjsonOutput | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let vuInit: K6RunResult['vuInit'];
  const runtimes: ScenarioRuntimeImpl[] = [];
  try {
    // ---- init context of VU 0: options ----
    let vu0: VuContext;
    try {
      vu0 = await initVU(run, 0);
    } catch (e) {
      throw initError(e, scriptPath);
    }
    const options: ResolvedOptions = resolveOptions(vu0.module?.options as Record<string, unknown> | undefined, opts.cli ?? {});
    run.options = options;
    for (const w of options.warnings) log.warnOnce(w);
    run.runTags = new TagSet(options.tags);
    run.http = new HttpClient(run);
    if (!opts.noThresholds) metrics.setThresholds(options.thresholds);
    const missing = options.scenarios.filter((s) => typeof vu0.module?.[s.exec] !== 'function');
    if (missing.length) {
      throw new SquallError(
        missing.map((s) => `scenarios.${s.name}.exec: the script exports no function "${s.exec}"`).join('; '),
        { exitCode: K6_EXIT.invalidConfig, hint: s0hint(missing[0]?.exec ?? 'default') },
      );
    }
    const plans = options.scenarios.map((c) => planScenario(c, segment));
    const executors: Executor[] = plans.map(createExecutor);

    if (opts.pointsSink) {
      ndjson = new NdjsonOutput({ path: '', stream: opts.pointsSink, thresholds: options.thresholds });
      metrics.outputs.push(ndjson);
    }
    // Every file output goes through one writer thread: the samples are copied once, and the
    // lines written to each file (one of them may be a live, uncompressed copy for squall run).
    const threadedPaths: string[] = [];
    for (const o of opts.out ?? []) {
      const m = /^json(?:=(.*))?$/.exec(o);
      if (!m) throw new SquallError(`--out ${o}: squall's engine writes only json=FILE (k6's NDJSON)`, { exitCode: K6_EXIT.invalidConfig, hint: 'use --out json=points.ndjson.gz, or run real k6 for other outputs' });
      const path = m[1] ? resolve(cwd, m[1]) : '-';
      if (path !== '-') mkdirSync(dirname(path), { recursive: true });
      // Children of --workers send raw lines the parent writes in order: that stays in-thread.
      if (path !== '-' && !workers) {
        threadedPaths.push(path);
        continue;
      }
      ndjson = new NdjsonOutput({ path, thresholds: options.thresholds });
      metrics.outputs.push(ndjson);
    }
    if (threadedPaths.length) {
      threaded = new ThreadedNdjsonOutput(threadedPaths, options.thresholds);
      metrics.outputs.push(threaded);
    }

    if (!opts.quiet) {
      err(`\n  execution: local (squall embedded engine${workers ? `, ${workers} worker processes` : ''})\n     script: ${opts.script}\n     output: ${ndjson || threaded ? (opts.out ?? []).join(', ') : '-'}\n\n  scenarios: (100.00%) ${plans.length} scenario${plans.length === 1 ? '' : 's'}\n`);
      for (const p of plans) err(`           * ${p.config.name}: ${p.describe()}${p.config.startTimeMs ? `, startTime: ${formatDuration(p.config.startTimeMs)}` : ''}${p.config.exec !== 'default' ? `, exec: ${p.config.exec}` : ''}\n`);
      err('\n');
    }

    // ---- VUs (in this process unless the test is split over worker processes) ----
    const pool = new VuPool(run, 1);
    if (!workers) {
      const totalVUs = plans.reduce((n, p) => n + p.preAllocatedVUs, 0);
      run.vuIdOffset = segment.vuIdOffset(plans.reduce((n, p) => n + p.maxVUs, 0));
      collectGarbage();
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      try {
        await pool.add(totalVUs);
      } catch (e) {
        throw initError(e, scriptPath);
      }
      const initMs = performance.now() - t0;
      // Init leaves garbage behind; collecting it now keeps a long GC pause out of the first
      // second of the test (where it made arrival-rate iterations drop), and measures VUs exactly.
      collectGarbage();
      // What per-VU isolation costs: each VU has its own module graph (script + shims).
      vuInit = { count: totalVUs, ms: initMs, heapBytesPerVU: totalVUs ? Math.max(0, process.memoryUsage().heapUsed - heap0) / totalVUs : 0 };
      if (!opts.quiet && totalVUs > 0) err(`  init: ${totalVUs} VUs in ${Math.round(vuInit.ms)} ms (~${Math.round(vuInit.heapBytesPerVU / 1024)} KB heap and ${(vuInit.ms / totalVUs).toFixed(2)} ms each)\n\n`);
    }

    // ---- the test clock starts before setup (k6 MarkStarted) ----
    run.testStartMono = performance.now();
    const tty = opts.progress === 'tty' || (opts.progress !== 'none' && opts.progress !== 'plain' && process.stderr.isTTY === true);
    const progress = opts.quiet || opts.progress === 'none' ? undefined : new ProgressReporter(err, tty);
    const childProgress: WorkerProgress[] = [];
    let seconds = 0;
    ticker = setInterval(() => {
      seconds++;
      if (!workers) {
        // vus / vus_max every second with run tags only (k6 emitVUsAndVUsMax).
        run.emit(run.builtin.vus, run.runTags, run.counters.vusActive);
        run.emit(run.builtin.vus_max, run.runTags, run.counters.vusInitialized);
        if (!opts.noThresholds && seconds % 2 === 0 && metrics.hasThresholds) {
          const r = metrics.evaluateThresholds(run.elapsed(), false);
          if (r.abortBy) {
            log.warn(`thresholds on metrics '${r.abortBy.metric}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`);
            fail(`thresholds on metrics '${r.abortBy.metric}' have been crossed`, K6_EXIT.thresholdsHaveFailed);
          }
        }
      }
      const c = run.counters;
      opts.onProgress?.({ completed: c.iterationsCompleted, interrupted: c.iterationsInterrupted, vusActive: c.vusActive, vusMax: c.vusInitialized });
      const sum = (f: (p: WorkerProgress) => number): number => childProgress.reduce((n, p) => n + f(p), 0);
      progress?.tick({
        elapsedMs: run.elapsed(),
        vusActive: workers ? sum((p) => p.vusActive) : c.vusActive,
        vusMax: workers ? sum((p) => p.vusMax) : c.vusInitialized,
        completed: workers ? sum((p) => p.completed) : c.iterationsCompleted,
        interrupted: workers ? sum((p) => p.interrupted) : c.iterationsInterrupted,
        scenarios: runtimes.map((rt, i) => {
          const ex = executors[i] as Executor;
          const el = Math.max(0, rt.now());
          return { name: rt.state.name, executor: ex.plan.config.executor, activeVUs: rt.activeVUs, progress: ex.progress(el), elapsedMs: el, totalMs: ex.plan.durationMs };
        }),
      });
    }, 1000);

    let setupJson: string | undefined;
    let childDone: WorkerDone[] = [];
    if (workers) {
      // ---- parent of --workers: children run the test; their metrics are merged here ----
      const outcomes = await group.run({
        n: workers,
        config: {
          script: scriptPath,
          cwd,
          cli: opts.cli ?? {},
          env: opts.env ?? {},
          includeSystemEnv: opts.includeSystemEnv !== false,
          noThresholds: opts.noThresholds === true,
          noSetup: opts.noSetup === true,
          noTeardown: opts.noTeardown === true,
          wantPoints: ndjson !== undefined,
        },
        onLines: (text) => ndjson?.addRawLines(text),
        onProgress: (i, p) => {
          childProgress[i - 1] = p;
        },
      });
      for (const o of outcomes) {
        if (o.fatal) {
          throw new SquallError(`worker ${o.index}/${workers}: ${o.fatal.message}`, { exitCode: o.fatal.exitCode as 107, hint: o.fatal.hint ?? 'run without --workers to see the error directly' });
        }
        if (!o.done) fail(`worker ${o.index}/${workers} exited (code ${o.exitCode}) without reporting its metrics`, K6_EXIT.genericEngine);
      }
      childDone = outcomes.flatMap((o) => (o.done ? [o.done] : []));
      // k6 precedence among the instances' own errors: abort, signal, abortOnFail, script errors.
      const order: number[] = [K6_EXIT.scriptAborted, K6_EXIT.externalAbort, K6_EXIT.thresholdsHaveFailed, K6_EXIT.scriptException, K6_EXIT.setupTimeout, K6_EXIT.teardownTimeout];
      const errs = childDone.filter((d) => d.runErrorCode !== undefined).sort((x, y) => order.indexOf(x.runErrorCode as number) - order.indexOf(y.runErrorCode as number));
      if (errs[0]) fail(errs[0].runErrorMessage ?? 'a worker failed', errs[0].runErrorCode as number);
      const marked = childDone.find((d) => d.markedFailed !== undefined);
      if (marked) run.markedFailed = marked.markedFailed;
      for (const d of childDone) {
        metrics.merge(d.snapshot, d.types as Parameters<MetricsEngine['merge']>[1]);
        metrics.groups.merge(d.groups);
      }
      setupJson = childDone.find((d) => d.setupDataJson !== undefined)?.setupDataJson;
    } else {
      // ---- setup ----
      let setupOk = true;
      if (!opts.noSetup && typeof vu0.module?.setup === 'function') {
        vu0.enterPart('::setup');
        try {
          const data = await withTimeout(callPart(vu0, 'setup', undefined), options.setupTimeoutMs, () => new ScriptError(`setup() execution timed out after ${formatDuration(options.setupTimeoutMs)}`, K6_EXIT.setupTimeout));
          setupJson = data === undefined ? undefined : JSON.stringify(data);
        } catch (e) {
          setupOk = false;
          vu0.abandon();
          if (e instanceof ScriptError) fail(e.message, e.exitCode);
          else fail(`setup() failed: ${errorText(e)}`, K6_EXIT.scriptException);
        }
        vu0.flushData();
      }
      const setupCopy = (): unknown => (setupJson === undefined ? undefined : JSON.parse(setupJson));
      for (const vu of pool.all) vu.setupData = setupCopy();

      // ---- scenarios ----
      if (setupOk && !stop.stopped) {
        const epochStart = run.epochNow();
        const tuple = opts.segmentFlags ? ExecutionTuple.fromFlags(opts.segmentFlags.segment, opts.segmentFlags.sequence) : undefined;
        executors.forEach((ex) => {
          const c = ex.plan.config;
          const baseTags = run.runTags.with({ ...c.tags, scenario: c.name, group: '' });
          // The runtime is made after the state that reports its progress, so progress reads it through a holder.
          const rtRef: { rt?: ScenarioRuntimeImpl } = {};
          const state: ScenarioState = {
            name: c.name,
            executor: c.executor,
            startEpochMs: epochStart + c.startTimeMs,
            exec: c.exec,
            env: c.env,
            baseTags,
            progress: () => ex.progress(Math.max(0, rtRef.rt?.now() ?? 0)),
            iterations: 0,
            // Unique across instances of a segmented test (k6 scenario.iterationInTest).
            iterationInTest: tuple ? (i) => tuple.globalIndex(i) : (i) => i,
          };
          const rt = new ScenarioRuntimeImpl(run, pool, state, stop, () => runtimes);
          rt.setupData = setupCopy;
          rtRef.rt = rt;
          runtimes.push(rt);
        });
        await Promise.all(
          executors.map(async (ex, i) => {
            const rt = runtimes[i] as ScenarioRuntimeImpl;
            await stop.wait(ex.plan.config.startTimeMs);
            if (stop.stopped) return;
            rt.begin();
            await ex.run(rt);
          }),
        );
        for (const rt of runtimes) rt.interruptAll();
      }

      // ---- teardown (runs after an abort too, k6 scheduler.go; not when setup failed) ----
      if (setupOk && !opts.noTeardown && typeof vu0.module?.teardown === 'function') {
        vu0.enterPart('::teardown');
        try {
          await withTimeout(callPart(vu0, 'teardown', setupCopy()), options.teardownTimeoutMs, () => new ScriptError(`teardown() execution timed out after ${formatDuration(options.teardownTimeoutMs)}`, K6_EXIT.teardownTimeout));
        } catch (e) {
          vu0.abandon();
          if (e instanceof ScriptError) fail(e.message, e.exitCode);
          else fail(`teardown() failed: ${errorText(e)}`, K6_EXIT.scriptException);
        }
        vu0.flushData();
      }
    }
    clearInterval(ticker);
    ticker = undefined;
    progress?.end();
    const testRunDurationMs = run.elapsed();

    // ---- outputs flushed → final thresholds → summary → handleSummary ----
    if (ndjson || threaded) {
      await ndjson?.close();
      await threaded?.close();
      metrics.outputs.length = 0;
    }
    let thresholdsFailed = false;
    if (!opts.noThresholds && metrics.hasThresholds) thresholdsFailed = metrics.evaluateThresholds(testRunDurationMs, true).failed;
    if (runError) err(`ERRO[squall] ${runError.message}\n`);

    let summary: K6SummaryData | undefined;
    if (!opts.noSummary) {
      summary = buildSummaryData({
        engine: metrics,
        trendStats: options.summaryTrendStats,
        summaryTimeUnit: options.summaryTimeUnit,
        noColor: process.env.NO_COLOR !== undefined,
        isStdOutTTY: process.stdout.isTTY === true,
        isStdErrTTY: process.stderr.isTTY === true,
        testRunDurationMs,
        setupDataJson: setupJson,
      });
      await handleSummary(vu0, summary, out, err, cwd, log);
      if (opts.summaryExport) {
        try {
          const p = resolve(cwd, opts.summaryExport);
          mkdirSync(dirname(p), { recursive: true });
          writeFileSync(p, oldJsonSummaryText(summary));
        } catch (e) {
          log.warn(`could not write --summary-export ${opts.summaryExport}: ${(e as Error).message}`);
        }
      }
    }

    let exitCode: number = K6_EXIT.ok;
    if (runError) exitCode = runError.exitCode;
    else if (run.markedFailed !== undefined) exitCode = K6_EXIT.markedAsFailed;
    else if (thresholdsFailed) {
      exitCode = K6_EXIT.thresholdsHaveFailed;
      // A --workers child's thresholds cover only its share; the parent judges the merged run.
      if (!opts.onWorkerDone) err('ERRO[squall] thresholds on metrics have been crossed\n');
    }
    const lagAll = runtimes.filter((r) => !r.lag.empty);
    const lagP99 = lagAll.length ? Math.max(...lagAll.map((r) => r.lag.percentile(0.99))) : undefined;
    const childLag = childDone.flatMap((d) => (d.schedulingLagP99Ms === undefined ? [] : [d.schedulingLagP99Ms]));
    const dropped = runtimes.reduce((n, r) => n + r.dropped, 0) + childDone.reduce((n, d) => n + d.droppedIterations, 0);
    opts.onWorkerDone?.({
      snapshot: metrics.snapshot(),
      types: Object.fromEntries([...metrics.registry.all()].map((m) => [m.name, { type: m.type, contains: m.contains }])),
      groups: metrics.groups.snapshot(),
      runErrorCode: runError?.exitCode,
      runErrorMessage: runError?.message,
      markedFailed: run.markedFailed,
      setupDataJson: setupJson,
      droppedIterations: dropped,
      schedulingLagP99Ms: lagP99,
    });
    return {
      exitCode,
      summary,
      schedulingLagP99Ms: childLag.length ? Math.max(...childLag) : lagP99,
      droppedIterations: dropped,
      vuInit,
    };
  } finally {
    if (ticker) clearInterval(ticker);
    stop.stop();
    process.off('unhandledRejection', onUnhandled);
    if (opts.handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (metrics.outputs.length) for (const o of metrics.outputs) await o.close().catch(() => undefined);
    await run.http?.close();
    unregisterRun(run.id);
  }
}

let gcFn: (() => void) | undefined;
/** A full GC, through V8's gc() made available at run time (no --expose-gc flag needed). */
function collectGarbage(): void {
  try {
    if (gcFn === undefined) {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
    gcFn();
  } catch {
    gcFn = () => {};
  }
}

function s0hint(exec: string): string {
  return exec === 'default'
    ? 'export a default function (export default function () { ... }) or name the function with the scenario\'s exec field'
    : `export the function: export function ${exec}() { ... }`;
}

function initError(e: unknown, scriptPath: string): SquallError {
  if (isSquallError(e)) return e;
  const msg = errorText(e);
  const mark = '[squall:unsupported-module] ';
  const at = msg.indexOf(mark);
  if (at >= 0) {
    return new SquallError(msg.slice(at + mark.length), { exitCode: K6_EXIT.scriptException, hint: 'squall runs the portable k6 subset; real k6 runs everything' });
  }
  return new SquallError(`the script's init code failed (${scriptPath}): ${msg}`, {
    exitCode: K6_EXIT.scriptException,
    hint: 'fix the error in the top-level code of the script or of a module it imports (k6 exit code 107)',
    cause: e,
  });
}
