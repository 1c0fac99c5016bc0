/**
 * `--out json=FILE[.gz]`: k6's NDJSON lines (k6-contract.md §2.1, `internal/output/json`): a
 * Metric line right before a metric's first Point, Points with RFC 3339 UTC times, tags with
 * sorted keys. Lines are appended to one string and written in large chunks; a `.gz` file goes
 * through zlib, which compresses on libuv's thread pool, off the request loop. Points are
 * streamed, never kept.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { type ZlibOptions, createGzip, constants as zc } from 'node:zlib';
import type { SampleOutput } from '../metrics/engine.ts';
import type { Metric } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';
import type { ThresholdSpec } from '../options.ts';

const CHUNK = 256 * 1024;
/**
 * How far the file or gzip may fall behind before VUs wait: large enough that a short disk or
 * CPU hiccup does not stall the load (an arrival-rate test would drop iterations), small enough
 * that memory stays bounded.
 */
const HIGH_WATER = 16 * 1024 * 1024;

/** RFC 3339 UTC with microseconds, cached per second (`new Date().toISOString()` is slow per sample). */
export class TimeFormatter {
  private sec = Number.NaN;
  private prefix = '';
  private lastMs = Number.NaN;
  private last = '';
  format(epochMs: number): string {
    // All samples of one HTTP trail or iteration end share one time: format it once.
    if (epochMs === this.lastMs) return this.last;
    this.lastMs = epochMs;
    const sec = Math.floor(epochMs / 1000);
    if (sec !== this.sec) {
      this.sec = sec;
      this.prefix = `${new Date(sec * 1000).toISOString().slice(0, 19)}.`;
    }
    const micros = Math.floor((epochMs - sec * 1000) * 1000);
    this.last = `${this.prefix}${String(micros).padStart(6, '0')}Z`;
    return this.last;
  }
}

export function metricLine(metric: Metric, thresholds: readonly ThresholdSpec[] | undefined): string {
  const th = (thresholds ?? []).map((t) =>
    t.abortOnFail ? { threshold: t.source, abortOnFail: true, delayAbortEval: t.delayAbortEval } : t.source,
  );
  const subs = metric.submetrics.length ? metric.submetrics.map((s) => ({ name: s.name, suffix: s.suffix, tags: s.tags })) : null;
  return `${JSON.stringify({
    type: 'Metric',
    data: { name: metric.name, type: metric.type, contains: metric.contains, thresholds: th, submetrics: subs },
    metric: metric.name,
  })}\n`;
}

export interface NdjsonOptions {
  /** File path; `-` or '' means stdout. A `.gz` suffix means gzip. */
  path: string;
  /** Instead of a file: write to this stream (a --workers child's pipe to its parent). */
  stream?: Writable | undefined;
  thresholds: ReadonlyMap<string, readonly ThresholdSpec[]>;
}

export class NdjsonOutput implements SampleOutput {
  private buf = '';
  private readonly announced = new Set<number>();
  private readonly time = new TimeFormatter();
  private readonly sink: Writable;
  private readonly file: Writable | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly opts: NdjsonOptions) {
    if (opts.stream) {
      const stream = opts.stream;
      this.sink = stream;
      this.file = undefined;
      this.done = new Promise((resolve) => {
        if (stream.writableFinished) resolve();
        else stream.once('finish', () => resolve());
      });
    } else if (opts.path === '' || opts.path === '-') {
      this.sink = process.stdout;
      this.file = undefined;
      this.done = Promise.resolve();
    } else {
      const file = createWriteStream(opts.path, { highWaterMark: HIGH_WATER });
      this.file = file;
      if (opts.path.endsWith('.gz')) {
        // Level 1: NDJSON compresses ~10x even at the fastest level, and it keeps up with the loop.
        // zlib streams take stream options too (highWaterMark), though ZlibOptions does not list them.
        const gz = createGzip({ level: 1, memLevel: 9, chunkSize: 64 * 1024, strategy: zc.Z_DEFAULT_STRATEGY, highWaterMark: HIGH_WATER } as ZlibOptions);
        gz.pipe(file);
        this.sink = gz;
      } else this.sink = file;
      this.done = new Promise((resolve, reject) => {
        file.on('close', () => resolve());
        file.on('error', reject);
      });
    }
  }

  add(metric: Metric, tags: TagSet, value: number, epochMs: number): void {
    if (!this.announced.has(metric.id)) {
      this.announced.add(metric.id);
      this.buf += metricLine(metric, this.opts.thresholds.get(metric.name));
    }
    this.buf += `${metric.pointPrefix}${this.time.format(epochMs)}","value":${Number.isFinite(value) ? value : 0}${tags.pointSuffix}`;
    if (this.buf.length >= CHUNK) this.flush();
  }

  private readonly announcedNames = new Set<string>();

  /**
   * Append lines produced by a --workers child. Each child announces its own metrics; only the
   * first Metric line per name reaches the file, and it still comes before that metric's Points.
   */
  addRawLines(text: string): void {
    let start = 0;
    for (;;) {
      const i = text.indexOf('{"type":"Metric"', start);
      if (i < 0) break;
      const end = text.indexOf('\n', i);
      const line = text.slice(i, end < 0 ? undefined : end + 1);
      const name = (JSON.parse(line) as { metric: string }).metric;
      if (this.announcedNames.has(name)) {
        this.buf += text.slice(start, i);
      } else {
        this.announcedNames.add(name);
        this.buf += text.slice(start, i) + line;
      }
      start = end < 0 ? text.length : end + 1;
    }
    this.buf += text.slice(start);
    if (this.buf.length >= CHUNK) this.flush();
  }

  /** Set while the file (or gzip) is behind; VUs wait on it before their next iteration. */
  blocked: Promise<void> | undefined;

  flush(): void {
    if (this.buf.length === 0) return;
    const ok = this.sink.write(this.buf);
    this.buf = '';
    // Points are never kept in memory: when the disk or gzip falls behind, load waits for them
    // (k6 also slows down rather than buffer without bound).
    if (!ok && this.blocked === undefined && this.sink !== process.stdout) {
      this.blocked = new Promise<void>((resolve) => this.sink.once('drain', resolve)).then(() => {
        this.blocked = undefined;
      });
    }
  }

  async close(): Promise<void> {
    this.flush();
    if (this.sink !== process.stdout) this.sink.end();
    await this.done;
  }
}
