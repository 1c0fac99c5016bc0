/**
 * `squall tune <experiment> --function NAME`: memory power tuning (AWS Lambda Power Tuning's
 * options and strategies) on the emulator or an AWS target, measured beside squall's prediction.
 * Writes `tune.json` and `tune.html` into `<reports>/<experiment>/tune-<id>/`, with the chaos
 * journal of every memory change so `squall restore` can undo a crashed tune.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Journal } from '../chaos/journal.ts';
import { LAMBDA } from '../contracts/aws-facts.ts';
import { EXIT, SquallError } from '../contracts/exit-codes.ts';
import { spawnEmulatorProcess, type EmulatorProcess } from '../emulator/lambda/process.ts';
import { loadExperiment } from '../experiment/load.ts';
import { createClients, EMULATOR_CREDENTIALS, type TargetClients } from '../target/clients.ts';
import type { Strategy } from '../tune/analysis.ts';
import { renderTuneHtml } from '../tune/html.ts';
import { predictAt, tune, type TuneResult, type WeightedPayload } from '../tune/tune.ts';
import { defineCommand } from './command.ts';
import { newRunId } from './run-flow.ts';

/** Power Tuning's usual sizes plus 1,769 MB (one vCPU), where a single-threaded handler stops gaining. */
export const DEFAULT_MEMORY = [128, 256, 512, 1024, 1536, 1769, 3008];
const ALL_MEMORY = [128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 5120, 6144, 8192, 10240];

const bad = (message: string, hint: string) => new SquallError(message, { exitCode: EXIT.invalidInput, hint });

export function parseMemoryList(raw: string): number[] {
  if (raw.trim() === 'all') return [...ALL_MEMORY];
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const v = Number(part.trim());
    if (!Number.isInteger(v) || v < LAMBDA.memoryMinMB || v > LAMBDA.memoryMaxMB) {
      throw bad(`--memory: "${part.trim()}" is not a memory size: Lambda takes whole MB from ${LAMBDA.memoryMinMB} to ${LAMBDA.memoryMaxMB}`, 'e.g. --memory 128,256,512,1024,1769 or --memory all');
    }
    if (!out.includes(v)) out.push(v);
  }
  return out.sort((a, b) => a - b);
}

export function parsePayloads(raw: string | undefined): WeightedPayload[] {
  if (raw === undefined) return [];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw bad('--payload must be JSON', `e.g. --payload '{"orderId":"1"}' or a weighted list --payload '[{"payload":{"a":1},"weight":3},{"payload":{"a":2},"weight":1}]'`);
  }
  const weighted = Array.isArray(v) && v.length > 0 && v.every((x) => x !== null && typeof x === 'object' && 'payload' in x && 'weight' in x);
  if (!weighted) return [{ payload: v, weight: 1 }];
  return (v as Array<{ payload: unknown; weight: unknown }>).map((x, i) => {
    if (typeof x.weight !== 'number' || !(x.weight > 0)) throw bad(`--payload[${i}].weight must be a number greater than 0`, 'weights are relative shares, e.g. 3 and 1');
    return { payload: x.payload, weight: x.weight };
  });
}

