/**
 * Stop conditions (`chaos.stopConditions`): the experiment's brakes, evaluated live once a second
 * on the same series names the comparison uses — client series from the load's live points,
 * system series from the target — plus k6 thresholds with `abortOnFail`, which the load generator
 * enforces itself and squall only has to notice. The first condition that holds fires once; the
 * caller restores every fault and stops or keeps the load. Evaluation is pure over series files
 * (tests hand in made-up series); the watcher only schedules reads and remembers what fired.
 */
import type { Clock, TimerHandle } from '../contracts/clock.ts';
import { SERIES, isSeriesName, seriesKey, type Series, type SeriesFile } from '../contracts/series.ts';
import type { StopCondition } from '../experiment/types.ts';

/** What `comparison.json` (`stoppedBy`), the journal and the summary say about a fired condition. */
export interface StopFired {
  /** Index in `chaos.stopConditions`; null for a k6 threshold with abortOnFail. */
  index: number | null;
  /** The condition as a person reads it, e.g. `sum(lambda.throttles{function=api}) over 5s > 20`. */
  condition: string;
  /** When it fired, on the load's clock (ms since the load started). */
  atMs: number;
  /** When it fired, wall clock (ISO 8601), to line up with the journal. */
  at: string;
  /** The aggregated value that crossed the bound; null when the load generator did not say. */
  value: number | null;
  then: 'stop-load' | 'continue';
}

export function describeStopCondition(c: StopCondition): string {
  return `${c.aggregate}(${seriesKey(c.series, c.labels)}) over ${c.windowMs / 1000}s ${c.op} ${c.value}`;
}

/** Series whose values come from the load generator (k6 points); the rest come from the target. */
export function isClientSeries(name: string): boolean {
  return name.startsWith('http.') || name.startsWith('k6.');
}

function holds(v: number, op: StopCondition['op'], bound: number): boolean {
  switch (op) {
    case '>':
      return v > bound;
    case '>=':
      return v >= bound;
    case '<':
      return v < bound;
    case '<=':
      return v <= bound;
  }
}

/**
 * The condition's aggregate over the trailing window ending at `nowEpochMs`: the current
 * (partial) step and the whole steps before it, never more than the window — so a condition never
 * fires on data older than its window. Several series matching the labels are combined per step
 * the way the comparison combines them: summed, except peaks and percentiles (the largest). Steps
 * are counted back from each file's current step, so files whose grids differ by a fraction of a
 * step still combine step by step. Null when no series matches or the window holds no data.
 */
export function conditionValue(c: StopCondition, files: readonly SeriesFile[], nowEpochMs: number): number | null {
  const def = isSeriesName(c.series) ? SERIES[c.series] : undefined;
  const peak = def?.kind === 'max' || def?.kind === 'percentile';
  const back: Array<number | null> = [];
  let matched = false;
  for (const f of files) {
    const current = Math.floor((nowEpochMs - f.startMs) / f.stepMs);
    const width = Math.max(1, Math.ceil(c.windowMs / f.stepMs));
    for (const s of f.series) {
      if (!matches(s, c)) continue;
      matched = true;
      for (let k = 0; k < width; k++) {
        const i = current - k;
        if (i < 0) break;
        const v = s.values[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const prev = back[k];
        back[k] = prev === undefined || prev === null ? v : peak ? Math.max(prev, v) : prev + v;
      }
    }
  }
  if (!matched) return null;
  const present: number[] = [];
  for (const v of back) if (typeof v === 'number') present.push(v);
  if (present.length === 0) return c.aggregate === 'sum' ? 0 : null;
  switch (c.aggregate) {
    case 'sum':
      return present.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...present);
    case 'last':
      // back[0] is the newest step; `present` keeps that order.
      return present[0]!;
  }
}

function matches(s: Series, c: StopCondition): boolean {
  if (s.name !== c.series) return false;
  for (const [k, v] of Object.entries(c.labels)) if (s.labels[k] !== v) return false;
  return true;
}

/** The first condition (in file order) that holds now, or null. */
export function firstHolding(conditions: readonly StopCondition[], files: readonly SeriesFile[], nowEpochMs: number): { index: number; value: number } | null {
  for (let i = 0; i < conditions.length; i++) {
    const c = conditions[i]!;
    const v = conditionValue(c, files, nowEpochMs);
    if (v !== null && holds(v, c.op, c.value)) return { index: i, value: v };
  }
  return null;
}

/** Something that can say, right now, what a part of the system has done so far. */
export interface LiveSeriesSource {
  readonly name: string;
  /** Series so far (null when nothing is there yet); may throw, the watcher logs and goes on. */
  read(): Promise<SeriesFile | null>;
}

