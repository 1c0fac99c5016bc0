/** `squall run <experiment>`: load + faults + prediction + comparison, written to a run folder. */
import path from 'node:path';
import { EXIT } from '../contracts/exit-codes.ts';
import { parseDuration } from '../experiment/duration.ts';
import { loadExperiment } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import { defineCommand } from './command.ts';
import { runExperiment } from './run-flow.ts';
import { formatMessages, formatPredictions } from './run-summary.ts';

export default defineCommand({
  command: 'run <experiment>',
  describe: 'Run an experiment: k6 load and faults against the emulator or AWS, measured beside predicted',
  builder: (y) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (YAML, JSON or TypeScript)' })
      .option('reports', { type: 'string', default: 'reports', describe: 'folder for run folders (<reports>/<experiment>/<run id>/)' })
      .option('tail', { type: 'string', default: '15s', describe: 'keep observing the system this long after the load (queues drain)' })
      .option('engine', { choices: ['embedded', 'k6', 'auto'] as const, describe: 'override load.engine' })
      .option('seed', { type: 'number', describe: "override the experiment's seed for the prediction" })
      .example('$0 run examples/experiments/quickstart.yaml', 'run the quick start on the embedded emulator')
      .example('$0 run exp.yaml --engine k6 --tail 60s', 'use a real k6 binary and watch queues drain for a minute'),
  run: async (args) => {
    const tail = parseDuration(args.tail);
    if ('error' in tail) {
      process.stderr.write(`error: --tail: ${tail.error}\n`);
      return EXIT.invalidInput;
    }
    const exp = await loadExperiment(args.experiment as string, { onWarning: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`) });
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
      });
      const c = out.comparison;
      if (c) {
        process.stdout.write(`\n${formatPredictions(c)}`);
        process.stdout.write(`thresholds: ${c.verdict.thresholds}\n`);
        for (const t of c.thresholds) process.stdout.write(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.key} ${t.expression} (${fmt(t.value)})\n`);
        if (c.messages) process.stdout.write(formatMessages(c.messages));
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
