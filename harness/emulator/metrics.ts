/**
 * The emulator's own per-second metrics, exported in the `squall.series/v1` format
 * (`harness/contracts/series.ts` lists every name). Built for the hot path, autocannon-style: a
 * caller asks once for a handle per (name, labels) and then only adds integers into an array slot
 * indexed by the step of the injected clock — no maps, strings or objects per event. Gauges are
 * sampled by one timer per step; levels (e.g. concurrency) keep the peak per step; percentiles go
 * through one HDR histogram per step.
 */
import { build } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { Clock, TimerHandle } from '../contracts/clock.ts';
import { SERIES, SERIES_SCHEMA, seriesKey } from '../contracts/series.ts';
import type { Series, SeriesFile, SeriesName } from '../contracts/series.ts';

export type Labels = Record<string, string>;

/** A sum per step (`kind: 'sum'` series). */
export interface Counter {
  add(n?: number): void;
}

/** A level whose step value is the peak reached in the step (`kind: 'max'`, e.g. concurrency). */
export interface Level {
  set(value: number): void;
  add(delta: number): void;
  readonly value: number;
}

/** Values whose per-step percentiles become series (`kind: 'percentile'`). */
export interface PercentileRecorder {
  record(value: number): void;
}

interface Slot {
  readonly name: SeriesName;
  readonly labels: Labels;
  readonly values: Array<number | null>;
}

export interface MetricsOptions {
  stepMs?: number;
  source?: string;
}

export class Metrics {
  readonly stepMs: number;
  /** Epoch ms of step 0 (moves by less than one step when `align` shifts the grid). */
  startMs: number;
  private t0: number;
  private readonly source: string;
  private readonly slots = new Map<string, Slot>();
  private readonly gauges: Array<{ slot: Slot; sample: () => number }> = [];
  private readonly finishers: Array<(final: boolean) => void> = [];
  private timer: TimerHandle | undefined;
  private samples = 0;
  /** Last step whose gauges were sampled at (or after) its end; -1 before the first. */
  private sampledThrough = -1;

  constructor(private readonly clock: Clock, opts: MetricsOptions = {}) {
    this.stepMs = opts.stepMs ?? 1000;
    this.source = opts.source ?? 'emulator';
    this.t0 = clock.now();
    this.startMs = Math.round(clock.epochMs());
  }

  /**
   * Shift the step grid (by less than one step) so a step starts exactly at `epochMs`, e.g. the
   * instant a load starts, so per-second series of the system and of the client line up. Values
   * already recorded keep their step; only the phase of later steps changes.
   */
  align(epochMs: number): void {
    const shift = (((epochMs - this.startMs) % this.stepMs) + this.stepMs) % this.stepMs;
    this.t0 += shift;
    this.startMs += shift;
    // The grid moved back by up to one step: the current step is sampled again at its new end, and
    // the pending timer (aimed at the old boundary) is re-aimed, else one step would go unsampled.
    this.sampledThrough = Math.min(this.sampledThrough, this.step() - 1);
    if (this.timer) {
      this.stop();
      this.start();
    }
  }

  /** Index of the current step on the injected clock. */
  step(): number {
    return Math.floor((this.clock.now() - this.t0) / this.stepMs);
  }

  counter(name: SeriesName, labels: Labels = {}): Counter {
    const slot = this.slot(name, labels);
    const values = slot.values;
    return {
      add: (n = 1) => {
        const i = this.step();
        while (values.length <= i) values.push(0);
        values[i] = (values[i] as number) + n;
      },
    };
  }

  /**
   * A gauge read by `sample` once per step (at the end of the step) and at `snapshot()`.
   * Returns a function that stops sampling (e.g. when a queue is deleted); its past values stay.
   */
  gauge(name: SeriesName, labels: Labels, sample: () => number): () => void {
    const entry = { slot: this.slot(name, labels), sample };
    this.gauges.push(entry);
    return () => {
      const i = this.gauges.indexOf(entry);
      if (i >= 0) this.gauges.splice(i, 1);
    };
  }

  level(name: SeriesName, labels: Labels = {}): Level {
    const values = this.slot(name, labels).values;
    let current = 0;
    let lastStep = -1;
    const touch = (v: number) => {
      const i = this.step();
      if (i > lastStep) {
        // Steps with no change carry the level forward: the peak of a quiet step is the level itself.
        while (values.length <= i) values.push(null);
        for (let s = lastStep + 1; s <= i; s++) values[s] = current;
        lastStep = i;
      }
      current = v;
      if (v > (values[i] as number)) values[i] = v;
    };
    this.finishers.push(() => touch(current));
    return {
      set: (v) => touch(v),
      add: (d) => touch(current + d),
      get value() {
        return current;
      },
    };
  }

