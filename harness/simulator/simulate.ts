/**
 * The simulator's public entry: `simulate(experiment, {seed, runs})` → predicted series, totals
 * and warnings, pure and synchronous. With several runs (seeds seed, seed+1, …) the series and
 * totals are the per-step / per-field means, and `spread` gives each numeric total's mean,
 * standard deviation, minimum and maximum across runs.
 */
import { SERIES, type SeriesFile, type Series } from '../contracts/series.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { Simulation, type SimulationOptions } from './simulation.ts';
import type { SimulationTotals } from './totals.ts';

export interface SimulateOptions {
  /** Default: the experiment's own seed. */
  seed?: number;
  /** Independent runs (seed, seed+1, …); default 1. */
  runs?: number;
  /** Client round trip added to every response (ms); default 1. */
  clientRttMs?: number;
  /** How long to keep simulating after the load while queues drain (ms); default 600,000. */
  drainLimitMs?: number;
  /** false: totals only (series empty), for long validation runs; default true. */
  series?: boolean;
  /** The conformance suite's ideal ESM timing (SimulationOptions.idealEsmTiming); default false. */
  idealEsmTiming?: boolean;
}

export interface Spread {
  mean: number;
  stddev: number;
  min: number;
  max: number;
}

export interface SimulationResult {
  series: SeriesFile;
  totals: SimulationTotals;
  warnings: string[];
  /** Per numeric total (dotted path, e.g. `functions.api.throttles`): spread across runs; empty for one run. */
  spread: Record<string, Spread>;
  /** Discrete events processed, summed over runs. */
  events: number;
}

export function simulate(experiment: ResolvedExperiment, opts: SimulateOptions = {}): SimulationResult {
  const seed = opts.seed ?? experiment.seed;
  const runs = Math.max(1, Math.floor(opts.runs ?? 1));
  const results = [];
  let events = 0;
  for (let i = 0; i < runs; i++) {
    const o: SimulationOptions = { seed: (seed + i) >>> 0 };
    if (opts.clientRttMs !== undefined) o.clientRttMs = opts.clientRttMs;
    if (opts.drainLimitMs !== undefined) o.drainLimitMs = opts.drainLimitMs;
    if (opts.series !== undefined) o.series = opts.series;
    if (opts.idealEsmTiming !== undefined) o.idealEsmTiming = opts.idealEsmTiming;
    const r = new Simulation(experiment, o).run();
    r.totals.seed = o.seed;
    events += r.events;
    results.push(r);
  }
  const first = results[0]!;
  if (runs === 1) return { series: first.series, totals: first.totals, warnings: first.warnings, spread: {}, events };
  const spread: Record<string, Spread> = {};
  const totals = meanObject(
    results.map((r) => r.totals),
    '',
    spread,
  ) as SimulationTotals;
  totals.seed = seed >>> 0;
  totals.runs = runs;
  delete spread['seed'];
  delete spread['runs'];
  return { series: meanSeries(results.map((r) => r.series)), totals, warnings: first.warnings, spread, events };
}

/** Field-wise mean of objects of the same shape; numbers are averaged and their spread recorded. */
function meanObject(objs: unknown[], path: string, spread: Record<string, Spread>): unknown {
  const first = objs[0];
  if (typeof first === 'number' || (first === null && objs.some((o) => typeof o === 'number'))) {
    const xs = objs.filter((o): o is number => typeof o === 'number');
    if (xs.length === 0) return null;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    spread[path] = { mean, stddev: sd, min: Math.min(...xs), max: Math.max(...xs) };
    return mean;
  }
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const keys = new Set<string>();
    for (const o of objs) if (o && typeof o === 'object') for (const k of Object.keys(o)) keys.add(k);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      let vals = objs.map((o) => (o as Record<string, unknown> | null)?.[k]);
      // A count missing from one run (e.g. a throttle reason that did not occur) is 0 there.
      if (vals.some((v) => typeof v === 'number')) vals = vals.map((v) => (v === undefined ? 0 : v));
      out[k] = meanObject(vals, path ? `${path}.${k}` : k, spread);
    }
    return out;
  }
  return first;
}

/** The sum of step `i` over the series that have a value there, divided by `over` (default: how many have one); null when none has. */
function meanPresent(group: Series[], i: number, over?: number): number | null {
  let sum = 0;
  let n = 0;
  for (const s of group) {
    const v = s.values[i];
    if (typeof v === 'number') {
      sum += v;
      n++;
    }
  }
  return n === 0 ? null : sum / (over ?? n);
}

/** Per-step means; runs that ended earlier count as 0 (sums) or no data (null) past their end. */
function meanSeries(files: SeriesFile[]): SeriesFile {
  const first = files[0]!;
  const byKey = new Map<string, Series[]>();
  const key = (s: Series) => `${s.name}|${JSON.stringify(s.labels)}`;
  for (const f of files) for (const s of f.series) byKey.set(key(s), [...(byKey.get(key(s)) ?? []), s]);
  const series: Series[] = [];
  for (const group of byKey.values()) {
    const len = Math.max(...group.map((s) => s.values.length));
    const values: Array<number | null> = [];
    for (let i = 0; i < len; i++) values.push(meanPresent(group, i, files.length));
    const g0 = group[0]!;
    if (SERIES[g0.name].kind === 'percentile') for (let i = 0; i < len; i++) values[i] = meanPresent(group, i);
    series.push({ name: g0.name, labels: g0.labels, unit: g0.unit, values });
  }
  return { ...first, series };
}
