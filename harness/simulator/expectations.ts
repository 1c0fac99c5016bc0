/**
 * Checking an experiment's `expect.thresholds` against predicted series, for `simulate` and
 * `--sweep`. What "meeting the expectations" means, precisely:
 *  - a key `name{label=value,…}` selects every predicted series of that name whose labels include
 *    all the given pairs (no braces = all series of that name);
 *  - the selected series are combined step by step (summed; percentiles take the maximum), and
 *    the threshold's aggregate runs over the steps: `sum`, `max`, `min`, `avg` (mean over steps
 *    with data) or `last` (the final step with data);
 *  - `<aggregate> <op> <number>` with op one of > >= < <= == != must hold; a key that selects no
 *    series fails (the prediction cannot show it holds);
 *  - the experiment meets its expectations when every threshold of every key holds.
 */
import type { SeriesFile } from '../contracts/series.ts';
import { SERIES, isSeriesName } from '../contracts/series.ts';

export interface ThresholdCheck {
  key: string;
  threshold: string;
  /** The aggregated predicted value, or null if no series matched / no data. */
  value: number | null;
  ok: boolean;
  reason?: string;
}

export interface ExpectationResult {
  met: boolean;
  checks: ThresholdCheck[];
}

const EXPR = /^\s*(sum|max|min|avg|last)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

export function parseSeriesKey(key: string): { name: string; labels: Record<string, string> } {
  const brace = key.indexOf('{');
  if (brace < 0) return { name: key.trim(), labels: {} };
  const name = key.slice(0, brace).trim();
  const inner = key.slice(brace + 1, key.lastIndexOf('}'));
  const labels: Record<string, string> = {};
  for (const part of inner.split(',')) {
    const m = /^\s*([^=:\s]+)\s*[=:]\s*"?([^"]*)"?\s*$/.exec(part);
    if (m) labels[m[1]!] = m[2]!;
  }
  return { name, labels };
}

/** The combined, aggregated value of `key` under `aggregate`, or null. */
export function aggregateSeries(series: SeriesFile, key: string, aggregate: string): number | null {
  const { name, labels } = parseSeriesKey(key);
  const selected = series.series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (selected.length === 0) return null;
  const pct = isSeriesName(name) && SERIES[name].kind === 'percentile';
  const len = Math.max(...selected.map((s) => s.values.length));
  const combined: number[] = [];
  for (let i = 0; i < len; i++) {
    let v: number | null = null;
    for (const s of selected) {
      const x = s.values[i];
      if (typeof x !== 'number') continue;
      v = v === null ? x : pct ? Math.max(v, x) : v + x;
    }
    if (v !== null) combined.push(v);
  }
  if (combined.length === 0) return aggregate === 'sum' ? 0 : null;
  switch (aggregate) {
    case 'sum':
      return combined.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...combined);
    case 'min':
      return Math.min(...combined);
    case 'avg':
      return combined.reduce((a, b) => a + b, 0) / combined.length;
    default:
      return combined[combined.length - 1]!;
  }
}

function compare(v: number, op: string, x: number): boolean {
  switch (op) {
    case '>':
      return v > x;
    case '>=':
      return v >= x;
    case '<':
      return v < x;
    case '<=':
      return v <= x;
    case '==':
      return v === x;
    default:
      return v !== x;
  }
}

export function checkExpectations(series: SeriesFile, thresholds: Record<string, string[]>): ExpectationResult {
  const checks: ThresholdCheck[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    for (const threshold of list) {
      const m = EXPR.exec(threshold);
      if (!m) {
        checks.push({ key, threshold, value: null, ok: false, reason: `"${threshold}" is not <sum|max|min|avg|last> <op> <number>` });
        continue;
      }
      const value = aggregateSeries(series, key, m[1]!.toLowerCase());
      if (value === null) {
        checks.push({ key, threshold, value, ok: false, reason: `no predicted series matches ${key}` });
        continue;
      }
      checks.push({ key, threshold, value, ok: compare(value, m[2]!, Number(m[3])) });
    }
  }
  return { met: checks.every((c) => c.ok), checks };
}
