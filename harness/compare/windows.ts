/**
 * Time-windowed SLOs and recovery figures: a run's totals hide what a fault did, so the same
 * figures are formed per window (before the first fault, during each fault, between and after),
 * and each fault's aftermath is measured: how long after its end throughput is back within the
 * prediction's tolerance, and how long the queues' backlog takes to drain. Pure: takes the two
 * series files, the faults' windows and the tolerances; the result goes into comparison.json as
 * `windows`, so the report, JUnit and the index all read one computation.
 */
import { SERIES, seriesKey, type Series, type SeriesFile } from '../contracts/series.ts';
import type { Tolerance } from '../experiment/types.ts';

export interface FaultSpan {
  id: number;
  /** Human label, e.g. "reserved concurrency of orders-api set to 0". */
  label: string;
  atMs: number;
  /** null: until the end of the run. */
  forMs: number | null;
}

export interface TimeWindow {
  kind: 'before' | 'fault' | 'between' | 'after';
  label: string;
  /** Set for `fault` windows. */
  faultId?: number;
  fromMs: number;
  toMs: number;
}

export interface WindowFigure {
  key: string;
  name: string;
  /** Over the window: sum for counts, max for peaks, mean for gauges and percentiles. */
  measured: number | null;
  predicted: number | null;
  /** For counts: per second over the window (null for other kinds). */
  measuredPerSecond: number | null;
  predictedPerSecond: number | null;
}

export interface WindowSlos {
  window: TimeWindow;
  figures: WindowFigure[];
}

export interface Recovery {
  faultId: number;
  label: string;
  /** When the fault ended, on the load's timeline. */
  endMs: number;
  /** The throughput series recovery is judged on (summed over its labels). */
  throughput: string | null;
  /** Time from the fault's end until throughput is back within tolerance for `sustainSteps` steps; null: never (within the observed run). */
  recoveryMs: number | null;
  /** Backlog (visible messages of the non-DLQ queues) drained back to its pre-fault level: measured and predicted; null when no queue or never. */
  drainMs: number | null;
  predictedDrainMs: number | null;
  /** Peak backlog after the fault began (measured). */
  peakBacklog: number | null;
}

export interface WindowedComparison {
  stepMs: number;
  windows: WindowSlos[];
  recoveries: Recovery[];
}

/** Series whose figures are shown per window: what a reader asks of a fault, nothing more. */
export const WINDOW_SERIES = [
  'http.requests',
  'http.status_2xx',
  'http.status_429',
  'http.status_5xx',
  'http.failed',
  'http.latency_p95_ms',
  'k6.dropped_iterations',
  'lambda.invocations',
  'lambda.throttles',
  'lambda.errors',
  'lambda.concurrency',
  'sqs.visible',
  'sqs.moved_to_dlq',
  'esm.batches',
] as const;

/** Throughput candidates for recovery, most client-facing first. */
const THROUGHPUT = ['http.status_2xx', 'lambda.invocations', 'sqs.deleted'] as const;

/** Consecutive in-tolerance steps that count as "recovered": one lucky step is not recovery. */
export const RECOVERY_SUSTAIN_STEPS = 3;

/** Splits [0, endMs) at every fault's start and end; windows shorter than one step are dropped. */
export function timeWindows(faults: readonly FaultSpan[], endMs: number, stepMs: number): TimeWindow[] {
  const spans = faults
    .map((f) => ({ ...f, to: Math.min(endMs, f.forMs === null ? endMs : f.atMs + f.forMs) }))
    .filter((f) => f.atMs < endMs && f.to > f.atMs)
    .sort((a, b) => a.atMs - b.atMs || a.id - b.id);
  const out: TimeWindow[] = [];
  if (spans.length === 0) return [{ kind: 'before', label: 'whole run (no fault)', fromMs: 0, toMs: endMs }];
  if (spans[0]!.atMs >= stepMs) out.push({ kind: 'before', label: 'before the first fault', fromMs: 0, toMs: spans[0]!.atMs });
  let cursor = spans[0]!.atMs;
  for (const f of spans) {
    if (f.atMs - cursor >= stepMs) out.push({ kind: 'between', label: 'between faults', fromMs: cursor, toMs: f.atMs });
    out.push({ kind: 'fault', label: `during #${f.id}: ${f.label}`, faultId: f.id, fromMs: f.atMs, toMs: f.to });
    cursor = Math.max(cursor, f.to);
  }
  if (endMs - cursor >= stepMs) out.push({ kind: 'after', label: 'after the last fault', fromMs: cursor, toMs: endMs });
  return out;
}

