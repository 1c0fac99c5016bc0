/**
 * One simulated run: the discrete-event loop that wires scenarios, functions, queues, event
 * source mappings and the fault timeline together on a virtual clock, and the per-step
 * aggregator that writes `squall.series/v1`. No wall clock, no I/O: a run is a pure function of
 * (experiment, seed, options). Records of work in progress (invocations, client requests, async
 * events, SQS receives) live in pools and are recycled, so memory stays flat over long runs.
 */
import { LAMBDA, SDK_RETRY, SQS } from '../contracts/aws-facts.ts';
import { createRng, type DurationDistribution, type Rng } from '../contracts/distributions.ts';
import { SquallError, EXIT } from '../contracts/exit-codes.ts';
import type { ResolvedExperiment, ResolvedFault } from '../experiment/types.ts';
import { EventQueue, SlotIds } from './event-queue.ts';
import { billedDurationMs } from './pricing.ts';
import { ACQ_COLD, ACQ_PROVISIONED, AccountModel, FunctionModel } from './function-model.ts';
import { MappingModel } from './mapping-model.ts';
import { MappingDriver } from './mapping-driver.ts';
import {
  E_ASYNC_ATTEMPT,
  E_CLIENT_RETRY,
  E_ESM_TICK,
  E_ESM_WAKE,
  E_ESM_RETRY,
  E_ESM_DISPATCH,
  E_ESM_WINDOW,
  E_FAULT,
  E_INVOKE_DONE,
  E_INIT_DONE,
  E_LOAD_END,
  E_POISON,
  E_SCENARIO_END,
  E_SQS_PROMOTE,
  E_SQS_VT,
  E_VU_PLAN,
  E_VU_START,
} from './events.ts';
import { MessageStore, POISON_NONE, QueueModel } from './queue-model.ts';
import { ScenarioModel, type IterationKind } from './scenario-model.ts';
import { buildTotals, type SimulationTotals } from './totals.ts';
import { StepAggregator } from './step-aggregator.ts';
import { FaultTimeline } from './fault-timeline.ts';
import { ERROR_BEFORE, ERROR_NONE } from './function-faults.ts';
import { errorRetryDelayMs, retryWithinEventAge, throttleRetryDelayMs } from '../rules/async-retry.ts';
import type { SeriesFile } from '../contracts/series.ts';

/** Squall's own defaults for what the experiment cannot say (not AWS facts; documented in the README). */
export const SIMULATOR_DEFAULTS = {
  /** Duration assumed for a handler function that `squall calibrate` has not measured. */
  uncalibratedHandlerDuration: { kind: 'lognormal', p50Ms: 100, p99Ms: 1000 } as DurationDistribution,
  /** Client round trip added to every response (the emulator on 127.0.0.1 answers in about a millisecond). */
  clientRttMs: 1,
  /** After the load ends, keep simulating until everything drained or this long passed. */
  drainLimitMs: 600_000,
  /**
   * Mean hop between an ESM poller's receive and its invoke reaching Lambda (rules/esm-poller.ts,
   * "Dispatch"): the emulator's poller sends it on the next timer turn (Node's shortest timer is
   * 1 ms); on AWS it is a call between two services. Drawn per batch from [0, 2 × mean].
   */
  esmDispatchMs: 1,
  stepMs: 1000,
} as const;

export interface SimulationOptions {
  seed: number;
  /** false: totals only, no per-step series (long validation runs, big sweeps). */
  series?: boolean;
  clientRttMs?: number;
  /**
   * The client's request path measured on this machine (`calibrateClientPath`), ms per request:
   * each response's round trip is drawn from these instead of the flat `clientRttMs`, so the
   * client latency percentiles are predicted rather than passed by slack.
   */
  clientRttSamplesMs?: readonly number[];
  drainLimitMs?: number;
  /**
   * The ideal world of the conformance suite (test/conformance): every ESM dispatch at the instant
   * of its receive and every mapping's one-second controller aligned to the load's start, as the
   * emulator's models see it on a manual clock. Default false: dispatches take `esmDispatchMs`
   * and each mapping's controller runs at a phase drawn per seed (rules/esm-poller.ts).
   */
  idealEsmTiming?: boolean;
}

export interface SingleRunResult {
  series: SeriesFile;
  totals: SimulationTotals;
  warnings: string[];
  /** Events processed (for the benchmark). */
  events: number;
}

const ORIGIN_CLIENT = 0;
const ORIGIN_ASYNC = 1;
const ORIGIN_ESM = 2;


/** Index of the earliest time (the first of equals), or -1 when every one is Infinity. */
function earliest(times: Float64Array): number {
  let best = Infinity;
  let at = -1;
  for (let k = 0; k < times.length; k++) {
    const x = times[k]!;
    if (x < best) {
      best = x;
      at = k;
    }
  }
  return at;
}