export default defineCommand({
  command: 'tune <experiment>',
  describe: "Memory power tuning: run a function at several memory sizes, measure duration and cost beside squall's prediction, pick the best",
  builder: (y) =>
    y
      .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment file that declares the function' })
      .option('function', { alias: 'f', type: 'string', demandOption: true, describe: 'function to tune (one of system.functions)' })
      .option('memory', { type: 'string', default: DEFAULT_MEMORY.join(','), describe: 'memory sizes in MB, comma-separated, or "all"' })
      .option('num', { alias: 'n', type: 'number', default: 10, describe: 'invocations per memory size (at least 5)' })
      .option('payload', { type: 'string', describe: 'event JSON, or a weighted list [{"payload":…,"weight":N},…]' })
      .option('parallel', { type: 'boolean', default: false, describe: 'invoke the num invocations of one size in parallel (default: one after another)' })
      .option('strategy', { choices: ['cost', 'speed', 'balanced'] as const, default: 'cost' as Strategy, describe: 'what "best" means' })
      .option('balanced-weight', { type: 'number', default: 0.5, describe: 'balanced strategy: weight of cost against duration, 0 (speed) to 1 (cost)' })
      .option('discard-top-bottom', { type: 'number', default: 0.2, describe: 'share of results discarded at each end before averaging (trimmed mean)' })
      .option('only-cold-starts', { type: 'boolean', default: false, describe: 'every invocation starts a new execution environment (a configuration update before each)' })
      .option('target', { choices: ['emulated', 'aws'] as const, describe: "override the experiment's target" })
      .option('endpoint', { type: 'string', describe: 'AWS-compatible endpoint for --target aws (LocalStack, moto, a running squall emulator)' })
      .option('region', { type: 'string', describe: 'region for --target aws' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print what would be changed and invoked; change nothing' })
      .option('reports', { type: 'string', default: 'reports', describe: 'folder for tune folders (<reports>/<experiment>/tune-<id>/)' })
      .example('$0 tune examples/tuning/power-tuning.yaml -f cpu-bound', 'tune on the emulator with the default sizes')
      .example('$0 tune exp.yaml -f api --memory 128,512,1769 -n 20 --strategy balanced --balanced-weight 0.3', 'favour speed')
      .example('$0 tune exp.yaml -f api --target aws --region eu-west-1 --dry-run', 'see what a tune on AWS would do'),
  run: async (args) => {
    const memory = parseMemoryList(args.memory);
    const num = args.num;
    if (!Number.isInteger(num) || num < 5 || num > 10_000) throw bad(`--num must be a whole number from 5 to 10000, got ${String(num)}`, 'Power Tuning needs at least 5 invocations per size; e.g. --num 10');
    const weight = args['balanced-weight'];
    if (!(weight >= 0 && weight <= 1)) throw bad(`--balanced-weight must be from 0 to 1, got ${String(weight)}`, '0 = fastest, 1 = cheapest, 0.5 = both');
    const discard = args['discard-top-bottom'];
    if (!(discard >= 0 && discard < 0.5)) throw bad(`--discard-top-bottom must be from 0 to less than 0.5, got ${String(discard)}`, 'e.g. 0.2 drops the fastest and slowest 20 %');
    const payloads = parsePayloads(args.payload);
    const exp = await loadExperiment(args.experiment as string);
    const fname = args.function as string;
    const fn = Object.values(exp.system.functions).find((f) => f.name === fname);
    if (!fn) throw bad(`function "${fname}" is not in ${args.experiment as string} (system.functions: ${Object.keys(exp.system.functions).join(', ') || 'none'})`, 'name one of the experiment\'s functions with --function');
    const targetKind = args.target ?? exp.target.kind;
    const strategy = args.strategy as Strategy;

    if (args['dry-run']) {
      process.stdout.write(`squall tune — dry run: nothing is changed\nfunction ${fname} on the ${targetKind} target, ${num} invocation(s) per size${args.parallel ? ' in parallel' : ''}${args['only-cold-starts'] ? ', each after a configuration update (cold start)' : ''}\n`);
      process.stdout.write('  GetFunctionConfiguration (read the current memory: restored at the end)\n');
      for (const m of memory) {
        const p = predictAt(fn, m, discard, fn.architecture);
        process.stdout.write(`  UpdateFunctionConfiguration MemorySize=${m}, read back; Invoke ×${num} with LogType Tail${p ? `   (predicted ${p.averageMs.toFixed(1)} ms, $${(p.costPerInvocationUsd * 1e6).toFixed(2)} per million)` : ''}\n`);
      }
      process.stdout.write('  UpdateFunctionConfiguration MemorySize=<original>, read back\n');
      return EXIT.ok;
    }

    const runId = newRunId();
    const dir = path.resolve(args.reports as string, exp.name, `tune-${runId}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'experiment.json'), `${JSON.stringify(exp, null, 2)}\n`);
    let emulator: EmulatorProcess | null = null;
    let clients: TargetClients | null = null;
    const journal = new Journal(path.join(dir, 'chaos-journal.ndjson'));
    let result: TuneResult;
    try {
      if (targetKind === 'emulated') {
        emulator = await spawnEmulatorProcess({ resolvedFile: path.join(dir, 'experiment.json') });
        clients = createClients({ endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS });
      } else {
        const t = exp.target.kind === 'aws' ? exp.target : null;
        clients = createClients({ endpoint: (args.endpoint as string | undefined) ?? t?.endpoint ?? null, region: (args.region as string | undefined) ?? t?.region ?? 'us-east-1', profile: t?.profile ?? null });
      }
      journal.write({ event: 'run', runId: `tune-${runId}`, target: { kind: targetKind, region: clients.region, endpoint: clients.endpoint, profile: exp.target.kind === 'aws' ? exp.target.profile : null }, pid: process.pid, at: new Date().toISOString() });
      process.stdout.write(`tune ${fname} → ${path.relative(process.cwd(), dir) || dir}\n`);
      result = await tune(clients, journal, {
        functionName: fname,
        memoryMB: memory,
        num,
        payloads,
        parallel: args.parallel,
        onlyColdStarts: args['only-cold-starts'],
        strategy,
        balancedWeight: weight,
        discardTopBottom: discard,
        model: fn,
        architecture: fn.architecture,
        log: (l) => process.stdout.write(`  ${l}\n`),
      });
    } catch (e) {
      if (e instanceof Error && e.name === 'NotRestoredError') {
        process.stderr.write(`error: ${e.message}\nrun \`squall restore ${dir}\` to put the original memory back\n`);
        return EXIT.restoreFailed;
      }
      throw e;
    } finally {
      journal.close();
      clients?.destroy();
      await emulator?.stop();
    }
    writeFileSync(path.join(dir, 'tune.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(path.join(dir, 'tune.html'), renderTuneHtml(result));
    process.stdout.write(formatTune(result));
    process.stdout.write(`tune.html: file://${path.join(dir, 'tune.html')}\n`);
    return EXIT.ok;
  },
});

/** The table and the choice, as the terminal shows them. */
export function formatTune(t: TuneResult): string {
  const f = (v: number | null | undefined, d: number) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));
  const head = ['memory MB', 'avg ms', 'p50 ms', 'p95 ms', 'billed ms', '$/million', 'pred ms', 'pred $/million', 'errors'];
  const rows = t.results.map((r) => [String(r.memoryMB), f(r.averageMs, 1), f(r.p50Ms, 1), f(r.p95Ms, 1), f(r.averageBilledMs, 1), f(r.costPerMillionUsd, 2), f(r.predicted?.averageMs, 1), f(r.predicted ? r.predicted.costPerInvocationUsd * 1e6 : null, 2), String(r.errors)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  let out = `\n${line(head)}\n${rows.map(line).join('\n')}\n\n`;
  for (const s of ['cost', 'speed', 'balanced'] as const) out += `${s === t.options.strategy ? '→' : ' '} ${s.padEnd(8)} ${String(t.best[s].memoryMB).padStart(5)} MB  ${t.best[s].reason}\n`;
  return out;
}
