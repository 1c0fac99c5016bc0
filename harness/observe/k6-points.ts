/**
 * Client-side measured series from k6's NDJSON points (`k6 run --out json=...[.gz]`, k6-contract
 * §2): requests, statuses, failures, latency percentiles, iterations, drops and VUs, per scenario
 * and per step. Streams the file line by line, so a long run's points never sit in memory; only
 * per-step counters and one HDR histogram per (scenario, step) for the latency percentiles.
 * Lines are parsed as JSON and times with a full RFC 3339 parser: never compared as strings.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import * as hdr from 'hdr-histogram-js';
import { SERIES_SCHEMA, type Series, type SeriesFile, type SeriesName } from '../contracts/series.ts';

export interface K6PointsOptions {
  /** Epoch ms of step 0 (the load's start). Default: the first whole second at or before the earliest point. */
  startMs?: number;
  stepMs?: number;
  /** Number of steps; default: up to the last point. */
  steps?: number;
}

type Counts = Map<string, number[]>;

export async function k6PointsToSeries(file: string, opts: K6PointsOptions = {}): Promise<SeriesFile> {
  const stepMs = opts.stepMs ?? 1000;
  const input = createReadStream(file);
  const stream = file.endsWith('.gz') ? input.pipe(createGunzip()) : input;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });

  // Buffer raw (time, value) until startMs is known when it was not given: points are not time-ordered.
  interface Raw {
    t: number;
    metric: string;
    value: number;
    scenario: string;
    status: string;
    expected: string;
  }
  const pending: Raw[] = [];
  let startMs = opts.startMs;
  const counts: Counts = new Map();
  const latency = new Map<string, hdr.Histogram[]>();
  const vus: number[] = [];
  let maxStep = -1;

  const bump = (name: SeriesName, scenario: string, step: number, by = 1) => {
    const key = `${name}\u0000${scenario}`;
    let arr = counts.get(key);
    if (!arr) counts.set(key, (arr = []));
    arr[step] = (arr[step] ?? 0) + by;
  };

  const ingest = (r: Raw) => {
    const step = Math.floor((r.t - startMs!) / stepMs);
    if (step < 0 || (opts.steps !== undefined && step >= opts.steps)) return;
    if (step > maxStep) maxStep = step;
    switch (r.metric) {
      case 'http_reqs': {
        bump('http.requests', r.scenario, step);
        const s = Number(r.status);
        if (s >= 200 && s < 300) bump('http.status_2xx', r.scenario, step);
        else if (s === 429) bump('http.status_429', r.scenario, step);
        else if (s >= 400 && s < 500) bump('http.status_4xx', r.scenario, step);
        else if (s >= 500) bump('http.status_5xx', r.scenario, step);
        break;
      }
      case 'http_req_failed':
        if (r.value !== 0) bump('http.failed', r.scenario, step);
        break;
      case 'http_req_duration': {
        let arr = latency.get(r.scenario);
        if (!arr) latency.set(r.scenario, (arr = []));
        let h = arr[step];
        if (!h) arr[step] = h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
        // Microseconds in the histogram keep sub-millisecond latencies distinct.
        h.recordValue(Math.max(1, Math.round(r.value * 1000)));
        break;
      }
      case 'iterations':
        bump('k6.iterations', r.scenario, step);
        break;
      case 'dropped_iterations':
        bump('k6.dropped_iterations', r.scenario, step, r.value);
        break;
      case 'vus':
        vus[step] = r.value;
        break;
    }
  };

  for await (const line of lines) {
    if (!line) continue;
    let obj: { type?: string; metric?: string; data?: { time?: string; value?: number; tags?: Record<string, string> } };
    try {
      obj = JSON.parse(line);
    } catch {
      continue; // a truncated last line (killed run) must not lose the rest
    }
    if (obj.type !== 'Point' || !obj.data?.time || typeof obj.metric !== 'string') continue;
    const t = Date.parse(obj.data.time);
    if (Number.isNaN(t)) continue;
    const tags = obj.data.tags ?? {};
    const r: Raw = {
      t,
      metric: obj.metric,
      value: obj.data.value ?? 0,
      scenario: tags.scenario ?? '',
      status: tags.status ?? '',
      expected: tags.expected_response ?? '',
    };
    if (r.scenario === '' && r.metric !== 'vus') continue; // setup/teardown samples
    if (startMs === undefined) pending.push(r);
    else ingest(r);
  }
  if (startMs === undefined) {
    const min = pending.reduce((m, r) => Math.min(m, r.t), Infinity);
    startMs = Number.isFinite(min) ? Math.floor(min / 1000) * 1000 : 0;
    for (const r of pending) ingest(r);
  }

  const steps = opts.steps ?? maxStep + 1;
  const series: Series[] = [];
  const full = (arr: Array<number | undefined>, fill: number | null) => Array.from({ length: steps }, (_, i) => arr[i] ?? fill);
  const scenarios = new Set<string>();
  for (const key of counts.keys()) scenarios.add(key.split('\u0000')[1]!);
  for (const s of latency.keys()) scenarios.add(s);
  const countNames: SeriesName[] = ['http.requests', 'http.status_2xx', 'http.status_4xx', 'http.status_429', 'http.status_5xx', 'http.failed', 'k6.iterations', 'k6.dropped_iterations'];
  for (const scenario of [...scenarios].sort()) {
    const hasHttp = counts.has(`http.requests\u0000${scenario}`);
    for (const name of countNames) {
      if (name.startsWith('http.') && !hasHttp) continue;
      const arr = counts.get(`${name}\u0000${scenario}`) ?? [];
      series.push({ name, labels: { scenario }, unit: 'count', values: full(arr, 0) });
    }
    const hs = latency.get(scenario);
    if (hs) {
      for (const [name, q] of [['http.latency_p50_ms', 50], ['http.latency_p95_ms', 95], ['http.latency_p99_ms', 99]] as const) {
        series.push({
          name,
          labels: { scenario },
          unit: 'ms',
          values: Array.from({ length: steps }, (_, i) => (hs[i] ? hs[i]!.getValueAtPercentile(q) / 1000 : null)),
        });
      }
      for (const h of hs) h?.destroy();
    }
  }
  if (vus.length) series.push({ name: 'k6.vus', labels: {}, unit: 'count', values: vuGauge(vus, steps) });
  return { schema: SERIES_SCHEMA, source: 'k6', startMs, stepMs, series };
}

/**
 * The `vus` gauge per step. k6 samples it on a 1 s ticker whose phase drifts against the step
 * grid, so a step now and then holds two samples and its neighbour none: that step keeps the last
 * sample (it is sampling jitter, not an unknown). After the last sample the engine has stopped
 * and runs no VUs, which is 0, not "no data"; before the first one nothing is known (null).
 */
function vuGauge(vus: Array<number | undefined>, steps: number): Array<number | null> {
  let last = -1;
  for (let i = 0; i < vus.length; i++) if (vus[i] !== undefined) last = i;
  const out: Array<number | null> = [];
  let held: number | null = null;
  for (let i = 0; i < steps; i++) {
    const v = vus[i];
    if (v !== undefined) held = v;
    out.push(i > last ? 0 : held);
  }
  return out;
}
