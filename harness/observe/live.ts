/**
 * Live series while a run is going, for the stop conditions: the system side by polling the
 * emulator's `/_squall/metrics` (a full snapshot, already in the series format), the client side by
 * tailing an uncompressed k6 NDJSON file the load generator appends to as it runs (`--out
 * json=FILE`, which real k6 and squall's engine both write live). The tail keeps only per-step
 * counters and one histogram per step for latency, so memory stays flat however long the run.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import * as hdr from 'hdr-histogram-js';
import { SERIES_SCHEMA, type Series, type SeriesFile, type SeriesName } from '../contracts/series.ts';

/** Polls the emulator's metrics endpoint; each read is bounded so a stuck emulator never stalls a tick. */
export function emulatorMetricsSource(endpoint: string, timeoutMs = 900): { name: string; read(): Promise<SeriesFile> } {
  return {
    name: `the emulator's metrics (${endpoint}/_squall/metrics)`,
    async read() {
      const r = await fetch(`${endpoint}/_squall/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!r.ok) throw new Error(`answered ${r.status}`);
      return (await r.json()) as SeriesFile;
    },
  };
}

const COUNTS: readonly SeriesName[] = ['http.requests', 'http.status_2xx', 'http.status_4xx', 'http.status_429', 'http.status_5xx', 'http.failed', 'k6.iterations', 'k6.dropped_iterations'];
const PERCENTILES = [['http.latency_p50_ms', 50], ['http.latency_p95_ms', 95], ['http.latency_p99_ms', 99]] as const;
/** Bytes read per call: bounds one tick's work when the load writes faster than we read. */
const READ_CHUNK = 4 * 1024 * 1024;

/**
 * Client series from a k6 NDJSON file that is still being written. `read()` consumes what was
 * appended since the last call (a torn last line waits for its end) and returns every step so far,
 * on a grid starting at `startMs` (the load's start; points before it are setup and are dropped).
 */
export class LiveK6Points {
  readonly name: string;
  private fd: number | null = null;
  private offset = 0;
  private rest = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly counts = new Map<string, number[]>();
  private readonly latency = new Map<string, Array<hdr.Histogram | undefined>>();
  private steps = 0;

  constructor(
    private readonly file: string,
    private readonly startMs: () => number,
    private readonly stepMs = 1000,
  ) {
    this.name = `the load's live points (${file})`;
  }

  read(): Promise<SeriesFile | null> {
    const start = this.startMs();
    if (start <= 0) return Promise.resolve(null);
    this.consume(start);
    return Promise.resolve(this.snapshot(start));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    for (const hs of this.latency.values()) for (const h of hs) h?.destroy();
    this.latency.clear();
  }

  private consume(start: number): void {
    if (this.fd === null) {
      try {
        this.fd = openSync(this.file, 'r');
      } catch {
        return; // not created yet: the load generator opens it after its init
      }
    }
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const n = readSync(this.fd, buf, 0, buf.length, this.offset);
      if (n <= 0) break;
      this.offset += n;
      // The decoder holds back a UTF-8 sequence cut at the chunk's end.
      const text = this.rest + this.decoder.write(buf.subarray(0, n));
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) this.line(line, start);
      if (n < buf.length) break;
    }
  }

  private line(line: string, start: number): void {
    // Metric lines are skipped before parsing.
    if (!line.includes('"type":"Point"')) return;
    let o: { metric?: string; data?: { time?: string; value?: number; tags?: Record<string, string> } };
    try {
      o = JSON.parse(line);
    } catch {
      return;
    }
    const t = o.data?.time ? Date.parse(o.data.time) : Number.NaN;
    if (Number.isNaN(t)) return;
    const step = Math.floor((t - start) / this.stepMs);
    if (step < 0) return;
    const tags = o.data?.tags ?? {};
    const scenario = tags.scenario;
    if (!scenario) return;
    const value = o.data?.value ?? 0;
    switch (o.metric) {
      case 'http_reqs': {
        this.bump('http.requests', scenario, step, 1);
        const s = Number(tags.status);
        if (s >= 200 && s < 300) this.bump('http.status_2xx', scenario, step, 1);
        else if (s === 429) this.bump('http.status_429', scenario, step, 1);
        else if (s >= 400 && s < 500) this.bump('http.status_4xx', scenario, step, 1);
        else if (s >= 500) this.bump('http.status_5xx', scenario, step, 1);
        break;
      }
      case 'http_req_failed':
        if (value !== 0) this.bump('http.failed', scenario, step, 1);
        break;
      case 'iterations':
        this.bump('k6.iterations', scenario, step, 1);
        break;
      case 'dropped_iterations':
        this.bump('k6.dropped_iterations', scenario, step, value);
        break;
      case 'http_req_duration': {
        let hs = this.latency.get(scenario);
        if (!hs) this.latency.set(scenario, (hs = []));
        let h = hs[step];
        if (!h) hs[step] = h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
        h.recordValue(Math.max(1, Math.round(value * 1000)));
        this.steps = Math.max(this.steps, step + 1);
        break;
      }
    }
  }

  private bump(name: SeriesName, scenario: string, step: number, by: number): void {
    const key = `${name}\u0000${scenario}`;
    let arr = this.counts.get(key);
    if (!arr) this.counts.set(key, (arr = []));
    arr[step] = (arr[step] ?? 0) + by;
    if (step + 1 > this.steps) this.steps = step + 1;
  }

  private snapshot(start: number): SeriesFile {
    const series: Series[] = [];
    const scenarios = new Set<string>();
    for (const k of this.counts.keys()) scenarios.add(k.split('\u0000')[1]!);
    for (const s of this.latency.keys()) scenarios.add(s);
    const n = this.steps;
    for (const scenario of [...scenarios].sort()) {
      for (const name of COUNTS) {
        const arr = this.counts.get(`${name}\u0000${scenario}`);
        series.push({ name, labels: { scenario }, unit: 'count', values: Array.from({ length: n }, (_, i) => arr?.[i] ?? 0) });
      }
      const hs = this.latency.get(scenario);
      if (!hs) continue;
      for (const [name, q] of PERCENTILES) {
        series.push({ name, labels: { scenario }, unit: 'ms', values: Array.from({ length: n }, (_, i) => (hs[i] ? hs[i]!.getValueAtPercentile(q) / 1000 : null)) });
      }
    }
    return { schema: SERIES_SCHEMA, source: 'k6-live', startMs: start, stepMs: this.stepMs, series };
  }
}
