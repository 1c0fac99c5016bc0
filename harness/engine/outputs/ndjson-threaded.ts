/**
 * `--out json=FILE[.gz]` with the text made on another thread: the request loop only copies
 * each sample as four numbers (metric id, tag set id, value, time) into a batch; a writer thread
 * (ndjson-writer.worker.mjs) turns batches into k6's NDJSON lines and gzips them. Building the
 * lines cost ~7 µs per iteration on the loop's thread (13 lines, ~4 KB), about as much as the
 * request itself. Same lines and order as NdjsonOutput (k6-contract.md §2.1); batches stay
 * bounded: when the writer falls behind, VUs wait before their next iteration.
 */
import { Worker } from 'node:worker_threads';
import type { SampleOutput } from '../metrics/engine.ts';
import type { Metric } from '../metrics/registry.ts';
import type { TagSet } from '../metrics/tags.ts';
import type { ThresholdSpec } from '../options.ts';
import { metricLine } from './ndjson.ts';

const BATCH = 8192;
/** Batches the writer may hold (8192 × 32 bytes each): ~4 MB of samples at most. */
const MAX_IN_FLIGHT = 16;
/**
 * How often samples reach an uncompressed file: a reader tailing it (squall run's stop
 * conditions) sees points at most this late. Gzip-only outputs are not flushed by time.
 */
const LIVE_FLUSH_MS = 250;

export class ThreadedNdjsonOutput implements SampleOutput {
  private readonly worker: Worker;
  private records: Float64Array;
  private count = 0;
  private readonly spare: Float64Array[] = [];
  private readonly knownMetrics: boolean[] = [];
  private nextTag = 1;
  private newMetrics: { id: number; prefix: string; line: string }[] = [];
  private newTags: { id: number; suffix: string }[] = [];
  private inFlight = 0;
  private release: (() => void) | undefined;
  blocked: Promise<void> | undefined;
  private closedResolve: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly liveTimer: NodeJS.Timeout | undefined;

  /** `paths`: one or more files receiving the same lines (`.gz` ones compressed). */
  constructor(
    paths: readonly string[],
    private readonly thresholds: ReadonlyMap<string, readonly ThresholdSpec[]>,
  ) {
    this.worker = new Worker(new URL('./ndjson-writer.worker.mjs', import.meta.url), { workerData: { paths } });
    if (paths.some((p) => !p.endsWith('.gz'))) {
      this.liveTimer = setInterval(() => {
        this.flush();
        this.worker.postMessage({ type: 'sync' });
      }, LIVE_FLUSH_MS);
      this.liveTimer.unref();
    }
    this.records = new Float64Array(BATCH * 4);
    this.worker.on('message', (m: { type: string; buffer?: ArrayBuffer }) => {
      if (m.type === 'ack') {
        this.inFlight--;
        if (m.buffer) this.spare.push(new Float64Array(m.buffer));
        if (this.release && this.inFlight < MAX_IN_FLIGHT / 2) {
          const r = this.release;
          this.release = undefined;
          this.blocked = undefined;
          r();
        }
      } else if (m.type === 'closed') this.closedResolve?.();
    });
    this.worker.on('error', (e) => {
      this.failure = e;
      this.closedResolve?.();
    });
  }

  add(metric: Metric, tags: TagSet, value: number, epochMs: number): void {
    if (this.knownMetrics[metric.id] !== true) {
      this.knownMetrics[metric.id] = true;
      this.newMetrics.push({ id: metric.id, prefix: metric.pointPrefix, line: metricLine(metric, this.thresholds.get(metric.name)) });
    }
    // The id lives on the tag set itself (a field read, where a WeakMap lookup cost more).
    let tagId = tags.outputOwner === this ? tags.outputId : 0;
    if (tagId === 0) {
      tagId = this.nextTag++;
      tags.outputOwner = this;
      tags.outputId = tagId;
      this.newTags.push({ id: tagId, suffix: tags.pointSuffix });
    }
    const r = this.records;
    const i = this.count * 4;
    r[i] = metric.id;
    r[i + 1] = tagId;
    r[i + 2] = value;
    r[i + 3] = epochMs;
    if (++this.count === BATCH) this.flush();
  }

  flush(): void {
    if (this.count === 0) return;
    const records = this.records;
    this.worker.postMessage({ type: 'batch', count: this.count, records, metrics: this.newMetrics, tags: this.newTags }, [records.buffer as ArrayBuffer]);
    this.inFlight++;
    this.newMetrics = [];
    this.newTags = [];
    this.count = 0;
    this.records = this.spare.pop() ?? new Float64Array(BATCH * 4);
    if (this.inFlight >= MAX_IN_FLIGHT && this.blocked === undefined) {
      this.blocked = new Promise<void>((r) => (this.release = r));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.liveTimer);
    this.flush();
    const closed = new Promise<void>((r) => (this.closedResolve = r));
    this.worker.postMessage({ type: 'close' });
    await closed;
    await this.worker.terminate();
    if (this.failure) throw new Error(`--out json: writing the points failed: ${this.failure.message}`);
  }
}
