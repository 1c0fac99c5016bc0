/**
 * `squall simulate <experiment>`: predict what the system does under the experiment (discrete-event
 * simulation on a virtual clock), print a table or one JSON object, optionally write the predicted
 * series; `--sweep knob=a..b` simulates once per value and finds the smallest value that meets
 * `expect.thresholds`. An `experiment.json` from a run folder (already resolved) is accepted too.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { loadExperiment } from '../experiment/load.ts';
import { formatDiagnostic } from '../experiment/validate.ts';
import { EXPERIMENT_SCHEMA, type ResolvedExperiment } from '../experiment/types.ts';
import { checkExpectations } from '../contracts/series-thresholds.ts';
import { formatSimulation, formatSweep } from '../simulator/format.ts';
import { simulate, type SimulateOptions } from '../simulator/simulate.ts';
import { parseSweep, runSweep } from '../simulator/sweep.ts';
import { defineCommand } from './command.ts';

async function readExperiment(file: string): Promise<ResolvedExperiment> {
  if (file.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      parsed = null;
    }
    if (parsed && typeof parsed === 'object' && (parsed as { schema?: unknown }).schema === EXPERIMENT_SCHEMA) return parsed as ResolvedExperiment;
  }
  return loadExperiment(file, { onWarning: (d) => process.stderr.write(`${formatDiagnostic(d)}\n`) });
}

async function writeOut(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new SquallError(`cannot write --out ${file}: ${e instanceof Error ? e.message : String(e)}`, {
      exitCode: EXIT.invalidInput,
      hint: 'name a file in a folder that exists and is writable, e.g. --out predicted.json',
    });
  }
}

function positiveInt(name: string, v: number | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min) throw new SquallError(`--${name} must be an integer ≥ ${min}, got ${v}`, { exitCode: EXIT.invalidInput, hint: `e.g. --${name} ${min === 0 ? 42 : 10}` });
  return v;
}

export default defineCommand({
  command: 'simulate <experiment>',
  describe: 'Predict the system under an experiment: series, totals, closed forms and cost (no AWS, no emulator)',
  builder: (y) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file (YAML, JSON, TS) or a run folder’s experiment.json' })
      .option('out', { alias: 'o', type: 'string', describe: 'write the predicted series (squall.series/v1) here; with --sweep, the chart-ready sweep file' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object (totals, spread, expectations, warnings) instead of tables' })
      .option('seed', { type: 'number', describe: 'seed for every random choice (default: the experiment’s seed)' })
      .option('runs', { type: 'number', default: 1, describe: 'independent runs (seeds seed, seed+1, …): mean and spread' })
      .option('sweep', { type: 'string', describe: 'knob=from..to[:step] or knob=v1,v2,…: one simulation per value (e.g. reservedConcurrency=1..50)' })
      .option('client-rtt', { type: 'number', describe: 'client round trip in ms added to every response (default 1, the emulator on 127.0.0.1); e.g. 30 for a real Region' })
      .option('drain-limit', { type: 'number', describe: 'seconds to keep simulating after the load while queues drain (default 600)' })
      .example('$0 simulate examples/experiments/quickstart.yaml', 'print the predicted totals as tables')
      .example('$0 simulate exp.yaml --out predicted.json --runs 5', 'write mean series of 5 runs')
      .example('$0 simulate exp.yaml --json --seed 42', 'one JSON object with the totals')
      .example('$0 simulate exp.yaml --sweep reservedConcurrency=1..50 --out sweep.json', 'the smallest reserved concurrency meeting expect.thresholds')
      .example("$0 simulate exp.yaml --sweep 'batchSize@orders->worker=1,5,10'", 'name the event source when there are several'),
  run: async (args) => {
    const exp = await readExperiment(args.experiment as string);
    const opts: SimulateOptions = {};
    const seed = positiveInt('seed', args.seed as number | undefined, 0);
    if (seed !== undefined) opts.seed = seed;
    opts.runs = positiveInt('runs', args.runs as number | undefined, 1) ?? 1;
    const drain = args['drain-limit'] as number | undefined;
    if (drain !== undefined) {
      if (!(drain >= 0)) throw new SquallError(`--drain-limit must be ≥ 0 seconds, got ${drain}`, { exitCode: EXIT.invalidInput, hint: 'e.g. --drain-limit 300' });
      opts.drainLimitMs = drain * 1000;
    }
    const rtt = args['client-rtt'] as number | undefined;
    if (rtt !== undefined) {
      if (!(rtt > 0)) throw new SquallError(`--client-rtt must be > 0 ms, got ${rtt}`, { exitCode: EXIT.invalidInput, hint: 'e.g. --client-rtt 30' });
      opts.clientRttMs = rtt;
    }
    const out = args.out as string | undefined;
    if (args.sweep) {
      const spec = parseSweep(args.sweep as string, exp);
      const s = runSweep(exp, spec, opts);
      if (out) await writeOut(out, `${JSON.stringify(s, null, 2)}\n`);
      if (args.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
      else {
        for (const w of s.warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(`${formatSweep(s)}\n`);
        if (out) process.stdout.write(`Sweep written to ${out}\n`);
      }
      return EXIT.ok;
    }
    const r = simulate(exp, opts);
    const e = checkExpectations(r.series, exp.expect.thresholds);
    if (out) await writeOut(out, `${JSON.stringify(r.series)}\n`);
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ experiment: exp.name, totals: r.totals, spread: r.spread, expectations: e, warnings: r.warnings, ...(out ? { predicted: out } : {}) }, null, 2)}\n`,
      );
    } else {
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`${formatSimulation(exp.name, r, e)}\n`);
      if (out) process.stdout.write(`Predicted series written to ${out}\n`);
    }
    return EXIT.ok;
  },
});
