/**
 * The report's one JSON data block, built from a run folder: the verdict and its sentences, the
 * experiment in words, the headline figures (with the baseline's deltas), the timeline charts on
 * one time axis (measured, predicted with its band, the baseline faintly, limits, fault windows),
 * and every table. Everything the page shows is decided here; the template only draws it. Pure
 * apart from the points digest handed in, and deterministic: no wall clock, only the run's files.
 */
import { SERIES, type Series, type SeriesFile } from '../contracts/series.ts';
import { seriesTotal } from '../compare/compare.ts';
import { windowedComparison, type FaultSpan, type WindowedComparison } from '../compare/windows.ts';
import { toleranceFor } from '../compare/compare.ts';
import type { ResolvedExperiment, ResolvedFault } from '../experiment/types.ts';
import { formatOutcomes, type MessageAccounting } from '../compare/accounting.ts';
import { lambdaCost, MONTH_SECONDS } from '../simulator/pricing.ts';
import type { PointsDigest } from './points.ts';
import type { BandSeries, RunFiles } from './run-folder.ts';

export const REPORT_DATA_SCHEMA = 'squall.report/v1';

export type Verdict = 'pass' | 'fail' | 'incomplete';

export interface Line {
  label: string;
  role: 'measured' | 'predicted' | 'baseline' | 'limit';
  /** Colour slot 0..7 shared by a measured line and its prediction. */
  hue: number;
  values: Array<number | null>;
  lower?: Array<number | null>;
  upper?: Array<number | null>;
}

export interface Chart {
  id: string;
  group: string;
  title: string;
  unit: string;
  /** One sentence under the title: how to read it. */
  note: string;
  lines: Line[];
}

export interface Headline {
  label: string;
  unit: string;
  measured: number | null;
  predicted: number | null;
  baseline: number | null;
  /** true when bigger is better (drives the delta's colour). */
  higherIsBetter: boolean | null;
}

export interface Sentence {
  kind: 'prediction' | 'series-threshold' | 'k6-threshold' | 'messages' | 'restore' | 'run';
  name: string;
  text: string;
}

export interface ReportData {
  schema: typeof REPORT_DATA_SCHEMA;
  runId: string;
  experimentName: string;
  /** From the run id (UTC), so re-rendering keeps it. */
  startedAt: string | null;
  verdict: Verdict;
  failures: Sentence[];
  missing: Array<{ file: string; why: string }>;
  paragraph: string;
  headline: Headline[];
  stepMs: number;
  /** Seconds since load start, one per step. */
  x: number[];
  loadEndS: number;
  faults: Array<{ id: number; label: string; fromS: number; toS: number }>;
  charts: Chart[];
  thresholds: Array<{ metric: string; expression: string; observed: string; ok: boolean }>;
  seriesThresholds: Array<{ key: string; expression: string; value: number | null; ok: boolean; reason?: string }>;
  checks: Array<{ path: string; passes: number; fails: number; rate: number | null }>;
  accuracy: Array<{ key: string; unit: string; measured: number | null; predicted: number | null; error: number | null; relativeError: number | null; tolerance: string; verdict: string }>;
  windows: WindowedComparison | null;
  /** The windowed figures as one table: a row per series, a measured/predicted pair per window. */
  windowTable: WindowTable | null;
  accounting: Accounting | null;
  cost: CostRow[];
  custom: Array<{ name: string; type: string; total: number | null; avg?: number | null; max?: number | null; samples: number }>;
  breakdown: Array<{ by: string; value: string; requests: number; failed: number; errorRate: number | null; p50: number | null; p95: number | null; p99: number | null }>;
  journal: Array<{ at: string; offsetS: number | null; event: string; faultId: number | null; action: string; detail: string }>;
  meta: Array<[string, string]>;
  baseline: { runId: string; dir: string; verdict: Verdict } | null;
}

export interface WindowTable {
  columns: Array<{ label: string; kind: string; fromS: number; toS: number }>;
  rows: Array<{ key: string; cells: Array<{ measured: number | null; predicted: number | null; perSecond: boolean; off: boolean }> }>;
}

/** Rows per series, columns per window; a cell is off when measured leaves the prediction by more than a third. */
export function windowTable(w: WindowedComparison | null): WindowTable | null {
  if (!w || !w.windows.length) return null;
  const keys = [...new Set(w.windows.flatMap((x) => x.figures.map((f) => f.key)))].sort();
  return {
    columns: w.windows.map((x) => ({ label: x.window.label, kind: x.window.kind, fromS: x.window.fromMs / 1000, toS: x.window.toMs / 1000 })),
    rows: keys.map((key) => ({
      key,
      cells: w.windows.map((x) => {
        const f = x.figures.find((y) => y.key === key);
        const perSecond = f?.measuredPerSecond !== null && f?.measuredPerSecond !== undefined;
        const m = perSecond ? f!.measuredPerSecond : (f?.measured ?? null);
        const p = perSecond ? (f!.predictedPerSecond ?? null) : (f?.predicted ?? null);
        const off = m !== null && p !== null && Math.abs(m - p) > Math.max(1, Math.abs(p) / 3);
        return { measured: m, predicted: p, perSecond, off };
      }),
    })),
  };
}

export interface Accounting {
  /** true: from the target's message ledger, exact by kind; false: inferred from totals (older runs). */
  exact: boolean;
  rows: Array<{ kind: 'good' | 'poison'; sent: number; processed: number; deadLettered: number; left: number }>;
  lost: number;
  ok: boolean;
  finding: string | null;
  recommendation: string | null;
  perQueue: Array<{ queue: string; sent: number; deleted: number; movedToDlq: number; remaining: number }>;
}

export interface CostRow {
  function: string;
  measuredUsd: number | null;
  predictedUsd: number | null;
  measuredMonthlyUsd: number | null;
  predictedMonthlyUsd: number | null;
}

