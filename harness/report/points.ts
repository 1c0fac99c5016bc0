/**
 * What the report needs from k6's NDJSON points that measured.json does not carry: every custom
 * metric the script defines (Counter, Gauge, Rate, Trend) as a per-step series, and requests,
 * errors and latency broken down by scenario, group and URL name tag. One streaming pass over
 * `k6-points.ndjson.gz`; latencies are kept per key only as far as percentiles need them.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** k6's built-in metrics (k6 docs, "Built-in metrics"); everything else a script defines is custom. */
export const K6_BUILTIN_METRICS = new Set([
  'vus', 'vus_max', 'iterations', 'iteration_duration', 'dropped_iterations', 'data_received', 'data_sent', 'checks', 'group_duration',
  'http_reqs', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting',
  'http_req_receiving', 'http_req_duration', 'http_req_failed',
]);

export type K6MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export interface CustomMetric {
  name: string;
  type: K6MetricType;
  /** Per step: counter sum, gauge last value, rate share of non-zero samples, trend p95. */
  values: Array<number | null>;
  /** Over the run: counter total, gauge last, rate share, trend p95 (plus avg/max for trends). */
  total: number | null;
  avg?: number | null;
  max?: number | null;
  samples: number;
}

export interface BreakdownRow {
  /** `scenario`, `group` or `name` (k6's URL name tag). */
  by: 'scenario' | 'group' | 'name';
  value: string;
  requests: number;
  failed: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Per step p95 latency, for the "percentiles over time" chart. */
  p95Series: Array<number | null>;
  /** Per step request count. */
  requestSeries: Array<number | null>;
}

export interface PointsDigest {
  custom: CustomMetric[];
  breakdown: BreakdownRow[];
}

interface Point {
  type: string;
  metric: string;
  data: { time?: string; value?: number; type?: string; tags?: Record<string, string> | null };
}

/** Nearest-rank percentile of an unsorted list (sorts in place). */
export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))]!;
}

class Acc {
  requests = 0;
  failed = 0;
  durations: number[] = [];
  stepDur: number[][];
  stepReq: number[];
  constructor(steps: number) {
    this.stepDur = Array.from({ length: steps }, () => []);
    this.stepReq = new Array(steps).fill(0);
  }
}

/**
 * Reads the points file once. `startMs` is the load's start (epoch ms), `steps` × `stepMs` the
 * timeline. Requests made by setup/teardown (group `::setup`, `::teardown`) are left out, as k6's
 * scenario figures do.
 */
export async function digestPoints(file: string, startMs: number, stepMs: number, steps: number): Promise<PointsDigest> {
  if (!existsSync(file)) return { custom: [], breakdown: [] };
  const types = new Map<string, K6MetricType>();
  const custom = new Map<string, { steps: number[][]; all: number[]; last: number | null }>();
  const acc = new Map<string, Acc>();
  const get = (by: string, v: string) => {
    const k = `${by}\u0000${v}`;
    let a = acc.get(k);
    if (!a) acc.set(k, (a = new Acc(steps)));
    return a;
  };
  const input = createReadStream(file);
  const lines = createInterface({ input: file.endsWith('.gz') ? input.pipe(createGunzip()) : input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    let p: Point;
    try {
      p = JSON.parse(line) as Point;
    } catch {
      continue;
    }
    if (p.type === 'Metric') {
      if (p.data.type) types.set(p.metric, p.data.type as K6MetricType);
      continue;
    }
    if (p.type !== 'Point' || p.data.time === undefined || p.data.value === undefined) continue;
    const tags = p.data.tags ?? {};
    if (tags.group === '::setup' || tags.group === '::teardown') continue;
    const t = Date.parse(p.data.time) - startMs;
    const step = Math.floor(t / stepMs);
    const inRange = step >= 0 && step < steps;
    const v = p.data.value;
    if (!K6_BUILTIN_METRICS.has(p.metric)) {
      let c = custom.get(p.metric);
      if (!c) custom.set(p.metric, (c = { steps: Array.from({ length: steps }, () => []), all: [], last: null }));
      c.all.push(v);
      c.last = v;
      if (inRange) c.steps[step]!.push(v);
      continue;
    }
    if (p.metric !== 'http_req_duration' && p.metric !== 'http_req_failed') continue;
    const keys: Array<[BreakdownRow['by'], string]> = [];
    if (tags.scenario) keys.push(['scenario', tags.scenario]);
    keys.push(['group', tags.group || '(root)']);
    if (tags.name) keys.push(['name', tags.name]);
    for (const [by, val] of keys) {
      const a = get(by, val);
      if (p.metric === 'http_req_failed') {
        if (v) a.failed++;
        continue;
      }
      a.requests++;
      a.durations.push(v);
      if (inRange) {
        a.stepDur[step]!.push(v);
        a.stepReq[step]!++;
      }
    }
  }

  const customOut: CustomMetric[] = [...custom.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => {
      const type = types.get(name) ?? 'trend';
      const stepValue = (xs: number[]): number | null => {
        if (type === 'counter') return xs.reduce((s, x) => s + x, 0);
        if (xs.length === 0) return null;
        if (type === 'gauge') return xs[xs.length - 1]!;
        if (type === 'rate') return xs.filter((x) => x !== 0).length / xs.length;
        return percentile(xs, 95);
      };
      const all = c.all;
      let total: number | null;
      if (type === 'counter') total = all.reduce((s, x) => s + x, 0);
      else if (type === 'gauge') total = c.last;
      else if (type === 'rate') total = all.length ? all.filter((x) => x !== 0).length / all.length : null;
      else total = percentile([...all], 95);
      const m: CustomMetric = { name, type, values: c.steps.map(stepValue), total, samples: all.length };
      if (type === 'trend' && all.length) {
        m.avg = all.reduce((s, x) => s + x, 0) / all.length;
        m.max = Math.max(...all);
      }
      return m;
    });

  const order = { scenario: 0, group: 1, name: 2 } as const;
  const breakdown: BreakdownRow[] = [...acc.entries()]
    .map(([k, a]) => {
      const [by, value] = k.split('\u0000') as [BreakdownRow['by'], string];
      const d = a.durations;
      return {
        by,
        value,
        requests: a.requests,
        failed: a.failed,
        p50: percentile(d, 50),
        p95: percentile(d, 95),
        p99: percentile(d, 99),
        p95Series: a.stepDur.map((xs) => percentile(xs, 95)),
        requestSeries: a.stepReq.map((x) => x),
      };
    })
    .sort((x, y) => order[x.by] - order[y.by] || x.value.localeCompare(y.value));
  return { custom: customOut, breakdown };
}