const F_ERROR = 1;
const F_PROVISIONED = 2;
const F_TIMEOUT = 4;

export class Simulation {
  readonly exp: ResolvedExperiment;
  readonly warnings: string[] = [];
  private readonly q = new EventQueue(4096);
  private readonly rng: Rng;
  readonly seed: number;
  private readonly rttMs: number;
  private readonly idealEsmTiming: boolean;
  /** Dispatch hops and controller phases of the event source mappings (their own stream, so adding them moves no other draw). */
  private readonly esmRng: Rng;
  private readonly rttSamples: Float64Array | null;
  /** Its own stream, so a calibrated client path leaves every other draw of a seed unchanged. */
  private readonly rttRng: Rng;
  private readonly collectSeries: boolean;
  private readonly drainLimitMs: number;
  readonly loadEndMs: number;
  readonly account: AccountModel;
  readonly functions: FunctionModel[] = [];
  readonly queues: QueueModel[] = [];
  readonly mappings: MappingModel[] = [];
  readonly scenarios: ScenarioModel[] = [];
  private readonly faults: ResolvedFault[];
  private faultTimeline!: FaultTimeline;
  private readonly store = new MessageStore();
  private esm!: MappingDriver;
  private readonly fnByName = new Map<string, FunctionModel>();
  private readonly queueByName = new Map<string, QueueModel>();
  private readonly mappingById = new Map<string, MappingModel>();
  private readonly mappingsByQueue: MappingModel[][] = [];

  // Invocation pool.
  private readonly invFn: number[] = [];
  private readonly invOrigin: number[] = [];
  private readonly invOriginId: number[] = [];
  private readonly invFlags: number[] = [];
  private readonly invDuration: number[] = [];
  /** A function fault's status override of a successful response (0: none). */
  private readonly invStatus: number[] = [];
  private readonly invIds = new SlotIds([this.invFn, this.invOrigin, this.invOriginId, this.invFlags, this.invDuration, this.invStatus]);
  // Client request pool (sync invokes with SDK-like retries).
  private readonly reqScenario: number[] = [];
  private readonly reqVu: number[] = [];
  private readonly reqAttempt: number[] = [];
  private readonly reqStart: number[] = [];
  private readonly reqIds = new SlotIds([this.reqScenario, this.reqVu, this.reqAttempt, this.reqStart]);
  private requestsInFlight = 0;
  // Async event pool.
  private readonly asFn: number[] = [];
  private readonly asEnqueued: number[] = [];
  private readonly asAttempts: number[] = [];
  private readonly asThrottles: number[] = [];
  private readonly asIds = new SlotIds([this.asFn, this.asEnqueued, this.asAttempts, this.asThrottles]);
  private asyncPending = 0;

  private aggregator!: StepAggregator;
  /** Next arrival time of each open-loop scenario (Infinity for closed loops and when done). */
  private nextArrival: Float64Array = new Float64Array(0);
  private readonly queueDrainedAt: Array<number | null> = [];
  events = 0;
  simulatedMs = 0;
  /**
   * The time of the event being handled, set by the loop before each one: the hot handlers read
   * it here rather than as an argument (a double passed to a call that is not inlined is boxed,
   * millions of times an hour).
   */
  private now = 0;

  constructor(exp: ResolvedExperiment, opts: SimulationOptions) {
    this.exp = exp;
    this.seed = opts.seed;
    this.rng = createRng(opts.seed);
    this.rttMs = opts.clientRttMs ?? SIMULATOR_DEFAULTS.clientRttMs;
    if (!(this.rttMs > 0)) throw new SquallError('simulate: clientRttMs must be > 0', { exitCode: EXIT.invalidInput, hint: 'A zero round trip lets a closed-loop VU spin forever at one instant.' });
    const samples = opts.clientRttSamplesMs?.filter((x) => Number.isFinite(x) && x > 0) ?? [];
    this.rttSamples = samples.length ? Float64Array.from(samples) : null;
    this.rttRng = createRng((opts.seed ^ 0x5bd1e995) >>> 0);
    this.idealEsmTiming = opts.idealEsmTiming ?? false;
    this.esmRng = this.rng.fork('esm-timing');
    this.drainLimitMs = opts.drainLimitMs ?? SIMULATOR_DEFAULTS.drainLimitMs;
    this.collectSeries = opts.series ?? true;
    this.loadEndMs = exp.load.durationMs;
    this.account = new AccountModel(exp.system.account);
    this.faults = exp.chaos.faults;
    this.build();
  }

  // -------------------------------------------------------------------------------------------
  // Construction

