/**
 * One VU: its own module instance of the script (and of the per-VU shims), its `__ENV`, tags,
 * group, timers and iteration state. `runIteration` calls the scenario's exec function, waits for
 * the VU's timers to drain (k6 ends an iteration when its event loop is empty, k6-contract.md
 * §5.1), then emits `iterations`, `iteration_duration`, `data_sent`, `data_received`. Exceptions
 * in the exec function are logged and the iteration still counts (k6 `getIterationRunner`).
 */
import type { TagSet } from '../metrics/tags.ts';
import { CookieJarStore } from './cookies.ts';
import type { RunContext } from './run-context.ts';

export class IterationInterrupted extends Error {
  constructor() {
    super('iteration interrupted');
    this.name = 'IterationInterrupted';
  }
}

/** What `http.expectedStatuses()` returns; the only kind of response callback k6 accepts. */
export interface ExpectedStatuses {
  readonly __squallExpectedStatuses: readonly (readonly [number, number])[];
}
export type ResponseCallback = ExpectedStatuses | null;

export interface ScenarioState {
  readonly name: string;
  readonly executor: string;
  readonly startEpochMs: number;
  readonly exec: string;
  readonly env: Readonly<Record<string, string>>;
  readonly baseTags: TagSet;
  progress(): number;
  /** Iterations started in this scenario (this instance), for iterationInInstance. */
  iterations: number;
  /** Offset and stride that make iterationInTest unique across segmented instances. */
  readonly iterationInTest: (inInstance: number) => number;
}

class Iteration {
  interrupted = false;
  isSettled = false;
  doneResolve!: (v: boolean) => void;
  readonly done = new Promise<boolean>((r) => (this.doneResolve = r));
  private settledPromise: Promise<void> | undefined;
  private settledResolve: (() => void) | undefined;
  /** Created only when someone asks (interruptions), not for every iteration. */
  get settled(): Promise<void> {
    if (this.isSettled) return Promise.resolve();
    if (this.settledPromise === undefined) this.settledPromise = new Promise<void>((r) => (this.settledResolve = r));
    return this.settledPromise;
  }
  settle(): void {
    this.isSettled = true;
    this.settledResolve?.();
  }
}

/** Who runs iterations on a VU (a scenario runtime): told when an iteration's code has ended. */
export interface IterationOwner {
  iterationSettled(vu: VuContext, onSettled: ((vu: VuContext) => void) | undefined): void;
}

interface Exchange {
  abort(): void;
}

export class VuContext {
  /** True while the VU's module graph is being evaluated (k6's init context). */
  inInit = true;
  env: Record<string, string>;
  module: Record<string, unknown> | undefined;
  setupData: unknown;
  scenario: ScenarioState | undefined;
  /** Tags of every sample this VU emits: run tags + scenario tags + scenario + group. */
  tags: TagSet;
  private scenarioTags: TagSet;
  groupPath = '';
  /** __ITER: per-VU iteration counter across scenarios, starting at 0. */
  iter = -1;
  iterationInScenario = -1;
  /** Set by this VU's vu-globals module: updates its live `__ITER` binding. */
  setIter: (n: number) => void = () => {};
  bytesSent = 0;
  bytesReceived = 0;
  responseCallback: ResponseCallback | undefined = undefined;
  /** k6's per-VU cookie jar, emptied at each iteration's start unless `noCookiesReset`. */
  readonly cookieJar = new CookieJarStore();
  /** Requests whose Promise nobody awaited yet, in this iteration (see ResponsePromise.track). */
  unawaitedRequests = 0;
  lastUnawaitedCall = '';
  /** exec.vu.metrics.tags: tags the script added to this VU's samples. */
  readonly customTags: Record<string, string> = {};
  private pendingTimers = 0;
  private drainWaiter: (() => void) | undefined;
  private unawaitedSleeps = 0;
  private readonly timers = new Map<number, { t: NodeJS.Timeout; interval: boolean }>();
  private nextTimer = 1;
  private current: Iteration | undefined;
  readonly exchanges = new Set<Exchange>();

  constructor(
    readonly id: number,
    readonly run: RunContext,
  ) {
    this.env = { ...run.env };
    this.scenarioTags = run.runTags.with({ group: '' });
    this.tags = this.scenarioTags;
  }

  get idInInstance(): number {
    return this.id;
  }

  get idInTest(): number {
    return this.id + this.run.vuIdOffset;
  }

  get interrupted(): boolean {
    return this.current?.interrupted === true;
  }

  /** Throw k6's init-context errors for APIs that need a running iteration. */
  assertNotInit(api: string): void {
    if (this.inInit) throw new Error(`${api} can't be used in the init context; call it from a function such as default, setup or teardown`);
    if (this.current?.interrupted) throw new IterationInterrupted();
  }

  assertInit(api: string): void {
    if (!this.inInit) throw new Error(`${api} can't be used outside the init context (k6 allows it only in the script's top-level code)`);
  }

