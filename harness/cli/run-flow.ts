/**
 * One run, wired: experiment → run folder → target (the emulator in its own process, or AWS) →
 * chaos timeline + k6 load → measured series (k6 points + system metrics) → prediction →
 * comparison → verdict. Only the CLI wires parts together; each part is called through its
 * contract. Every fault is restored on normal end, on error and on SIGINT/SIGTERM; after a hard
 * kill, `squall restore <run folder>` reads the journal.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { GetFunctionCommand, GetFunctionUrlConfigCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { Journal } from '../chaos/journal.ts';
import { ChaosTimeline, describeFault, type RestoreReport } from '../chaos/timeline.ts';
import { systemClock } from '../contracts/clock.ts';
import { EXIT, K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { SeriesFile } from '../contracts/series.ts';
import { compareSeries, type Comparison } from '../compare/compare.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { spawnEmulatorProcess, type EmulatorProcess } from '../emulator/lambda/process.ts';
import { generateRunFiles } from '../generate/generate.ts';
import { envSuffix } from '../generate/view-model.ts';
import { mergeSeriesFiles, rebaseSeries } from '../observe/align.ts';
import { k6PointsToSeries } from '../observe/k6-points.ts';
import { selectRunner, type RunnerResult } from '../runner/index.ts';
import { simulate } from '../simulator/simulate.ts';
import { clientsForTarget, EMULATOR_CREDENTIALS, type TargetClients } from '../target/clients.ts';


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
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  exitCode: number;
  k6ExitCode: number;
  comparison: Comparison | null;
  restore: RestoreReport;
  reasons: string[];
}

export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

async function fetchJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}`);
  return (await r.json()) as T;
}

/** Environment for the generated script: endpoints, credentials, function URLs, queue URLs, run id. */
async function scriptEnv(exp: ResolvedExperiment, clients: TargetClients, runId: string, endpoint: string | null): Promise<Record<string, string>> {
  const env: Record<string, string> = { SQUALL_RUN_ID: runId, AWS_REGION: clients.region };
  if (endpoint) {
    env.SQUALL_ENDPOINT = endpoint;
    env.AWS_ACCESS_KEY_ID = EMULATOR_CREDENTIALS.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = EMULATOR_CREDENTIALS.secretAccessKey;
  }
  for (const f of Object.values(exp.system.functions)) {
    if (!f.url) continue;
    const r = await clients.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: f.name }));
    if (!r.FunctionUrl) throw new SquallError(`function ${f.name} has no function URL on the target`, { exitCode: EXIT.invalidInput });
    env[`SQUALL_URL_${envSuffix(f.name)}`] = r.FunctionUrl.replace(/\/$/, '');
  }
  for (const q of Object.keys(exp.system.queues)) {
    const r = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: q }));
    env[`SQUALL_QUEUE_URL_${envSuffix(q)}`] = r.QueueUrl!;
  }
  return env;
}

/** In aws mode, refuse to touch an account that is not on the experiment's allowlist. */
async function checkAccount(exp: ResolvedExperiment, clients: TargetClients): Promise<void> {
  if (exp.target.kind !== 'aws') return;
  const fn = Object.keys(exp.system.functions)[0];
  let account: string | undefined;
  if (fn) {
    const r = await clients.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
    account = r.Configuration?.FunctionArn?.split(':')[4];
  } else {
    const q = Object.keys(exp.system.queues)[0];
    if (q) {
      const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: q }))).QueueUrl!;
      const a = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
      account = a.Attributes?.QueueArn?.split(':')[4];
    }
  }
  if (!account || !exp.target.accountAllowlist.includes(account)) {
    throw new SquallError(`the target account ${account ?? '(unknown)'} is not in target.accountAllowlist (${exp.target.accountAllowlist.join(', ')})`, {
      exitCode: EXIT.invalidInput,
      hint: 'squall only changes accounts you list; add the account id to target.accountAllowlist if this is the account you mean',
    });
  }
}

