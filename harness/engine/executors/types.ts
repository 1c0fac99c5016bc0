/**
 * The executor contract, after k6's `lib/executor`: an executor's *plan* (validated config, VU
 * needs, duration, its pure schedule) is apart from the thing that runs it, and a running executor
 * never sees the JS runtime: it only asks its `ScenarioRuntime` for a VU and runs one iteration on
 * it. Times are milliseconds; `now()` counts from the start of the executor (after its startTime).
 */

import type { ExecutorName } from '../../contracts/k6.ts';

export type { ExecutorName };

/** Fields every scenario has (k6 `lib/executor/base_config.go`). */
export interface BaseScenarioConfig {
  readonly name: string;
  readonly executor: ExecutorName;
  readonly startTimeMs: number;
  readonly gracefulStopMs: number;
  readonly exec: string;
  readonly env: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Stage {
  readonly durationMs: number;
  readonly target: number;
}

/**
 * How one process's share of the test is cut out of the whole (k6 execution segments,
 * k6-contract.md §6.1). `scale` gives this instance's part of an integer (VUs, iterations); arrival
 * ticks are striped: this instance takes the global ticks `start`, `start+offsets[0]`, ... cycling.
 */
export interface SegmentShare {
  readonly whole: boolean;
  /** Segment length (to − from), multiplies arrival rates. */
  readonly length: number;
  scale(value: number): number;
  readonly stripe: { readonly start: number; readonly offsets: readonly number[] };
  /** Offset that makes this instance's VU ids and iteration numbers globally unique. */
  readonly vuIdOffset: (totalVUs: number) => number;
  /**
   * The share re-segmented on a value (segments.ts `forValue`): shared-iterations splits its
   * iterations by how VUs split, arrival-rate executors their ticks by how maxVUs split.
   */
  forValue?(value: number): SegmentShare;
}

export const WHOLE_TEST: SegmentShare = {
  whole: true,
  length: 1,
  scale: (v) => v,
  stripe: { start: 0, offsets: [1] },
  vuIdOffset: () => 0,
};

/** The validated, scaled plan of one scenario. */
export interface ExecutorPlan {
  readonly config: BaseScenarioConfig;
  /** VUs initialized before the test starts. */
  readonly preAllocatedVUs: number;
  /** VUs this scenario may use at most (arrival-rate executors grow from pre-allocated to this). */
  readonly maxVUs: number;
  /** Regular duration, without gracefulStop (for iteration-based executors: maxDuration). */
  readonly durationMs: number;
  /** One line for the start banner, in k6's wording. */
  describe(): string;
}

/** A VU as an executor sees it: an opaque handle. */
export interface VuHandle {
  readonly idInInstance: number;
}

/** What a running executor may ask of the engine. */
export interface ScenarioRuntime {
  /** Milliseconds since this executor started (monotonic). */
  now(): number;
  /** Resolves at `atMs` (executor time) or as soon as the test is stopped. */
  waitUntil(atMs: number): Promise<void>;
  /** True once the test is being stopped (abort, signal): executors stop starting iterations. */
  readonly stopped: boolean;
  /** Take a free initialized VU for this scenario, or undefined if none. */
  acquireVU(): VuHandle | undefined;
  /** Give a VU back once its iteration has really ended. */
  releaseVU(vu: VuHandle): void;
  /** Initialize one more VU (arrival-rate growth up to maxVUs); resolves when it is ready. */
  initVU(): Promise<VuHandle>;
  /** Number of VUs initialized for this scenario so far. */
  readonly initializedVUs: number;
  /**
   * Run one iteration of the scenario's exec function on `vu`. Resolves `true` when it completed,
   * `false` when it was interrupted (see `interrupt`). `settled` resolves when the JS code really
   * ended, which may be later than an interruption; only then may the VU be reused. `onSettled`
   * is called at that same moment (cheaper than `settled.then` on a hot path: pass one function
   * made once, not a closure per iteration).
   */
  runIteration(vu: VuHandle, onSettled?: (vu: VuHandle) => void): { done: Promise<boolean>; settled: Promise<void> };
  /** Interrupt every iteration of this scenario still running (gracefulStop/gracefulRampDown expired). */
  interruptAll(): void;
  /** Interrupt the iteration running on one VU. */
  interrupt(vu: VuHandle): void;
  /** Count iterations that were due but could not start (k6 `dropped_iterations`). */
  addDropped(count: number): void;
  /** Report the number of VUs active in this scenario, for the `vus` gauge and progress. */
  setActiveVUs(count: number): void;
  /** How late (ms) an arrival-rate iteration started after its due time. */
  recordSchedulingLag(lagMs: number): void;
  /** Log a warning once per message. */
  warnOnce(message: string): void;
}

export interface Executor {
  readonly plan: ExecutorPlan;
  run(rt: ScenarioRuntime): Promise<void>;
  /** Share of the work done at `elapsedMs` (0..1), for exec.scenario.progress and the progress line. */
  progress(elapsedMs: number): number;
}

export interface ExecutorDefinition<C extends BaseScenarioConfig> {
  /** Keys this executor accepts besides the common ones (k6 parses scenarios strictly). */
  readonly fields: readonly string[];
  /** Validate the executor-specific fields; push every problem to `errors` (with its path). */
  parse(base: BaseScenarioConfig, raw: Record<string, unknown>, errors: string[]): C | undefined;
  plan(config: C, segment: SegmentShare): ExecutorPlan;
  create(plan: ExecutorPlan): Executor;
}
