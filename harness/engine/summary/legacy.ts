/**
 * The summary objects k6 hands out: the legacy `handleSummary(data)` object (k6-contract.md §1.1,
 * `internal/js/summary.go`) and the older `--summary-export` shape derived from it (§1.5,
 * `summary-wrapper.js: oldJSONSummary`): values flattened, thresholds as `true` = FAILED, rate
 * renamed to `value`, groups and checks keyed by name, written with 4-space indentation.
 */
import type { CheckNode, GroupNode } from '../metrics/groups.ts';
import type { MetricsEngine } from '../metrics/engine.ts';
import type { Contains, Metric, Submetric } from '../metrics/registry.ts';
import type { MetricType, Sink } from '../metrics/sinks.ts';
import { sinkValue } from '../metrics/sinks.ts';
import type { Threshold } from '../thresholds.ts';

export interface K6Check {
  name: string;
  path: string;
  id: string;
  passes: number;
  fails: number;
}
export interface K6Group {
  name: string;
  path: string;
  id: string;
  groups: K6Group[];
  checks: K6Check[];
}
export interface K6SummaryMetric {
  type: MetricType;
  contains: Contains;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}
export interface K6SummaryData {
  root_group: K6Group;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, K6SummaryMetric>;
  setup_data?: unknown;
}

export function summaryValues(sink: Sink, trendStats: readonly string[], durationSec: number): Record<string, number> {
  switch (sink.type) {
    case 'counter':
      return { count: sink.count, rate: durationSec > 0 ? sink.count / durationSec : 0 };
    case 'gauge':
      return { value: sink.value, min: sink.min, max: sink.max };
    case 'rate':
      return { rate: sink.total === 0 ? 0 : sink.passes / sink.total, passes: sink.passes, fails: sink.total - sink.passes };
    case 'trend': {
      const out: Record<string, number> = {};
      for (const s of trendStats) out[s] = sinkValue(sink, s, durationSec) ?? 0;
      return out;
    }
  }
}

function thresholdMap(ths: readonly Threshold[]): Record<string, { ok: boolean }> | undefined {
  if (ths.length === 0) return undefined;
  const out: Record<string, { ok: boolean }> = {};
  for (const t of ths) out[t.spec.source] = { ok: !t.lastFailed };
  return out;
}

function group(g: GroupNode): K6Group {
  return {
    name: g.name,
    path: g.path,
    id: g.id,
    groups: g.groups.map(group),
    checks: g.checks.map((c: CheckNode) => ({ name: c.name, path: c.path, id: c.id, passes: c.passes, fails: c.fails })),
  };
}

export interface SummaryInputs {
  engine: MetricsEngine;
  trendStats: readonly string[];
  summaryTimeUnit: string;
  noColor: boolean;
  isStdOutTTY: boolean;
  isStdErrTTY: boolean;
  testRunDurationMs: number;
  /** JSON text of setup()'s return value, or undefined when setup returned nothing. */
  setupDataJson: string | undefined;
}

/** Build the legacy handleSummary object from the engine's observed metrics. */
export function buildSummaryData(inp: SummaryInputs): K6SummaryData {
  const sec = inp.testRunDurationMs / 1000;
  const metrics: Record<string, K6SummaryMetric> = {};
  const put = (name: string, m: Metric, target: Metric | Submetric): void => {
    const entry: K6SummaryMetric = { type: m.type, contains: m.contains, values: summaryValues(target.sink, inp.trendStats, sec) };
    const th = thresholdMap(target.thresholds);
    if (th) entry.thresholds = th;
    metrics[name] = entry;
  };
  for (const m of inp.engine.registry.all()) {
    if (m.observed) put(m.name, m, m);
    for (const s of m.submetrics) if (s.observed) put(s.name, m, s);
  }
  const data: K6SummaryData = {
    root_group: group(inp.engine.groups.root),
    options: { summaryTrendStats: [...inp.trendStats], summaryTimeUnit: inp.summaryTimeUnit, noColor: inp.noColor },
    state: { isStdOutTTY: inp.isStdOutTTY, isStdErrTTY: inp.isStdErrTTY, testRunDurationMs: inp.testRunDurationMs },
    metrics,
  };
  if (inp.setupDataJson !== undefined) data.setup_data = JSON.parse(inp.setupDataJson);
  return data;
}

interface OldGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, OldGroup>;
  checks: Record<string, K6Check>;
}

function oldGroup(g: K6Group): OldGroup {
  const groups: Record<string, OldGroup> = {};
  for (const c of g.groups) groups[c.name] = oldGroup(c);
  const checks: Record<string, K6Check> = {};
  for (const c of g.checks) checks[c.name] = { ...c };
  return { name: g.name, path: g.path, id: g.id, groups, checks };
}

/** The `--summary-export` object (k6's oldJSONSummary). */
export function oldJsonSummary(data: K6SummaryData): Record<string, unknown> {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const v: Record<string, unknown> = { ...m.values };
    if (m.type === 'rate') {
      v.value = v.rate;
      delete v.rate;
    }
    if (m.thresholds) {
      const th: Record<string, boolean> = {};
      for (const [expr, r] of Object.entries(m.thresholds)) th[expr] = !r.ok;
      v.thresholds = th;
    }
    metrics[name] = v;
  }
  const out: Record<string, unknown> = { root_group: oldGroup(data.root_group), metrics };
  if ('setup_data' in data) out.setup_data = data.setup_data;
  return out;
}

export function oldJsonSummaryText(data: K6SummaryData): string {
  return JSON.stringify(oldJsonSummary(data), null, 4);
}