export interface StopWatcherOptions {
  conditions: readonly StopCondition[];
  sources: readonly LiveSeriesSource[];
  clock: Clock;
  /** Called once, when the first condition fires; the watcher awaits it (see `settled`). */
  onFire: (fired: StopFired) => Promise<void> | void;
  /** Non-fatal trouble reading a source (logged once per source). */
  onWarning?: (message: string) => void;
  /** Default 1000: AWS's and the emulator's metrics have one-second steps. */
  intervalMs?: number;
}

/**
 * Evaluates the conditions once per interval after `start(loadStartEpochMs)`. One evaluation at a
 * time: a slow source delays the next tick rather than piling reads up.
 */
export class StopConditionWatcher {
  private timer: TimerHandle | undefined;
  private loadStartEpochMs = 0;
  private running = false;
  private stopped = false;
  private handled: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();
  fired: StopFired | null = null;

  constructor(private readonly o: StopWatcherOptions) {}

  start(loadStartEpochMs: number): void {
    this.loadStartEpochMs = loadStartEpochMs;
    if (this.o.conditions.length === 0 || this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.running = false;
    if (this.timer) this.o.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Resolves when the reaction to a fired condition (restore, stop the load) has finished. */
  settled(): Promise<void> {
    return this.handled;
  }

  /** One evaluation now (the timer calls this; tests may too). */
  async tick(): Promise<StopFired | null> {
    if (this.fired || this.stopped) return null;
    const files: SeriesFile[] = [];
    await Promise.all(
      this.o.sources.map(async (s) => {
        try {
          const f = await s.read();
          if (f) files.push(f);
        } catch (e) {
          if (!this.warned.has(s.name)) {
            this.warned.add(s.name);
            this.o.onWarning?.(`stop conditions: cannot read ${s.name} (${e instanceof Error ? e.message : String(e)}); retrying every second`);
          }
        }
      }),
    );
    if (this.fired || this.stopped) return null;
    const now = this.o.clock.epochMs();
    const hit = firstHolding(this.o.conditions, files, now);
    if (!hit) return null;
    const c = this.o.conditions[hit.index]!;
    return this.fire({ index: hit.index, condition: describeStopCondition(c), atMs: Math.round(now - this.loadStartEpochMs), at: new Date(now).toISOString(), value: hit.value, then: c.then });
  }

  /**
   * The load generator aborted on a threshold with abortOnFail (k6 exit 99): recorded like a stop
   * condition, so the faults come off at once instead of after the load's graceful shutdown.
   */
  thresholdAborted(metric: string): StopFired | null {
    if (this.fired) return null;
    const now = this.o.clock.epochMs();
    return this.fire({ index: null, condition: `k6 threshold on ${metric} (abortOnFail)`, atMs: this.loadStartEpochMs ? Math.round(now - this.loadStartEpochMs) : 0, at: new Date(now).toISOString(), value: null, then: 'stop-load' });
  }

  /** A condition evaluated elsewhere (a CloudWatch alarm in ALARM) fired: recorded and reacted to like one of ours. */
  externalFired(f: { index: number; condition: string; value: number | null; then: StopFired['then'] }): StopFired | null {
    if (this.fired) return null;
    const now = this.o.clock.epochMs();
    return this.fire({ ...f, atMs: this.loadStartEpochMs ? Math.round(now - this.loadStartEpochMs) : 0, at: new Date(now).toISOString() });
  }

  private fire(f: StopFired): StopFired {
    this.fired = f;
    this.stop();
    // Never a rejected promise left for later: an unhandled rejection would end the process
    // before the run's own restore. The run's finally restores whatever this reaction could not.
    this.handled = Promise.resolve()
      .then(() => this.o.onFire(f))
      .catch((e: unknown) => this.o.onWarning?.(`stop condition fired, but reacting to it failed: ${e instanceof Error ? e.message : String(e)}`));
    return f;
  }

  private schedule(): void {
    if (!this.running) return;
    const interval = this.o.intervalMs ?? 1000;
    this.timer = this.o.clock.setTimer(() => {
      this.tick().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, interval);
  }
}

/** The message k6 (and squall's engine) logs when an abortOnFail threshold ends the test. */
const ABORT_LINE = /thresholds on metrics '([^']+)' (?:were|have been) crossed/;

/** The metric named by k6's abortOnFail log line in `text`, if any. */
export function abortOnFailMetric(text: string): string | null {
  return ABORT_LINE.exec(text)?.[1] ?? null;
}