  private build(): void {
    const sys = this.exp.system;
    for (const def of Object.values(sys.functions)) {
      let dist: DurationDistribution;
      if (def.synthetic) dist = def.synthetic.duration;
      else if (def.calibrated) dist = def.calibrated;
      else {
        dist = SIMULATOR_DEFAULTS.uncalibratedHandlerDuration;
        this.warn(
          `function "${def.name}" runs a handler that has not been calibrated; the simulator assumes a lognormal duration (p50 100 ms, p99 1,000 ms). Run 'squall calibrate' for a measured distribution.`,
        );
      }
      const fn = new FunctionModel(this.functions.length, def, dist, this.account, this.rng.fork(`function:${def.name}`));
      this.functions.push(fn);
      this.fnByName.set(def.name, fn);
      if (def.synthetic === null && def.handler && sys.eventSources.some((e) => e.function === def.name))
        this.warn(`function "${def.name}" is a handler: the simulator cannot know which messages it fails on, so poison messages are processed like any other.`);
    }
    const reserved = this.account.reservedSum;
    if (reserved > this.account.limit - LAMBDA.unreservedConcurrencyMinimum)
      this.warn(`reserved concurrency (${reserved}) leaves less than ${LAMBDA.unreservedConcurrencyMinimum} unreserved; AWS would refuse this configuration (fact sheet §1.1).`);
    for (const def of Object.values(sys.queues)) {
      const q = new QueueModel(this.queues.length, def, this.store);
      this.queues.push(q);
      this.queueByName.set(def.name, q);
      this.mappingsByQueue.push([]);
      this.queueDrainedAt.push(null);
      if (def.fifo) this.warn(`queue "${def.name}" is FIFO: the simulator models it as a standard queue (no message-group ordering).`);
    }
    for (const q of this.queues) {
      const r = q.def.redrive;
      if (r) q.dlq = this.needQueue(r.deadLetterQueue, `queue ${q.name} redrive`);
      q.onVisible = (now) => {
        const ms = this.mappingsByQueue[q.index]!;
        for (let i = 0; i < ms.length; i++) this.esm.tryPoll(ms[i]!, now);
      };
    }
    this.esm = new MappingDriver(this.mappings, this.store, {
      agenda: this.q,
      invoke: (fn, batch, forcedError) => this.startInvocation(fn, ORIGIN_ESM, batch, forcedError),
      dispatchDelayMs: () => (this.idealEsmTiming ? 0 : this.esmRng.next() * 2 * SIMULATOR_DEFAULTS.esmDispatchMs),
    });
    for (const def of sys.eventSources) {
      const q = this.needQueue(def.queue, `event source ${def.id}`);
      const fn = this.needFunction(def.function, `event source ${def.id}`);
      const m = new MappingModel(this.mappings.length, def, q, fn);
      m.spawn();
      this.mappings.push(m);
      this.mappingById.set(def.id, m);
      this.mappingsByQueue[q.index]!.push(m);
    }
    for (const def of Object.values(this.exp.load.scenarios)) {
      let kind: IterationKind;
      let target: number;
      if (def.template === 'http') {
        if (!('function' in def.url)) {
          this.warn(`scenario "${def.name}" calls a literal URL the simulator cannot model; it is left out of the prediction.`);
          continue;
        }
        kind = 'sync';
        target = this.needFunction(def.url.function, `scenario ${def.name}`).index;
      } else if (def.template === 'lambda-invoke') {
        kind = def.invocationType === 'Event' ? 'async' : 'sync';
        target = this.needFunction(def.function, `scenario ${def.name}`).index;
      } else if (def.template === 'sqs-producer') {
        kind = 'sqs';
        target = this.needQueue(def.queue, `scenario ${def.name}`).index;
      } else {
        this.warn(`scenario "${def.name}" uses a custom template the simulator cannot model; it is left out of the prediction.`);
        continue;
      }
      if (def.arrival === 'poisson' && def.executor !== 'constant-arrival-rate' && def.executor !== 'ramping-arrival-rate')
        this.warn(`scenario "${def.name}": arrival 'poisson' applies to arrival-rate executors only; ${def.executor} keeps its closed loop.`);
      this.scenarios.push(new ScenarioModel(this.scenarios.length, def, kind, target, this.rng.fork(`scenario:${def.name}`)));
    }
    for (const f of this.faults) this.checkFault(f);
    this.faultTimeline = new FaultTimeline(this.faults, this.loadEndMs, {
      fn: (name) => this.fnByName.get(name)!,
      mapping: (id) => this.mappingById.get(id)!,
      setMappingEnabled: (m, enabled, now) => this.esm.setMappingEnabled(m, enabled, now),
      repoll: (m, now) => {
        m.spawn();
        this.esm.tryPoll(m, now);
      },
      sendPoison: (queue, kind, now) => {
        const q = this.queueByName.get(queue)!;
        if (q.send(now, 1, kind, 1)) this.q.push(now + q.delayMs, E_SQS_PROMOTE, q.index, 0);
      },
      schedulePoison: (t, i, k) => this.q.push(t, E_POISON, i, k),
    });
    this.aggregator = new StepAggregator(this.scenarios, this.functions, this.queues, this.mappings, this.collectSeries, SIMULATOR_DEFAULTS.stepMs);
    this.scheduleStart();
  }