/** Steps [from, to) covering a window: a step belongs where it starts. */
function stepRange(w: { fromMs: number; toMs: number }, stepMs: number, n: number): [number, number] {
  return [Math.max(0, Math.ceil(w.fromMs / stepMs - 1e-9)), Math.min(n, Math.ceil(w.toMs / stepMs - 1e-9))];
}

/** A series' figure over steps [a, b): sum for counts, max for peaks, mean otherwise; null when no data. */
export function aggregate(s: Series, a: number, b: number): number | null {
  const kind = SERIES[s.name]?.kind ?? 'sum';
  let n = 0;
  let sum = 0;
  let max = -Infinity;
  for (let i = a; i < b && i < s.values.length; i++) {
    const v = s.values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v > max) max = v;
  }
  if (n === 0) return null;
  return kind === 'sum' ? sum : kind === 'max' ? max : sum / n;
}

/** Step-wise sum of every series named `name` (all labels); null where none has data. */
export function sumByName(file: SeriesFile, name: string, filter: (s: Series) => boolean = () => true): Array<number | null> | null {
  const picked = file.series.filter((s) => s.name === name && filter(s));
  if (picked.length === 0) return null;
  const n = Math.max(...picked.map((s) => s.values.length));
  const out: Array<number | null> = new Array(n).fill(null);
  for (const s of picked)
    s.values.forEach((v, i) => {
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      out[i] = (out[i] ?? 0) + v;
    });
  return out;
}

function within(p: number, m: number, tol: Tolerance): boolean {
  const d = Math.abs(m - p);
  return (tol.absolute !== null && d <= tol.absolute) || (tol.relative !== null && d <= tol.relative * Math.abs(p));
}

/**
 * First step at or after `fromStep` that starts a run of `sustain` steps with measured within
 * tolerance of predicted; null when none does. Steps where either side has no data break a run.
 */
export function firstRecoveredStep(measured: ReadonlyArray<number | null>, predicted: ReadonlyArray<number | null>, fromStep: number, tol: Tolerance, sustain = RECOVERY_SUSTAIN_STEPS): number | null {
  const n = Math.min(measured.length, predicted.length);
  let runStart = -1;
  let run = 0;
  for (let i = Math.max(0, fromStep); i < n; i++) {
    const m = measured[i];
    const p = predicted[i];
    if (m !== null && m !== undefined && p !== null && p !== undefined && within(p, m, tol)) {
      if (run === 0) runStart = i;
      if (++run >= sustain) return runStart;
    } else run = 0;
  }
  // A run that reaches the end of the data but is shorter than `sustain` still counts if the data ends.
  return run > 0 && run === n - runStart ? runStart : null;
}

/**
 * First step at or after `fromStep` where the backlog is at or below `level` (the level before
 * the fault, plus `slack` messages of noise); null when it never gets there.
 */
export function firstDrainedStep(backlog: ReadonlyArray<number | null>, fromStep: number, level: number, slack = 0): number | null {
  for (let i = Math.max(0, fromStep); i < backlog.length; i++) {
    const v = backlog[i];
    if (v !== null && v !== undefined && v <= level + slack) return i;
  }
  return null;
}

export interface WindowedInput {
  predicted: SeriesFile;
  measured: SeriesFile;
  faults: readonly FaultSpan[];
  /** End of the observed run on the load's timeline (load + tail). */
  endMs: number;
  /** Tolerance for a throughput series (the comparison's own lookup, so recovery uses the same bar). */
  toleranceFor: (s: Series) => Tolerance | null;
  /** Queues that are some queue's dead-letter queue: their backlog is the DLQ, not a backlog to drain. */
  deadLetterQueues?: readonly string[];
}