  /**
   * One recorder feeding several percentile series of the same values, e.g.
   * `percentiles({ 'lambda.duration_p50_ms': 50, 'lambda.duration_p95_ms': 95 }, { function: 'f' })`.
   * Values are recorded with microsecond resolution (3 significant digits).
   */
  percentiles(spec: Partial<Record<SeriesName, number>>, labels: Labels = {}): PercentileRecorder {
    const outs = Object.entries(spec).map(([name, p]) => ({ values: this.slot(name as SeriesName, labels).values, p: p as number }));
    let hist: Histogram | undefined;
    let histStep = -1;
    const flush = (final: boolean) => {
      if (!hist || histStep < 0) return;
      for (const o of outs) {
        while (o.values.length <= histStep) o.values.push(null);
        o.values[histStep] = hist.totalCount ? hist.getValueAtPercentile(o.p) / 1000 : null;
      }
      if (!final) hist.reset();
    };
    this.finishers.push(flush);
    return {
      record: (v) => {
        const i = this.step();
        if (i !== histStep) {
          flush(false);
          histStep = i;
        }
        hist ??= build({ numberOfSignificantValueDigits: 3 });
        hist.recordValue(Math.max(0, Math.round(v * 1000)));
      },
    };
  }

  /**
   * Start sampling gauges once per step on the injected clock (the timer does not hold the process
   * open). A timer that fires late (a busy event loop: a burst of requests, a GC pause) lands in
   * the next step; sampling by the step it was aimed at, and filling every step that ended since
   * the last sample, keeps the gauges gap-free instead of leaving that step empty.
   */
  start(): void {
    if (this.timer) return;
    const schedule = () => {
      // Sample just before each step boundary, so the value lands in the step it ends.
      const now = this.clock.now();
      const target = Math.max(this.sampledThrough + 1, Math.floor((now - this.t0) / this.stepMs));
      const at = this.t0 + (target + 1) * this.stepMs - 1;
      this.timer = this.clock.setTimer(() => {
        // Late by more than a step (a long pause): every step that ended meanwhile takes this reading.
        this.sampleThrough(Math.max(target, this.step() - 1));
        schedule();
      }, Math.max(1, at - now));
    };
    schedule();
  }

  stop(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** How many times gauges were sampled (tests check the timer runs). */
  get sampleCount(): number {
    return this.samples;
  }

  /** All series so far, padded to the current step (sums with 0, gauges and percentiles with null). */
  snapshot(): SeriesFile {
    this.sampleGauges();
    for (const f of this.finishers) f(true);
    const steps = this.step() + 1;
    const series: Series[] = [];
    const keys = [...this.slots.keys()].sort();
    for (const k of keys) {
      const slot = this.slots.get(k)!;
      const def = SERIES[slot.name];
      const values = slot.values.slice(0, steps);
      const pad = def.kind === 'sum' ? 0 : null;
      while (values.length < steps) values.push(pad);
      series.push({ name: slot.name, labels: { ...slot.labels }, unit: def.unit, values });
    }
    return { schema: SERIES_SCHEMA, source: this.source, startMs: this.startMs, stepMs: this.stepMs, series };
  }

  /** Sample the gauges into every unsampled step up to `target` (one reading: the level now). */
  private sampleThrough(target: number): void {
    this.samples++;
    const from = this.sampledThrough + 1;
    if (target < from) return;
    for (const g of this.gauges) {
      const v = g.sample();
      const values = g.slot.values;
      while (values.length <= target) values.push(null);
      for (let i = from; i <= target; i++) values[i] = v;
    }
    this.sampledThrough = target;
  }

  /** The snapshot's reading of the current (partial) step; the timer owns the steps that ended. */
  private sampleGauges(): void {
    const i = this.step();
    // A step that ended while its (late) timer is still pending takes this reading, as the timer would.
    if (this.timer && i - 1 > this.sampledThrough) this.sampleThrough(i - 1);
    this.samples++;
    for (const g of this.gauges) {
      const values = g.slot.values;
      while (values.length <= i) values.push(null);
      values[i] = g.sample();
    }
  }

  private slot(name: SeriesName, labels: Labels): Slot {
    const key = seriesKey(name, labels);
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { name, labels: { ...labels }, values: [] };
      this.slots.set(key, slot);
    }
    return slot;
  }
}