export async function runExperiment(o: RunOptions): Promise<RunOutcome> {
  const exp = o.experiment;
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
  let runnerResult: RunnerResult | null;
  let loadStartEpoch = 0;
  const stepMs = 1000;
  const steps = Math.ceil((exp.load.durationMs + o.tailMs) / stepMs);
  let systemSeries: SeriesFile | null = null;
  let restoredInWindows: number;

  try {
    if (exp.target.kind === 'emulated') {
      emulator = await spawnEmulatorProcess({ resolvedFile: path.join(runDir, 'experiment.json') });
      o.log(`emulator at ${emulator.endpoint}`);
    }
    clients = clientsForTarget(exp.target, emulator?.endpoint);
    await checkAccount(exp, clients);
    journal.write({
      event: 'run',
      runId,
      target: exp.target.kind === 'emulated' ? { kind: 'emulated', region: clients.region, endpoint: emulator!.endpoint } : { kind: 'aws', region: exp.target.region, endpoint: exp.target.endpoint, profile: exp.target.profile },
      at: new Date().toISOString(),
    });
    const localEndpoint = emulator ? emulator.endpoint : exp.target.kind === 'aws' ? exp.target.endpoint : null;
    const env = await scriptEnv(exp, clients, runId, localEndpoint);
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

    // The load's clock starts when the engine starts its scenarios, seconds after the runner
    // process (VU initialisation). The generated script's setup() posts to SQUALL_START_URL right
    // before the scenarios start; the fault timeline and the measured series start there.
    const mark = await startMarkServer();
    const tl = timeline;
    let started = false;
    const startTimeline = (why: string) => {
      if (started) return;
      started = true;
      if (why) o.log(why);
      tl.start();
    };
    const emulatorEndpoint = emulator?.endpoint;
    mark.started.then((epoch) => {
      loadStartEpoch = epoch;
      startTimeline('');
      // Put the emulator's per-second steps on the load's grid, so system and client series line up.
      if (emulatorEndpoint) {
        fetch(`${emulatorEndpoint}/_squall/metrics/align?epochMs=${epoch}`, { method: 'POST', signal: AbortSignal.timeout(5000) }).then(
          (r) => r.body?.cancel(),
          (e: unknown) => o.log(`warning: could not align the emulator's metrics: ${String(e)}`),
        );
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
      ...(o.signal ? { signal: o.signal } : {}),
      timeoutMs: exp.load.durationMs + 120_000 + Math.max(0, ...Object.values(exp.load.scenarios).map((s) => s.gracefulStopMs)),
    });
    clearTimeout(fallback);
    await mark.close();
    o.log(`load finished: k6 exit code ${runnerResult.exitCode}`);
    restoredInWindows = timeline.events.filter((e) => e.what === 'restored').length;

    // Keep observing while queues drain; faults with windows past the load end are restored now.
    restoreReport = await timeline.finish();
    timeline = null;
    if (o.tailMs > 0 && !o.signal?.aborted) {
      o.log(`observing the system for ${o.tailMs / 1000} s more`);
      await new Promise((r) => setTimeout(r, o.tailMs));
    }
    if (emulator) systemSeries = await fetchJson<SeriesFile>(`${emulator.endpoint}/_squall/metrics`);
  } finally {
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

  const prediction = simulate(exp, { ...(o.seed !== undefined ? { seed: o.seed } : {}), drainLimitMs: o.tailMs });
  const predicted = rebaseSeries(prediction.series, 0, steps);
  writeFileSync(path.join(runDir, 'predicted.json'), `${JSON.stringify({ ...predicted, totals: prediction.totals, warnings: prediction.warnings })}\n`);
  for (const w of prediction.warnings) o.log(`simulator: ${w}`);

  const comparison = compareSeries({ ...predicted, startMs: loadStartEpoch }, measured, exp.expect);
  writeFileSync(path.join(runDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);

  const k6ExitCode = runnerResult?.exitCode ?? -1;
  let exitCode: number = EXIT.ok;
  if (o.signal?.aborted || k6ExitCode === K6_EXIT.externalAbort) {
    exitCode = EXIT.interrupted;
    reasons.push('interrupted');
  } else if (restoreReport.failed.length) exitCode = EXIT.restoreFailed;
  else if (comparison.messages && !comparison.messages.ok) {
    exitCode = EXIT.messagesLost;
    reasons.push(`${comparison.messages.lost} message(s) lost`);
  } else if (k6ExitCode === K6_EXIT.thresholdsHaveFailed || comparison.verdict.thresholds === 'fail') {
    exitCode = EXIT.thresholdsFailed;
    reasons.push(k6ExitCode === K6_EXIT.thresholdsHaveFailed ? 'k6 thresholds failed' : 'series thresholds failed');
  } else if (k6ExitCode !== K6_EXIT.ok) {
    exitCode = EXIT.internalError;
    reasons.push(`the load generator exited with ${k6ExitCode} (see k6-stderr.log)`);
  } else if (comparison.verdict.predictions === 'fail') {
    exitCode = EXIT.predictionMismatch;
    reasons.push(`${comparison.series.filter((s) => s.verdict === 'fail').length} series outside their prediction tolerance`);
  }
  return { runId, runDir, exitCode, k6ExitCode, comparison, restore: { ...restoreReport, restored: restoreReport.restored + restoredInWindows }, reasons };
}

/** A loopback endpoint the generated script's setup() posts to when the load is about to start. */
async function startMarkServer(): Promise<{ url: string; started: Promise<number>; close(): Promise<void> }> {
  const http = await import('node:http');
  let resolveStart!: (epoch: number) => void;
  const started = new Promise<number>((r) => (resolveStart = r));
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.url === '/start') resolveStart(Date.now());
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/start`,
    started,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Epoch ms at which the first iteration's first request started (end time − duration). */
async function firstIterationStart(pointsFile: string): Promise<number | null> {
  const { createReadStream } = await import('node:fs');
  const { createGunzip } = await import('node:zlib');
  const { createInterface } = await import('node:readline');
  const input = createReadStream(pointsFile);
  const lines = createInterface({ input: pointsFile.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  let best: number | null = null;
  for await (const line of lines) {
    if (!line.includes('"http_req_duration"') && !line.includes('"iteration_duration"')) continue;
    try {
      const o = JSON.parse(line) as { type: string; metric: string; data: { time: string; value: number; tags?: Record<string, string> } };
      if (o.type !== 'Point' || !o.data.tags?.scenario) continue;
      const start = Date.parse(o.data.time) - o.data.value;
      if (best === null || start < best) best = start;
    } catch {
      // skip torn lines
    }
  }
  return best === null ? null : Math.round(best);
}