export function windowedComparison(i: WindowedInput): WindowedComparison {
  const stepMs = i.measured.stepMs || i.predicted.stepMs || 1000;
  const n = Math.max(0, Math.ceil(i.endMs / stepMs));
  const windows = timeWindows(i.faults, i.endMs, stepMs);
  const pIndex = new Map(i.predicted.series.map((s) => [seriesKey(s.name, s.labels), s]));
  const mIndex = new Map(i.measured.series.map((s) => [seriesKey(s.name, s.labels), s]));
  const wanted = new Set<string>(WINDOW_SERIES);
  const keys = [...new Set([...pIndex.keys(), ...mIndex.keys()])].filter((k) => wanted.has((pIndex.get(k) ?? mIndex.get(k))!.name)).sort();

  const slos: WindowSlos[] = windows.map((w) => {
    const [a, b] = stepRange(w, stepMs, n);
    const seconds = ((b - a) * stepMs) / 1000;
    const figures = keys.map((key) => {
      const p = pIndex.get(key);
      const m = mIndex.get(key);
      const s = (p ?? m)!;
      const isCount = (SERIES[s.name]?.kind ?? 'sum') === 'sum';
      const mv = m ? aggregate(m, a, b) : null;
      const pv = p ? aggregate(p, a, b) : null;
      return {
        key,
        name: s.name,
        measured: mv,
        predicted: pv,
        measuredPerSecond: isCount && mv !== null && seconds > 0 ? mv / seconds : null,
        predictedPerSecond: isCount && pv !== null && seconds > 0 ? pv / seconds : null,
      };
    });
    return { window: w, figures };
  });

  const dlqs = new Set(i.deadLetterQueues ?? []);
  const isBacklog = (s: Series) => !!s.labels.queue && !dlqs.has(s.labels.queue);
  const mBacklog = sumByName(i.measured, 'sqs.visible', isBacklog);
  const pBacklog = sumByName(i.predicted, 'sqs.visible', isBacklog);
  let throughputName: string | null = null;
  let mThr: Array<number | null> | null = null;
  let pThr: Array<number | null> | null = null;
  let tol: Tolerance | null = null;
  for (const name of THROUGHPUT) {
    const m = sumByName(i.measured, name);
    const p = sumByName(i.predicted, name);
    if (!m || !p || !m.some((v) => v)) continue;
    const sample = i.measured.series.find((s) => s.name === name)!;
    throughputName = name;
    mThr = m;
    pThr = p;
    tol = i.toleranceFor({ ...sample, labels: {} }) ?? i.toleranceFor(sample) ?? { relative: 0.15, absolute: 5, interval: null, on: 'total' };
    break;
  }

  const recoveries: Recovery[] = i.faults
    .filter((f) => f.atMs < i.endMs)
    .map((f) => {
      const endMs = Math.min(i.endMs, f.forMs === null ? i.endMs : f.atMs + f.forMs);
      const endStep = Math.ceil(endMs / stepMs - 1e-9);
      const startStep = Math.floor(f.atMs / stepMs);
      let recoveryMs: number | null = null;
      if (mThr && pThr && tol) {
        const s = firstRecoveredStep(mThr, pThr, endStep, tol);
        if (s !== null) recoveryMs = Math.max(0, s * stepMs - endMs);
      }
      const drain = (b: Array<number | null> | null): number | null => {
        if (!b) return null;
        const pre = startStep > 0 ? Math.max(0, ...b.slice(0, startStep).map((v) => v ?? 0)) : 0;
        // Slack: one message per second of rate noise is not a backlog; 1 % of the peak, at least 1.
        const peak = Math.max(0, ...b.slice(startStep).map((v) => v ?? 0));
        const s = firstDrainedStep(b, endStep, pre, Math.max(1, 0.01 * peak));
        return s === null ? null : Math.max(0, s * stepMs - endMs);
      };
      const peak = mBacklog ? Math.max(0, ...mBacklog.slice(startStep).map((v) => v ?? 0)) : null;
      return {
        faultId: f.id,
        label: f.label,
        endMs,
        throughput: throughputName,
        recoveryMs,
        drainMs: drain(mBacklog),
        predictedDrainMs: drain(pBacklog),
        peakBacklog: peak,
      };
    });
  return { stepMs, windows: slos, recoveries };
}
