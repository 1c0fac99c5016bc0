/**
 * One run, wired: experiment → run folder → target (the emulator in its own process, or AWS) →
 * chaos timeline + k6 load → measured series (k6 points + system metrics) → prediction →
 * comparison → verdict. Only the CLI wires parts together; each part is called through its
 * contract. Every fault is restored on normal end, on error and on SIGINT/SIGTERM; after a hard
 * kill, `squall restore <run folder>` reads the journal.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Journal } from '../chaos/journal.ts';
import { SquallError } from '../contracts/exit-codes.ts';
import { ChaosTimeline, describeFault, type RestoreReport } from '../chaos/timeline.ts';
import { systemClock } from '../contracts/clock.ts';
import type { SeriesFile } from '../contracts/series.ts';
import { compareSeries, type Comparison } from '../compare/compare.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { spawnEmulatorProcess, type EmulatorProcess } from '../emulator/lambda/process.ts';
import { generateRunFiles } from '../generate/generate.ts';
import { mergeSeriesFiles, rebaseSeries } from '../observe/align.ts';
import { k6PointsToSeries } from '../observe/k6-points.ts';
import { selectRunner, type RunnerResult } from '../runner/index.ts';
import { simulate } from '../simulator/simulate.ts';
import { clientsForTarget, type TargetClients } from '../target/clients.ts';
import type { ResolvedCredentials } from '../target/credentials.ts';
import { scriptEnv } from '../target/script-env.ts';
import { alignSystemSeries, fetchSystemSeries } from '../target/system-metrics.ts';
import { startMarkServer } from '../observe/start-mark.ts';
import { firstIterationStart } from '../observe/first-start.ts';
import { verdict } from '../compare/verdict.ts';
import type { StopFired } from '../chaos/stop-conditions.ts';
import { wireStopConditions, type StopWiring } from './run-stop.ts';


export interface RunOptions {
  experiment: ResolvedExperiment;
  /** Parent folder of run folders; the run goes to `<reportsDir>/<experiment>/<run id>/`. */
  reportsDir: string;
  /** Extra time after the load during which the system is still observed (queues drain). */
  tailMs: number;
  engine?: 'embedded' | 'k6' | 'auto';
  seed?: number;
  log: (line: string) => void;
  /** Aborts the run (SIGINT/SIGTERM): the load stops gracefully, faults are restored. */
  signal?: AbortSignal;
  /**
   * An aws target that passed its preflight (target/preflight.ts: credentials, allowlist, reads):
   * the clients to use (the run destroys them), the credentials the script gets too, and the
   * experiment with what is really deployed put in, which the prediction is made from.
   */
  aws?: { clients: TargetClients; credentials: ResolvedCredentials; predictFrom: ResolvedExperiment };
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
  mkdirSync(runDir, { recursive: true });
  const reasons: string[] = [];
  o.log(`run ${runId} → ${path.relative(process.cwd(), runDir) || runDir}`);

  const generated = generateRunFiles(exp, { outDir: runDir });
  const script = generated.files.find((f) => f.endsWith('script.js'))!;
  const clock = systemClock();
  const journal = new Journal(path.join(runDir, 'chaos-journal.ndjson'));
  let emulator: EmulatorProcess | null = null;
  let clients: TargetClients | null = null;
  let timeline: ChaosTimeline | null = null;
  let restoreReport: RestoreReport = { restored: 0, failed: [] };
  let runnerResult: RunnerResult | null = null;
  let loadStartEpoch = 0;
  const stepMs = 1000;
  const steps = Math.ceil((exp.load.durationMs + o.tailMs) / stepMs);
  let systemSeries: SeriesFile | null = null;
  let restoredInWindows = 0;
  let stoppedBy: StopFired | null = null;
  let stops: StopWiring | null = null;

  try {
    if (exp.target.kind === 'emulated') {
      emulator = await spawnEmulatorProcess({ resolvedFile: path.join(runDir, 'experiment.json') });
      o.log(`emulator at ${emulator.endpoint}`);
    }
    clients = o.aws?.clients ?? clientsForTarget(exp.target, emulator?.endpoint);
    journal.write({
      event: 'run',
      runId,
      target: exp.target.kind === 'emulated' ? { kind: 'emulated', region: clients.region, endpoint: emulator!.endpoint } : { kind: 'aws', region: exp.target.region, endpoint: exp.target.endpoint, profile: exp.target.profile },
      at: new Date().toISOString(),
    });
    const localEndpoint = emulator ? emulator.endpoint : exp.target.kind === 'aws' ? exp.target.endpoint : null;
    const env = await scriptEnv(exp, clients, runId, localEndpoint, o.aws?.credentials ?? null);
    const runner = await selectRunner(o.engine ?? exp.load.engine);
    o.log(`load: ${Object.keys(exp.load.scenarios).length} scenario(s), ${exp.load.durationMs / 1000} s, runner ${runner.name}`);

    timeline = new ChaosTimeline({
      faults: exp.chaos.faults,
      clients,
      journal,
      clock,
      runId,
      onEvent: (e) => o.log(`chaos +${(e.atMs / 1000).toFixed(1)}s ${e.what}: ${e.detail}`),
    });
    for (const f of exp.chaos.faults) o.log(`chaos plan: at ${f.atMs / 1000}s${f.forMs !== null ? ` for ${f.forMs / 1000}s` : ''}: ${describeFault(f)}`);
    stops = wireStopConditions({ experiment: exp, runDir, clock, journal, timeline: () => timeline, emulatorEndpoint: emulator?.endpoint ?? null, signal: o.signal, log: o.log });

    // The load's clock starts when the engine starts its scenarios, seconds after the runner
    // process (VU initialisation). The generated script's setup() posts to SQUALL_START_URL right
    // before the scenarios start; the fault timeline and the measured series start there.
    const mark = await startMarkServer();
    const tl = timeline;
    const st = stops;
    let started = false;
    const startTimeline = (why: string) => {
      if (started) return;
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
    runnerResult = await runner.run({
      script,
      runDir,
      env: { ...env, SQUALL_START_URL: mark.url },
      quiet: true,
      summaryTrendStats: exp.load.summaryTrendStats,
      ...(stops.loadSignal ? { signal: stops.loadSignal } : {}),
      ...(stops.extraArgs.length ? { extraArgs: stops.extraArgs } : {}),
      onStderr: (c) => st.onLoadOutput(c),
      onStdout: (c) => st.onLoadOutput(c),
      timeoutMs: exp.load.durationMs + 120_000 + Math.max(0, ...Object.values(exp.load.scenarios).map((s) => s.gracefulStopMs)),
    });
    clearTimeout(fallback);
    await mark.close();
    o.log(`load finished: k6 exit code ${runnerResult.exitCode}`);
    const stopped = await stops.finish();
    stoppedBy = stopped.fired;
    if (stopped.restore?.failed.length) o.log(`warning: ${stopped.restore.failed.length} fault(s) not restored when the stop condition fired; retrying`);
    restoredInWindows = timeline.events.filter((e) => e.what === 'restored').length;

    // Keep observing while queues drain; faults with windows past the load end are restored now.
    restoreReport = await timeline.finish();
    timeline = null;
    if (o.tailMs > 0 && !o.signal?.aborted) {
      o.log(`observing the system for ${o.tailMs / 1000} s more`);
      await new Promise((r) => setTimeout(r, o.tailMs));
    }
    if (emulator) systemSeries = await fetchSystemSeries(emulator.endpoint);
  } finally {
    // On an error path the watcher must not fire (and restore) behind the finally's own restore.
    await stops?.finish();
    if (timeline) {
      const r = await timeline.finish();
      restoreReport = { restored: restoreReport.restored + r.restored, failed: [...restoreReport.failed, ...r.failed] };
    }
    journal.close();
    clients?.destroy();
    if (emulator) {
      await emulator.stop();
      writeFileSync(path.join(runDir, 'emulator.log'), emulator.output());
    }
  }

  if (restoreReport.failed.length) reasons.push(`${restoreReport.failed.length} fault(s) could not be restored: run \`squall restore ${runDir}\``);

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
  const parts: SeriesFile[] = [];
  if (client) parts.push(client);
  if (systemSeries) parts.push(rebaseSeries(systemSeries, loadStartEpoch, steps));
  const measured = mergeSeriesFiles(parts.map((p) => ({ ...p, startMs: loadStartEpoch })));
  writeFileSync(path.join(runDir, 'measured.json'), `${JSON.stringify(measured)}\n`);

  const prediction = simulate(o.aws?.predictFrom ?? exp, { ...(o.seed !== undefined ? { seed: o.seed } : {}), drainLimitMs: o.tailMs });
  const predicted = rebaseSeries(prediction.series, 0, steps);
  writeFileSync(path.join(runDir, 'predicted.json'), `${JSON.stringify({ ...predicted, totals: prediction.totals, warnings: prediction.warnings })}\n`);
  for (const w of prediction.warnings) o.log(`simulator: ${w}`);

  const comparison = { ...compareSeries({ ...predicted, startMs: loadStartEpoch }, measured, exp.expect), stoppedBy };
  writeFileSync(path.join(runDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);

  const k6ExitCode = runnerResult?.exitCode ?? -1;
  const v = verdict({ interrupted: o.signal?.aborted ?? false, k6ExitCode, restoreFailed: restoreReport.failed.length, comparison, stoppedBy });
  reasons.push(...v.reasons);
  const exitCode = v.exitCode;
  return { runId, runDir, exitCode, k6ExitCode, comparison, restore: { ...restoreReport, restored: restoreReport.restored + restoredInWindows }, reasons, stoppedBy };
}
