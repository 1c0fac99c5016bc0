/** `squall run <experiment>`: load + faults + prediction + comparison, written to a run folder. */
import path from 'node:path';
import { EXIT } from '../contracts/exit-codes.ts';
import { parseDuration } from '../experiment/duration.ts';
import { loadExperiment } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import { defineCommand } from './command.ts';
import { runExperiment } from './run-flow.ts';

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
      .option('runs', { type: 'number', default: 20, describe: 'simulator seeds the prediction interval is taken over (run on a worker thread during the load)' })
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
        predictionRuns: Math.max(1, Math.floor(Number(args.runs) || 20)),
        log: (l) => process.stdout.write(`${l}\n`),
        signal: ac.signal,
      });
      const c = out.comparison;
      if (c) {
        const failed = c.series.filter((s) => s.verdict === 'fail');
        process.stdout.write(`\npredictions: ${c.verdict.predictions} (${c.series.filter((s) => s.verdict === 'pass').length} pass, ${failed.length} fail)\n`);
        const w = c.window;
        process.stdout.write(`  over ${w.steps} s (load ${w.loadSteps ?? '?'} s + tail)${w.prediction ? `, intervals from ${w.prediction.runs} simulator seeds` : ''}\n`);
        for (const s of failed.slice(0, 10)) {
          const band = s.interval ? ` (${Math.round(s.interval.level * 100)} % interval ${fmt(s.interval.lower)}–${fmt(s.interval.upper)}, passes ${fmt(s.interval.passBand[0])}–${fmt(s.interval.passBand[1])})` : '';
          process.stdout.write(`  ${s.key}: measured ${fmt(s.measured)} vs predicted ${fmt(s.predicted)}${band}\n`);
        }
        process.stdout.write(`thresholds: ${c.verdict.thresholds}\n`);
        for (const t of c.thresholds) process.stdout.write(`  ${t.ok ? 'ok  ' : 'FAIL'} ${t.key} ${t.expression} (${fmt(t.value)})\n`);
        if (c.messages) process.stdout.write(`messages: sent ${c.messages.sent}, deleted ${c.messages.deleted}, dead-lettered ${c.messages.movedToDlq}, left ${c.messages.remaining}, lost ${c.messages.lost}\n`);
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
