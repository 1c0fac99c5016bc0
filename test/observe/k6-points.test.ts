import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rebaseSeries, mergeSeriesFiles } from '../../harness/observe/align.ts';
import { k6PointsToSeries } from '../../harness/observe/k6-points.ts';
import type { SeriesFile } from '../../harness/contracts/series.ts';

const T0 = Date.parse('2026-11-27T10:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function point(metric: string, atMs: number, value: number, tags: Record<string, string>) {
  return JSON.stringify({ metric, type: 'Point', data: { time: iso(atMs), value, tags } });
}

function writePoints(lines: string[], gz: boolean): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-points-'));
  const file = path.join(dir, gz ? 'p.ndjson.gz' : 'p.ndjson');
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, gz ? gzipSync(text) : text);
  return file;
}

describe('k6 points → client series', () => {
  const http = (at: number, status: number, dur: number, scenario = 'api') => [
    point('http_reqs', at, 1, { scenario, status: String(status), method: 'GET', group: '' }),
    point('http_req_duration', at, dur, { scenario, status: String(status), expected_response: String(status < 400) }),
    point('http_req_failed', at, status < 400 ? 0 : 1, { scenario, status: String(status) }),
  ];
  const lines = [
    JSON.stringify({ type: 'Metric', data: { name: 'http_reqs', type: 'counter', contains: 'default', thresholds: [], submetrics: null }, metric: 'http_reqs' }),
    // out of time order on purpose: k6 writes in flush order
    ...http(1500, 429, 3),
    ...http(100, 200, 10),
    ...http(900, 200, 30),
    ...http(2100, 503, 50),
    ...http(2200, 200, 20, 'other'),
    point('iterations', 950, 1, { scenario: 'api', group: '' }),
    point('dropped_iterations', 1200, 1, { scenario: 'api' }),
    point('vus', 1000, 4, {}),
    point('data_sent', 100, 10, { group: '::setup' }), // setup: no scenario tag, ignored
    '{"metric":"http_reqs","type":"Po', // truncated last line of a killed run
  ];

  for (const gz of [false, true]) {
    it(`counts requests, statuses and failures per step (${gz ? 'gzip' : 'plain'})`, async () => {
      const s = await k6PointsToSeries(writePoints(lines, gz), { startMs: T0 });
      const get = (name: string, scenario = 'api') => s.series.find((x) => x.name === name && x.labels.scenario === scenario)?.values;
      expect(s.startMs).toBe(T0);
      expect(get('http.requests')).toEqual([2, 1, 1]);
      expect(get('http.status_2xx')).toEqual([2, 0, 0]);
      expect(get('http.status_429')).toEqual([0, 1, 0]);
      expect(get('http.status_5xx')).toEqual([0, 0, 1]);
      expect(get('http.failed')).toEqual([0, 1, 1]);
      expect(get('k6.iterations')).toEqual([1, 0, 0]);
      expect(get('k6.dropped_iterations')).toEqual([0, 1, 0]);
      expect(get('http.requests', 'other')).toEqual([0, 0, 1]);
      const p95 = get('http.latency_p95_ms')!;
      expect(p95[0]).toBeCloseTo(30, 1);
      expect(p95[1]).toBeCloseTo(3, 1);
      // Nothing known before the first sample; after the last one the engine runs no VUs.
      expect(s.series.find((x) => x.name === 'k6.vus')!.values).toEqual([null, 4, 0]);
    });
  }

  it('holds the vus gauge over a step the 1 s ticker skipped, and reads 0 after the load', async () => {
    // The ticker drifts against the grid: two samples in step 1, none in step 2.
    const vus = [point('vus', 900, 3, {}), point('vus', 1050, 5, {}), point('vus', 1990, 6, {}), point('vus', 3010, 2, {})];
    const s = await k6PointsToSeries(writePoints([...http(100, 200, 5), ...vus], false), { startMs: T0, steps: 6 });
    expect(s.series.find((x) => x.name === 'k6.vus')!.values).toEqual([3, 6, 6, 2, 0, 0]);
  });

  it('infers the start from the earliest point when not given', async () => {
    const s = await k6PointsToSeries(writePoints(lines, false));
    expect(s.startMs).toBe(T0);
  });
});

describe('aligning and merging', () => {
  const file = (startMs: number, values: number[], name: 'sqs.sent' | 'sqs.visible' = 'sqs.sent'): SeriesFile => ({
    schema: 'squall.series/v1',
    source: 'emulator',
    startMs,
    stepMs: 1000,
    series: [{ name, labels: { queue: 'q' }, unit: 'messages', values }],
  });
  it('rebases to the load start and pads: zeros for sums, nulls for gauges', () => {
    expect(rebaseSeries(file(T0 - 2000, [5, 6, 1, 2, 3]), T0, 5).series[0]!.values).toEqual([1, 2, 3, 0, 0]);
    expect(rebaseSeries(file(T0 + 1000, [7], 'sqs.visible'), T0, 3).series[0]!.values).toEqual([null, 7, null]);
  });
  it('refuses to merge files on different timelines', () => {
    expect(() => mergeSeriesFiles([file(T0, [1]), file(T0 + 1000, [1])])).toThrow(/rebase them first/);
    expect(mergeSeriesFiles([file(T0, [1]), file(T0, [2], 'sqs.visible')]).series).toHaveLength(2);
  });
});