/** What the emulator does not reproduce (README "Known limits"); said in every emulated report. */
export const EMULATOR_LIMITS =
  'network latency to AWS endpoints, cross-AZ effects, Lambda service-side retries beyond the modelled ones, CloudWatch metric delays, real cold-start variance of your code on AWS hardware';

const fmtN = (v: number | null | undefined, d = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Number.isInteger(v) ? String(v) : v.toFixed(d));

function tolText(t: { relative: number | null; absolute: number | null; on: string; interval?: number | null } | null): string {
  if (!t) return '—';
  const parts: string[] = [];
  if (t.interval !== undefined && t.interval !== null) parts.push(`${Math.round(t.interval * 1000) / 10}% interval`);
  if (t.relative !== null) parts.push(`±${Math.round(t.relative * 1000) / 10}%`);
  if (t.absolute !== null) parts.push(`±${t.absolute}`);
  return `${parts.join(' or ')}${t.on === 'step' ? ' per step' : ''}`;
}

/** Run ids start with the UTC time of the run: 20261207-020347-xxxx. */
export function runIdTime(runId: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(runId);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

/**
 * A journal value as the report shows it. A function's environment (function faults journal it
 * whole, to restore it) may hold secrets, and reports are shared: its variables are shown by name,
 * their values hidden — but for SQUALL_FAULTS, squall's own.
 */
export function shown(v: unknown): string {
  return JSON.stringify(v, (_key, x: unknown) => {
    const o = x as { kind?: unknown; variables?: unknown } | null;
    if (!o || typeof o !== 'object' || o.kind !== 'function-environment' || !o.variables || typeof o.variables !== 'object') return x;
    const hidden: Record<string, string> = {};
    for (const [k, val] of Object.entries(o.variables as Record<string, string>)) hidden[k] = k === 'SQUALL_FAULTS' ? val : '(hidden)';
    return { ...o, variables: hidden };
  });
}

export function describeFaultAction(f: ResolvedFault): string {
  switch (f.action) {
    case 'set-reserved-concurrency':
      return `reserved concurrency of ${f.function} → ${f.value}`;
    case 'remove-reserved-concurrency':
      return `reserved concurrency of ${f.function} removed`;
    case 'set-provisioned-concurrency':
      return `provisioned concurrency of ${f.function} → ${f.value}`;
    case 'disable-event-source':
      return `event source ${f.eventSource} disabled`;
    case 'enable-event-source':
      return `event source ${f.eventSource} enabled`;
    case 'update-event-source':
      return `event source ${f.eventSource} updated${f.batchSize !== null ? `, batch size ${f.batchSize}` : ''}${f.maximumConcurrency !== null ? `, maximum concurrency ${f.maximumConcurrency}` : ''}`;
    case 'inject-poison':
      return `poison (${f.kind}) into ${f.queue}${f.count !== null ? `, ${f.count} messages` : f.ratePerSecond !== null ? `, ${f.ratePerSecond}/s` : ''}`;
    case 'inject-latency':
      return `latency on ${f.percentage} % of ${f.function}'s invocations (${f.latency.kind === 'constant' ? `${f.latency.ms} ms` : f.latency.kind})`;
    case 'inject-errors':
      return `${f.errorType} on ${f.percentage} % of ${f.function}'s invocations`;
    case 'override-status':
      return `status ${f.statusCode} on ${f.percentage} % of ${f.function}'s responses`;
  }
}

export function faultSpans(exp: ResolvedExperiment): FaultSpan[] {
  return exp.chaos.faults.map((f) => ({ id: f.id, label: describeFaultAction(f), atMs: f.atMs, forMs: f.forMs }));
}

export function deadLetterQueues(exp: ResolvedExperiment): string[] {
  return Object.values(exp.system.queues).flatMap((q) => (q.redrive ? [q.redrive.deadLetterQueue] : []));
}

/** The windowed comparison for a run folder: comparison.json's own, or formed now for older runs. */
export function windowsFor(files: RunFiles): WindowedComparison | null {
  if (files.comparison?.windows) return files.comparison.windows;
  const { experiment: exp, measured, predicted } = files;
  if (!exp || !measured || !predicted) return null;
  const steps = Math.max(0, ...measured.series.map((s) => s.values.length));
  return windowedComparison({
    predicted,
    measured,
    faults: faultSpans(exp),
    endMs: steps * measured.stepMs,
    toleranceFor: (s) => toleranceFor(s, exp.expect.predictions),
    deadLetterQueues: deadLetterQueues(exp),
  });
}

function total(file: SeriesFile | null, name: string, filter: (s: Series) => boolean = () => true): number | null {
  if (!file) return null;
  const picked = file.series.filter((s) => s.name === name && filter(s));
  if (!picked.length) return null;
  const kind = SERIES[name as keyof typeof SERIES]?.kind ?? 'sum';
  const vals = picked.map(seriesTotal).filter((v): v is number => v !== null);
  if (!vals.length) return null;
  return kind === 'sum' ? vals.reduce((a, b) => a + b, 0) : Math.max(...vals);
}

/** The sentences of the verdict banner: one per failed expectation, said as measured vs predicted or bound. */
export function failureSentences(files: RunFiles): Sentence[] {
  const out: Sentence[] = [];
  const c = files.comparison;
  if (c) {
    for (const s of c.series.filter((x) => x.verdict === 'fail')) {
      const steps = s.failedSteps?.length ? ` in ${s.failedSteps.length} step(s)` : '';
      const iv = s.interval;
      out.push({
        kind: 'prediction',
        name: s.key,
        text: iv
          ? `${s.key}: measured ${fmtN(s.measured)} ${s.unit}, outside the predicted ${Math.round(iv.level * 100)}% interval ${fmtN(iv.lower)}–${fmtN(iv.upper)} (pass band ${fmtN(iv.passBand[0])}–${fmtN(iv.passBand[1])}; mean ${fmtN(s.predicted)})${steps}.`
          : `${s.key}: measured ${fmtN(s.measured)} vs predicted ${fmtN(s.predicted)} ${s.unit}, outside the tolerance ${tolText(s.tolerance)}${steps}.`,
      });
    }
    for (const t of c.thresholds.filter((x) => !x.ok))
      out.push({ kind: 'series-threshold', name: `${t.key} ${t.expression}`, text: `Series threshold ${t.key} ${t.expression} failed: measured ${fmtN(t.value)}${t.reason ? ` (${t.reason})` : ''}.` });
    const msgs = c.messages as unknown as MessageAccounting | LegacyAccounting | null;
    if (msgs && !msgs.ok) {
      if (!('measured' in msgs))
        out.push({ kind: 'messages', name: 'no message lost', text: `${msgs.lost} message(s) lost: sent ${msgs.sent}, deleted ${msgs.deleted}, still queued ${msgs.remaining}.` });
      else if (msgs.measured) out.push({ kind: 'messages', name: 'no message lost', text: `messages: ${formatOutcomes(msgs)}${msgs.dlq.agrees ? '' : `; the dead-letter queues hold ${msgs.dlq.holds} of the ${msgs.dlq.movedToDlq} moved to them`}.` });
      else out.push({ kind: 'messages', name: 'no message lost', text: `Message loss not measured: ${msgs.reason}.` });
    }
  }
  const stop = (c as { stoppedBy?: { atMs: number; condition: string; value: number | null } | null } | null)?.stoppedBy;
  if (stop)
    out.push({ kind: 'run', name: 'stop condition', text: `Stop condition fired at +${(stop.atMs / 1000).toFixed(1)} s: ${stop.condition}${stop.value !== null ? ` = ${fmtN(stop.value)}` : ''}; the system did not hold under the experiment.` });
  for (const [metric, m] of Object.entries(files.summary?.metrics ?? {}))
    for (const [expr, r] of Object.entries(m.thresholds ?? {}))
      if (!r.ok) out.push({ kind: 'k6-threshold', name: `${metric} ${expr}`, text: `k6 threshold ${metric} ${expr} failed: observed ${observedFor(m.values, expr)}.` });
  for (const f of unrestored(files)) out.push({ kind: 'restore', name: `fault #${f.faultId} restored`, text: `Fault #${f.faultId} (${f.action}) was not restored: run \`squall restore ${files.dir}\`.` });
  const k = files.k6Run;
  if (k && !stop && k.exitCode !== 0 && k.exitCode !== 99 && k.exitCode !== undefined)
    out.push({
      kind: 'run',
      name: 'load generator',
      text:
        k.exitCode === 105
          ? 'The run was interrupted (the load generator exited with 105): the measured figures cover only the part that ran, so comparisons with the whole planned run fail.'
          : `The load generator exited with ${k.exitCode ?? k.signal ?? 'no code'}: see k6-stderr.log.`,
    });
  // What happened to the run first: it explains the rest.
  return [...out.filter((x) => x.kind === 'run'), ...out.filter((x) => x.kind !== 'run')];
}

/** The value a k6 threshold expression is about, from the metric's summary values. */
export function observedFor(values: Record<string, number>, expr: string): string {
  const m = /^\s*([a-z]+(?:\([\d.]+\))?)/.exec(expr);
  const agg = m?.[1] ?? '';
  const key = agg === 'p(50)' ? 'med' : agg;
  const v = values[key] ?? (agg === 'count' ? values.count : undefined);
  if (v === undefined) return Object.entries(values).map(([k, x]) => `${k}=${fmtN(x)}`).join(', ');
  return `${agg}=${fmtN(v)}`;
}

function unrestored(files: RunFiles): Array<{ faultId: number; action: string }> {
  const planned = new Map<number, string>();
  const restored = new Set<number>();
  for (const e of files.journal) {
    if (e.event === 'planned' && e.previous.kind !== 'none') planned.set(e.faultId, e.action);
    if (e.event === 'restored') restored.add(e.faultId);
  }
  return [...planned].filter(([id]) => !restored.has(id)).map(([faultId, action]) => ({ faultId, action }));
}

export function verdictOf(files: RunFiles, failures: Sentence[]): Verdict {
  if (failures.length) return 'fail';
  if (!files.comparison || !files.summary) return 'incomplete';
  return 'pass';
}

function paragraph(exp: ResolvedExperiment, files: RunFiles): string {
  const fns = Object.values(exp.system.functions).map(
    (f) => `${f.name} (${f.memoryMB} MB, timeout ${f.timeoutSeconds} s${f.reservedConcurrency !== null ? `, reserved concurrency ${f.reservedConcurrency}` : ''}${f.provisionedConcurrency ? `, provisioned ${f.provisionedConcurrency}` : ''}${f.url ? ', function URL' : ''})`,
  );
  const qs = Object.values(exp.system.queues).map((q) => `${q.name}${q.fifo ? ' (FIFO)' : ''}${q.redrive ? ` → DLQ ${q.redrive.deadLetterQueue} after ${q.redrive.maxReceiveCount} receives` : ''}`);
  const esm = exp.system.eventSources.map((e) => `${e.queue} → ${e.function} in batches of ${e.batchSize}${e.reportBatchItemFailures ? ' with partial batch responses' : ''}`);
  const load = Object.entries(exp.load.scenarios).map(([name, s]) => {
    const sc = s as unknown as { executor: string; rate?: number; timeUnitMs?: number; vus?: number; template?: string };
    const rate = sc.rate !== undefined ? ` at ${sc.rate}/${sc.timeUnitMs && sc.timeUnitMs !== 1000 ? `${sc.timeUnitMs / 1000} s` : 's'}` : sc.vus !== undefined ? ` with ${sc.vus} VUs` : '';
    return `${name} (${sc.template ?? 'script'}, ${sc.executor}${rate})`;
  });
  const faults = exp.chaos.faults.map((f) => `at ${f.atMs / 1000} s${f.forMs !== null ? ` for ${f.forMs / 1000} s` : ''}: ${describeFaultAction(f)}`);
  const target = exp.target.kind === 'emulated' ? "squall's local emulator" : `AWS ${exp.target.region}${exp.target.endpoint ? ` at ${exp.target.endpoint}` : ''}`;
  const parts = [
    `System: ${[...fns, ...qs].join('; ') || 'none'}${esm.length ? `; ${esm.join('; ')}` : ''}.`,
    `Load: ${load.join('; ')} for ${exp.load.durationMs / 1000} s.`,
    `Faults: ${faults.length ? faults.join('; ') : 'none'}.`,
    `Seed ${exp.seed}, engine ${files.k6Run?.runner ?? exp.load.engine}, target ${target}.`,
  ];
  return parts.join(' ');
}


function rateOf(file: SeriesFile | null, name: string, seconds: number): number | null {
  const t = total(file, name);
  return t === null || seconds <= 0 ? null : t / seconds;
}

function measuredCost(exp: ResolvedExperiment, measured: SeriesFile | null): CostRow[] {
  const seconds = exp.load.durationMs / 1000;
  return Object.values(exp.system.functions).map((f) => {
    const byFn = (s: Series) => s.labels.function === f.name;
    const inv = total(measured, 'lambda.invocations', byFn);
    // Mean handler duration ≈ invocation-weighted mean of the per-step medians (measured.json
    // carries percentiles per step, not sums); the report says it is an estimate.
    const invS = measured?.series.find((s) => s.name === 'lambda.invocations' && byFn(s));
    const durS = measured?.series.find((s) => s.name === 'lambda.duration_p50_ms' && byFn(s));
    let measuredUsd: number | null = null;
    if (inv !== null && invS && durS) {
      let w = 0;
      let d = 0;
      invS.values.forEach((n, i) => {
        const dv = durS.values[i];
        if (n && dv !== null && dv !== undefined) {
          w += n;
          d += n * dv;
        }
      });
      const durationMs = w ? d / w : 0;
      measuredUsd = lambdaCost({ architecture: f.architecture, memoryMB: f.memoryMB, requests: inv, durationMs, freeTier: false }).totalUsd;
    }
    return { function: f.name, measuredUsd, predictedUsd: null, measuredMonthlyUsd: measuredUsd === null || seconds <= 0 ? null : (measuredUsd * MONTH_SECONDS) / seconds, predictedMonthlyUsd: null };
  });
}

/** The accounting shape of comparison.json before the ledger (runs written by older squall versions). */
interface LegacyAccounting {
  sent: number;
  deleted: number;
  movedToDlq: number;
  remaining: number;
  lost: number;
  ok: boolean;
  perQueue: Record<string, { sent: number; deleted: number; movedToDlq: number; remaining: number }>;
}

/**
 * Message accounting by kind: exact from the ledger (compare/accounting.ts); for runs written
 * before the ledger, inferred from the totals (poison is never processed).
 */
function accounting(files: RunFiles, digest: PointsDigest): Accounting | null {
  const raw = files.comparison?.messages as unknown as (MessageAccounting | LegacyAccounting | null | undefined);
  const exp = files.experiment;
  if (!raw || !exp) return null;
  if ('measured' in raw) {
    if (!raw.measured) return null;
    const row = (kind: 'good' | 'poison') => {
      const k = raw.byKind[kind];
      return { kind, sent: k.sent, processed: k.processed, deadLettered: k.deadLettered, left: k.queued + k.inFlight + k.expired };
    };
    const c = raw.collateral;
    return {
      exact: true,
      rows: [row('good'), row('poison')],
      lost: raw.lost,
      ok: raw.ok,
      finding: c ? `${c.goodMessages} good message(s) reached a dead-letter queue: ${c.diagnosis}.` : null,
      recommendation: c ? c.recommendation.map((r) => `${r.field}: ${r.current ?? 'unset'} → ${r.recommended} (${r.why})`).join('; ') + (c.predicted ? `; the simulator predicts ${c.predicted.asConfigured} dead-lettered as configured, ${c.predicted.withRecommendation} with these settings.` : '.') : null,
      perQueue: Object.entries(raw.perQueue)
        .map(([queue, v]) => ({ queue, sent: v.all.sent, deleted: v.all.deleted, movedToDlq: v.all.movedToDlq, remaining: v.holds.all.visible + v.holds.all.inFlight + v.holds.all.delayed }))
        .sort((a, b) => a.queue.localeCompare(b.queue)),
    };
  }
  const m = raw;
  const dlqs = new Set(deadLetterQueues(exp));
  const source = Object.entries(m.perQueue).filter(([q]) => !dlqs.has(q));
  const sent = source.reduce((a, [, v]) => a + v.sent, 0);
  const deleted = source.reduce((a, [, v]) => a + v.deleted, 0);
  const dlq = source.reduce((a, [, v]) => a + v.movedToDlq, 0);
  const poisonMetric = digest.custom.find((c) => c.name === 'squall_poison_sent')?.total ?? 0;
  const injected = files.journal.filter((e) => e.event === 'applied' && e.action === 'inject-poison').reduce((a, e) => a + (Number((e as { detail?: { sent?: number } }).detail?.sent) || 0), 0);
  const poison = Math.min(sent, poisonMetric + injected);
  const poisonDlq = Math.min(poison, dlq);
  const goodDlq = dlq - poisonDlq;
  const rows: Accounting['rows'] = [
    { kind: 'good', sent: sent - poison, processed: deleted, deadLettered: goodDlq, left: Math.max(0, sent - poison - deleted - goodDlq) },
    { kind: 'poison', sent: poison, processed: 0, deadLettered: poisonDlq, left: Math.max(0, poison - poisonDlq) },
  ];
  let finding: string | null = null;
  let recommendation: string | null = null;
  if (goodDlq > 0) {
    const q = Object.values(exp.system.queues).find((x) => x.redrive);
    finding = `${goodDlq} good message(s) reached a dead-letter queue: a receive that Lambda cannot invoke (throttled) still counts toward maxReceiveCount${q?.redrive ? ` (${q.redrive.maxReceiveCount} on ${q.name})` : ''} — the throttle→DLQ trap.`;
    recommendation =
      'Give the event source mapping a MaximumConcurrency at or below the function\'s reserved concurrency, so pollers stop receiving what cannot be invoked; keep the visibility timeout ≥ 6 × the function timeout and maxReceiveCount ≥ 5 (aws-lambda-sqs-facts.md §4).';
  }
  return {
    exact: false,
    rows,
    lost: m.lost,
    ok: m.ok,
    finding,
    recommendation,
    perQueue: Object.entries(m.perQueue).map(([queue, v]) => ({ queue, ...v })).sort((a, b) => a.queue.localeCompare(b.queue)),
  };
}

// ----- charts ---------------------------------------------------------------------------------

interface Sources {
  measured: SeriesFile | null;
  predicted: { series: BandSeries[] } | null;
  baseline: SeriesFile | null;
  steps: number;
}

/**
 * A value as a chart needs it: three significant digits (integers stay whole). An hour at 1 s
 * steps is ~200,000 numbers in the page; this keeps report.html under 2 MB (bench/report.bench.ts).
 */
export function chartValue(v: number, digits = 3): number {
  if (v === 0) return 0;
  const p = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(v))));
  if (p <= 1 && Number.isInteger(v) && digits >= 3) return v;
  return Math.round(v * p) / p;
}

