/**
 * `squall run <experiment>`: load + faults + prediction + comparison, written to a run folder.
 * Signals are the orchestrator's alone (its children are in their own process groups): the first
 * SIGINT/SIGTERM stops the load, restores, writes the partial run and exits 130; the second kills
 * the load and only restores — 130 if everything is back, else 5 with the `squall restore`
 * command. Output errors (a closed pipe: `squall run … | head`) are swallowed, never abort a restore.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { parseDuration } from '../experiment/duration.ts';
import { loadExperiment } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { formatDriftTable, withDeployed } from '../target/drift.ts';
import { applyTargetOverrides, type TargetFlags } from '../target/override.ts';
import { preflight } from '../target/preflight.ts';
import { cloudWatchSeriesSource, provisionedQualifiers } from '../target/system-series.ts';
import { simulate } from '../simulator/simulate.ts';
import { defineCommand } from './command.ts';
import { buildRunPlan, formatPlan } from './plan.ts';
import { runExperiment, type RunOptions } from './run-flow.ts';
import { formatMessages, formatPredictions } from './run-summary.ts';
import { targetFlags } from './target-flags.ts';
import { pathToFileURL } from 'node:url';
import { describeFault } from '../chaos/timeline.ts';
import { writeIndex } from '../report/index-page.ts';
import { writeRunReport } from '../report/write.ts';
import { LiveRunProgress } from './progress-run.ts';
import { runFolderArg } from './report.ts';

export default defineCommand({
  command: 'run <experiment>',
  describe: 'Run an experiment: k6 load and faults against the emulator or AWS, measured beside predicted',
  builder: (y) =>
    targetFlags(y)
      .option('yes', { type: 'boolean', default: false, describe: 'aws target: run the printed plan without asking (required when stdin is not a terminal)' })
      .option('metrics-wait', { type: 'string', default: '5m', describe: 'aws target: longest wait after the run for CloudWatch\'s late 1-minute points' })
      .option('mapping-metrics', { type: 'boolean', default: false, describe: "aws target: turn on the mappings' event metrics (MetricsConfig EventCount) for the run, restored after" })
      .option('strict-drift', { type: 'boolean', default: false, describe: 'aws target: refuse to run when the deployed configuration differs from the experiment' })
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (YAML, JSON or TypeScript)' })
      .option('reports', { type: 'string', default: 'reports', describe: 'folder for run folders (<reports>/<experiment>/<run id>/)' })
      .option('tail', { type: 'string', default: '15s', describe: 'keep observing the system this long after the load (queues drain)' })
      .option('engine', { choices: ['embedded', 'k6', 'auto'] as const, describe: 'override load.engine' })
      .option('seed', { type: 'number', describe: "override the experiment's seed for the prediction" })
      .option('restore-first', {
        type: 'boolean',
        default: false,
        describe: 'restore faults earlier runs left on this target (read back) before running, instead of refusing',
      })
      .option('baseline', { type: 'string', describe: 'a run folder to compare the report with (default: the previous passing run of the same experiment; --no-baseline: none)' })
      .option('runs', { type: 'number', default: 20, describe: 'simulator seeds the prediction interval is taken over (run on a worker thread during the load)' })
      .example('$0 run examples/experiments/quickstart.yaml', 'run the quick start on the embedded emulator')
      .example('$0 run exp.yaml --engine k6 --tail 60s', 'use a real k6 binary and watch queues drain for a minute')
      .example('$0 run exp.yaml --target aws --profile sandbox --yes', 'against your own account, after the preflight and the plan'),
  run: async (args) => {
    const tail = parseDuration(args.tail);
    if ('error' in tail) {
      process.stderr.write(`error: --tail: ${tail.error}\n`);
      return EXIT.invalidInput;
    }
    // Checked before anything runs: a bad --baseline must not cost a run.
    const b = args.baseline as string | boolean | undefined;
    const baseline = b === false ? null : typeof b === 'string' ? runFolderArg('--baseline', b) : undefined;
    // First: a closed pipe during the preflight must not crash either.
    const out = guardedOutput();
    const loaded = await loadExperiment(args.experiment as string, { onWarning: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`) });
    const exp = applyTargetOverrides(loaded, args as TargetFlags);
    let aws: RunOptions['aws'];
    if (exp.target.kind === 'aws') {
      const wait = parseDuration(args['metrics-wait']);
      if ('error' in wait) {
        process.stderr.write(`error: --metrics-wait: ${wait.error}\n`);
        return EXIT.invalidInput;
      }
      aws = await prepareAws(exp, { tailMs: tail.ms, yes: args.yes, strictDrift: args['strict-drift'], metricsWaitMs: wait.ms, mappingMetrics: args['mapping-metrics'] });
      if (!aws) return EXIT.interrupted;
    }
    const stop = new AbortController();
    const kill = new AbortController();
    let runDir: string | null = null;
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        out.err(`\n${sig}: stopping the load and restoring every fault (press again to restore only, without waiting for the load)\n`);
        stop.abort();
      } else if (signals === 2) {
        out.err(`\n${sig}: killing the load; restoring only\n`);
        kill.abort();
      } else {
        out.err(`\n${sig}: still restoring (each restore has a deadline); a kill -9 now leaves faults applied${runDir ? ` — then run: squall restore ${runDir}` : ''}\n`);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const reportsDir = path.resolve(args.reports as string);
    const progress = new LiveRunProgress(exp, process.stdout, tail.ms, describeFault);
    // The report is written for every run that got a folder: passed, failed, interrupted or thrown.
    const report = async () => {
      // A run that failed before it started leaves no folder (nothing to report on).
      if (!runDir || !existsSync(runDir)) return;
      try {
        const r = await writeRunReport(runDir, { baseline });
        writeIndex(reportsDir);
        out.out(`report: ${pathToFileURL(r.html).href}${r.missing.length ? ` (partial: missing ${r.missing.join(', ')})` : ''}\n`);
      } catch (e) {
        out.err(`warning: the report could not be written: ${(e as Error).message}\n`);
      }
    };
    try {
      const result = await runExperiment({
        experiment: exp,
        reportsDir: path.resolve(args.reports as string),
        tailMs: tail.ms,
        ...(args.engine ? { engine: args.engine } : {}),
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        restoreFirst: Boolean(args['restore-first']),
        predictionRuns: Math.max(1, Math.floor(Number(args.runs) || 20)),
        log: (l) => progress.log(l),
        onRunDir: (d) => (runDir = d),
        signal: stop.signal,
        kill: kill.signal,
        ...(aws ? { aws } : {}),
      });
      progress.stop();
      const c = result.comparison;
      if (c) {
        out.out(`\n${formatPredictions(c)}`);
        out.out(`thresholds: ${c.verdict.thresholds}\n`);
        for (const t of c.thresholds) out.out(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.key} ${t.expression} (${fmt(t.value)})\n`);
        // An experiment without queues has no messages to account for: no line that reads "sent 0".
        if (c.messages && Object.keys(exp.system.queues).length > 0) out.out(formatMessages(c.messages));
      }
      if (result.stoppedBy) {
        const f = result.stoppedBy;
        out.out(`stopped by: ${f.condition} at +${(f.atMs / 1000).toFixed(1)}s${f.value !== null ? ` (value ${fmt(f.value)})` : ''}; faults restored then, load ${f.then === 'stop-load' ? 'stopped' : 'continued'}\n`);
      }
      out.out(`faults restored: ${result.restore.restored}${result.restore.failed.length ? `, FAILED: ${result.restore.failed.length}` : ''}\n`);
      if (result.restore.failed.length) {
        out.err(`error: ${result.restore.failed.length} fault(s) are NOT confirmed restored:\n`);
        for (const f of result.restore.failed) out.err(`  ${f.resource ?? `fault ${f.faultId}`}: should be ${f.wanted ?? 'its original'} — ${f.error}\n`);
        out.err(`run: squall restore ${result.runDir}\n`);
      }
      out.out(`verdict: ${result.exitCode === 0 ? 'pass' : `fail (${result.reasons.join('; ')})`} — ${result.runDir}\n`);
      await report();
      return result.exitCode;
    } catch (e) {
      progress.stop();
      await report();
      throw e;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});

/**
 * stdout/stderr that never throw: once a pipe is closed (EPIPE), further output is dropped
 * instead of raising an 'error' event that would end the process in the middle of a restore.
 */
