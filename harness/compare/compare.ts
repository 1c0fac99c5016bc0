/**
 * Measured against predicted: per series, one total on each side (how a total is formed depends
 * on the series kind in contracts/series.ts), the error, the tolerance that applies, and a verdict;
 * then the experiment's series thresholds and the accounting of every SQS message. Pure: takes the
 * two series files and the resolved expectations, returns `comparison.json`'s object.
 *
 * Both sides are cut to one window (the run's observed window, load + tail), so a gauge's figure
 * never depends on how long one side happened to record. An `interval` tolerance judges the
 * measured figure against the simulator's prediction interval over seeds (contracts/series.ts).
 */
import { SERIES, seriesKey, seriesTotal, type Series, type SeriesFile } from '../contracts/series.ts';
import { checkExpectations, parseSeriesKey } from '../contracts/series-thresholds.ts';
import type { ResolvedExpect, Tolerance } from '../experiment/types.ts';
import { notMeasured, type MessageAccounting } from './accounting.ts';

export type { MessageAccounting } from './accounting.ts';
import type { WindowedComparison } from './windows.ts';

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
  /**
   * For `interval` tolerances: the predicted interval of the figure (at the prediction's level),
   * and the band it was judged against after the tolerance's `relative`/`absolute` widening.
   */
  interval?: { level: number; lower: number; upper: number; passBand: [number, number] };
  /** Steps of the window that hold data on each side (the rest are no-data steps, never zeros). */
  steps: { predicted: number; measured: number };
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

/** The window every figure covers: steps [0, steps) of `stepMs` from `startMs` (epoch ms). */
export interface ComparisonWindow {
  startMs: number;
  stepMs: number;
  steps: number;
  /** Of which the load itself (the rest is the observation tail). */
  loadSteps: number | null;
  /** Where the prediction interval came from, when there is one. */
  prediction: { level: number; runs: number; seed: number } | null;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  window: ComparisonWindow;
  series: SeriesComparison[];
  thresholds: ThresholdResult[];
  messages: MessageAccounting | null;
  /** The stop condition that ended the faults early (chaos/stop-conditions.ts StopFired), if one fired. */
  stoppedBy?: { condition: string; atMs: number; at: string; value: number | null; then: 'stop-load' | 'continue'; index: number | null } | null;
  verdict: { predictions: 'pass' | 'fail'; thresholds: 'pass' | 'fail'; messages: 'pass' | 'fail' | 'off' | 'not-measured' };
  /** Per-window figures and recovery after each fault (compare/windows.ts), added by the run flow. */
  windows?: WindowedComparison;
}

export { seriesTotal };

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
 * The band an `interval` tolerance passes: the predicted interval widened by the tolerance's
 * `absolute`/`relative` slack (known measurement noise; the larger applies), and for counts
 * rounded outward to whole events, since a measured count is an integer.
 */
export function intervalBand(lower: number, upper: number, predicted: number, tol: Tolerance, integer: boolean): [number, number] {
  const slack = Math.max(tol.absolute ?? 0, (tol.relative ?? 0) * Math.abs(predicted));
  // Every series is non-negative (contracts/series.ts), so the band starts at 0 at the lowest.
  let lo = Math.max(0, lower - slack);
  let hi = upper + slack;
  if (integer) {
    lo = Math.floor(lo + 1e-9);
    hi = Math.ceil(hi - 1e-9);
  }
  return [lo, hi];
}

function countSteps(values: ReadonlyArray<number | null>): number {
  let n = 0;
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v)) n++;
  return n;
}

/** Cut (or pad with no-data) a series to the window's steps; sums pad with 0. */
function cut(values: ReadonlyArray<number | null> | undefined, steps: number, pad: number | null): Array<number | null> {
  const out: Array<number | null> = [];
  for (let i = 0; i < steps; i++) out.push(values && i < values.length ? (values[i] ?? null) : pad);
  return out;
}

/**
 * `accounting`: the run's message accounting (compare/accounting.ts), computed by the caller from
 * the target's ledger; with `expect.messages: no-loss` and none given, the messages were not measured.
 */
export function compareSeries(predicted: SeriesFile, measured: SeriesFile, expect: ResolvedExpect, accounting?: MessageAccounting | null): Comparison {
  // The window: the files' own when they carry one, else the longer of the two (older files).
  const steps =
    predicted.window?.steps ??
    measured.window?.steps ??
    Math.max(0, ...predicted.series.map((s) => s.values.length), ...measured.series.map((s) => s.values.length));
  const loadSteps = predicted.window?.loadSteps ?? measured.window?.loadSteps ?? null;
  const onWindow = (s: Series): Series => {
    const pad = SERIES[s.name]?.kind === 'sum' ? 0 : null;
    const w: Series = { ...s, values: cut(s.values, steps, pad) };
    if (s.lower) w.lower = cut(s.lower, steps, pad);
    if (s.upper) w.upper = cut(s.upper, steps, pad);
    return w;
  };
  const pIndex = new Map(predicted.series.map((s) => [seriesKey(s.name, s.labels), onWindow(s)]));
  const mIndex = new Map(measured.series.map((s) => [seriesKey(s.name, s.labels), onWindow(s)]));
  const keys = [...new Set([...pIndex.keys(), ...mIndex.keys()])].sort();
  const level = predicted.interval?.level ?? null;
  const out: SeriesComparison[] = [];
  for (const key of keys) {
    const p = pIndex.get(key);
    const m = mIndex.get(key);
    const any = (p ?? m)!;
    const tol = toleranceFor(any, expect.predictions);
    const pv = p ? seriesTotal(p) : null;
    const mv = m ? seriesTotal(m) : null;
    const error = pv !== null && mv !== null ? mv - pv : null;
    // Sums of events and peaks are whole numbers on the measured side; means of gauges are not.
    const kind = SERIES[any.name]?.kind;
    const integer = kind === 'sum' || kind === 'max';
    let verdict: SeriesComparison['verdict'] = 'skipped';
    let failedSteps: number[] | undefined;
    let interval: SeriesComparison['interval'];
    if (tol && p && m && pv !== null && mv !== null) {
      if (tol.on === 'step') {
        failedSteps = [];
        for (let i = 0; i < steps; i++) {
          const a = p.values[i];
          const b = m.values[i];
          if (a === null || b === null || a === undefined || b === undefined) continue;
          if (tol.interval !== null) {
            const [lo, hi] = intervalBand(p.lower?.[i] ?? a, p.upper?.[i] ?? a, a, tol, integer);
            if (b < lo || b > hi) failedSteps.push(i);
          } else if (!withinTolerance(a, b, tol)) failedSteps.push(i);
        }
        verdict = failedSteps.length === 0 ? 'pass' : 'fail';
      } else if (tol.interval !== null) {
        // A prediction of one seed has no spread: its interval is the point itself.
        const lower = p.total?.lower ?? pv;
        const upper = p.total?.upper ?? pv;
        const passBand = intervalBand(lower, upper, pv, tol, integer);
        interval = { level: level ?? tol.interval, lower, upper, passBand };
        verdict = mv >= passBand[0] && mv <= passBand[1] ? 'pass' : 'fail';
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
      ...(interval ? { interval } : {}),
      steps: { predicted: p ? countSteps(p.values) : 0, measured: m ? countSteps(m.values) : 0 },
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
    window: { startMs: measured.startMs, stepMs: measured.stepMs, steps, loadSteps, prediction: predicted.interval ?? null },
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