function fit(values: ReadonlyArray<number | null> | undefined, n: number, digits = 3): Array<number | null> {
  const out: Array<number | null> = new Array(n).fill(null);
  if (!values) return out;
  for (let i = 0; i < n && i < values.length; i++) {
    const v = values[i];
    out[i] = v === undefined || v === null || !Number.isFinite(v) ? null : chartValue(v, digits);
  }
  return out;
}

function pick(file: { series: BandSeries[] } | SeriesFile | null, name: string, filter: (s: Series) => boolean): BandSeries[] {
  return file ? (file.series as BandSeries[]).filter((s) => s.name === name && filter(s)) : [];
}

/** Step-wise sum of several series (and of their bands); null where all are null. */
function sumSeries(list: BandSeries[], n: number): { values: Array<number | null>; lower?: Array<number | null>; upper?: Array<number | null> } | null {
  if (!list.length) return null;
  const add = (key: 'values' | 'lower' | 'upper') => {
    if (key !== 'values' && !list.every((s) => s[key])) return undefined;
    const out: Array<number | null> = new Array(n).fill(null);
    for (const s of list) {
      // A band is a spread: two significant digits draw it as well as three, in a third less bytes.
      const vs = fit(s[key], n, key === 'values' ? 3 : 2);
      vs.forEach((v, i) => {
        if (v !== null) out[i] = (out[i] ?? 0) + v;
      });
    }
    return out;
  };
  const values = add('values')!;
  const lower = add('lower');
  const upper = add('upper');
  return { values, ...(lower ? { lower } : {}), ...(upper ? { upper } : {}) };
}

