/**
 * Every executor run on a virtual clock: the executors only see the ScenarioRuntime contract, so
 * a fake runtime with virtual time shows their exact schedules (due times, VU counts over time,
 * drops, graceful stops) without real time or a JS runtime, deterministically.
 */
import { describe, expect, it } from 'vitest';
import { createExecutor, planScenario } from '../../harness/engine/executors/index.ts';
import type { ScenarioRuntime, VuHandle } from '../../harness/engine/executors/types.ts';
import { WHOLE_TEST } from '../../harness/engine/executors/types.ts';
import { resolveOptions } from '../../harness/engine/options.ts';

interface Iter {
  vu: number;
  start: number;
  end: number;
  interrupted: boolean;
  done: (v: boolean) => void;
  settledCbs: (() => void)[];
  finished: boolean;
}

class VirtualRuntime implements ScenarioRuntime {
  t = 0;
  stopped = false;
  initializedVUs = 0;
  dropped = 0;
  readonly activeLog: [number, number][] = [];
  readonly starts: { vu: number; at: number }[] = [];
  readonly warnings: string[] = [];
  private readonly timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;
  private readonly free: VuHandle[] = [];
  private readonly running = new Map<number, Iter>();
  readonly iters: Iter[] = [];

  constructor(
    preAllocated: number,
    private readonly iterationMs: (vu: number, n: number) => number,
  ) {
    for (let i = preAllocated; i >= 1; i--) this.free.push({ idInInstance: i });
    this.initializedVUs = 0;
  }

  at(at: number, fire: () => void): void {
    this.timers.push({ at, seq: this.seq++, fire });
  }
  now(): number {
    return this.t;
  }
  waitUntil(atMs: number): Promise<void> {
    if (atMs <= this.t) return Promise.resolve();
    return new Promise((r) => this.at(atMs, r));
  }
  acquireVU(): VuHandle | undefined {
    const vu = this.free.pop();
    if (vu) this.initializedVUs++;
    return vu;
  }
  releaseVU(vu: VuHandle): void {
    void vu;
  }
  private nextId = 1000;
  initVU(): Promise<VuHandle> {
    this.initializedVUs++;
    return Promise.resolve({ idInInstance: this.nextId++ });
  }
  runIteration(vu: VuHandle, onSettled?: (vu: VuHandle) => void): { done: Promise<boolean>; settled: Promise<void> } {
    this.starts.push({ vu: vu.idInInstance, at: this.t });
    const it: Iter = { vu: vu.idInInstance, start: this.t, end: this.t + this.iterationMs(vu.idInInstance, this.iters.length), interrupted: false, done: () => {}, settledCbs: [], finished: false };
    this.iters.push(it);
    this.running.set(vu.idInInstance, it);
    const done = new Promise<boolean>((r) => (it.done = r));
    const settled = new Promise<void>((r) => it.settledCbs.push(r));
    if (onSettled) it.settledCbs.push(() => onSettled(vu));
    this.at(it.end, () => {
      it.finished = true;
      this.running.delete(vu.idInInstance);
      if (!it.interrupted) it.done(true);
      for (const f of it.settledCbs) f();
    });
    return { done, settled };
  }
  interruptAll(): void {
    for (const it of this.running.values()) this.interruptIt(it);
  }
  interrupt(vu: VuHandle): void {
    const it = this.running.get(vu.idInInstance);
    if (it) this.interruptIt(it);
  }
  private interruptIt(it: Iter): void {
    if (it.interrupted || it.finished) return;
    it.interrupted = true;
    it.done(false);
  }
  addDropped(n: number): void {
    this.dropped += n;
  }
  setActiveVUs(n: number): void {
    const last = this.activeLog[this.activeLog.length - 1];
    if (last && last[0] === this.t) last[1] = n;
    else this.activeLog.push([this.t, n]);
  }
  recordSchedulingLag(): void {}
  warnOnce(m: string): void {
    if (!this.warnings.includes(m)) this.warnings.push(m);
  }

