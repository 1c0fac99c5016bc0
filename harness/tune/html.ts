/**
 * `tune.html`: one self-contained page (template templates/tune/tune.hbs, the report's stylesheet
 * and uPlot inlined, one JSON data block, no request leaves it): duration and cost against
 * memory, measured beside predicted, the chosen size marked — Power Tuning's picture plus the
 * prediction.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { TuneResult } from './tune.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

const fixed = (v: number | null | undefined, digits: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

export function renderTuneHtml(t: TuneResult): string {
  const hb = Handlebars.create();
  const template = hb.compile(readFileSync(path.join(ROOT, 'templates/tune/tune.hbs'), 'utf8'), { strict: false });
  const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const assets = {
    uplotJs: readFileSync(path.join(uplotDir, 'uPlot.iife.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script'),
    uplotCss: readFileSync(path.join(uplotDir, 'uPlot.min.css'), 'utf8'),
    css: readFileSync(path.join(ROOT, 'templates/report/report.css'), 'utf8'),
  };
  const rows = [...t.results].sort((a, b) => a.memoryMB - b.memoryMB);
  const data = {
    chosen: t.chosen.memoryMB,
    x: rows.map((r) => r.memoryMB),
    durationAvg: rows.map((r) => r.averageMs),
    durationP95: rows.map((r) => r.p95Ms),
    predictedMs: rows.map((r) => r.predicted?.averageMs ?? null),
    costPerMillion: rows.map((r) => r.costPerMillionUsd),
    predictedPerMillion: rows.map((r) => (r.predicted ? r.predicted.costPerInvocationUsd * 1e6 : null)),
  };
  return template({
    fn: t.function,
    num: t.options.num,
    parallel: t.options.parallel,
    onlyColdStarts: t.options.onlyColdStarts,
    discardPct: Math.round(t.options.discardTopBottom * 100),
    original: t.originalMemoryMB,
    assets,
    json: JSON.stringify(data).replace(/</g, '\\u003c'),
    choices: (['cost', 'speed', 'balanced'] as const).map((s) => ({ ...t.best[s], chosen: s === t.options.strategy })),
    rows: rows.map((r) => ({
      memoryMB: r.memoryMB,
      chosen: r.memoryMB === t.chosen.memoryMB,
      averageMs: fixed(r.averageMs, 1),
      p50Ms: fixed(r.p50Ms, 1),
      p95Ms: fixed(r.p95Ms, 1),
      averageBilledMs: fixed(r.averageBilledMs, 1),
      costPerInvocation: r.costPerInvocationUsd.toExponential(3),
      costPerMillion: fixed(r.costPerMillionUsd, 2),
      predictedMs: fixed(r.predicted?.averageMs, 1),
      predictedPerMillion: fixed(r.predicted ? r.predicted.costPerInvocationUsd * 1e6 : null, 2),
      errorPct: r.predicted ? `${(((r.averageMs - r.predicted.averageMs) / r.predicted.averageMs) * 100).toFixed(1)} %` : '—',
      errors: r.errors,
      coldStarts: r.coldStarts,
    })),
  });
}