function guardedOutput(): { out(s: string): void; err(s: string): void } {
  const guard = (stream: NodeJS.WriteStream) => {
    let closed = false;
    stream.on('error', () => {
      closed = true;
    });
    return (s: string) => {
      if (closed || stream.destroyed) return;
      try {
        stream.write(s);
      } catch {
        closed = true;
      }
    };
  };
  return { out: guard(process.stdout), err: guard(process.stderr) };
}

function fmt(v: number | null): string {
  if (v === null) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/**
 * Before anything on an aws target changes: preflight (reads only), the drift table, the plan,
 * and the person's consent (`--yes`, or a typed "yes" on a terminal). Undefined = declined.
 */
async function prepareAws(exp: ResolvedExperiment, o: { tailMs: number; yes: boolean; strictDrift: boolean; metricsWaitMs: number; mappingMetrics: boolean }): Promise<RunOptions['aws'] | undefined> {
  const out = (l: string) => process.stdout.write(l.endsWith('\n') ? l : `${l}\n`);
  const { preflight: pf, clients } = await preflight(exp, { runMs: exp.load.durationMs + o.tailMs, log: out });
  try {
    out(formatDriftTable(pf.drift));
    if (o.strictDrift && pf.drift.length) {
      throw new SquallError(`${pf.drift.length} difference(s) between the experiment and the deployed configuration (--strict-drift); nothing was changed`, {
        exitCode: EXIT.environmentUnavailable,
        hint: 'update the experiment to what is deployed (the table above), redeploy, or run without --strict-drift to predict from what is deployed',
      });
    }
    const target = exp.target.kind === 'aws' ? exp.target : null;
    out(formatPlan(buildRunPlan(exp, { region: clients.region, account: pf.identity.account, endpoint: target?.endpoint ?? null }, pf, o.tailMs, { mappingMetrics: o.mappingMetrics })));
    const metricsOff = Object.values(pf.deployed.eventSources).filter((m) => !m.metrics.includes('EventCount'));
    if (metricsOff.length && !o.mappingMetrics) out(`note: event metrics are off on ${metricsOff.map((m) => m.id).join(', ')}; --mapping-metrics turns them on for the run (restored after)`);
    const predictFrom = withDeployed(exp, pf.deployed);
    const bound = target?.maxCostUsd ?? null;
    if (bound !== null) {
      const cost = simulate(predictFrom, { drainLimitMs: o.tailMs }).totals.costUsd;
      out(`predicted cost of the run: $${cost.toFixed(4)} (target.maxCostUsd $${bound})`);
      if (cost > bound) {
        throw new SquallError(`the predicted cost of the run, $${cost.toFixed(4)}, is above target.maxCostUsd ($${bound}); nothing was changed`, {
          exitCode: EXIT.invalidInput,
          hint: 'shorten the load or lower its rate, or raise target.maxCostUsd if the cost is intended (`squall simulate` shows where it comes from)',
        });
      }
    }
    if (!(await confirmed(o.yes, pf.identity.account))) {
      out('not confirmed; nothing was changed');
      clients.destroy();
      return undefined;
    }
    const resources = {
      functions: Object.keys(exp.system.functions),
      queues: Object.keys(exp.system.queues),
      mappings: Object.values(pf.deployed.eventSources).map((m) => ({ uuid: m.uuid, function: m.id.split('->')[1]!, queue: m.id.split('->')[0]! })),
      provisioned: provisionedQualifiers(exp),
    };
    const systemSeries = cloudWatchSeriesSource(clients, resources, { maxWaitMs: o.metricsWaitMs });
    const mappingMetrics = o.mappingMetrics ? metricsOff.map((m) => ({ uuid: m.uuid, id: m.id, metrics: m.metrics })) : [];
    return { clients, credentials: pf.credentials, predictFrom, systemSeries, mappingMetrics };
  } catch (e) {
    clients.destroy();
    throw e;
  }
}

async function confirmed(yes: boolean, account: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new SquallError(`squall changes account ${account} only with consent, and stdin is not a terminal to ask on; nothing was changed`, {
      exitCode: EXIT.invalidInput,
      hint: 'read the plan above, then rerun with --yes',
    });
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Apply this plan to account ${account}? Type yes to go on: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}
