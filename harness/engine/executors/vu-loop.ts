/**
 * The loop a looping VU runs (constant-vus, ramping-vus, shared- and per-vu-iterations): start an
 * iteration while `next()` allows, stop at the first interrupted one. The runtime defers the VU's
 * release until its JS code has really ended, so executors may release right away.
 */
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
