/**
 * The prediction a run is judged against: the simulator over N seeds, every series put on the
 * run's comparison window (load + tail; a run that went idle earlier is extended with its idle
 * state), and each series given a prediction interval from the spread across seeds — per step
 * (`lower`/`upper`, the report's band) and for the run-level figure (`total`). The quantiles are
 * the model's own uncertainty: a count of 30 dead-lettered messages that moves ±50 % between seeds
 * gets a wide interval, a deterministic count a narrow one. Pure and synchronous; `predict-worker`
 * runs it on a worker thread while the load runs.
 */
import { SERIES, SERIES_SCHEMA, seriesKey, seriesTotal, type Series, type SeriesFile, type SeriesWindow } from '../contracts/series.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { Simulation, type SimulationOptions } from './simulation.ts';
import type { SimulationTotals } from './totals.ts';

export interface PredictOptions {
  /** Default: the experiment's own seed. */
  seed?: number;
  /** Independent simulator runs the interval is taken over (seeds seed, seed+1, …). */
  runs: number;
  /** Central coverage of the interval, e.g. 0.95. */
  level: number;
  /** The comparison window. */
  window: SeriesWindow;
  /** How long the simulator keeps going after the load (the run's tail), ms. */
  drainLimitMs: number;
  /** The client's request path (ms per request), when calibrated; else the simulator's default. */
  clientRttMs?: number;
  clientRttSamplesMs?: number[];
}

export interface Prediction {
  /** Mean series with `lower`/`upper`/`total`, `interval` and `window` set. */
  file: SeriesFile;
  /** Totals of the first seed's run (the experiment's own seed: what `squall simulate` prints). */
  totals: SimulationTotals;
  warnings: string[];
  /** Wall time the N runs took, ms. */
  elapsedMs: number;
}

/** Linear-interpolation quantile (R type 7) of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * One run's series on the window: sums past the run's end are 0 (nothing happens), gauges and
 * peaks keep their last value (the idle state the simulator stopped in), percentiles are no data.
 */
export function onWindow(s: Series, steps: number): Array<number | null> {
  const kind = SERIES[s.name].kind;
  const out: Array<number | null> = s.values.slice(0, steps);
  let last: number | null = null;
  for (let i = out.length - 1; i >= 0; i--) {
    const v = out[i];
    if (v !== null && v !== undefined) {
      last = v;
      break;
    }
  }
  const pad = kind === 'sum' ? 0 : kind === 'percentile' ? null : last;
  while (out.length < steps) out.push(pad);
  return out;
}

export function predict(experiment: ResolvedExperiment, o: PredictOptions): Prediction {
  const t0 = performance.now();
  const seed = o.seed ?? experiment.seed;
  const runs = Math.max(1, Math.floor(o.runs));
  const steps = o.window.steps;
  const byKey = new Map<string, { proto: Series; runs: Array<Array<number | null>> }>();
  let first: { totals: SimulationTotals; warnings: string[]; file: SeriesFile } | null = null;
  for (let r = 0; r < runs; r++) {
    const so: SimulationOptions = { seed: (seed + r) >>> 0, drainLimitMs: o.drainLimitMs };
    if (o.clientRttMs !== undefined) so.clientRttMs = o.clientRttMs;
    if (o.clientRttSamplesMs !== undefined) so.clientRttSamplesMs = o.clientRttSamplesMs;
    const res = new Simulation(experiment, so).run();
    if (!first) first = { totals: res.totals, warnings: res.warnings, file: res.series };
    for (const s of res.series.series) {
      const k = seriesKey(s.name, s.labels);
      let e = byKey.get(k);
      if (!e) byKey.set(k, (e = { proto: s, runs: [] }));
      // A series a run never produced (a throttle reason that did not occur) counts as all-zero there.
      while (e.runs.length < r) e.runs.push(onWindow({ ...s, values: [] }, steps));
      e.runs.push(onWindow(s, steps));
    }
    for (const e of byKey.values()) while (e.runs.length < r + 1) e.runs.push(onWindow({ ...e.proto, values: [] }, steps));
  }
  const lo = (1 - o.level) / 2;
  const hi = (1 + o.level) / 2;
  const series: Series[] = [];
  for (const { proto, runs: rs } of byKey.values()) {
    const values: Array<number | null> = [];
    const lower: Array<number | null> = [];
    const upper: Array<number | null> = [];
    const sumLike = SERIES[proto.name].kind === 'sum';
    for (let i = 0; i < steps; i++) {
      const xs: number[] = [];
      for (const v of rs) {
        const x = v[i];
        if (typeof x === 'number' && Number.isFinite(x)) xs.push(x);
      }
      if (xs.length === 0) {
        values.push(sumLike ? 0 : null);
        lower.push(sumLike ? 0 : null);
        upper.push(sumLike ? 0 : null);
        continue;
      }
      xs.sort((a, b) => a - b);
      values.push(xs.reduce((a, b) => a + b, 0) / xs.length);
      lower.push(quantile(xs, lo));
      upper.push(quantile(xs, hi));
    }
    const totals = rs
      .map((v) => seriesTotal({ name: proto.name, values: v }))
      .filter((x): x is number => x !== null)
      .sort((a, b) => a - b);
    const mean: Series = { name: proto.name, labels: proto.labels, unit: proto.unit, values };
    series.push({
      ...mean,
      lower,
      upper,
      total: {
        value: seriesTotal(mean),
        lower: totals.length ? quantile(totals, lo) : null,
        upper: totals.length ? quantile(totals, hi) : null,
      },
    });
  }
  series.sort((a, b) => (seriesKey(a.name, a.labels) < seriesKey(b.name, b.labels) ? -1 : 1));
  const f = first!;
  return {
    file: {
      schema: SERIES_SCHEMA,
      source: 'simulator',
      startMs: 0,
      stepMs: f.file.stepMs,
      series,
      interval: { level: o.level, runs, seed: seed >>> 0 },
      window: o.window,
    },
    totals: f.totals,
    warnings: f.warnings,
    elapsedMs: performance.now() - t0,
  };
}