  /** Run the executor to its end, firing virtual timers in time order. */
  async drive(run: Promise<void>): Promise<void> {
    let finished = false;
    void run.then(() => (finished = true));
    const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
    for (let guard = 0; guard < 1_000_000; guard++) {
      await flush();
      if (finished) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error(`executor stuck at t=${this.t}`);
      this.t = next.at;
      next.fire();
    }
  }
}

async function runVirtual(scenario: Record<string, unknown>, iterationMs: (vu: number, n: number) => number) {
  const config = resolveOptions({ scenarios: { s: scenario } }, {}).scenarios[0]!;
  const plan = planScenario(config, WHOLE_TEST);
  const rt = new VirtualRuntime(plan.preAllocatedVUs, iterationMs);
  const ex = createExecutor(plan);
  await rt.drive(ex.run(rt));
  return { rt, plan, completed: rt.iters.filter((i) => !i.interrupted).length, interrupted: rt.iters.filter((i) => i.interrupted).length };
}

describe('constant-arrival-rate on a virtual clock', () => {
  it('50/s for 1 s: every iteration starts exactly at k·20 ms, none dropped', async () => {
    const { rt, completed } = await runVirtual({ executor: 'constant-arrival-rate', rate: 50, duration: '1s', preAllocatedVUs: 2 }, () => 10);
    expect(rt.starts.map((s) => s.at)).toEqual(Array.from({ length: 50 }, (_, k) => k * 20));
    expect(completed).toBe(50);
    expect(rt.dropped).toBe(0);
  });
  it('an arrival-rate VU stops counting as active when its iteration ends (the vus metric)', async () => {
    const { rt } = await runVirtual({ executor: 'constant-arrival-rate', rate: 10, duration: '1s', preAllocatedVUs: 2 }, () => 10);
    // Active 1 for 10 ms after each start, 0 in between: the `vus` sample between iterations is 0.
    const expected = Array.from({ length: 10 }, (_, k) => [[k * 100, 1], [k * 100 + 10, 0]]).flat();
    expect(rt.activeLog.filter(([t]) => t < 1000)).toEqual(expected);
  });
  it('2,000/s for 20 s: exactly 40,000 iterations', async () => {
    const { rt } = await runVirtual({ executor: 'constant-arrival-rate', rate: 2000, duration: '20s', preAllocatedVUs: 20 }, () => 3);
    expect(rt.starts).toHaveLength(40_000);
    expect(rt.starts[39_999]!.at).toBeCloseTo(19_999.5, 6);
    expect(rt.dropped).toBe(0);
  });
  it('drops ticks without a free VU, grows one VU at a time up to maxVUs, never retries', async () => {
    const { rt, completed } = await runVirtual({ executor: 'constant-arrival-rate', rate: 10, duration: '1s', preAllocatedVUs: 1, maxVUs: 3, gracefulStop: '1s' }, () => 400);
    expect(completed + rt.dropped).toBe(10);
    expect(rt.initializedVUs).toBe(3);
    // ticks at 0..900 ms; 10/s of 400 ms iterations needs 4 VUs, and only 3 are allowed.
    expect(rt.dropped).toBeGreaterThan(0);
    expect(rt.warnings.some((w) => w.includes('Insufficient VUs, reached 3 active VUs'))).toBe(true);
    for (const s of rt.starts) expect(s.at % 100).toBe(0);
  });
});

describe('ramping-arrival-rate on a virtual clock (k6 TestRampingArrivalRateCal)', () => {
  it('starts at 3.162 s, 4.472 s, 5.5 s, 6.527 s, 7.837 s; the one due exactly at the end does not start', async () => {
    const { rt } = await runVirtual(
      { executor: 'ramping-arrival-rate', startRate: 0, preAllocatedVUs: 1, stages: [{ duration: '5s', target: 1 }, { duration: '1s', target: 1 }, { duration: '5s', target: 0 }] },
      () => 10,
    );
    const at = rt.starts.map((s) => s.at);
    expect(at).toHaveLength(5);
    [3162.2776, 4472.1359, 5500, 6527.864, 7837.7223].forEach((want, i) => expect(at[i]).toBeCloseTo(want, 2));
  });
});