  /** The scenario env last merged into `env` (undefined: `env` is the global __ENV as is). */
  private envOf: Readonly<Record<string, string>> | undefined;

  /** Enter a scenario: its env over the global __ENV, its tags, `scenario` and root group. */
  activate(s: ScenarioState): void {
    this.scenario = s;
    this.iterationInScenario = -1;
    // Rebuilding __ENV costs one property per environment variable; skip it when nothing changes
    // (this runs for every VU right when an executor starts).
    const hasEnv = Object.keys(s.env).length > 0;
    if (hasEnv ? this.envOf !== s.env : this.envOf !== undefined) {
      for (const k of Object.keys(this.env)) delete this.env[k];
      Object.assign(this.env, this.run.env, s.env);
      this.envOf = hasEnv ? s.env : undefined;
    }
    this.scenarioTags = s.baseTags.with(this.customTags);
    this.setGroup('');
  }

  /** Run code outside scenarios (setup/teardown): no scenario tag, group ::setup / ::teardown. */
  enterPart(group: '::setup' | '::teardown' | ''): void {
    this.scenario = undefined;
    this.scenarioTags = this.run.runTags.with({ group: '' });
    this.setGroup(group);
  }

  setGroup(path: string): void {
    this.groupPath = path;
    this.tags = path === '' ? this.scenarioTags : this.scenarioTags.derive(`\u0000group\u0000${path}`, () => ({ group: path }));
  }

  setCustomTag(key: string, value: string | undefined): void {
    if (value === undefined) delete this.customTags[key];
    else this.customTags[key] = value;
    const base = this.scenario?.baseTags ?? this.run.runTags.with({ group: '' });
    this.scenarioTags = base.with(this.customTags);
    this.setGroup(this.groupPath);
  }

  // ---- timers (k6/timers and the global timers, per VU) ----

  setTimeout(fn: (...a: unknown[]) => void, ms: number | undefined, args: unknown[], interval: boolean): number {
    if (typeof fn !== 'function') throw new TypeError(`${interval ? 'setInterval' : 'setTimeout'}: the first argument must be a function`);
    const id = this.nextTimer++;
    const run = (): void => {
      try {
        fn(...args);
      } catch (e) {
        this.run.log.iterationError(`Uncaught exception in a timer callback: ${errorText(e)}`);
      }
      // Only after the callback: what it schedules keeps the iteration alive.
      if (!interval) this.clear(id);
    };
    const t = interval ? setInterval(run, Math.max(1, ms ?? 0)) : setTimeout(run, Math.max(0, ms ?? 0));
    this.timers.set(id, { t, interval });
    this.pendingTimers++;
    return id;
  }

  clear(id: unknown): void {
    const e = this.timers.get(id as number);
    if (!e) return;
    if (e.interval) clearInterval(e.t);
    else clearTimeout(e.t);
    this.timers.delete(id as number);
    this.timerDone();
  }

  private timerDone(): void {
    this.pendingTimers--;
    this.checkDrained();
  }

  /** True when the iteration's function returned and it waits for timers/requests to end. */
  get waitingForDrain(): boolean {
    return this.drainWaiter !== undefined;
  }

  /** An HTTP exchange of this VU ended (the client removed it from `exchanges`). */
  exchangeDone(): void {
    if (this.exchanges.size === 0) this.checkDrained();
  }

  private checkDrained(): void {
    if (this.pendingTimers === 0 && this.exchanges.size === 0 && this.drainWaiter) {
      const w = this.drainWaiter;
      this.drainWaiter = undefined;
      w();
    }
  }

  /** Sleeps in progress, so an interruption can end them (else they would hold the VU and the process). */
  private readonly sleeps = new Set<{ t: NodeJS.Timeout; reject: (e: Error) => void }>();

  /** k6 `sleep`: a Promise here; a sleep nobody awaited is found at the iteration's end. */
  sleep(seconds: number): Promise<void> {
    if (this.current?.interrupted) return Promise.reject(new IterationInterrupted());
    const ms = Math.max(0, Number(seconds) * 1000);
    this.pendingTimers++;
    this.unawaitedSleeps++;
    return new Promise<void>((resolve, reject) => {
      const entry = {
        t: setTimeout(() => {
          this.sleeps.delete(entry);
          this.unawaitedSleeps--;
          this.timerDone();
          resolve();
        }, ms),
        reject,
      };
      this.sleeps.add(entry);
    });
  }

  /** An interrupted iteration's sleeps end at once, rejecting like k6's cancelled sleep. */
  private endSleeps(): void {
    for (const s of this.sleeps) {
      clearTimeout(s.t);
      this.unawaitedSleeps--;
      this.pendingTimers--;
      s.reject(new IterationInterrupted());
    }
    this.sleeps.clear();
  }