/** Measured + predicted (+ band) + faint baseline lines of one series name, summed over the filter. */
function trio(src: Sources, name: string, label: string, hue: number, filter: (s: Series) => boolean = () => true, predicted = true): Line[] {
  const out: Line[] = [];
  const m = sumSeries(pick(src.measured, name, filter), src.steps);
  const p = predicted ? sumSeries(pick(src.predicted, name, filter), src.steps) : null;
  const b = sumSeries(pick(src.baseline, name, filter), src.steps);
  if (!m && !p) return out;
  if (m) out.push({ label: `${label}`, role: 'measured', hue, values: m.values });
  if (p) out.push({ label: `${label} (predicted)`, role: 'predicted', hue, values: p.values, ...(p.lower && p.upper ? { lower: p.lower, upper: p.upper } : {}) });
  if (b && m) out.push({ label: `${label} (baseline)`, role: 'baseline', hue, values: b.values });
  return out;
}

const hasData = (l: Line[]) => l.some((x) => x.role === 'measured' && x.values.some((v) => v !== null && v !== 0)) || l.some((x) => x.role === 'predicted' && x.values.some((v) => v !== null && v !== 0));

function labelValues(file: SeriesFile | null, pf: { series: BandSeries[] } | null, name: string, label: string): string[] {
  const set = new Set<string>();
  for (const f of [file, pf]) for (const s of f?.series ?? []) if (s.name === name && s.labels[label] !== undefined) set.add(s.labels[label]!);
  return [...set].sort();
}

