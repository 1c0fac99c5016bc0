/**
 * One run, wired: experiment → run folder → target (the emulator in its own process, or AWS) →
 * chaos timeline + k6 load → measured series (k6 points + system metrics) → prediction →
 * comparison → verdict. Only the CLI wires parts together; each part is called through its
 * contract. Every fault is restored on normal end, on error and on SIGINT/SIGTERM; after a hard
 * kill, `squall restore <run folder>` reads the journal.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Journal } from '../chaos/journal.ts';
import { findUnrestored } from '../chaos/unrestored.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { RunStatusFile } from './run-status.ts';
import { ChaosTimeline, describeFault, restoreFromJournal, type RestoreReport } from '../chaos/timeline.ts';
import { systemClock } from '../contracts/clock.ts';
import type { SeriesFile } from '../contracts/series.ts';
import { compareSeries, toleranceFor, type Comparison } from '../compare/compare.ts';
import { windowedComparison } from '../compare/windows.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { spawnEmulatorProcess, type EmulatorProcess } from '../emulator/lambda/process.ts';
import { generateRunFiles } from '../generate/generate.ts';
import { mergeSeriesFiles, rebaseSeries } from '../observe/align.ts';
import { k6PointsToSeries } from '../observe/k6-points.ts';
import { selectRunner, type RunnerResult } from '../runner/index.ts';
import { startPrediction, type PendingPrediction } from '../simulator/predict-thread.ts';
import { calibrateClientPath } from '../observe/client-path.ts';
import { clientsForTarget, type TargetClients } from '../target/clients.ts';
import type { ResolvedCredentials } from '../target/credentials.ts';
import type { SystemSeriesSource } from '../target/system-series.ts';
import { resampleSeries } from '../observe/resample.ts';
import { enableMappingMetrics, type MappingMetrics, type MetricsChange } from '../chaos/mapping-metrics.ts';
import { scriptEnv } from '../target/script-env.ts';
import { alignSystemSeries, fetchLedger, fetchSystemSeries } from '../target/system-metrics.ts';
import { startMarkServer } from '../observe/start-mark.ts';
import { firstIterationStart } from '../observe/first-start.ts';
import { verdict } from '../compare/verdict.ts';
import type { StopFired } from '../chaos/stop-conditions.ts';
import { wireStopConditions, type StopWiring } from './run-stop.ts';
import { runAccounting } from './run-accounting.ts';
import type { SqsLedger } from '../contracts/sqs-ledger.ts';


export interface RunOptions {
  experiment: ResolvedExperiment;
  /** Parent folder of run folders; the run goes to `<reportsDir>/<experiment>/<run id>/`. */
  reportsDir: string;
  /** Extra time after the load during which the system is still observed (queues drain). */
  tailMs: number;
  engine?: 'embedded' | 'k6' | 'auto';
  seed?: number;
  /** Simulator seeds the prediction interval is taken over (default 20). */
  predictionRuns?: number;
  log: (line: string) => void;
  /** Aborts the run (SIGINT/SIGTERM): the load stops gracefully, faults are restored. */
  signal?: AbortSignal;
  /**
   * An aws target that passed its preflight (target/preflight.ts: credentials, allowlist, reads):
   * the clients to use (the run destroys them), the credentials the script gets too, and the
   * experiment with what is really deployed put in, which the prediction is made from.
   */
  aws?: {
    clients: TargetClients;
    credentials: ResolvedCredentials;
    predictFrom: ResolvedExperiment;
    /** Where the system series come from (CloudWatch), read after the tail; null = client series only. */
    systemSeries: SystemSeriesSource | null;
    /** Mappings whose MetricsConfig squall may turn on for the run (`--mapping-metrics`); empty = none. */
    mappingMetrics?: MappingMetrics[];
  };
  /** Called once the run folder exists (for the `squall restore` hint of a signal handler). */
  onRunDir?: (runDir: string) => void;
  /** A second signal: kill the load now, restore only (no tail, no comparison). */
  kill?: AbortSignal;
  /** Restore earlier runs' unrestored faults on this target before running (else refuse). */
  restoreFirst?: boolean;
  /** Overall deadline of each restore (default chaos/timeline.ts RESTORE_DEADLINE_MS). */
  restoreDeadlineMs?: number;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  exitCode: number;
  k6ExitCode: number;
  comparison: Comparison | null;
  restore: RestoreReport;
  reasons: string[];
  /** The stop condition (or k6 abortOnFail threshold) that ended the faults early, if one fired. */
  stoppedBy: StopFired | null;
}

