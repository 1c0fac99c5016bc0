/**
 * The test run in this process (k6 execution/scheduler.go Run): setup on VU 0, then every
 * scenario's executor at its startTime, then teardown on VU 0 — after an abort too, but not
 * when setup failed. Setup's data reaches every VU as its own copy, parsed from setup's JSON.
 */
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import { formatDuration } from './duration.ts';
import type { Executor } from './executors/types.ts';
import type { LoadedTest } from './run-init.ts';
import { type RunSession, ScriptError } from './run-session.ts';
import { ScenarioRuntimeImpl } from './runtime/scenario-runtime.ts';
import { type ScenarioState, type VuContext, errorText } from './runtime/vu.ts';
import type { VuPool } from './runtime/vu-pool.ts';
import { ExecutionTuple } from './segments.ts';

/** Runs the test; resolves with setup's data as JSON (undefined when setup returned nothing or did not run). */
export async function runLocally(s: RunSession, test: LoadedTest, pool: VuPool): Promise<string | undefined> {
  const { vu0, options } = test;
  const setup = !s.opts.noSetup && typeof vu0.module?.setup === 'function' ? await runSetup(s, vu0, options.setupTimeoutMs) : { ok: true, json: undefined };
  const setupCopy = (): unknown => (setup.json === undefined ? undefined : JSON.parse(setup.json));
  for (const vu of pool.all) vu.setupData = setupCopy();
  if (setup.ok && !s.stop.stopped) await runScenarios(s, test.executors, pool, setupCopy);
  if (setup.ok && !s.opts.noTeardown && typeof vu0.module?.teardown === 'function') await runTeardown(s, vu0, setupCopy, options.teardownTimeoutMs);
  return setup.json;
}

async function runSetup(s: RunSession, vu0: VuContext, timeoutMs: number): Promise<{ ok: boolean; json: string | undefined }> {
  vu0.enterPart('::setup');
  const setup = { ok: true, json: undefined as string | undefined };
  try {
    const data = await withTimeout(callPart(vu0, 'setup', undefined), timeoutMs, () => new ScriptError(`setup() execution timed out after ${formatDuration(timeoutMs)}`, K6_EXIT.setupTimeout));
    setup.json = data === undefined ? undefined : JSON.stringify(data);
  } catch (e) {
    setup.ok = false;
    partFailed(s, vu0, 'setup', e);
  }
  vu0.flushData();
  return setup;
}

async function runTeardown(s: RunSession, vu0: VuContext, setupCopy: () => unknown, timeoutMs: number): Promise<void> {
  vu0.enterPart('::teardown');
  try {
    await withTimeout(callPart(vu0, 'teardown', setupCopy()), timeoutMs, () => new ScriptError(`teardown() execution timed out after ${formatDuration(timeoutMs)}`, K6_EXIT.teardownTimeout));
  } catch (e) {
    partFailed(s, vu0, 'teardown', e);
  }
  vu0.flushData();
}

function partFailed(s: RunSession, vu0: VuContext, part: 'setup' | 'teardown', e: unknown): void {
  vu0.abandon();
  if (e instanceof ScriptError) s.fail(e.message, e.exitCode);
  else s.fail(`${part}() failed: ${errorText(e)}`, K6_EXIT.scriptException);
}

/** Every executor at its startTime; iterations still running when all are done are interrupted. */
async function runScenarios(s: RunSession, executors: Executor[], pool: VuPool, setupCopy: () => unknown): Promise<void> {
  const epochStart = s.run.epochNow();
  const flags = s.opts.segmentFlags;
  const tuple = flags ? ExecutionTuple.fromFlags(flags.segment, flags.sequence) : undefined;
  for (const ex of executors) s.runtimes.push(scenarioRuntime(s, ex, pool, epochStart, tuple, setupCopy));
  await Promise.all(
    executors.map(async (ex, i) => {
      const rt = s.runtimes[i] as ScenarioRuntimeImpl;
      await s.stop.wait(ex.plan.config.startTimeMs);
      if (s.stop.stopped) return;
      rt.begin();
      await ex.run(rt);
    }),
  );
  for (const rt of s.runtimes) rt.interruptAll();
}

function scenarioRuntime(s: RunSession, ex: Executor, pool: VuPool, epochStart: number, tuple: ExecutionTuple | undefined, setupCopy: () => unknown): ScenarioRuntimeImpl {
  const c = ex.plan.config;
  // The runtime is made after the state that reports its progress, so progress reads it through a holder.
  const rtRef: { rt?: ScenarioRuntimeImpl } = {};
  const state: ScenarioState = {
    name: c.name,
    executor: c.executor,
    startEpochMs: epochStart + c.startTimeMs,
    exec: c.exec,
    env: c.env,
    baseTags: s.run.runTags.with({ ...c.tags, scenario: c.name, group: '' }),
    progress: () => ex.progress(Math.max(0, rtRef.rt?.now() ?? 0)),
    iterations: 0,
    // Unique across instances of a segmented test (k6 scenario.iterationInTest).
    iterationInTest: tuple ? (i) => tuple.globalIndex(i) : (i) => i,
  };
  const rt = new ScenarioRuntimeImpl(s.run, pool, state, s.stop, () => s.runtimes);
  rt.setupData = setupCopy;
  rtRef.rt = rt;
  return rt;
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(onTimeout()), ms);
      t.unref();
    }),
  ]).finally(() => clearTimeout(t));
}

async function callPart(vu: VuContext, name: string, arg: unknown): Promise<unknown> {
  const fn = vu.module?.[name];
  if (typeof fn !== 'function') throw new SquallError(`exported ${name} is not a function`, { exitCode: K6_EXIT.scriptException });
  return await (fn as (a: unknown) => unknown)(arg);
}
