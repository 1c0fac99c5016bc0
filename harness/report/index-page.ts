/**
 * `reports/index.html`: every run under a reports folder, newest first, with its verdict, key
 * figures and a link to its report; per experiment, sparklines of those figures across runs (the
 * nightly trend) and the date its verdict last changed. Reads only the run folders' files.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildReportData, type Verdict } from './model.ts';
import { renderIndexHtml } from './html.ts';
import { readRunFolder } from './run-folder.ts';
import { isRunFolder } from './write.ts';

export const INDEX_FIGURES = ['requests', 'achieved rate', 'p95 latency', 'throttles', 'errors', 'dead-lettered', 'cost of the run'] as const;

export interface IndexRun {
  experiment: string;
  runId: string;
  startedAt: string | null;
  verdict: Verdict;
  failures: number;
  firstFailure: string | null;
  /** Report path relative to the index (forward slashes, for an href). */
  href: string;
  hasReport: boolean;
  figures: Record<string, number | null>;
}

export interface IndexExperiment {
  name: string;
  runs: number;
  latest: Verdict;
  /** Run start (from the run id) at which the verdict last changed; null when it never changed. */
  verdictChangedAt: string | null;
  passRate: number;
  /** Oldest first, one value per run, for the sparklines. */
  trend: Record<string, Array<number | null>>;
  verdicts: Verdict[];
}

export interface IndexData {
  schema: 'squall.index/v1';
  title: string;
  runs: IndexRun[];
  experiments: IndexExperiment[];
}

const isDir = (p: string) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Run folders at `<dir>/<experiment>/<run id>/`. */
export function listRunFolders(reportsDir: string): Array<{ experiment: string; dir: string }> {
  const out: Array<{ experiment: string; dir: string }> = [];
  let exps: string[];
  try {
    exps = readdirSync(reportsDir).sort();
  } catch {
    return out;
  }
  for (const e of exps) {
    const ed = path.join(reportsDir, e);
    if (!isDir(ed)) continue;
    for (const r of readdirSync(ed).sort()) {
      const rd = path.join(ed, r);
      if (isDir(rd) && isRunFolder(rd)) out.push({ experiment: e, dir: rd });
    }
  }
  return out;
}

export function buildIndexData(reportsDir: string): IndexData {
  const runs: IndexRun[] = listRunFolders(reportsDir).map(({ experiment, dir }) => {
    const files = readRunFolder(dir);
    const d = buildReportData({ files, digest: { custom: [], breakdown: [] }, baseline: null });
    const figures: Record<string, number | null> = {};
    for (const h of d.headline) if ((INDEX_FIGURES as readonly string[]).includes(h.label)) figures[h.label] = h.measured;
    return {
      experiment,
      runId: files.runId,
      startedAt: d.startedAt,
      verdict: d.verdict,
      failures: d.failures.length,
      firstFailure: d.failures[0]?.text ?? null,
      href: path.relative(reportsDir, path.join(dir, 'report.html')).split(path.sep).join('/'),
      hasReport: statSync(path.join(dir, 'report.html'), { throwIfNoEntry: false })?.isFile() ?? false,
      figures,
    };
  });
  const byExp = new Map<string, IndexRun[]>();
  for (const r of runs) (byExp.get(r.experiment) ?? byExp.set(r.experiment, []).get(r.experiment)!).push(r);
  const experiments: IndexExperiment[] = [...byExp.entries()].map(([name, list]) => {
    const chron = [...list].sort((a, b) => a.runId.localeCompare(b.runId));
    let changed: string | null = null;
    for (let i = 1; i < chron.length; i++) if (chron[i]!.verdict !== chron[i - 1]!.verdict) changed = chron[i]!.startedAt ?? chron[i]!.runId;
    const trend: Record<string, Array<number | null>> = {};
    for (const f of INDEX_FIGURES) trend[f] = chron.map((r) => r.figures[f] ?? null);
    return {
      name,
      runs: chron.length,
      latest: chron[chron.length - 1]!.verdict,
      verdictChangedAt: changed,
      passRate: chron.filter((r) => r.verdict === 'pass').length / chron.length,
      trend,
      verdicts: chron.map((r) => r.verdict),
    };
  });
  runs.sort((a, b) => b.runId.localeCompare(a.runId) || a.experiment.localeCompare(b.experiment));
  return { schema: 'squall.index/v1', title: `squall runs in ${path.basename(path.resolve(reportsDir))}`, runs, experiments };
}

export function writeIndex(reportsDir: string): { file: string; runs: number } {
  const data = buildIndexData(reportsDir);
  const file = path.join(reportsDir, 'index.html');
  writeFileSync(file, renderIndexHtml(data));
  return { file, runs: data.runs.length };
}
