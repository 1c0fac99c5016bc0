/**
 * Putting measured series on the load's timeline: re-basing a file recorded from another start
 * (the emulator counts from its own start) to the load's start and length, and merging several
 * sources (k6 points, emulator metrics) into one `measured.json`.
 */
import { SERIES, SERIES_SCHEMA, type Series, type SeriesFile } from '../contracts/series.ts';

/** Shift and trim/pad `file` so step 0 starts at `startMs` and there are exactly `steps` steps. */
export function rebaseSeries(file: SeriesFile, startMs: number, steps: number): SeriesFile {
  if (file.stepMs <= 0) throw new Error(`series file from ${file.source} has stepMs ${file.stepMs}`);
  const offset = Math.round((startMs - file.startMs) / file.stepMs);
  return {
    schema: SERIES_SCHEMA,
    source: file.source,
    startMs,
    stepMs: file.stepMs,
    series: file.series.map((s) => {
      const def = SERIES[s.name];
      // Sums before the window are dropped (they belong to setup); gauges carry their last value in.
      const pad = def?.kind === 'sum' ? 0 : null;
      const values: Array<number | null> = [];
      for (let i = 0; i < steps; i++) {
        const j = i + offset;
        values.push(j >= 0 && j < s.values.length ? (s.values[j] ?? pad) : pad);
      }
      return { ...s, values };
    }),
  };
}

/** One file from several sources on the same timeline; `source` lists them. */
export function mergeSeriesFiles(files: SeriesFile[]): SeriesFile {
  if (files.length === 0) return { schema: SERIES_SCHEMA, source: 'none', startMs: 0, stepMs: 1000, series: [] };
  const [first] = files;
  for (const f of files) {
    if (f.stepMs !== first!.stepMs || f.startMs !== first!.startMs) {
      throw new Error(`cannot merge series from ${f.source} (start ${f.startMs}, step ${f.stepMs}) with ${first!.source} (start ${first!.startMs}, step ${first!.stepMs}); rebase them first`);
    }
  }
  const series: Series[] = files.flatMap((f) => f.series);
  return { schema: SERIES_SCHEMA, source: files.map((f) => f.source).join('+'), startMs: first!.startMs, stepMs: first!.stepMs, series };
}