export function buildCharts(exp: ResolvedExperiment | null, src: Sources, digest: PointsDigest): Chart[] {
  const charts: Chart[] = [];
  const add = (c: Omit<Chart, 'lines'> & { lines: Line[] }, always = false) => {
    if (c.lines.length && (always || hasData(c.lines))) charts.push(c);
  };
  const n = src.steps;
  // Offered = what the executors scheduled: iterations started plus those dropped for want of a VU.
  const it = sumSeries(pick(src.measured, 'k6.iterations', () => true), n);
  const dr = sumSeries(pick(src.measured, 'k6.dropped_iterations', () => true), n);
  const offered: Line[] = it ? [{ label: 'offered (iterations + dropped)', role: 'measured', hue: 7, values: it.values.map((v, i) => (v === null && dr?.values[i] == null ? null : (v ?? 0) + (dr?.values[i] ?? 0))) }] : [];
  add({
    id: 'load',
    group: 'Load',
    title: 'Offered vs achieved iterations',
    unit: '/s',
    note: 'What the executors scheduled against what ran; the gap is dropped iterations (no free VU).',
    lines: [...offered, ...trio(src, 'k6.iterations', 'achieved', 0), ...trio(src, 'k6.dropped_iterations', 'dropped', 3)],
  });
  add({
    id: 'status',
    group: 'Load',
    title: 'Requests by status class',
    unit: '/s',
    note: '2xx, 4xx, 429 (throttled) and 5xx responses per second.',
    lines: [...trio(src, 'http.status_2xx', '2xx', 0), ...trio(src, 'http.status_429', '429', 3), ...trio(src, 'http.status_4xx', '4xx other', 4), ...trio(src, 'http.status_5xx', '5xx', 5)],
  });
  add({
    id: 'latency',
    group: 'Load',
    title: 'Latency percentiles',
    unit: 'ms',
    note: 'http_req_duration per step: p50, p95, p99, measured against the model.',
    lines: [...trio(src, 'http.latency_p50_ms', 'p50', 1), ...trio(src, 'http.latency_p95_ms', 'p95', 2), ...trio(src, 'http.latency_p99_ms', 'p99', 6)],
  });
  for (const fn of labelValues(src.measured, src.predicted, 'lambda.invocations', 'function')) {
    const by = (s: Series) => s.labels.function === fn;
    const f = exp?.system.functions[fn];
    add({ id: `inv-${fn}`, group: `Lambda ${fn}`, title: `${fn}: invocations`, unit: '/s', note: 'Invocations that ran function code.', lines: trio(src, 'lambda.invocations', 'invocations', 0, by) });
    const limits: Line[] = [];
    if (f?.reservedConcurrency !== null && f?.reservedConcurrency !== undefined) {
      // The reserved limit changes with faults; draw it as the experiment and its faults set it.
      const vals = new Array<number | null>(n).fill(f.reservedConcurrency);
      for (const fault of exp!.chaos.faults) {
        if (fault.action !== 'set-reserved-concurrency' || fault.function !== fn) continue;
        const a = Math.floor(fault.atMs / 1000);
        const b = fault.forMs === null ? n : Math.ceil((fault.atMs + fault.forMs) / 1000);
        for (let i = a; i < b && i < n; i++) vals[i] = fault.value;
      }
      limits.push({ label: 'reserved concurrency', role: 'limit', hue: 3, values: vals });
    }
    const concLines = trio(src, 'lambda.concurrency', 'concurrency', 1, by);
    const peak = Math.max(0, ...concLines.flatMap((l) => l.values.map((v) => v ?? 0)));
    if (exp && (f?.reservedConcurrency === null || f?.reservedConcurrency === undefined)) {
      // Without reserved concurrency a function shares the unreserved pool: the account limit less
      // what the other functions reserve. Drawn only when the function comes near it; otherwise a
      // flat line at 1,000 would flatten the curve that matters.
      const others = Object.values(exp.system.functions).reduce((a, g) => a + (g.name !== fn && g.reservedConcurrency !== null ? g.reservedConcurrency : 0), 0);
      const pool = exp.system.account.concurrencyLimit - others;
      if (peak >= 0.5 * pool) limits.push({ label: 'unreserved pool (account limit − others\' reserved)', role: 'limit', hue: 5, values: new Array(n).fill(pool) });
    }
    if (f?.provisionedConcurrency) limits.push({ label: 'provisioned', role: 'limit', hue: 1, values: new Array(n).fill(f.provisionedConcurrency) });
    add({ id: `conc-${fn}`, group: `Lambda ${fn}`, title: `${fn}: concurrency against its limits`, unit: 'environments', note: 'Peak concurrent executions per step; dashed flat lines are the limits in force.', lines: [...concLines, ...trio(src, 'lambda.environments', 'environments', 4, by, false), ...limits] });
    const reasons = labelValues(src.measured, src.predicted, 'lambda.throttles_by_reason', 'reason');
    add({
      id: `thr-${fn}`,
      group: `Lambda ${fn}`,
      title: `${fn}: throttles by reason`,
      unit: '/s',
      note: 'Invocation requests Lambda refused, by ThrottleReason.',
      lines: reasons.length ? reasons.flatMap((r, i) => trio(src, 'lambda.throttles_by_reason', r, (3 + i) % 8, (s) => by(s) && s.labels.reason === r)) : trio(src, 'lambda.throttles', 'throttles', 3, by),
    });
    add({ id: `err-${fn}`, group: `Lambda ${fn}`, title: `${fn}: errors and cold starts`, unit: '/s', note: 'Function errors (and timeouts) and invocations that started a new environment.', lines: [...trio(src, 'lambda.errors', 'errors', 5, by), ...trio(src, 'lambda.cold_starts', 'cold starts', 4, by)] });
    add({ id: `async-${fn}`, group: `Lambda ${fn}`, title: `${fn}: asynchronous events`, unit: '/s', note: 'Async Invoke: accepted, retried, dropped.', lines: [...trio(src, 'lambda.async_events', 'accepted', 0, by), ...trio(src, 'lambda.async_retries', 'retries', 2, by), ...trio(src, 'lambda.async_dropped', 'dropped', 5, by)] });
  }
  for (const q of labelValues(src.measured, src.predicted, 'sqs.sent', 'queue').concat(labelValues(src.measured, src.predicted, 'sqs.visible', 'queue')).filter((v, i, a) => a.indexOf(v) === i)) {
    const by = (s: Series) => s.labels.queue === q;
    add({ id: `sqs-${q}`, group: `SQS ${q}`, title: `${q}: sent, deleted, dead-lettered`, unit: 'messages/s', note: 'Message flow per second.', lines: [...trio(src, 'sqs.sent', 'sent', 0, by), ...trio(src, 'sqs.deleted', 'deleted', 1, by), ...trio(src, 'sqs.moved_to_dlq', 'moved to DLQ', 5, by)] });
    add({ id: `sqsq-${q}`, group: `SQS ${q}`, title: `${q}: visible and in flight`, unit: 'messages', note: 'The backlog (ApproximateNumberOfMessages) and messages being processed (NotVisible).', lines: [...trio(src, 'sqs.visible', 'visible', 2, by), ...trio(src, 'sqs.in_flight', 'in flight', 4, by)] });
    add({ id: `sqsage-${q}`, group: `SQS ${q}`, title: `${q}: oldest message age`, unit: 's', note: 'ApproximateAgeOfOldestMessage: how late the backlog is.', lines: trio(src, 'sqs.oldest_age_seconds', 'oldest age', 6, by) });
  }
  for (const id of labelValues(src.measured, src.predicted, 'esm.batches', 'queue')) {
    const by = (s: Series) => s.labels.queue === id;
    add({ id: `esm-${id}`, group: `Event source ${id}`, title: `${id} → function: batches and pollers`, unit: '', note: 'Batches invoked per second, batches failed whole, and the pollers allowed (concurrent batches).', lines: [...trio(src, 'esm.batches', 'batches', 0, by), ...trio(src, 'esm.failed_batches', 'failed batches', 5, by), ...trio(src, 'esm.pollers', 'pollers', 2, by), ...trio(src, 'esm.concurrency', 'concurrent batches', 1, by)] });
  }
  for (const c of digest.custom) {
    const unit = c.type === 'rate' ? 'share' : c.type === 'trend' ? 'p95' : c.type === 'counter' ? '/s' : '';
    add({ id: `k6-${c.name}`, group: 'k6 custom metrics', title: `${c.name} (${c.type})`, unit, note: c.type === 'rate' ? 'Share of non-zero samples per step.' : c.type === 'trend' ? '95th percentile per step.' : c.type === 'counter' ? 'Sum per step.' : 'Last value per step.', lines: [{ label: c.name, role: 'measured', hue: 0, values: fit(c.values, n) }] }, true);
  }
  const names = digest.breakdown.filter((b) => b.by === 'name');
  if (names.length > 1)
    add({ id: 'byname-p95', group: 'Breakdown', title: 'p95 latency by URL name', unit: 'ms', note: 'Percentiles over time per k6 name tag.', lines: names.slice(0, 8).map((b, i) => ({ label: b.value, role: 'measured' as const, hue: i, values: fit(b.p95Series, n) })) });
  const scen = digest.breakdown.filter((b) => b.by === 'scenario');
  if (scen.length > 1)
    add({ id: 'byscenario', group: 'Breakdown', title: 'Requests by scenario', unit: '/s', note: 'Requests per second per scenario.', lines: scen.slice(0, 8).map((b, i) => ({ label: b.value, role: 'measured' as const, hue: i, values: fit(b.requestSeries, n) })) });
  return charts;
}