export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function runExperiment(o: RunOptions): Promise<RunOutcome> {
  const exp = o.experiment;
  // The account guard is part of the aws preflight (STS identity against the allowlist), done before anything exists.
  if (exp.target.kind === 'aws' && !o.aws) throw new SquallError('internal: an aws run needs its preflight first (target/preflight.ts)');
  const runId = newRunId();
  const runDir = path.resolve(o.reportsDir, exp.name, runId);

  // Preflight: nothing is created or changed until the runner exists and no earlier run has left
  // this target faulted.
  const runner = await selectRunner(o.engine ?? exp.load.engine);
  await settleEarlierRuns(o);

  mkdirSync(runDir, { recursive: true });
  const status = new RunStatusFile(runDir, runId, exp.name);
  o.onRunDir?.(runDir);
  const reasons: string[] = [];
  o.log(`run ${runId} → ${path.relative(process.cwd(), runDir) || runDir}`);

  const clock = systemClock();
  let journal: Journal | null = null;
  let emulator: EmulatorProcess | null = null;
  let clients: TargetClients | null = null;
  let timeline: ChaosTimeline | null = null;
  let restoreReport: RestoreReport = { restored: 0, failed: [] };
  let runnerResult: RunnerResult | null = null;
  let loadStartEpoch = 0;
  const stepMs = 1000;
  const steps = Math.ceil((exp.load.durationMs + o.tailMs) / stepMs);
  let systemSeries: SeriesFile | null = null;
  let ledger: SqsLedger | null = null;
  let restoredInWindows: number;
  // The comparison window: the load plus the tail, the same for every series on both sides.
  const window = { steps, loadSteps: Math.ceil(exp.load.durationMs / stepMs) };
  let prediction: PendingPrediction | null = null;
  let stoppedBy: StopFired | null = null;
  let stops: StopWiring | null = null;
  let metricsChange: MetricsChange | null = null;
  let started = false;
  const stopped = () => (o.signal?.aborted ?? false) || (o.kill?.aborted ?? false);

  try {
    let env: Record<string, string>;
    let script: string;
    try {
      const generated = generateRunFiles(exp, { outDir: runDir });
      script = generated.files.find((f) => f.endsWith('script.js'))!;
      if (exp.target.kind === 'emulated') {
        emulator = await spawnEmulatorProcess({ resolvedFile: path.join(runDir, 'experiment.json') });
        o.log(`emulator at ${emulator.endpoint}`);
      }
      clients = o.aws?.clients ?? clientsForTarget(exp.target, emulator?.endpoint);
      const localEndpoint = emulator ? emulator.endpoint : exp.target.kind === 'aws' ? exp.target.endpoint : null;
      env = await scriptEnv(exp, clients, runId, localEndpoint, o.aws?.credentials ?? null);
    } catch (e) {
      // Nothing has started and nothing was changed: leave no folder that looks like a run.
      await emulator?.stop().catch(() => null);
      emulator = null;
      clients?.destroy();
      clients = null;
      rmSync(runDir, { recursive: true, force: true });
      removeIfEmpty(path.dirname(runDir));
      throw e;
    }
    journal = new Journal(path.join(runDir, 'chaos-journal.ndjson'));
    journal.write({
      event: 'run',
      runId,
      target: exp.target.kind === 'emulated' ? { kind: 'emulated', region: clients.region, endpoint: emulator!.endpoint } : { kind: 'aws', region: exp.target.region, endpoint: exp.target.endpoint, profile: exp.target.profile },
      pid: process.pid,
      at: new Date().toISOString(),
    });
    if (o.aws?.mappingMetrics?.length) metricsChange = await enableMappingMetrics(clients, journal, o.aws.mappingMetrics, { log: o.log });
    o.log(`load: ${Object.keys(exp.load.scenarios).length} scenario(s), ${exp.load.durationMs / 1000} s, runner ${runner.name}`);

    // The prediction's seeds run on a worker thread while the load runs; awaited after the tail.
    const path0 = await calibrateClientPath(exp, clients, { emulatorEndpoint: emulator?.endpoint ?? null }).catch((e: unknown) => {
      o.log(`warning: could not time the client path (${String(e)}); the simulator assumes a flat 1 ms`);
      return null;
    });
    if (path0) {
      const sorted = [...path0.samplesMs].sort((a, b) => a - b);
      o.log(`client path: ${path0.call} p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms over ${sorted.length} calls`);
    }
    prediction = startPrediction(o.aws?.predictFrom ?? exp, {
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      runs: o.predictionRuns ?? 20,
      level: predictionLevel(exp),
      window,
      drainLimitMs: o.tailMs,
      ...(path0 ? { clientRttSamplesMs: path0.samplesMs } : {}),
    });

    timeline = new ChaosTimeline({
      faults: exp.chaos.faults,
      clients,
      journal,
      clock,
      runId,
      onEvent: (e) => o.log(`chaos +${(e.atMs / 1000).toFixed(1)}s ${e.what}: ${e.detail}`),
    });
    for (const f of exp.chaos.faults) o.log(`chaos plan: at ${f.atMs / 1000}s${f.forMs !== null ? ` for ${f.forMs / 1000}s` : ''}: ${describeFault(f)}`);
    stops = wireStopConditions({ experiment: exp, runDir, clock, journal, timeline: () => timeline, emulatorEndpoint: emulator?.endpoint ?? null, signal: o.signal, log: o.log, clients });

    // The load's clock starts when the engine starts its scenarios, seconds after the runner
    // process (VU initialisation). The generated script's setup() posts to SQUALL_START_URL right
    // before the scenarios start; the fault timeline and the measured series start there.
    const mark = await startMarkServer();
    const tl = timeline;
    const st = stops;
    const startTimeline = (why: string) => {
      // A run being stopped never starts faults, even if the start mark arrives late.
      if (started || stopped()) return;
      started = true;
      if (why) o.log(why);
      tl.start();
      st.start(loadStartEpoch || clock.epochMs());
    };
    const emulatorEndpoint = emulator?.endpoint;
    mark.started.then((epoch) => {
      loadStartEpoch = epoch;
      startTimeline('');
      // Put the emulator's per-second steps on the load's grid, so system and client series line up.
      if (emulatorEndpoint) {
        alignSystemSeries(emulatorEndpoint, epoch, (e) => o.log(`warning: could not align the emulator's metrics: ${String(e)}`));
      }
    }, () => {});
    const fallback = setTimeout(() => startTimeline('warning: the script did not signal its start (SQUALL_START_URL); fault times count from 60 s after the runner started'), 60_000);
    fallback.unref();
    status.enter('load');
    runnerResult = await runner.run({
      script,
      runDir,
      env: { ...env, SQUALL_START_URL: mark.url },
      quiet: true,
      summaryTrendStats: exp.load.summaryTrendStats,
      ...(stops.loadSignal ? { signal: stops.loadSignal } : {}),
      ...(o.kill ? { kill: o.kill } : {}),
      ...(stops.extraArgs.length ? { extraArgs: stops.extraArgs } : {}),
      onStderr: (c) => st.onLoadOutput(c),
      onStdout: (c) => st.onLoadOutput(c),
      timeoutMs: exp.load.durationMs + 120_000 + Math.max(0, ...Object.values(exp.load.scenarios).map((s) => s.gracefulStopMs)),
    });
    clearTimeout(fallback);
    await mark.close();
    o.log(`load finished: k6 exit code ${runnerResult.exitCode}`);
    const stopResult = await stops.finish(runnerResult.files.summary);
    stoppedBy = stopResult.fired;
    if (stopResult.restore?.failed.length) o.log(`warning: ${stopResult.restore.failed.length} fault(s) not restored when the stop condition fired; retrying`);

    // Faults with windows past the load end are restored now, before observing the drain.
    status.enter('restoring');
    restoreReport = await timeline.finish(o.restoreDeadlineMs !== undefined ? { deadlineMs: o.restoreDeadlineMs } : {});
    // Counted after finish(): a window's restore still in flight when the load ended completes inside it.
    restoredInWindows = timeline.events.filter((e) => e.what === 'restored').length - restoreReport.restored;
    timeline = null;
    if (o.tailMs > 0 && !stopped()) {
      status.enter('observing');
      o.log(`observing the system for ${o.tailMs / 1000} s more`);
      await abortableSleep(o.tailMs, o.signal, o.kill);
    }
    if (emulator && !o.kill?.aborted) systemSeries = await fetchSystemSeries(emulator.endpoint);
    if (emulator && !o.kill?.aborted) ledger = await fetchLedger(emulator.endpoint);
    const source = o.aws?.systemSeries;
    if (source && !stopped()) {
      status.enter('observing');
      const startMs = loadStartEpoch || clock.epochMs() - exp.load.durationMs - o.tailMs;
      try {
        systemSeries = await source.read({ startMs, endMs: startMs + steps * stepMs }, o.log);
      } catch (e) {
        // The run's faults are already restored; a metrics read that fails loses only the system series.
        o.log(`warning: no system series from ${source.source}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  } catch (e) {
    // On an error path the watcher must not fire (and restore) behind this restore.
    await stops?.finish();
    if (timeline) {
      status.enter('restoring');
      const r = await timeline.finish(o.restoreDeadlineMs !== undefined ? { deadlineMs: o.restoreDeadlineMs } : {});
      timeline = null;
      restoreReport = { restored: restoreReport.restored + r.restored, failed: [...restoreReport.failed, ...r.failed] };
    }
    if (metricsChange) {
      const r = await metricsChange.restore();
      restoreReport = { restored: restoreReport.restored + r.restored, failed: [...restoreReport.failed, ...r.failed] };
    }
    if (existsSync(runDir)) status.end(`error: ${e instanceof Error ? e.message : String(e)}${restoreReport.failed.length ? `; ${restoreReport.failed.length} fault(s) NOT restored` : ''}`, restoreReport.failed.length ? EXIT.restoreFailed : (e as { exitCode?: number }).exitCode ?? EXIT.internalError);
    if (restoreReport.failed.length) {
      throw new SquallError(`${e instanceof Error ? e.message : String(e)}; and ${restoreReport.failed.length} fault(s) could not be restored`, {
        exitCode: EXIT.restoreFailed,
        hint: `run \`squall restore ${runDir}\``,
        cause: e,
      });
    }
    throw e;
  } finally {
    await stops?.finish();
    if (timeline) {
      const r = await timeline.finish(o.restoreDeadlineMs !== undefined ? { deadlineMs: o.restoreDeadlineMs } : {});
      restoreReport = { restored: restoreReport.restored + r.restored, failed: [...restoreReport.failed, ...r.failed] };
    }
    // After the CloudWatch read: the run's minutes are published while the metrics are on.
    if (metricsChange) {
      const r = await metricsChange.restore();
      restoreReport = { restored: restoreReport.restored + r.restored, failed: [...restoreReport.failed, ...r.failed] };
    }
    journal?.close();
    clients?.destroy();
    // The load never finished (an error): the worker's answer will not be read.
    if (!runnerResult) void prediction?.cancel();
    if (emulator) {
      await emulator.stop();
      writeFileSync(path.join(runDir, 'emulator.log'), emulator.output());
    }
  }

  if (restoreReport.failed.length) reasons.push(`${restoreReport.failed.length} fault(s) could not be restored: run \`squall restore ${runDir}\``);
  const restore = { ...restoreReport, restored: restoreReport.restored + restoredInWindows };

  // A second signal asks for the restore only: no analysis of a load that was killed.
  if (o.kill?.aborted) {
    const exitCode = restoreReport.failed.length ? EXIT.restoreFailed : EXIT.interrupted;
    reasons.push('interrupted (second signal: restored only, no comparison)');
    status.end(reasons.join('; '), exitCode);
    return { runId, runDir, exitCode, k6ExitCode: runnerResult?.exitCode ?? -1, comparison: null, restore, reasons, stoppedBy };
  }

  status.enter('comparing');
  let comparison: Comparison;
  try {
    comparison = await analyse();
  } catch (e) {
    if (!stopped()) throw e;
    // An interrupted run may have too little to compare; its restore is what matters.
    o.log(`warning: the interrupted run could not be compared: ${e instanceof Error ? e.message : String(e)}`);
    const exitCode = restoreReport.failed.length ? EXIT.restoreFailed : EXIT.interrupted;
    reasons.push('interrupted');
    status.end(reasons.join('; '), exitCode);
    return { runId, runDir, exitCode, k6ExitCode: runnerResult?.exitCode ?? -1, comparison: null, restore, reasons, stoppedBy };
  }

  const k6ExitCode = runnerResult?.exitCode ?? -1;
  const v = verdict({ interrupted: stopped(), k6ExitCode, restoreFailed: restoreReport.failed.length, comparison, stoppedBy });
  reasons.push(...v.reasons);
  const exitCode = v.exitCode;
  status.enter('done');
  status.end(reasons.length ? reasons.join('; ') : 'pass', exitCode);
  return { runId, runDir, exitCode, k6ExitCode, comparison, restore, reasons, stoppedBy };

  async function analyse(): Promise<Comparison> {
    // Measured series on the load's timeline: the start is the first request's start.
    const pointsFile = runnerResult?.files.points;
    let client: SeriesFile | null = null;
    if (pointsFile && existsSync(pointsFile)) {
      if (loadStartEpoch === 0) {
        // No start signal: align on the first iteration's first request.
        const firstStart = await firstIterationStart(pointsFile);
        loadStartEpoch = firstStart ?? (await k6PointsToSeries(pointsFile)).startMs;
      }
      client = await k6PointsToSeries(pointsFile, { startMs: loadStartEpoch, stepMs, steps });
    }
    if (!prediction) throw new Error('the prediction was not started');
    const predictedRun = await prediction.result();
    o.log(`prediction: ${predictedRun.file.interval?.runs ?? 1} simulator seeds in ${(predictedRun.elapsedMs / 1000).toFixed(1)} s on a worker thread`);
    // `predicted` stays on the load's own timeline (step 0 = load start) for the fault windows.
    let predicted: SeriesFile = predictedRun.file;
    let measured: SeriesFile;
    let compareStepMs = stepMs;
    if (systemSeries && systemSeries.stepMs !== stepMs) {
      // CloudWatch: compare on its 1-minute grid, the client and predicted series resampled to it.
      const coarse = systemSeries;
      const grid = { stepMs: coarse.stepMs, startMs: coarse.startMs, steps: Math.max(1, ...coarse.series.map((x) => x.values.length)) };
      const fine = (f: SeriesFile) => resampleSeries(rebaseSeries(f, grid.startMs, (grid.steps * grid.stepMs) / stepMs), grid);
      // Per-step prediction intervals do not survive the shift; the run-level total intervals do.
      const onGrid = fine({ ...predicted, startMs: loadStartEpoch, series: predicted.series.map(({ lower: _l, upper: _u, ...x }) => x) });
      predicted = { ...onGrid, startMs: onGrid.startMs - loadStartEpoch };
      measured = mergeSeriesFiles([...(client ? [fine(client)] : []), { ...coarse, startMs: grid.startMs }]);
      compareStepMs = grid.stepMs;
      o.log(
        `compared at ${grid.stepMs / 1000} s steps from ${new Date(grid.startMs).toISOString()}: ${coarse.source} publishes 1-minute points, so the client and predicted series were resampled to its grid (a percentile takes the largest 1 s value of the minute)`,
      );
    } else {
      const parts: SeriesFile[] = [];
      if (client) parts.push(client);
      if (systemSeries) parts.push(rebaseSeries(systemSeries, loadStartEpoch, steps));
      measured = { ...mergeSeriesFiles(parts.map((p) => ({ ...p, startMs: loadStartEpoch }))), window };
    }
    writeFileSync(path.join(runDir, 'measured.json'), `${JSON.stringify(measured)}\n`);
    writeFileSync(path.join(runDir, 'predicted.json'), `${JSON.stringify({ ...predicted, totals: predictedRun.totals, warnings: predictedRun.warnings })}\n`);
    for (const w of predictedRun.warnings) o.log(`simulator: ${w}`);

    const accounting = runAccounting(exp, ledger, { ...(o.seed !== undefined ? { seed: o.seed } : {}), tailMs: o.tailMs });
    // The same figures per fault window and the recovery after each fault, so the report, JUnit and the index read one computation.
    const windows = windowedComparison({
      predicted,
      measured,
      // On CloudWatch's grid step 0 starts up to a minute before the load: fault times move by as much.
      faults: exp.chaos.faults.map((f) => ({ id: f.id, label: describeFault(f), atMs: f.atMs - predicted.startMs, forMs: f.forMs })),
      endMs: Math.max(steps * stepMs - predicted.startMs, compareStepMs),
      toleranceFor: (s) => toleranceFor(s, exp.expect.predictions),
      deadLetterQueues: Object.values(exp.system.queues).flatMap((q) => (q.redrive ? [q.redrive.deadLetterQueue] : [])),
    });
    const comparison = { ...compareSeries({ ...predicted, startMs: loadStartEpoch + predicted.startMs }, measured, exp.expect, accounting), windows, stoppedBy };
    writeFileSync(path.join(runDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
    return comparison;
  }
}

/**
 * Earlier runs against this target with faults not confirmed restored: refuse (exit 5, with the
 * exact `squall restore` commands), or with --restore-first restore them (read back) first.
 */
async function settleEarlierRuns(o: RunOptions): Promise<void> {
  const exp = o.experiment;
  const left = findUnrestored(o.reportsDir, exp.target);
  if (!left.length) return;
  const live = left.filter((u) => u.live);
  if (live.length) {
    throw new SquallError(`another squall run is changing this target right now: ${live.map((u) => u.runDir).join(', ')}`, {
      exitCode: EXIT.restoreFailed,
      hint: 'wait for it to end; two runs faulting one target would each take the other\'s faults for the original',
    });
  }
  const list = left.map((u) => `  ${u.runId}: ${u.open.map((r) => r.key).join(', ')}\n    squall restore ${u.runDir}`).join('\n');
  if (!o.restoreFirst) {
    throw new SquallError(`${left.length} earlier run(s) left faults on this target that were never confirmed restored:\n${list}`, {
      exitCode: EXIT.restoreFailed,
      hint: 'run the `squall restore` command(s) above, or pass --restore-first to restore them before this run',
    });
  }
  if (exp.target.kind !== 'aws') return;
  const clients = clientsForTarget(exp.target);
  try {
    for (const u of left) {
      const file = path.join(u.runDir, 'chaos-journal.ndjson');
      const j = new Journal(file);
      try {
        const r = await restoreFromJournal(file, clients, j, o.restoreDeadlineMs !== undefined ? { deadlineMs: o.restoreDeadlineMs } : {});
        o.log(`restore-first: run ${u.runId}: ${r.restored} of ${r.pending} fault(s) restored (read back)`);
        if (r.failed.length) {
          throw new SquallError(`--restore-first could not restore run ${u.runId}: ${r.failed.map((f) => `${f.resource ?? `fault ${f.faultId}`}: ${f.error}`).join('; ')}`, {
            exitCode: EXIT.restoreFailed,
            hint: `nothing of this run was started; fix the cause, then run \`squall restore ${u.runDir}\``,
          });
        }
      } finally {
        j.close();
      }
    }
  } finally {
    clients.destroy();
  }
}

function removeIfEmpty(dir: string): void {
  try {
    if (readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // not ours to worry about
  }
}

function abortableSleep(ms: number, ...signals: Array<AbortSignal | undefined>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      for (const s of signals) s?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    for (const s of signals) {
      if (s?.aborted) return done();
      s?.addEventListener('abort', done, { once: true });
    }
  });
}

/** The interval level the prediction is computed at: the widest any tolerance asks, else 0.95. */
export function predictionLevel(exp: ResolvedExperiment): number {
  let level = 0;
  for (const t of Object.values(exp.expect.predictions)) if (t.interval !== null && t.interval > level) level = t.interval;
  return level || 0.95;
}
