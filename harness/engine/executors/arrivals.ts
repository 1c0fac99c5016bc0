/**
 * The run loop both arrival-rate executors share: one timer loop over due times measured from one
 * monotonic origin (no drift adds up), each tick takes a free VU or counts a dropped iteration and,
 * while `maxVUs` allows, initializes one more VU in the background, one at a time (k6
 * `constant_arrival_rate.go`/`ramping_arrival_rate.go`, k6-contract.md §4.2–4.3). A dropped tick
 * is never retried.
 *
 * Dropped ticks are counted, not stored or emitted one by one: at an absurd rate (1e9/s) the loop is
 * always behind, so it batches the count, yields to the event loop every few thousand ticks (metric
 * flushes and signals still run) and stops at the scenario's end even if ticks were left to walk;
 * memory stays flat whatever the rate.
 */
import { InFlight } from './fields.ts';
import type { ExecutorPlan, ScenarioRuntime, VuHandle } from './types.ts';

/** Ticks handled back to back (the schedule is behind) before the loop lets other work run. */
const TICKS_PER_YIELD = 4096;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export async function runArrivals(rt: ScenarioRuntime, plan: ExecutorPlan, due: Iterator<number>): Promise<void> {
  const free: VuHandle[] = [];
  for (let i = 0; i < plan.preAllocatedVUs; i++) {
    const vu = rt.acquireVU();
    if (!vu) throw new Error(`engine bug: ${plan.preAllocatedVUs} VUs planned, only ${i} available`);
    free.push(vu);
  }
  const all = [...free];
  const inFlight = new InFlight();
  let growing = false;
  let active = 0;
  const end = plan.durationMs;
  const onSettled = (vu: VuHandle): void => {
    active--;
    // k6 counts an arrival-rate VU as active only while it runs an iteration; without this the
    // `vus` metric held the count of the last start (1 at any low rate) between iterations.
    rt.setActiveVUs(active);
    free.push(vu);
    inFlight.done();
  };
  const start = (vu: VuHandle): void => {
    inFlight.add();
    active++;
    rt.setActiveVUs(active);
    rt.runIteration(vu, onSettled);
  };
  let dropped = 0;
  const flushDropped = (): void => {
    if (dropped > 0) rt.addDropped(dropped);
    dropped = 0;
  };
  let behind = 0;
  for (let next = due.next(); !next.done; next = due.next()) {
    const at = next.value;
    if (at >= end) break;
    if (rt.now() < at) {
      behind = 0;
      flushDropped();
      await rt.waitUntil(at);
    } else if (++behind >= TICKS_PER_YIELD) {
      behind = 0;
      flushDropped();
      await yieldToEventLoop();
      if (rt.now() >= end) break;
    }
    if (rt.stopped) break;
    const vu = free.pop();
    if (vu) {
      rt.recordSchedulingLag(rt.now() - at);
      start(vu);
      continue;
    }
    dropped++;
    if (rt.initializedVUs < plan.maxVUs) {
      if (!growing) {
        growing = true;
        void rt.initVU().then(
          (v) => {
            growing = false;
            all.push(v);
            free.push(v);
          },
          () => {
            growing = false;
          },
        );
      }
    } else {
      rt.warnOnce(`Insufficient VUs, reached ${plan.maxVUs} active VUs and cannot initialize more`);
    }
  }
  flushDropped();
  await rt.waitUntil(end);
  await Promise.race([inFlight.idle(), rt.waitUntil(end + plan.config.gracefulStopMs)]);
  rt.interruptAll();
  rt.setActiveVUs(0);
  for (const vu of all) rt.releaseVU(vu);
}