describe('ramping-vus on a virtual clock (k6 TestRampingVUsConfigExecutionPlanExample)', () => {
  it('active VUs follow 4@0 5@1 6@2 5@3 4@4 3@5 2@6 1@7 2@8 3@9 4@10 5@11', async () => {
    const { rt } = await runVirtual(
      { executor: 'ramping-vus', startVUs: 4, stages: [{ duration: '2s', target: 6 }, { duration: '5s', target: 1 }, { duration: '4s', target: 5 }, { duration: '1s', target: 5 }], gracefulRampDown: '0s' },
      () => 100,
    );
    const log = rt.activeLog.filter(([t]) => t < 12_000);
    expect(log).toEqual([[0, 4], [1000, 5], [2000, 6], [3000, 5], [4000, 4], [5000, 3], [6000, 2], [7000, 1], [8000, 2], [9000, 3], [10_000, 4], [11_000, 5]]);
    // A ramped-down VU starts no new iteration: VU 6 runs only between 1 s and 3 s.
    const vu6 = rt.starts.filter((s) => s.vu === 6).map((s) => s.at);
    expect(Math.min(...vu6)).toBe(2000);
    expect(Math.max(...vu6)).toBeLessThan(3000);
  });
  it('gracefulRampDown lets a removed VU finish, then interrupts it', async () => {
    const { rt } = await runVirtual(
      { executor: 'ramping-vus', startVUs: 2, stages: [{ duration: '1s', target: 1 }, { duration: '2s', target: 1 }], gracefulRampDown: '300ms' },
      () => 800,
    );
    // VU 2 is removed at 1 s while in the iteration it started at 800 ms (due 1600): cut at 1300.
    const cut = rt.iters.find((i) => i.vu === 2 && i.start === 800)!;
    expect(cut.interrupted).toBe(true);
  });
});

describe('constant-vus and gracefulStop on a virtual clock', () => {
  it('loops back-to-back and interrupts what runs past duration + gracefulStop', async () => {
    const { rt, completed, interrupted } = await runVirtual({ executor: 'constant-vus', vus: 2, duration: '1s', gracefulStop: '250ms' }, () => 300);
    expect(rt.starts.filter((s) => s.vu === 1).map((s) => s.at)).toEqual([0, 300, 600, 900]);
    // The iterations started at 900 ms end at 1200 ms, within duration + gracefulStop: they complete.
    expect(completed).toBe(8);
    expect(interrupted).toBe(0);
    const cut = await runVirtual({ executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '100ms' }, () => 300);
    expect(cut.completed).toBe(3);
    expect(cut.interrupted).toBe(1);
  });
});

describe('iteration-based executors on a virtual clock', () => {
  it('shared-iterations: VUs pull from one counter', async () => {
    const { rt, completed } = await runVirtual({ executor: 'shared-iterations', vus: 3, iterations: 10 }, (vu) => vu * 100);
    expect(completed).toBe(10);
    expect(rt.dropped).toBe(0);
    // The fastest VU (100 ms) takes the most iterations.
    const byVu = (v: number) => rt.starts.filter((s) => s.vu === v).length;
    expect(byVu(1)).toBeGreaterThan(byVu(3));
  });
  it('shared-iterations at maxDuration: dropped = total − started', async () => {
    const { rt, completed, interrupted } = await runVirtual({ executor: 'shared-iterations', vus: 2, iterations: 100, maxDuration: '1s', gracefulStop: '0s' }, () => 300);
    expect(completed).toBe(6);
    expect(interrupted).toBe(2);
    expect(rt.dropped).toBe(100 - 8);
  });
  it('per-vu-iterations at maxDuration: each VU reports its remaining iterations', async () => {
    const { rt, completed } = await runVirtual({ executor: 'per-vu-iterations', vus: 2, iterations: 5, maxDuration: '1s', gracefulStop: '1s' }, (vu) => (vu === 1 ? 100 : 400));
    // VU 1 finishes its 5 iterations; VU 2 starts 3 (0, 400, 800) and finishes them in the grace period.
    expect(completed).toBe(8);
    expect(rt.dropped).toBe(2);
  });
});
