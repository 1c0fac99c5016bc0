/**
 * Measured against predicted: per series, one total on each side (how a total is formed depends
 * on the series kind in contracts/series.ts), the error, the tolerance that applies, and a verdict;
 * then the experiment's series thresholds and the accounting of every SQS message. Pure: takes the
 * two series files and the resolved expectations, returns `comparison.json`'s object.
 */
import { SERIES, seriesKey, type Series, type SeriesFile } from '../contracts/series.ts';
import { checkExpectations, parseSeriesKey } from '../contracts/series-thresholds.ts';
import type { ResolvedExpect, Tolerance } from '../experiment/types.ts';
import { notMeasured, type MessageAccounting } from './accounting.ts';

export type { MessageAccounting } from './accounting.ts';

export const COMPARISON_SCHEMA = 'squall.comparison/v1';

export interface SeriesComparison {
  key: string;
  name: string;
  labels: Record<string, string>;
  unit: string;
  predicted: number | null;
  measured: number | null;
  /** measured − predicted */
  error: number | null;
  relativeError: number | null;
  tolerance: Tolerance | null;
  /** `skipped`: no tolerance applies, or one side has no data. */
  verdict: 'pass' | 'fail' | 'skipped';
  /** For `on: step` tolerances: steps outside the tolerance. */
  failedSteps?: number[];
}

export interface ThresholdResult {
  key: string;
  expression: string;
  value: number | null;
  ok: boolean;
  /** Why it failed when no value could be formed (no series matched, bad expression). */
  reason?: string;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  series: SeriesComparison[];
  thresholds: ThresholdResult[];
  messages: MessageAccounting | null;
  /** The stop condition that ended the faults early (chaos/stop-conditions.ts StopFired), if one fired. */
  stoppedBy?: { condition: string; atMs: number; at: string; value: number | null; then: 'stop-load' | 'continue'; index: number | null } | null;
  verdict: { predictions: 'pass' | 'fail'; thresholds: 'pass' | 'fail'; messages: 'pass' | 'fail' | 'off' | 'not-measured' };
}

/** The run-level figure of a series: sum of counts, max of peaks, mean of gauges and percentiles. */
export function seriesTotal(s: Series): number | null {
  const vals = s.values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (vals.length === 0) return null;
  const kind = SERIES[s.name]?.kind ?? 'sum';
  switch (kind) {
    case 'sum':
      return vals.reduce((a, b) => a + b, 0);
    case 'max':
      return Math.max(...vals);
    default:
      return vals.reduce((a, b) => a + b, 0) / vals.length;
  }
}

/** Sum of a series' values (counts over the run). */
function sumOf(s: Series): number {
  let t = 0;
  for (const v of s.values) if (v !== null && Number.isFinite(v)) t += v;
  return t;
}

function matches(s: Series, sel: { name: string; labels: Record<string, string> }): boolean {
  if (s.name !== sel.name) return false;
  return Object.entries(sel.labels).every(([k, v]) => s.labels[k] === v);
}

/** The tolerance for a series: the most specific selector wins (labels > name > default). */
export function toleranceFor(s: Series, predictions: Record<string, Tolerance>): Tolerance | null {
  let best: { spec: number; tol: Tolerance } | null = null;
  for (const [sel, tol] of Object.entries(predictions)) {
    if (sel === 'default') {
      if (!best) best = { spec: 0, tol };
      continue;
    }
    const parsed = parseSeriesKey(sel);
    if (!matches(s, parsed)) continue;
    const spec = 1 + Object.keys(parsed.labels).length;
    if (!best || spec > best.spec) best = { spec, tol };
  }
  return best?.tol ?? null;
}

export function withinTolerance(predicted: number, measured: number, tol: Tolerance): boolean {
  const diff = Math.abs(measured - predicted);
  if (tol.absolute !== null && diff <= tol.absolute) return true;
  if (tol.relative !== null && diff <= tol.relative * Math.abs(predicted)) return true;
  return false;
}

/**
 * `messages`: the run's message accounting (compare/accounting.ts), computed by the caller from
 * the target's ledger; with `expect.messages: no-loss` and none given, the messages were not measured.
 */
export function compareSeries(predicted: SeriesFile, measured: SeriesFile, expect: ResolvedExpect, accounting?: MessageAccounting | null): Comparison {
  const pIndex = new Map(predicted.series.map((s) => [seriesKey(s.name, s.labels), s]));
  const mIndex = new Map(measured.series.map((s) => [seriesKey(s.name, s.labels), s]));
  const keys = [...new Set([...pIndex.keys(), ...mIndex.keys()])].sort();
  const out: SeriesComparison[] = [];
  for (const key of keys) {
    const p = pIndex.get(key);
    const m = mIndex.get(key);
    const any = (p ?? m)!;
    const tol = toleranceFor(any, expect.predictions);
    const pv = p ? seriesTotal(p) : null;
    const mv = m ? seriesTotal(m) : null;
    const error = pv !== null && mv !== null ? mv - pv : null;
    let verdict: SeriesComparison['verdict'] = 'skipped';
    let failedSteps: number[] | undefined;
    if (tol && p && m && pv !== null && mv !== null) {
      if (tol.on === 'step') {
        failedSteps = [];
        const n = Math.min(p.values.length, m.values.length);
        for (let i = 0; i < n; i++) {
          const a = p.values[i];
          const b = m.values[i];
          if (a === null || b === null || a === undefined || b === undefined) continue;
          if (!withinTolerance(a, b, tol)) failedSteps.push(i);
        }
        verdict = failedSteps.length === 0 ? 'pass' : 'fail';
      } else {
        verdict = withinTolerance(pv, mv, tol) ? 'pass' : 'fail';
      }
    }
    out.push({
      key,
      name: any.name,
      labels: any.labels,
      unit: any.unit,
      predicted: pv,
      measured: mv,
      error,
      relativeError: error !== null && pv ? error / Math.abs(pv) : null,
      tolerance: tol,
      verdict,
      ...(failedSteps ? { failedSteps } : {}),
    });
  }

  // Measured series meet `expect.thresholds` exactly as predicted ones do in `squall simulate`.
  const thresholds: ThresholdResult[] = checkExpectations(measured, expect.thresholds, 'measured').checks.map((c) => ({
    key: c.key,
    expression: c.threshold,
    value: c.value,
    ok: c.ok,
    ...(c.reason ? { reason: c.reason } : {}),
  }));

  // A ledger is accounted whatever `expect.messages` says (collateral is worth reporting); only no-loss judges it.
  const messages = accounting ?? (expect.messages === 'no-loss' ? notMeasured('the target gave no message ledger', expect.messagesWhenUnmeasured ?? 'fail') : null);
  return {
    schema: COMPARISON_SCHEMA,
    series: out,
    thresholds,
    messages,
    verdict: {
      predictions: out.some((s) => s.verdict === 'fail') ? 'fail' : 'pass',
      thresholds: thresholds.every((t) => t.ok) ? 'pass' : 'fail',
      messages: messages === null || expect.messages !== 'no-loss' ? 'off' : !messages.measured ? 'not-measured' : messages.ok ? 'pass' : 'fail',
    },
  };
}