  /** Resolves when no timer and no request of this VU is pending (k6: the event loop is empty). */
  private drained(): Promise<void> | undefined {
    if (this.pendingTimers === 0 && this.exchanges.size === 0) return undefined;
    return new Promise<void>((r) => (this.drainWaiter = r));
  }

  private clearAllTimers(): void {
    for (const id of [...this.timers.keys()]) this.clear(id);
  }

  // ---- iterations ----

  owner: IterationOwner | undefined;
  private onSettled: ((vu: VuContext) => void) | undefined;

  /** Run one iteration of `fnName` with the setup data. */
  runIteration(fnName: string, onSettled?: (vu: VuContext) => void): { done: Promise<boolean>; settled: Promise<void> } {
    const it = new Iteration();
    this.onSettled = onSettled;
    this.unawaitedRequests = 0;
    if (this.cookieJar.size !== 0 && this.run.options?.noCookiesReset !== true) this.cookieJar.clear();
    this.current = it;
    this.iter++;
    this.iterationInScenario++;
    this.setIter(this.iter);
    if (this.scenario) this.scenario.iterations++;
    const start = performance.now();
    void this.execute(fnName, it, start);
    return it;
  }

  private async execute(fnName: string, it: Iteration, start: number): Promise<void> {
    const run = this.run;
    try {
      const wait = run.metrics.backpressure();
      if (wait !== undefined) await wait;
      const fn = this.module?.[fnName] as ((data: unknown) => unknown) | undefined;
      if (typeof fn !== 'function') throw new Error(`function "${fnName}" is not exported by the script`);
      const r = fn(this.setupData);
      if (this.unawaitedSleeps > 0 && !(r instanceof Promise)) this.warnUnawaitedSleep();
      if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') await (r as PromiseLike<unknown>);
      if (this.unawaitedSleeps > 0) this.warnUnawaitedSleep();
      if (this.unawaitedRequests > 0) this.warnUnawaitedRequest();
      const drain = this.drained();
      if (drain) await drain;
    } catch (e) {
      if (!it.interrupted && !(e instanceof IterationInterrupted)) {
        run.log.iterationError(`Uncaught (in promise) ${errorText(e)} (at ${fnName}, VU ${this.id}, iteration ${this.iter})`);
      }
    }
    if (this.current === it) this.current = undefined;
    if (this.groupPath !== '') this.setGroup('');
    if (!it.interrupted) {
      const tags = this.tags;
      const end = performance.now();
      const at = run.epochNow();
      const m = run.metrics;
      const b = run.builtin;
      m.add(b.data_sent, tags, this.bytesSent, at);
      m.add(b.data_received, tags, this.bytesReceived, at);
      this.bytesSent = 0;
      this.bytesReceived = 0;
      m.add(b.iterations, tags, 1, at);
      m.add(b.iteration_duration, tags, Math.round((end - start) * 1e6) / 1e6, at);
      run.counters.iterationsCompleted++;
      it.doneResolve(true);
    } else {
      this.clearAllTimers();
    }
    it.settle();
    const cb = this.onSettled;
    this.onSettled = undefined;
    this.owner?.iterationSettled(this, cb);
  }

  private warnUnawaitedRequest(): void {
    const call = this.lastUnawaitedCall;
    this.unawaitedRequests = 0;
    this.run.log.warnOnce(
      `${call}(...) was called without await: in squall's engine it returns a Promise, so the iteration went on before the response came. ` +
        `Write \`await ${call}(...)\` (real k6 returns the Response directly and \`await\` passes it through, so the script stays valid for k6).`,
    );
  }

  private warnUnawaitedSleep(): void {
    this.run.log.warnOnce(
      'sleep() was called without await: in squall\'s engine sleep() returns a Promise, so the iteration did not pause. ' +
        'Write `await sleep(1)` (real k6 returns undefined from sleep and `await` passes it through, so the script stays valid for k6).',
    );
  }

  /** gracefulStop/gracefulRampDown expired or the test stops: the iteration counts as interrupted. */
  interrupt(): void {
    const it = this.current;
    if (!it || it.interrupted) return;
    it.interrupted = true;
    this.run.counters.iterationsInterrupted++;
    for (const x of [...this.exchanges]) x.abort();
    this.clearAllTimers();
    this.endSleeps();
    it.doneResolve(false);
  }

  /** Stop whatever setup/teardown code left running after its timeout: requests, timers, sleeps. */
  abandon(): void {
    for (const x of [...this.exchanges]) x.abort();
    this.clearAllTimers();
    this.endSleeps();
  }

  /** True while an iteration's code has not ended (even after an interruption). */
  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Data bytes of setup/teardown (k6 emits data_sent/received at their end too). */
  flushData(): void {
    const run = this.run;
    run.emit(run.builtin.data_sent, this.tags, this.bytesSent);
    run.emit(run.builtin.data_received, this.tags, this.bytesReceived);
    this.bytesSent = 0;
    this.bytesReceived = 0;
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.stack && process.env.SQUALL_DEBUG ? e.stack : `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  return String(e);
}
