/**
 * The engine side of the executor contract: a `ScenarioRuntime` per scenario, backed by the VU
 * pool. Executors only see VU handles, time and this interface (k6's executor/VU separation).
 */
import type { ScenarioRuntime, VuHandle } from '../executors/types.ts';
import type { TagSet } from '../metrics/tags.ts';
import { TrendSink } from '../metrics/sinks.ts';
import type { RunContext } from './run-context.ts';
import type { IterationOwner, ScenarioState, VuContext } from './vu.ts';
import type { VuPool } from './vu-pool.ts';

/** Shared by every scenario of a run: the stop flag and timers that must all end on stop. */
export class StopSignal {
  stopped = false;
  private readonly waiters = new Set<{ t: NodeJS.Timeout; resolve: () => void }>();

  wait(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const w = {
        t: setTimeout(() => {
          this.waiters.delete(w);
          resolve();
        }, ms),
        resolve,
      };
      this.waiters.add(w);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.waiters) {
      clearTimeout(w.t);
      w.resolve();
    }
    this.waiters.clear();
  }
}

export class ScenarioRuntimeImpl implements ScenarioRuntime, IterationOwner {
  private startMono = 0;
  private active = 0;
  private readonly running = new Set<VuContext>();
  /** VUs released while their iteration's code was still running: back to the pool once it ends. */
  private readonly releaseLater = new Set<VuContext>();
  private readonly droppedTags: TagSet;
  readonly lag = new TrendSink();
  dropped = 0;

  constructor(
    private readonly run: RunContext,
    private readonly pool: VuPool,
    readonly state: ScenarioState,
    private readonly stop: StopSignal,
    private readonly allScenarios: () => Iterable<ScenarioRuntimeImpl>,
  ) {
    this.droppedTags = state.baseTags;
  }

  begin(): void {
    this.startMono = performance.now();
  }

  get activeVUs(): number {
    return this.active;
  }

  now(): number {
    return performance.now() - this.startMono;
  }

  waitUntil(atMs: number): Promise<void> {
    return this.stop.wait(atMs - this.now());
  }

  get stopped(): boolean {
    return this.stop.stopped;
  }

  private mine = 0;
  get initializedVUs(): number {
    return this.mine;
  }

  acquireVU(): VuHandle | undefined {
    const vu = this.pool.take();
    if (!vu) return undefined;
    vu.activate(this.state);
    vu.owner = this;
    this.mine++;
    return vu;
  }

  releaseVU(h: VuHandle): void {
    const vu = h as VuContext;
    if (vu.busy) this.releaseLater.add(vu);
    else this.pool.put(vu);
  }

  iterationSettled(vu: VuContext, onSettled: ((vu: VuContext) => void) | undefined): void {
    this.running.delete(vu);
    if (this.releaseLater.delete(vu)) this.pool.put(vu);
    if (onSettled !== undefined) onSettled(vu);
  }

  async initVU(): Promise<VuHandle> {
    const vu = await this.pool.grow();
    vu.setupData = this.setupData();
    vu.activate(this.state);
    vu.owner = this;
    this.mine++;
    return vu;
  }

  /** Setup data as every VU gets it: a fresh JSON round-trip copy. */
  setupData: () => unknown = () => undefined;

  runIteration(h: VuHandle, onSettled?: (vu: VuHandle) => void): { done: Promise<boolean>; settled: Promise<void> } {
    const vu = h as VuContext;
    this.running.add(vu);
    return vu.runIteration(this.state.exec, onSettled);
  }

  interruptAll(): void {
    for (const vu of this.running) vu.interrupt();
  }

  interrupt(h: VuHandle): void {
    (h as VuContext).interrupt();
  }

  addDropped(count: number): void {
    this.dropped += count;
    this.run.emit(this.run.builtin.dropped_iterations, this.droppedTags, count);
  }

  setActiveVUs(count: number): void {
    this.active = count;
    let sum = 0;
    for (const s of this.allScenarios()) sum += s.active;
    this.run.counters.vusActive = sum;
  }

  recordSchedulingLag(lagMs: number): void {
    this.lag.add(lagMs < 0 ? 0 : lagMs);
  }

  warnOnce(message: string): void {
    this.run.log.warnOnce(`[${this.state.name}] ${message}`);
  }
}
