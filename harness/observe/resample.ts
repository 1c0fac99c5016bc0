/**
 * Puts a series file on a coarser grid (CloudWatch's 60 s points): each target step aggregates the
 * source steps that start inside it, the way the series' kind says — sums add up, peaks take the
 * maximum, gauges keep the last sample. A percentile cannot be recomputed from per-step
 * percentiles; the coarse step takes the largest one, an upper bound, and the output says so.
 */
import { SERIES, SERIES_SCHEMA, type Series, type SeriesFile } from '../contracts/series.ts';

export interface ResampleOptions {
  stepMs: number;
  /** Epoch ms (or timeline ms) of the first target step; default: the file's start floored to the step. */
  startMs?: number;
  /** Number of target steps; default: enough to cover the file. */
  steps?: number;
}

type Agg = (xs: Array<number | null>) => number | null;
const nonNull = (xs: Array<number | null>) => xs.filter((x): x is number => x !== null && Number.isFinite(x));
const AGG: Record<'sum' | 'max' | 'gauge' | 'percentile', Agg> = {
  sum: (xs) => (xs.length ? nonNull(xs).reduce((a, b) => a + b, 0) : null),
  max: (xs) => (nonNull(xs).length ? Math.max(...nonNull(xs)) : null),
  gauge: (xs) => nonNull(xs).at(-1) ?? null,
  percentile: (xs) => (nonNull(xs).length ? Math.max(...nonNull(xs)) : null),
};

export function resampleSeries(file: SeriesFile, o: ResampleOptions): SeriesFile {
  if (o.stepMs < file.stepMs) throw new Error(`cannot resample ${file.source} from ${file.stepMs} ms to a finer ${o.stepMs} ms`);
  const startMs = o.startMs ?? Math.floor(file.startMs / o.stepMs) * o.stepMs;
  const len = Math.max(0, ...file.series.map((s) => s.values.length));
  const steps = o.steps ?? Math.max(0, Math.ceil((file.startMs + len * file.stepMs - startMs) / o.stepMs));
  const target = (j: number) => Math.floor((file.startMs + j * file.stepMs - startMs) / o.stepMs);
  const regroup = (values: Array<number | null>, agg: Agg): Array<number | null> => {
    const buckets: Array<Array<number | null>> = Array.from({ length: steps }, () => []);
    values.forEach((v, j) => {
      const k = target(j);
      if (k >= 0 && k < steps) buckets[k]!.push(v);
    });
    return buckets.map((b) => agg(b));
  };
  const series: Series[] = file.series.map((s) => {
    const agg = AGG[SERIES[s.name]?.kind ?? 'gauge'];
    const out: Series = { name: s.name, labels: s.labels, unit: s.unit, values: regroup(s.values, agg) };
    if (s.lower) out.lower = regroup(s.lower, agg);
    if (s.upper) out.upper = regroup(s.upper, agg);
    if (s.total) out.total = s.total;
    return out;
  });
  const out: SeriesFile = { schema: SERIES_SCHEMA, source: file.source, startMs, stepMs: o.stepMs, series };
  if (file.interval) out.interval = file.interval;
  if (file.window) {
    const loadEnd = file.startMs + file.window.loadSteps * file.stepMs;
    out.window = { steps, loadSteps: Math.min(steps, Math.ceil((loadEnd - startMs) / o.stepMs)) };
  }
  return out;
}
