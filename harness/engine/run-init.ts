/**
 * The run's init phase (k6's loadAndConfigureLocalTest and scheduler Init): VU 0's init context
 * yields the options and the scenarios' plans; then the banner, and the VU pool initialized in
 * this process with what it costs (time, heap per VU), followed by a full GC so that the garbage
 * init leaves behind is not collected during the test.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { K6_EXIT, SquallError, isSquallError } from '../contracts/exit-codes.ts';
import { formatDuration } from './duration.ts';
import { createExecutor, planScenario } from './executors/index.ts';
import type { Executor, ExecutorPlan } from './executors/types.ts';
import { TagSet } from './metrics/tags.ts';
import { type ResolvedOptions, resolveOptions } from './options.ts';
import type { K6RunResult } from './run-impl.ts';
import { type RunOutputs, hasOutputs } from './run-outputs.ts';
import type { RunSession } from './run-session.ts';
import { HttpClient } from './runtime/http-client.ts';
import { type VuContext, errorText } from './runtime/vu.ts';
import { type VuPool, initVU } from './runtime/vu-pool.ts';

export interface LoadedTest {
  /** VU 0: its init context gave the options; it runs setup, teardown and handleSummary. */
  vu0: VuContext;
  options: ResolvedOptions;
  plans: ExecutorPlan[];
  executors: Executor[];
}

export async function loadTest(s: RunSession): Promise<LoadedTest> {
  let vu0: VuContext;
  try {
    vu0 = await initVU(s.run, 0);
  } catch (e) {
    throw initError(e, s.scriptPath);
  }
  const options = resolveOptions(vu0.module?.options as Record<string, unknown> | undefined, s.opts.cli ?? {});
  s.run.options = options;
  for (const w of options.warnings) s.log.warnOnce(w);
  s.run.runTags = new TagSet(options.tags);
  s.run.http = new HttpClient(s.run);
  if (!s.opts.noThresholds) s.metrics.setThresholds(options.thresholds);
  const missing = options.scenarios.filter((c) => typeof vu0.module?.[c.exec] !== 'function');
  if (missing.length) {
    throw new SquallError(
      missing.map((c) => `scenarios.${c.name}.exec: the script exports no function "${c.exec}"`).join('; '),
      { exitCode: K6_EXIT.invalidConfig, hint: execHint(missing[0]?.exec ?? 'default') },
    );
  }
  const plans = options.scenarios.map((c) => planScenario(c, s.segment));
  return { vu0, options, plans, executors: plans.map(createExecutor) };
}

/** k6's run banner: where it runs, the script, the outputs and each scenario's description. */
export function printBanner(s: RunSession, plans: ExecutorPlan[], outputs: RunOutputs): void {
  const { err } = s;
  err(`\n  execution: local (squall embedded engine${s.workers ? `, ${s.workers} worker processes` : ''})\n     script: ${s.opts.script}\n     output: ${hasOutputs(outputs) ? (s.opts.out ?? []).join(', ') : '-'}\n\n  scenarios: (100.00%) ${plans.length} scenario${plans.length === 1 ? '' : 's'}\n`);
  for (const p of plans) err(`           * ${p.config.name}: ${p.describe()}${p.config.startTimeMs ? `, startTime: ${formatDuration(p.config.startTimeMs)}` : ''}${p.config.exec !== 'default' ? `, exec: ${p.config.exec}` : ''}\n`);
  err('\n');
}

/** Every scenario's preAllocatedVUs, in this process; returns what the VUs cost. */
export async function initVUs(s: RunSession, plans: ExecutorPlan[], pool: VuPool): Promise<K6RunResult['vuInit']> {
  const totalVUs = plans.reduce((n, p) => n + p.preAllocatedVUs, 0);
  s.run.vuIdOffset = s.segment.vuIdOffset(plans.reduce((n, p) => n + p.maxVUs, 0));
  collectGarbage();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  try {
    await pool.add(totalVUs);
  } catch (e) {
    throw initError(e, s.scriptPath);
  }
  const initMs = performance.now() - t0;
  // Init leaves garbage behind; collecting it now keeps a long GC pause out of the first
  // second of the test (where it made arrival-rate iterations drop), and measures VUs exactly.
  collectGarbage();
  // What per-VU isolation costs: each VU has its own module graph (script + shims).
  const vuInit = { count: totalVUs, ms: initMs, heapBytesPerVU: totalVUs ? Math.max(0, process.memoryUsage().heapUsed - heap0) / totalVUs : 0 };
  if (!s.opts.quiet && totalVUs > 0) s.err(`  init: ${totalVUs} VUs in ${Math.round(vuInit.ms)} ms (~${Math.round(vuInit.heapBytesPerVU / 1024)} KB heap and ${(vuInit.ms / totalVUs).toFixed(2)} ms each)\n\n`);
  return vuInit;
}

let gcFn: (() => void) | undefined;
/** A full GC, through V8's gc() made available at run time (no --expose-gc flag needed). */
function collectGarbage(): void {
  try {
    if (gcFn === undefined) {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
    gcFn();
  } catch {
    gcFn = () => {};
  }
}

function execHint(exec: string): string {
  return exec === 'default'
    ? 'export a default function (export default function () { ... }) or name the function with the scenario\'s exec field'
    : `export the function: export function ${exec}() { ... }`;
}

function initError(e: unknown, scriptPath: string): SquallError {
  if (isSquallError(e)) return e;
  const msg = errorText(e);
  const mark = '[squall:unsupported-module] ';
  const at = msg.indexOf(mark);
  if (at >= 0) {
    return new SquallError(msg.slice(at + mark.length), { exitCode: K6_EXIT.scriptException, hint: 'squall runs the portable k6 subset; real k6 runs everything' });
  }
  return new SquallError(`the script's init code failed (${scriptPath}): ${msg}`, {
    exitCode: K6_EXIT.scriptException,
    hint: 'fix the error in the top-level code of the script or of a module it imports (k6 exit code 107)',
    cause: e,
  });
}
