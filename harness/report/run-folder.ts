/**
 * Reading a run folder for the report: every file is optional (a failed or interrupted run leaves
 * some out), so each is read on its own and what is absent or unreadable is listed, to be said in
 * the report rather than thrown. Only the run folder's files are read, so re-rendering an old run
 * gives the same report.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { JournalEntry } from '../chaos/journal.ts';
import type { Comparison } from '../compare/compare.ts';
import type { Series, SeriesFile } from '../contracts/series.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';

/** A predicted series may carry the simulator's spread across `--runs` as a band. */
export type BandSeries = Series & { lower?: Array<number | null>; upper?: Array<number | null> };

export interface PredictedFile extends SeriesFile {
  series: BandSeries[];
  totals?: {
    seed?: number;
    runs?: number;
    loadDurationMs?: number;
    costUsd?: number;
    projectedMonthlyUsd?: number;
    functions?: Record<string, { costUsd?: number; projectedMonthlyUsd?: number; gbSeconds?: number; invocations?: number }>;
  };
  warnings?: string[];
}

export interface K6Summary {
  root_group?: K6Group;
  state?: { testRunDurationMs?: number };
  metrics: Record<string, { type: string; contains?: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
}

export interface K6Group {
  name: string;
  path: string;
  groups: K6Group[];
  checks: Array<{ name: string; path: string; passes: number; fails: number }>;
}

export interface K6RunInfo {
  runner?: string;
  exitCode?: number | null;
  signal?: string | null;
  startedAt?: string;
  durationMs?: number;
}

export interface RunFiles {
  dir: string;
  runId: string;
  experiment: ResolvedExperiment | null;
  summary: K6Summary | null;
  k6Run: K6RunInfo | null;
  measured: SeriesFile | null;
  predicted: PredictedFile | null;
  comparison: Comparison | null;
  journal: JournalEntry[];
  /** Files the report would use that are absent or unreadable, with why. */
  missing: Array<{ file: string; why: string }>;
  pointsFile: string | null;
  emulatorLog: string | null;
}

function readJson<T>(dir: string, file: string, missing: RunFiles['missing']): T | null {
  const p = path.join(dir, file);
  if (!existsSync(p)) {
    missing.push({ file, why: 'not written' });
    return null;
  }
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as T;
  } catch (e) {
    missing.push({ file, why: `unreadable: ${(e as Error).message}` });
    return null;
  }
}

export function readRunFolder(dir: string): RunFiles {
  const missing: RunFiles['missing'] = [];
  const experiment = readJson<ResolvedExperiment>(dir, 'experiment.json', missing);
  const summary = readJson<K6Summary>(dir, 'k6-summary.json', missing);
  const k6Run = existsSync(path.join(dir, 'k6-run.json')) ? readJson<K6RunInfo>(dir, 'k6-run.json', missing) : null;
  const measured = readJson<SeriesFile>(dir, 'measured.json', missing);
  const predicted = readJson<PredictedFile>(dir, 'predicted.json', missing);
  const comparison = readJson<Comparison>(dir, 'comparison.json', missing);
  const journal: JournalEntry[] = [];
  const jp = path.join(dir, 'chaos-journal.ndjson');
  if (existsSync(jp)) {
    for (const line of readFileSync(jp, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        journal.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a torn last line after a hard kill: the lines before it hold the story
      }
    }
  } else if (experiment && experiment.chaos.faults.length) missing.push({ file: 'chaos-journal.ndjson', why: 'not written' });
  const pts = path.join(dir, 'k6-points.ndjson.gz');
  const pointsFile = existsSync(pts) ? pts : null;
  if (!pointsFile) missing.push({ file: 'k6-points.ndjson.gz', why: 'not written' });
  const el = path.join(dir, 'emulator.log');
  const emulatorLog = existsSync(el) ? readFileSync(el, 'utf8') : null;
  return { dir: path.resolve(dir), runId: path.basename(path.resolve(dir)), experiment, summary, k6Run, measured, predicted, comparison, journal, missing, pointsFile, emulatorLog };
}
