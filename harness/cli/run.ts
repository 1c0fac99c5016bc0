/** `squall run <experiment>`: load + faults + prediction + comparison, written to a run folder. */
import path from 'node:path';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { parseDuration } from '../experiment/duration.ts';
import { loadExperiment } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { formatDriftTable, withDeployed } from '../target/drift.ts';
import { applyTargetOverrides, type TargetFlags } from '../target/override.ts';
import { preflight } from '../target/preflight.ts';
import { defineCommand } from './command.ts';
import { buildRunPlan, formatPlan } from './plan.ts';
import { runExperiment, type RunOptions } from './run-flow.ts';
import { targetFlags } from './target-flags.ts';

export default defineCommand({
  command: 'run <experiment>',
  describe: 'Run an experiment: k6 load and faults against the emulator or AWS, measured beside predicted',
  builder: (y) =>
    targetFlags(y)
      .option('yes', { type: 'boolean', default: false, describe: 'aws target: run the printed plan without asking (required when stdin is not a terminal)' })
      .option('strict-drift', { type: 'boolean', default: false, describe: 'aws target: refuse to run when the deployed configuration differs from the experiment' })
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (YAML, JSON or TypeScript)' })
      .option('reports', { type: 'string', default: 'reports', describe: 'folder for run folders (<reports>/<experiment>/<run id>/)' })
      .option('tail', { type: 'string', default: '15s', describe: 'keep observing the system this long after the load (queues drain)' })
      .option('engine', { choices: ['embedded', 'k6', 'auto'] as const, describe: 'override load.engine' })
      .option('seed', { type: 'number', describe: "override the experiment's seed for the prediction" })
      .example('$0 run examples/experiments/quickstart.yaml', 'run the quick start on the embedded emulator')
      .example('$0 run exp.yaml --engine k6 --tail 60s', 'use a real k6 binary and watch queues drain for a minute')
      .example('$0 run exp.yaml --target aws --profile sandbox --yes', 'against your own account, after the preflight and the plan'),
  run: async (args) => {
    const tail = parseDuration(args.tail);
    if ('error' in tail) {
      process.stderr.write(`error: --tail: ${tail.error}\n`);
      return EXIT.invalidInput;
    }
    const loaded = await loadExperiment(args.experiment as string, { onWarning: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`) });
    const exp = applyTargetOverrides(loaded, args as TargetFlags);
    let aws: RunOptions['aws'];
    if (exp.target.kind === 'aws') {
      aws = await prepareAws(exp, { tailMs: tail.ms, yes: args.yes, strictDrift: args['strict-drift'] });
      if (!aws) return EXIT.interrupted;
    }
    const ac = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => {
      process.stderr.write(`\n${sig}: stopping the load and restoring every fault (press again to force)\n`);
      if (ac.signal.aborted) process.exit(EXIT.interrupted);
      ac.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const out = await runExperiment({
        experiment: exp,
        reportsDir: path.resolve(args.reports as string),
        tailMs: tail.ms,
        ...(args.engine ? { engine: args.engine } : {}),
        ...(args.seed !== undefined ? { seed: args.seed } : {}),
        log: (l) => process.stdout.write(`${l}\n`),
        signal: ac.signal,
        ...(aws ? { aws } : {}),
      });
      const c = out.comparison;
      if (c) {
        const failed = c.series.filter((s) => s.verdict === 'fail');
        process.stdout.write(`\npredictions: ${c.verdict.predictions} (${c.series.filter((s) => s.verdict === 'pass').length} pass, ${failed.length} fail)\n`);
        for (const s of failed.slice(0, 10)) process.stdout.write(`  ${s.key}: measured ${fmt(s.measured)} vs predicted ${fmt(s.predicted)}\n`);
        process.stdout.write(`thresholds: ${c.verdict.thresholds}\n`);
        for (const t of c.thresholds) process.stdout.write(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.key} ${t.expression} (${fmt(t.value)})\n`);
        if (c.messages) process.stdout.write(`messages: sent ${c.messages.sent}, deleted ${c.messages.deleted}, dead-lettered ${c.messages.movedToDlq}, left ${c.messages.remaining}, lost ${c.messages.lost}\n`);
      }
      if (out.stoppedBy) {
        const f = out.stoppedBy;
        process.stdout.write(`stopped by: ${f.condition} at +${(f.atMs / 1000).toFixed(1)}s${f.value !== null ? ` (value ${fmt(f.value)})` : ''}; faults restored then, load ${f.then === 'stop-load' ? 'stopped' : 'continued'}\n`);
      }
      process.stdout.write(`faults restored: ${out.restore.restored}${out.restore.failed.length ? `, FAILED: ${out.restore.failed.length}` : ''}\n`);
      process.stdout.write(`verdict: ${out.exitCode === 0 ? 'pass' : `fail (${out.reasons.join('; ')})`} — ${out.runDir}\n`);
      return out.exitCode;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});

function fmt(v: number | null): string {
  if (v === null) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/**
 * Before anything on an aws target changes: preflight (reads only), the drift table, the plan,
 * and the person's consent (`--yes`, or a typed "yes" on a terminal). Undefined = declined.
 */
async function prepareAws(exp: ResolvedExperiment, o: { tailMs: number; yes: boolean; strictDrift: boolean }): Promise<RunOptions['aws'] | undefined> {
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
    out(formatPlan(buildRunPlan(exp, { region: clients.region, account: pf.identity.account, endpoint: target?.endpoint ?? null }, pf, o.tailMs)));
    if (!(await confirmed(o.yes, pf.identity.account))) {
      out('not confirmed; nothing was changed');
      clients.destroy();
      return undefined;
    }
    return { clients, credentials: pf.credentials, predictFrom: withDeployed(exp, pf.deployed) };
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
