/**
 * The report of a one-hour run at 1 s steps with every chart: a synthesized run folder (a URL
 * function and a queue → function mapping with a DLQ, three faults, every series name of
 * contracts/series.ts measured and predicted with a spread band, 72,000 requests of k6 points
 * with custom metrics). Measures the render time, report.html's size (goal < 2 MB) and, in real
 * Chromium, the time to first contentful paint and until every chart is drawn (goal < 1.5 s).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BenchRow } from './run.ts';
import { SERIES, SERIES_SCHEMA, type Series, type SeriesName } from '../harness/contracts/series.ts';
import type { ResolvedExperiment } from '../harness/experiment/types.ts';
import { writeRunReport } from '../harness/report/write.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const STEPS = 3600;
const START = Date.parse('2026-12-07T00:00:00Z');

/** Deterministic noise so the bench renders the same page every time. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

export function synthesizeHourRun(dir: string): void {
  const trap = path.join(ROOT, 'test/fixtures/runs/throttle-dlq-trap/20261207-020714-ygwo');
  const qs = path.join(ROOT, 'test/fixtures/runs/quickstart/20261207-020347-auy5');
  cpSync(qs, dir, { recursive: true });
  const a = JSON.parse(readFileSync(path.join(qs, 'experiment.json'), 'utf8')) as ResolvedExperiment;
  const b = JSON.parse(readFileSync(path.join(trap, 'experiment.json'), 'utf8')) as ResolvedExperiment;
  const exp: ResolvedExperiment = {
    ...a,
    name: 'hour',
    system: { ...a.system, functions: { ...a.system.functions, ...b.system.functions }, queues: b.system.queues, eventSources: b.system.eventSources },
    load: { ...a.load, scenarios: { ...a.load.scenarios, ...b.load.scenarios }, durationMs: STEPS * 1000 - 60_000 },
    chaos: {
      ...a.chaos,
      faults: [
        { ...a.chaos.faults[0]!, id: 0, atMs: 600_000, forMs: 300_000 },
        { ...a.chaos.faults[0]!, id: 1, atMs: 1_800_000, forMs: 120_000 },
        { id: 2, action: 'disable-event-source', eventSource: b.system.eventSources[0]!.id, atMs: 2_700_000, forMs: 240_000 },
      ],
    },
  };
  writeFileSync(path.join(dir, 'experiment.json'), JSON.stringify(exp));
  const labelSets: Record<string, Record<string, string>> = {
    scenario: { scenario: 'orders' },
    function: { function: 'orders-api' },
    queue: { queue: 'jobs' },
  };
  const r = rng(7);
  const make = (band: boolean) => {
    const series: Array<Series & { lower?: number[]; upper?: number[] }> = [];
    for (const [name, def] of Object.entries(SERIES) as Array<[SeriesName, (typeof SERIES)[SeriesName]]>) {
      const labels: Record<string, string> = {};
      for (const l of def.labels) labels[l] = l === 'reason' ? 'ReservedFunctionConcurrentInvocationLimitExceeded' : l === 'function' && name.startsWith('esm.') ? 'slow-consumer' : (labelSets[l]?.[l] ?? 'x');
      const base = 5 + (name.length % 7) * 6;
      const values = Array.from({ length: STEPS }, (_, i) => Math.round((base + base * 0.4 * Math.sin(i / 300) + r() * base * 0.2) * 100) / 100);
      const s: Series & { lower?: number[]; upper?: number[] } = { name, labels, unit: def.unit, values };
      if (band) {
        s.lower = values.map((v) => Math.round(v * 0.85 * 100) / 100);
        s.upper = values.map((v) => Math.round(v * 1.15 * 100) / 100);
      }
      series.push(s);
    }
    return series;
  };
  writeFileSync(path.join(dir, 'measured.json'), JSON.stringify({ schema: SERIES_SCHEMA, source: 'k6+emulator', startMs: START, stepMs: 1000, series: make(false) }));
  writeFileSync(path.join(dir, 'predicted.json'), JSON.stringify({ schema: SERIES_SCHEMA, source: 'simulator', startMs: 0, stepMs: 1000, series: make(true), totals: { seed: 7, runs: 20, costUsd: 0.05 } }));
  rmSync(path.join(dir, 'comparison.json'));
  // 20 requests/s for the hour, with a Trend and a Counter custom metric besides squall's Rate.
  const lines = [
    '{"type":"Metric","data":{"name":"http_req_duration","type":"trend"},"metric":"http_req_duration"}',
    '{"type":"Metric","data":{"name":"http_req_failed","type":"rate"},"metric":"http_req_failed"}',
    '{"type":"Metric","data":{"name":"order_latency","type":"trend"},"metric":"order_latency"}',
    '{"type":"Metric","data":{"name":"orders_placed","type":"counter"},"metric":"orders_placed"}',
  ];
  for (let i = 0; i < STEPS * 20; i++) {
    const time = new Date(START + i * 50).toISOString();
    const tags = `{"scenario":"orders","group":"","name":"${i % 3 ? 'POST /orders' : 'GET /orders/{id}'}","status":"200"}`;
    lines.push(`{"metric":"http_req_duration","type":"Point","data":{"time":"${time}","value":${(20 + r() * 40).toFixed(3)},"tags":${tags}}}`);
    lines.push(`{"metric":"http_req_failed","type":"Point","data":{"time":"${time}","value":${r() < 0.02 ? 1 : 0},"tags":${tags}}}`);
    if (i % 4 === 0) lines.push(`{"metric":"order_latency","type":"Point","data":{"time":"${time}","value":${(r() * 100).toFixed(2)},"tags":${tags}}}`);
    if (i % 2 === 0) lines.push(`{"metric":"orders_placed","type":"Point","data":{"time":"${time}","value":1,"tags":${tags}}}`);
  }
  writeFileSync(path.join(dir, 'k6-points.ndjson.gz'), gzipSync(`${lines.join('\n')}\n`));
}

export async function run(): Promise<BenchRow[]> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'squall-report-bench-')), 'hour', '20261207-000000-hour');
  synthesizeHourRun(dir);
  const t0 = performance.now();
  const out = await writeRunReport(dir, { baseline: null });
  const renderMs = performance.now() - t0;
  const size = statSync(out.html).size;
  const rows: BenchRow[] = [
    { bench: 'report', metric: 'render 1 h at 1 s (incl. 72k-request points digest)', value: `${(renderMs / 1000).toFixed(2)} s` },
    { bench: 'report', metric: 'report.html size, 1 h at 1 s, every chart', value: `${(size / 2 ** 20).toFixed(2)} MB`, goal: '< 2 MB', met: size < 2 * 2 ** 20 },
  ];
  const chromiumPath = '/usr/bin/chromium';
  try {
    statSync(chromiumPath);
  } catch {
    rows.push({ bench: 'report', metric: 'first paint in Chromium', value: 'skipped: /usr/bin/chromium absent' });
    return rows;
  }
  const { openBrowser } = await import('../test/report/chromium.ts');
  const b = await openBrowser(chromiumPath);
  try {
    const fcp: number[] = [];
    const drawn: number[] = [];
    let charts = 0;
    // Three loads, the median counts: the first pays Chromium's own start-up.
    for (let i = 0; i < 3; i++) {
      await b.page.goto(`${pathToFileURL(out.html).href}?${i}`);
      await b.page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", undefined, { timeout: 60_000 });
      const m = (await b.page.evaluate(`(() => ({
        fcp: (performance.getEntriesByName('first-contentful-paint')[0] || { startTime: NaN }).startTime,
        drawn: window.__squallDrawnAt,
        charts: Number(document.documentElement.getAttribute('data-charts-drawn')),
      }))()`)) as { fcp: number; drawn: number; charts: number };
      fcp.push(m.fcp);
      drawn.push(m.drawn);
      charts = m.charts;
    }
    const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
    rows.push(
      { bench: 'report', metric: `first contentful paint, ${charts} charts (median of 3)`, value: `${(med(fcp) / 1000).toFixed(2)} s`, goal: '< 1.5 s', met: med(fcp) < 1500 },
      { bench: 'report', metric: 'every chart drawn (median of 3)', value: `${(med(drawn) / 1000).toFixed(2)} s`, goal: '< 1.5 s', met: med(drawn) < 1500 },
    );
    if (b.errors.length || b.requests.length) rows.push({ bench: 'report', metric: 'page errors / requests', value: `${b.errors.length} / ${b.requests.length}`, met: false });
  } finally {
    await b.close();
    rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
  }
  return rows;
}