export interface BuildInput {
  files: RunFiles;
  digest: PointsDigest;
  baseline: RunFiles | null;
}

export function buildReportData({ files, digest, baseline }: BuildInput): ReportData {
  const exp = files.experiment;
  const measured = files.measured;
  const predicted = files.predicted;
  const stepMs = measured?.stepMs ?? predicted?.stepMs ?? 1000;
  const steps = Math.max(0, ...(measured?.series ?? []).map((s) => s.values.length), ...(predicted?.series ?? []).map((s) => s.values.length));
  const failures = failureSentences(files);
  const verdict = verdictOf(files, failures);
  const loadS = (exp?.load.durationMs ?? steps * stepMs) / 1000;

  const headline: Headline[] = [];
  const bm = baseline?.measured ?? null;
  const hl = (label: string, unit: string, f: (s: SeriesFile | null) => number | null, higherIsBetter: boolean | null, p: number | null = f(predicted)) =>
    headline.push({ label, unit, measured: f(measured), predicted: p, baseline: baseline ? f(bm) : null, higherIsBetter });
  hl('requests', '', (s) => total(s, 'http.requests'), null);
  hl('achieved rate', '/s', (s) => rateOf(s, 'k6.iterations', loadS), true);
  hl('offered rate', '/s', (s) => {
    const a = total(s, 'k6.iterations');
    return a === null ? null : (a + (total(s, 'k6.dropped_iterations') ?? 0)) / loadS;
  }, null);
  const p95 = (s: SeriesFile | null) => {
    const list = s?.series.filter((x) => x.name === 'http.latency_p95_ms') ?? [];
    const vals = list.map(seriesTotal).filter((v): v is number => v !== null);
    return vals.length ? Math.max(...vals) : null;
  };
  // Over the whole run, as k6's summary reports it; the prediction's own whole-run p95 beside it.
  const predP95 = Object.values((predicted?.totals as { scenarios?: Record<string, { latencyP95Ms?: number }> } | undefined)?.scenarios ?? {})
    .map((s) => s.latencyP95Ms)
    .filter((v): v is number => typeof v === 'number');
  headline.push({
    label: 'p95 latency',
    unit: 'ms',
    measured: files.summary?.metrics.http_req_duration?.values['p(95)'] ?? p95(measured),
    predicted: predP95.length ? Math.max(...predP95) : p95(predicted),
    baseline: baseline ? (baseline.summary?.metrics.http_req_duration?.values['p(95)'] ?? p95(bm)) : null,
    higherIsBetter: false,
  });
  hl('throttles', '', (s) => total(s, 'lambda.throttles') ?? total(s, 'http.status_429'), false);
  hl('errors', '', (s) => (total(s, 'lambda.errors') ?? 0) + (total(s, 'http.status_5xx') ?? 0) || (s ? 0 : null), false);
  hl('dead-lettered', '', (s) => total(s, 'sqs.moved_to_dlq'), false);
  const cost = exp ? measuredCost(exp, measured) : [];
  for (const row of cost) {
    const pf = predicted?.totals?.functions?.[row.function];
    row.predictedUsd = pf?.costUsd ?? null;
    row.predictedMonthlyUsd = pf?.projectedMonthlyUsd ?? null;
  }
  const sumCost = (rows: CostRow[], k: 'measuredUsd' | 'predictedUsd') => (rows.length && rows.every((r) => r[k] !== null) ? rows.reduce((a, r) => a + (r[k] ?? 0), 0) : null);
  const baseCost = baseline?.experiment ? measuredCost(baseline.experiment, baseline.measured) : [];
  headline.push({ label: 'cost of the run', unit: 'USD', measured: sumCost(cost, 'measuredUsd'), predicted: predicted?.totals?.costUsd ?? sumCost(cost, 'predictedUsd'), baseline: baseline ? sumCost(baseCost, 'measuredUsd') : null, higherIsBetter: false });

  const charts = buildCharts(exp, { measured, predicted, baseline: bm, steps }, digest);
  const thresholds = Object.entries(files.summary?.metrics ?? {}).flatMap(([metric, m]) =>
    Object.entries(m.thresholds ?? {}).map(([expression, r]) => ({ metric, expression, observed: observedFor(m.values, expression), ok: r.ok })),
  );
  const checks: ReportData['checks'] = [];
  const walk = (g: { checks?: Array<{ path: string; passes: number; fails: number }>; groups?: unknown[] } | undefined) => {
    if (!g) return;
    for (const c of g.checks ?? []) checks.push({ path: c.path, passes: c.passes, fails: c.fails, rate: c.passes + c.fails ? c.passes / (c.passes + c.fails) : null });
    for (const sub of (g.groups ?? []) as Array<typeof g>) walk(sub);
  };
  walk(files.summary?.root_group);

  const accuracy = (files.comparison?.series ?? [])
    .map((s) => ({ key: s.key, unit: s.unit, measured: s.measured, predicted: s.predicted, error: s.error, relativeError: s.relativeError, tolerance: tolText(s.tolerance), verdict: s.verdict }))
    .sort((a, b) => (a.verdict === 'fail' ? 0 : a.verdict === 'pass' ? 1 : 2) - (b.verdict === 'fail' ? 0 : b.verdict === 'pass' ? 1 : 2) || a.key.localeCompare(b.key));

  const runStart = files.journal.find((e) => e.event === 'run')?.at;
  const loadStartEpoch = measured?.startMs ?? null;
  const journal = files.journal
    .filter((e) => e.event !== 'run')
    .map((e) => {
      const at = (e as { at: string }).at;
      const offsetS = loadStartEpoch ? Math.round((Date.parse(at) - loadStartEpoch) / 100) / 10 : null;
      let action = '';
      let detail = '';
      switch (e.event) {
        case 'planned':
          action = e.action;
          detail = `was ${shown(e.previous)}; change ${shown(e.change)}`;
          break;
        case 'applied':
          action = e.action;
          detail = e.detail === undefined ? '' : shown(e.detail);
          break;
        case 'restored':
          action = e.previous.kind;
          detail = `back to ${shown(e.to ?? e.previous)}${e.readBack ? `; read back ${shown(e.readBack)}` : ''}`;
          break;
        case 'stop-condition':
          action = `stop condition (${e.then})`;
          detail = `${e.condition}${e.value !== null ? ` = ${e.value}` : ''}: every fault restored`;
          break;
        case 'failed':
          action = e.phase;
          detail = e.error;
          break;
      }
      return { at, offsetS, event: e.event, faultId: 'faultId' in e ? e.faultId : null, action, detail };
    });

  const meta: Array<[string, string]> = [
    ['run id', files.runId],
    ['experiment', exp ? `${exp.name}${exp.description ? ` — ${exp.description}` : ''}` : '—'],
    ['experiment file', exp?.sourceFile ?? '—'],
    ['engine', files.k6Run?.runner ?? exp?.load.engine ?? '—'],
    ['target', exp ? (exp.target.kind === 'emulated' ? 'emulated (squall emulator)' : `aws ${exp.target.region}`) : '—'],
    ['seed', exp ? String(exp.seed) : '—'],
    ['load started', loadStartEpoch ? new Date(loadStartEpoch).toISOString() : (runStart ?? '—')],
    ['load duration', exp ? `${exp.load.durationMs / 1000} s (observed ${Math.round((steps * stepMs) / 1000)} s)` : '—'],
    ['k6 exit code', files.k6Run ? String(files.k6Run.exitCode ?? files.k6Run.signal) : '—'],
    ['prediction', predicted?.totals ? `simulator, seed ${predicted.totals.seed ?? '—'}, ${predicted.totals.runs ?? 1} run(s)` : '—'],
  ];
  const runMeta = (files as unknown as { runMeta?: Record<string, string> }).runMeta;
  if (runMeta) for (const [k, v] of Object.entries(runMeta)) meta.push([k, v]);
  if (exp?.target.kind === 'emulated') meta.push(['not reproduced by the emulator', EMULATOR_LIMITS]);
  for (const w of predicted?.warnings ?? []) meta.push(['simulator warning', w]);

  return {
    schema: REPORT_DATA_SCHEMA,
    runId: files.runId,
    experimentName: exp?.name ?? '(unknown experiment)',
    startedAt: runIdTime(files.runId),
    verdict,
    failures,
    missing: files.missing,
    paragraph: exp ? paragraph(exp, files) : 'experiment.json is missing: the experiment cannot be described.',
    headline,
    stepMs,
    x: Array.from({ length: steps }, (_, i) => (i * stepMs) / 1000),
    loadEndS: loadS,
    faults: exp ? faultSpans(exp).map((f) => ({ id: f.id, label: f.label, fromS: f.atMs / 1000, toS: (f.forMs === null ? steps * stepMs : f.atMs + f.forMs) / 1000 })) : [],
    charts,
    thresholds,
    seriesThresholds: files.comparison?.thresholds.map((t) => ({ key: t.key, expression: t.expression, value: t.value, ok: t.ok, ...(t.reason ? { reason: t.reason } : {}) })) ?? [],
    checks,
    accuracy,
    windows: windowsFor(files),
    windowTable: windowTable(windowsFor(files)),
    accounting: accounting(files, digest),
    cost,
    custom: digest.custom.map(({ name, type, total: t, avg, max, samples }) => ({ name, type, total: t, samples, ...(avg !== undefined ? { avg } : {}), ...(max !== undefined ? { max } : {}) })),
    breakdown: digest.breakdown.map((b) => ({ by: b.by, value: b.value, requests: b.requests, failed: b.failed, errorRate: b.requests ? b.failed / b.requests : null, p50: b.p50, p95: b.p95, p99: b.p99 })),
    journal,
    meta,
    baseline: baseline ? { runId: baseline.runId, dir: baseline.dir, verdict: verdictOf(baseline, failureSentences(baseline)) } : null,
  };
}

