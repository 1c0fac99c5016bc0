/**
 * The report part's entry points: `writeRunReport(runDir)` renders report.html and junit.xml from
 * a run folder (with a baseline: the one given, or the previous passing run of the same
 * experiment beside it), and `findBaseline` picks that default. `squall run` calls
 * writeRunReport at the end of every run, failed and interrupted ones included; `squall report`
 * calls it on any run folder.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { failureSentences, buildReportData, verdictOf, type ReportData } from './model.ts';
import { renderReportHtml } from './html.ts';
import { renderJUnit } from './junit.ts';
import { digestPoints } from './points.ts';
import { readRunFolder, type RunFiles } from './run-folder.ts';

export interface WriteReportOptions {
  /** A run folder to compare with; undefined: the previous passing run of the same experiment; null: none. */
  baseline?: string | null;
}

export interface WrittenReport {
  html: string;
  junit: string;
  verdict: ReportData['verdict'];
  failures: string[];
  baseline: string | null;
  missing: string[];
}

/** A run folder is a folder holding experiment.json (all squall runs write it first). */
export function isRunFolder(dir: string): boolean {
  return existsSync(path.join(dir, 'experiment.json'));
}

/**
 * The newest run of the same experiment, older than this one (run ids sort by time), in the same
 * parent folder, whose verdict is pass.
 */
export function findBaseline(runDir: string): string | null {
  const parent = path.dirname(path.resolve(runDir));
  const self = path.basename(runDir);
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return null;
  }
  const older = names.filter((n) => n < self && statSync(path.join(parent, n), { throwIfNoEntry: false })?.isDirectory() && isRunFolder(path.join(parent, n))).sort().reverse();
  for (const n of older) {
    const f = readRunFolder(path.join(parent, n));
    if (verdictOf(f, failureSentences(f)) === 'pass') return path.join(parent, n);
  }
  return null;
}

export async function buildRunReport(runDir: string, opts: WriteReportOptions = {}): Promise<{ data: ReportData; files: RunFiles }> {
  const files = readRunFolder(runDir);
  const baselineDir = opts.baseline === undefined ? findBaseline(runDir) : opts.baseline;
  const baseline = baselineDir ? readRunFolder(baselineDir) : null;
  const stepMs = files.measured?.stepMs ?? 1000;
  const steps = Math.max(0, ...(files.measured?.series ?? []).map((s) => s.values.length), ...(files.predicted?.series ?? []).map((s) => s.values.length));
  const digest = files.pointsFile && files.measured ? await digestPoints(files.pointsFile, files.measured.startMs, stepMs, steps) : { custom: [], breakdown: [] };
  return { data: buildReportData({ files, digest, baseline }), files };
}

export async function writeRunReport(runDir: string, opts: WriteReportOptions = {}): Promise<WrittenReport> {
  const { data, files } = await buildRunReport(runDir, opts);
  const html = path.join(runDir, 'report.html');
  const junit = path.join(runDir, 'junit.xml');
  writeFileSync(html, renderReportHtml(data));
  writeFileSync(junit, renderJUnit(files));
  return { html, junit, verdict: data.verdict, failures: data.failures.map((f) => f.text), baseline: data.baseline?.dir ?? null, missing: data.missing.map((m) => m.file) };
}
