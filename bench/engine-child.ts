/**
 * Child process for bench/engine.bench.ts: runs one script through the engine's programmatic
 * entry (`runK6Script`), which also reports the arrival-rate scheduling lag that the CLI does not
 * print, and writes the result as one JSON line on stdout. Arguments: one JSON object
 * `{ script, env, out }`.
 */
import { runK6Script } from '../harness/engine/run.ts';

const args = JSON.parse(process.argv[2] ?? '{}') as { script: string; env: Record<string, string>; out: string[] };
const r = await runK6Script({ script: args.script, env: args.env, out: args.out, quiet: true, progress: 'none', stdout: () => {}, stderr: (s) => process.stderr.write(s) });
const iterations = r.summary?.metrics.iterations?.values as { count?: number } | undefined;
process.stdout.write(`${JSON.stringify({ exitCode: r.exitCode, schedulingLagP99Ms: r.schedulingLagP99Ms ?? null, droppedIterations: r.droppedIterations, iterations: iterations?.count ?? 0 })}\n`);
process.exitCode = r.exitCode;