  private needFunction(name: string, where: string): FunctionModel {
    const fn = this.fnByName.get(name);
    if (!fn) throw new SquallError(`${where}: function "${name}" is not in system.functions`, { exitCode: EXIT.invalidInput, hint: `Define it under system.functions or fix the name.` });
    return fn;
  }

  private needQueue(name: string, where: string): QueueModel {
    const q = this.queueByName.get(name);
    if (!q) throw new SquallError(`${where}: queue "${name}" is not in system.queues`, { exitCode: EXIT.invalidInput, hint: `Define it under system.queues or fix the name.` });
    return q;
  }

  private needMapping(id: string, where: string): MappingModel {
    const m = this.mappingById.get(id);
    if (!m) throw new SquallError(`${where}: event source "${id}" is not in system.eventSources`, { exitCode: EXIT.invalidInput, hint: `Event source ids are "<queue>-><function>".` });
    return m;
  }

  private checkFault(f: ResolvedFault): void {
    const where = `chaos.faults[${f.id}] (${f.action})`;
    if ('function' in f) this.needFunction(f.function, where);
    if ('eventSource' in f) this.needMapping(f.eventSource, where);
    if ('queue' in f) this.needQueue(f.queue, where);
  }

  private warn(msg: string): void {
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  private scheduleStart(): void {
    const q = this.q;
    this.nextArrival = new Float64Array(this.scenarios.length).fill(Infinity);
    // Faults first: at equal times the fault applies before the load's request (ties pop in insertion order).
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i]!;
      q.push(f.atMs, E_FAULT, i, 0);
      const end = f.forMs === null ? this.loadEndMs : f.atMs + f.forMs;
      if (f.action !== 'inject-poison') q.push(Math.max(end, f.atMs), E_FAULT, i, 1);
    }
    for (const sc of this.scenarios) {
      if (sc.open) {
        const first = sc.schedule!.next();
        this.nextArrival[sc.index] = Number.isFinite(first) ? sc.startMs + first : Infinity;
      } else {
        for (let k = 0; k < sc.plan.length; k++) q.push(sc.startMs + sc.plan[k]!.atMs, E_VU_PLAN, sc.index, k);
      }
      q.push(sc.endMs, E_SCENARIO_END, sc.index, 0);
    }
    // A mapping's controller keeps its own one-second clock, started when the mapping was created,
    // not when the load starts: its phase is unknown, so each seed draws one (rules/esm-poller.ts).
    for (const m of this.mappings) q.push(this.idealEsmTiming ? 1000 : 1000 * (1 - this.esmRng.next()), E_ESM_TICK, m.index, 0);
    q.push(this.loadEndMs, E_LOAD_END, 0, 0);
  }

  // -------------------------------------------------------------------------------------------
  // The loop

  run(): SingleRunResult {
    const stepMs = SIMULATOR_DEFAULTS.stepMs;
    const horizon = this.loadEndMs + this.drainLimitMs;
    let nextStep = stepMs;
    for (;;) {
      this.runUntil(nextStep);
      this.flush(nextStep);
      if (nextStep >= this.loadEndMs && (nextStep >= horizon || this.isIdle())) break;
      nextStep += stepMs;
    }
    this.simulatedMs = nextStep;
    return { series: this.aggregator.seriesFile(), totals: buildTotals(this, this.seed), warnings: [...this.warnings], events: this.events };
  }

  /**
   * Handle every event before `stepEnd`, in time order. One call per step (rather than one loop
   * over the whole run, which only ever ran as on-stack-replaced code) keeps the loop's times
   * unboxed.
   */
  private runUntil(stepEnd: number): void {
    const q = this.q;
    const horizon = this.loadEndMs + this.drainLimitMs;
    const arrivals = this.nextArrival;
    let events = this.events;
    // Open-loop arrivals wait outside the heap (one per scenario); at equal times heap events go
    // first. The earliest (ta, scenario si) changes only when an arrival is taken (onArrival).
    let si = earliest(arrivals);
    let ta = si < 0 ? Infinity : arrivals[si]!;
    for (;;) {
      // (ready() then nextTime() is peekTime() without a boxed double per event.)
      q.ready();
      const t = q.nextTime();
      if (ta < t) {
        if (ta >= stepEnd) break;
        events++;
        this.now = ta;
        this.onArrival(this.scenarios[si]!);
        si = earliest(arrivals);
        ta = si < 0 ? Infinity : arrivals[si]!;
        continue;
      }
      if (t >= stepEnd) break;
      q.pop();
      events++;
      const now = q.t;
      this.now = now;
      const a = q.a;
      switch (q.type) {
        case E_INVOKE_DONE:
          this.invocationDone(a);
          break;
        case E_INIT_DONE:
          q.push(now + this.invDuration[a]!, E_INVOKE_DONE, a, 0);
          break;
        case E_VU_START: {
          const sc = this.scenarios[a]!;
          if (sc.takeIteration(q.b, now)) this.startIteration(sc, q.b);
          else sc.vuRunning[q.b] = 0;
          break;
        }
        case E_CLIENT_RETRY:
          this.attempt(a);
          break;
        case E_ASYNC_ATTEMPT:
          this.asyncAttempt(a, now);
          break;
        case E_SQS_PROMOTE:
          this.queues[a]!.promote(now);
          break;
        case E_SQS_VT:
          this.esm.onVisibilityTimeouts(this.queues[a]!, now);
          break;
        case E_ESM_TICK: {
          const m = this.mappings[a]!;
          // The next second is booked first, as the emulator's timer is: at an equal instant the
          // tick goes before the retries and polls this one starts.
          if (now + 1000 <= horizon) q.push(now + 1000, E_ESM_TICK, a, 0);
          m.tick();
          // A surplus poller already in its long poll takes what the poll returns and ends when it
          // next polls (rules/esm-poller.ts), as the emulator's does.
          this.esm.tryPoll(m, now);
          break;
        }
        case E_ESM_WINDOW: {
          this.esm.onWindowEnd(a, q.b, now);
          break;
        }
        case E_ESM_WAKE:
          this.esm.onPollerWake(this.mappings[a]!, q.b, now);
          break;
        case E_ESM_DISPATCH:
        case E_ESM_RETRY:
          this.esm.onAttemptDue(a, now);
          break;
        case E_VU_PLAN:
          this.onVuPlan(this.scenarios[a]!, q.b, now);
          break;
        case E_FAULT:
          if (q.b === 0) this.faultTimeline.apply(a, now);
          else this.faultTimeline.restore(a, now);
          break;
        case E_POISON:
          this.faultTimeline.poison(a, q.b, now);
          break;
        case E_SCENARIO_END: {
          const sc = this.scenarios[a]!;
          const n = sc.unstartedIterations();
          sc.t.droppedIterations += n;
          sc.sDropped += n;
          break;
        }
        case E_LOAD_END:
          this.endLoad(now);
          break;
      }
    }
    this.events = events;
  }

  private loadEnded = false;

  /** Freeze the load-window averages; queues already empty have drained at once. */
  private endLoad(now: number): void {
    if (this.loadEnded) return;
    this.loadEnded = true;
    for (const fn of this.functions) fn.snapshotIntegrals(now);
    for (let i = 0; i < this.queues.length; i++) if (this.queues[i]!.backlog === 0) this.queueDrainedAt[i] = now;
  }

  private isIdle(): boolean {
    if (this.requestsInFlight > 0 || this.asyncPending > 0) return false;
    for (const fn of this.functions) if (fn.busy > 0) return false;
    // Queues nothing consumes (a DLQ, a destination) only hold messages; they never "drain".
    for (const q of this.queues) if (q.backlog > 0 && this.mappingsByQueue[q.index]!.length > 0) return false;
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Invocations

  /** Admit and start one invocation; returns its id, or the (negative) throttle code. */
  private startInvocation(fn: FunctionModel, origin: number, originId: number, forcedError: boolean): number {
    const now = this.now;
    const code = fn.acquire(now);
    if (code < 0) {
      fn.recordThrottle(code);
      return code;
    }
    const t = fn.t;
    const cold = code === ACQ_COLD;
    this.draw(fn, cold, code === ACQ_PROVISIONED ? F_PROVISIONED : 0, forcedError);
    const initMs = this.drawnInitMs;
    const d = this.drawnMs;
    const flags = this.drawnFlags;
    if (cold) {
      t.coldStarts++;
      fn.sColdStarts++;
    }
    t.invocations++;
    fn.sInvocations++;
    // INIT is billed for on-demand ZIP/managed-runtime functions since 2025-08-01 (§1.6).
    // Billed duration rounded up to 1 ms (§1.6), by the one rule pricing.ts uses too.
    if (flags & F_PROVISIONED) {
      t.provisionedInvocations++;
      t.provisionedGbSeconds += fn.gbPerMs * billedDurationMs(d);
    } else t.gbSeconds += fn.gbPerMs * billedDurationMs(d + initMs);
    const id = this.invIds.take();
    this.invFn[id] = fn.index;
    this.invOrigin[id] = origin;
    this.invOriginId[id] = originId;
    this.invFlags[id] = flags;
    this.invDuration[id] = d;
    this.invStatus[id] = this.drawnStatus;
    // A cold start's INIT is booked as its own step, then the invoke (as the emulator's runtime
    // does): at an instant where they tie, events booked meanwhile keep their place.
    if (initMs > 0) this.q.push(now + initMs, E_INIT_DONE, id, 0);
    else this.q.push(now + d, E_INVOKE_DONE, id, 0);
    return id;
  }

  // The last draw(), read right after it: fields rather than a returned number, so no double is
  // boxed between the two, and each of the two functions has its own inlining budget.
  private drawnInitMs = 0;
  private drawnMs = 0;
  private drawnFlags = 0;
  private drawnStatus = 0;

  /** One invocation's random part, in the stream's order: INIT (cold), duration, function faults, error. */
  private draw(fn: FunctionModel, cold: boolean, flags: number, forcedError: boolean): void {
    const initMs = cold ? fn.sampleInit(fn.rng) : 0;
    let d = fn.sampleDuration(fn.rng);
    let status = 0;
    if (fn.faults.active) {
      // As lambda-faults does: the latency first (it counts against the timeout), then the error
      // before or after the handler, or a status override of a successful response.
      const ff = fn.faults;
      ff.decide(fn.rng);
      if (ff.error === ERROR_BEFORE) d = ff.latencyMs;
      else d += ff.latencyMs;
      if (ff.error !== ERROR_NONE) flags |= F_ERROR;
      else status = ff.status;
    }
    // As the emulator's runtimes: a handler that needs its whole timeout or more is stopped at it.
    if (d >= fn.timeoutMs) {
      d = fn.timeoutMs;
      flags |= F_ERROR | F_TIMEOUT;
    } else if ((flags & F_ERROR) === 0 && (forcedError || (fn.errorRate > 0 && fn.rng.next() < fn.errorRate))) flags |= F_ERROR;
    this.drawnInitMs = initMs;
    this.drawnMs = d;
    this.drawnFlags = flags;
    this.drawnStatus = status;
  }

  private invocationDone(id: number): void {
    const now = this.now;
    const fn = this.functions[this.invFn[id]!]!;
    const flags = this.invFlags[id]!;
    const originId = this.invOriginId[id]!;
    const origin = this.invOrigin[id]!;
    this.invIds.give(id);
    fn.release(now, (flags & F_PROVISIONED) !== 0, (flags & F_TIMEOUT) !== 0);
    const error = (flags & F_ERROR) !== 0;
    // Like CloudWatch and the emulator: errors and durations are counted when the invocation ends.
    const d = this.invDuration[id]!;
    fn.stepDurations.record(d);
    if (error) {
      fn.t.errors++;
      fn.sErrors++;
      if (flags & F_TIMEOUT) fn.t.timeouts++;
    }
    if (origin === ORIGIN_CLIENT) this.onSyncDone(originId, error, this.invStatus[id]!);
    else if (origin === ORIGIN_ASYNC) this.onAsyncDone(originId, now, error);
    else this.esm.onBatchDone(originId, now, error);
  }

  // -------------------------------------------------------------------------------------------
  // Load: scenarios and client requests

  private onArrival(sc: ScenarioModel): void {
    if (sc.vusBusy < sc.vusAllocated) {
      sc.vusBusy++;
      this.startIteration(sc, -1);
    } else {
      // k6: a tick without a free VU is dropped, never retried; one more VU is initialised if maxVUs allows (§4.2).
      sc.t.droppedIterations++;
      sc.sDropped++;
      if (sc.vusAllocated < sc.maxVUs) sc.vusAllocated++;
    }
    const next = sc.schedule!.next();
    this.nextArrival[sc.index] = Number.isFinite(next) ? sc.startMs + next : Infinity;
  }

  private onVuPlan(sc: ScenarioModel, k: number, now: number): void {
    const vus = sc.plan[k]!.vus;
    // VUs ramped down may finish their iteration within gracefulRampDown, then k6 interrupts them (§4.2).
    const grace = sc.def.executor === 'ramping-vus' ? sc.def.gracefulRampDownMs : Infinity;
    for (let v = vus; v < sc.activeVUs; v++) sc.vuDeadline[v] = now + grace;
    sc.activeVUs = vus;
    for (let v = 0; v < vus; v++) {
      sc.vuDeadline[v] = Infinity;
      if (sc.vuRunning[v] === 0) {
        sc.vuRunning[v] = 1;
        this.q.push(now, E_VU_START, sc.index, v);
      }
    }
  }

  /** k6 interrupted the iteration (end + gracefulStop, or a ramped-down VU past gracefulRampDown): no samples. */
  private interrupted(sc: ScenarioModel, vu: number, now: number): boolean {
    return now > sc.hardStopMs || (vu >= 0 && !sc.open && now > sc.vuDeadline[vu]!);
  }

  private startIteration(sc: ScenarioModel, vu: number): void {
    const now = this.now;
    switch (sc.kind) {
      case 'sync': {
        const r = this.reqIds.take();
        this.reqScenario[r] = sc.index;
        this.reqVu[r] = vu;
        this.reqAttempt[r] = 1;
        this.requestsInFlight++;
        this.attempt(r);
        return;
      }
      case 'async':
        this.asyncInvoke(this.functions[sc.target]!, now);
        sc.recordResponse(202, this.clientRtt());
        this.iterationEnd(sc, vu);
        return;
      case 'sqs': {
        const queue = this.queues[sc.target]!;
        // The k6 side chooses poison with a deterministic accumulator (k6-scripts/poison.js poisonChooser).
        let poison = 0;
        if (sc.poisonRatio > 0)
          for (let i = 0; i < sc.sqsBatch; i++) {
            sc.poisonAcc += sc.poisonRatio;
            if (sc.poisonAcc >= 1 - 1e-9) {
              sc.poisonAcc -= 1;
              poison++;
            }
          }
        if (queue.send(now, sc.sqsBatch, sc.poisonKind, poison)) this.q.push(now + queue.delayMs, E_SQS_PROMOTE, queue.index, 0);
        // One SendMessageBatch call per 10 entries (§4; k6-scripts/producer.js packBatches).
        for (let sent = 0; sent < sc.sqsBatch; sent += SQS.batchMaxEntries) sc.recordResponse(200, this.clientRtt());
        this.iterationEnd(sc, vu);
        return;
      }
    }
  }

  /** One attempt of a synchronous request; a 429 is retried like the AWS SDK's standard mode (full jitter). */
  private attempt(r: number): void {
    const now = this.now;
    const sc = this.scenarios[this.reqScenario[r]!]!;
    if (this.endedByInterrupt(sc, r, now)) return;
    this.reqStart[r] = now;
    const id = this.startInvocation(this.functions[sc.target]!, ORIGIN_CLIENT, r, false);
    if (id >= 0) return;
    sc.recordResponse(429, this.clientRtt());
    if (this.retry429(sc, r, now)) return;
    this.requestDone(sc, r);
  }

  /** A request of an iteration k6 interrupted (end + gracefulStop, a ramped-down VU) ends with no sample (§4.1); true when it did. */
  private endedByInterrupt(sc: ScenarioModel, r: number, now: number): boolean {
    if (!this.interrupted(sc, this.reqVu[r]!, now)) return false;
    this.requestsInFlight--;
    this.reqIds.give(r);
    if (sc.open) sc.vusBusy--;
    return true;
  }

  /** The request's last response arrived: its iteration ends. */
  private requestDone(sc: ScenarioModel, r: number): void {
    this.requestsInFlight--;
    this.reqIds.give(r);
    this.iterationEnd(sc, this.reqVu[r]!);
  }

  /** A 429 with attempts left is retried, as the SDK (and k6-scripts/retry.js) does; false when none are left. */
  private retry429(sc: ScenarioModel, r: number, now: number): boolean {
    const n = this.reqAttempt[r]!;
    if (n >= sc.retryAttempts) return false;
    // Full jitter, cap = min(20 s, 500 ms · 2^attempt), exactly as k6-scripts/retry.js backoffSeconds.
    const cap = Math.min(SDK_RETRY.maxDelayMs, SDK_RETRY.throttlingBaseDelayMs * 2 ** n);
    this.reqAttempt[r] = n + 1;
    this.q.push(now + this.rttMs + sc.rng.next() * cap, E_CLIENT_RETRY, r, 0);
    return true;
  }

  private onSyncDone(r: number, error: boolean, overrideStatus: number): void {
    const now = this.now;
    const sc = this.scenarios[this.reqScenario[r]!]!;
    if (this.endedByInterrupt(sc, r, now)) return;
    // A status override reaches the client through a function URL only (Invoke answers 200 with the payload).
    const status = error ? sc.errorStatus : overrideStatus !== 0 && sc.def.template === 'http' ? overrideStatus : 200;
    sc.recordResponse(status, now - this.reqStart[r]! + this.clientRtt());
    if (status === 429 && !error && this.retry429(sc, r, now)) return;
    this.requestDone(sc, r);
  }

  /** The client's part of one response's latency: a calibrated draw, or the flat default. */
  private clientRtt(): number {
    const xs = this.rttSamples;
    return xs ? xs[Math.floor(this.rttRng.next() * xs.length)]! : this.rttMs;
  }

  private iterationEnd(sc: ScenarioModel, vu: number): void {
    sc.t.iterations++;
    sc.sIterations++;
    if (sc.open) {
      sc.vusBusy--;
      return;
    }
    this.q.push(this.now + this.rttMs + sc.def.thinkTimeMs, E_VU_START, sc.index, vu);
  }

  // -------------------------------------------------------------------------------------------
  // Asynchronous invocation (§2)

  private asyncInvoke(fn: FunctionModel, now: number): void {
    fn.t.asyncEvents++;
    fn.sAsyncEvents++;
    if (fn.reserved === 0) {
      // Reserved = 0: straight to the on-failure destination, condition ZeroReservedConcurrency (§1.2);
      // not counted as a throttle (no invoke was attempted), as in the emulator.
      this.asyncFail(fn, now);
      return;
    }
    const id = this.asIds.take();
    this.asFn[id] = fn.index;
    this.asEnqueued[id] = now;
    this.asAttempts[id] = 0;
    this.asThrottles[id] = 0;
    this.asyncPending++;
    this.asyncAttempt(id, now);
  }

  private asyncAttempt(id: number, now: number): void {
    const fn = this.functions[this.asFn[id]!]!;
    if (fn.reserved === 0) {
      this.asyncFinish(id, now, true);
      return;
    }
    const inv = this.startInvocation(fn, ORIGIN_ASYNC, id, false);
    if (inv >= 0) return;
    // Throttles: back to the queue, 1 s doubling to 5 min, not consuming MaximumRetryAttempts (§2).
    const n = this.asThrottles[id]!;
    this.asThrottles[id] = n + 1;
    this.asyncRetry(id, fn, now, throttleRetryDelayMs(n + 1));
  }

  private asyncRetry(id: number, fn: FunctionModel, now: number, delayMs: number): void {
    // Event-age check looks ahead like LocalStack's event manager (§2).
    if (!retryWithinEventAge(now - this.asEnqueued[id]!, delayMs, fn.def.async.maximumEventAgeSeconds)) {
      this.asyncFinish(id, now, true);
      return;
    }
    fn.t.asyncRetries++;
    fn.sAsyncRetries++;
    this.q.push(now + delayMs, E_ASYNC_ATTEMPT, id, 0);
  }

  private onAsyncDone(id: number, now: number, error: boolean): void {
    const fn = this.functions[this.asFn[id]!]!;
    const attempts = this.asAttempts[id]! + 1;
    this.asAttempts[id] = attempts;
    if (!error) {
      this.asyncFinish(id, now, false);
      return;
    }
    const cfg = fn.def.async;
    const delayMs = errorRetryDelayMs(attempts, cfg.maximumRetryAttempts, cfg.retryDelaysSeconds);
    if (delayMs !== null) this.asyncRetry(id, fn, now, delayMs);
    else this.asyncFinish(id, now, true);
  }

  private asyncFinish(id: number, now: number, failed: boolean): void {
    const fn = this.functions[this.asFn[id]!]!;
    this.asyncPending--;
    this.asIds.give(id);
    if (failed) this.asyncFail(fn, now);
  }

  private asyncFail(fn: FunctionModel, now: number): void {
    fn.t.asyncDropped++;
    fn.sAsyncDropped++;
    const dest = fn.def.async.onFailure;
    if (dest !== null) {
      const q = this.queueByName.get(dest);
      if (q && q.send(now, 1, POISON_NONE, 0)) this.q.push(now + q.delayMs, E_SQS_PROMOTE, q.index, 0);
    }
  }



  // -------------------------------------------------------------------------------------------
  // Series

  private flush(stepEnd: number): void {
    // A load ending exactly on a step boundary ends before that boundary's events run.
    if (stepEnd >= this.loadEndMs) this.endLoad(this.loadEndMs);
    for (const fn of this.functions) fn.expire(stepEnd);
    this.aggregator.flush(stepEnd);
    if (stepEnd >= this.loadEndMs) {
      for (let i = 0; i < this.queues.length; i++) {
        if (this.queueDrainedAt[i] === null && this.queues[i]!.backlog === 0) this.queueDrainedAt[i] = stepEnd;
      }
    }
  }

  /** When a consumed queue was first empty at or after the end of the load; null for queues nothing consumes. */
  drainedAt(queueIndex: number): number | null {
    if (this.mappingsByQueue[queueIndex]!.length === 0) return null;
    return this.queueDrainedAt[queueIndex] ?? null;
  }
}
