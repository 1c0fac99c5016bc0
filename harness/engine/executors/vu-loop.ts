/**
 * The loop a looping VU runs (constant-vus, ramping-vus, shared- and per-vu-iterations): start an
 * iteration while `next()` allows, stop at the first interrupted one. The runtime defers the VU's
 * release until its JS code has really ended, so executors may release right away.
 */
import { raceDeadline } from './fields.ts';
import type { ScenarioRuntime, VuHandle } from './types.ts';

export async function vuLoop(rt: ScenarioRuntime, vu: VuHandle, next: () => boolean): Promise<void> {
  while (!rt.stopped && next()) {
    const completed = await rt.runIteration(vu).done;
    if (!completed) return;
  }
}

/** Take `n` pre-allocated VUs from the runtime; the engine guarantees they exist. */
export function acquireAll(rt: ScenarioRuntime, n: number): VuHandle[] {
  const out: VuHandle[] = [];
  for (let i = 0; i < n; i++) {
    const vu = rt.acquireVU();
    if (!vu) throw new Error(`engine bug: ${n} VUs planned, only ${i} available`);
    out.push(vu);
  }
  return out;
}

/**
 * The life of a fixed set of looping VUs (constant-vus, shared- and per-vu-iterations): take `n`
 * VUs, run each one's loop while `next(i)` allows, until every loop ends or `durationMs` plus
 * gracefulStop passes; then interrupt what still runs and give the VUs back.
 */
export async function runFixedVUs(
  rt: ScenarioRuntime,
  n: number,
  durationMs: number,
  gracefulStopMs: number,
  next: (i: number) => boolean,
): Promise<void> {
  const handles = acquireAll(rt, n);
  rt.setActiveVUs(n);
  const loops = handles.map((vu, i) => vuLoop(rt, vu, () => next(i)));
  await raceDeadline(loops, rt.waitUntil(durationMs + gracefulStopMs));
  rt.interruptAll();
  rt.setActiveVUs(0);
  for (const vu of handles) rt.releaseVU(vu);
}

/** The plan of an executor whose VUs are all allocated at the start (constant-vus, the iteration executors). */
export function fixedVUsPlan<C>(config: C, vus: number, durationMs: number, describe: () => string) {
  return { config, vus, preAllocatedVUs: vus, maxVUs: vus, durationMs, describe };
}
