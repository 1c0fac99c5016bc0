/**
 * The grammar and meaning of series conditions (`expect.thresholds`, stop conditions), one
 * definition for every part that judges series: the simulator on predicted series (`simulate`,
 * `--sweep`) and compare/ on measured ones (`squall run`). What "meeting the expectations" means:
 *  - a key `name{label=value,…}` selects every series of that name whose labels include
 *    all the given pairs (no braces = all series of that name);
 *  - the selected series are combined step by step (summed; percentiles take the maximum), and
 *    the threshold's aggregate runs over the steps: `sum`, `max`, `min`, `avg` (mean over steps
 *    with data) or `last` (the final step with data);
 *  - `<aggregate> <op> <number>` with op one of > >= < <= == != must hold; a key that selects no
 *    series fails (the prediction cannot show it holds);
 *  - the experiment meets its expectations when every threshold of every key holds.
 */
import type { SeriesFile } from './series.ts';
import { SERIES, isSeriesName } from './series.ts';

export type ConditionOp = '>' | '>=' | '<' | '<=' | '==' | '!=';

/** Parse `sum>100`-style conditions; the aggregate is returned as written (callers check the set they allow). */
export function parseSeriesCondition(expr: string): { aggregate: string; op: ConditionOp; value: number } | null {
  const m = /^\s*([a-z]+)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i.exec(expr);
  if (!m) return null;
  return { aggregate: m[1]!.toLowerCase(), op: m[2] as ConditionOp, value: Number(m[3]) };
}

/** The aggregates a series threshold may use. */
export const SERIES_AGGREGATES = ['sum', 'max', 'min', 'avg', 'last'] as const;

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

export function compareOp(v: number, op: ConditionOp, x: number): boolean {
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

/** `source` names the series in reasons: `predicted` (simulator) or `measured` (a run). */
export function checkExpectations(series: SeriesFile, thresholds: Record<string, string[]>, source: 'predicted' | 'measured' = 'predicted'): ExpectationResult {
  const checks: ThresholdCheck[] = [];
  for (const [key, list] of Object.entries(thresholds)) {
    for (const threshold of list) {
      const c = parseSeriesCondition(threshold);
      if (!c || !(SERIES_AGGREGATES as readonly string[]).includes(c.aggregate)) {
        checks.push({ key, threshold, value: null, ok: false, reason: `"${threshold}" is not <sum|max|min|avg|last> <op> <number>` });
        continue;
      }
      const value = aggregateSeries(series, key, c.aggregate);
      if (value === null) {
        checks.push({ key, threshold, value, ok: false, reason: `no ${source} series matches ${key}` });
        continue;
      }
      checks.push({ key, threshold, value, ok: compareOp(value, c.op, c.value) });
    }
  }
  return { met: checks.every((c) => c.ok), checks };
}
