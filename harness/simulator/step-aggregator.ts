/**
 * The one per-step aggregator: at each step boundary it reads every model's step counters and
 * gauges into `squall.series/v1` values (names, units and labels exactly as contracts/series.ts
 * lists them), then resets the counters and folds step histograms into run histograms. Models
 * only add to plain number fields; nothing here runs per request.
 */
import { SERIES, SERIES_SCHEMA, type Series, type SeriesFile, type SeriesName } from '../contracts/series.ts';
import { THROTTLE_REASON_BY_INDEX } from '../rules/admission.ts';
import type { FunctionModel } from './function-model.ts';
import type { MappingModel } from './mapping-model.ts';
import type { QueueModel } from './queue-model.ts';
import type { ScenarioModel } from './scenario-model.ts';

const LATENCY_PERCENTILES = [50, 95, 99] as const;
const DURATION_PERCENTILES = [50, 95] as const;

interface Collector {
  series: Series;
  read: () => number | null;
}

export class StepAggregator {
  private readonly collectors: Collector[] = [];
  private readonly afterFlush: Array<() => void> = [];
  private flushAt = 0;

  constructor(
    private readonly scenarios: readonly ScenarioModel[],
    private readonly functions: readonly FunctionModel[],
    private readonly queues: readonly QueueModel[],
    private readonly mappings: readonly MappingModel[],
    private readonly collect: boolean,
    private readonly stepMs: number,
  ) {
    this.buildCollectors();
  }

  /** Close the step ending at `stepEnd` (models already settled to that instant). */
  flush(stepEnd: number): void {
    this.flushAt = stepEnd;
    if (this.collect) {
      for (let i = 0; i < this.collectors.length; i++) {
        const c = this.collectors[i]!;
        c.series.values.push(c.read());
      }
    }
    for (let i = 0; i < this.afterFlush.length; i++) this.afterFlush[i]!();
  }

  private add(name: SeriesName, labels: Record<string, string>, read: () => number | null): void {
    this.collectors.push({ series: { name, labels, unit: SERIES[name].unit, values: [] }, read });
  }

  private buildCollectors(): void {
    for (const sc of this.scenarios) {
      const l = { scenario: sc.name };
      this.add('http.requests', l, () => sc.sRequests);
      this.add('http.status_2xx', l, () => sc.s2xx);
      this.add('http.status_4xx', l, () => sc.s4xx);
      this.add('http.status_429', l, () => sc.s429);
      this.add('http.status_5xx', l, () => sc.s5xx);
      this.add('http.failed', l, () => sc.sFailed);
      // The p50 collector reads all three in one pass; the p95 and p99 collectors, read right after it, take theirs.
      const lat: [number | null, number | null, number | null] = [null, null, null];
      this.add('http.latency_p50_ms', l, () => {
        sc.stepLatency.percentilesInto(LATENCY_PERCENTILES, lat);
        return lat[0];
      });
      this.add('http.latency_p95_ms', l, () => lat[1]);
      this.add('http.latency_p99_ms', l, () => lat[2]);
      this.add('k6.iterations', l, () => sc.sIterations);
      this.add('k6.dropped_iterations', l, () => sc.sDropped);
      this.afterFlush.push(() => {
        sc.sRequests = sc.s2xx = sc.s4xx = sc.s429 = sc.s5xx = sc.sFailed = sc.sIterations = sc.sDropped = 0;
        sc.stepLatency.drainInto(sc.runLatency);
      });
    }
    this.add('k6.vus', {}, () => {
      let v = 0;
      for (const sc of this.scenarios) v += sc.vusAt(this.flushAt);
      return v;
    });
    for (const fn of this.functions) {
      const l = { function: fn.name };
      this.add('lambda.invocations', l, () => fn.sInvocations);
      this.add('lambda.errors', l, () => fn.sErrors);
      this.add('lambda.throttles', l, () => fn.sThrottles);
      THROTTLE_REASON_BY_INDEX.forEach((reason, i) => this.add('lambda.throttles_by_reason', { function: fn.name, reason }, () => fn.sThrottlesByReason[i]!));
      this.add('lambda.concurrency', l, () => fn.sPeak);
      this.add('lambda.environments', l, () => fn.environments);
      this.add('lambda.cold_starts', l, () => fn.sColdStarts);
      const dur: [number | null, number | null] = [null, null];
      this.add('lambda.duration_p50_ms', l, () => {
        fn.stepDurations.percentilesInto(DURATION_PERCENTILES, dur);
        return dur[0];
      });
      this.add('lambda.duration_p95_ms', l, () => dur[1]);
      this.add('lambda.async_events', l, () => fn.sAsyncEvents);
      this.add('lambda.async_retries', l, () => fn.sAsyncRetries);
      this.add('lambda.async_dropped', l, () => fn.sAsyncDropped);
      this.afterFlush.push(() => {
        fn.sInvocations = fn.sErrors = fn.sThrottles = fn.sColdStarts = fn.sAsyncEvents = fn.sAsyncRetries = fn.sAsyncDropped = 0;
        fn.sThrottlesByReason.fill(0);
        fn.sPeak = fn.busy;
        fn.stepDurations.drainInto(fn.runDurations);
      });
    }
    for (const q of this.queues) {
      const l = { queue: q.name };
      this.add('sqs.sent', l, () => q.sSent);
      this.add('sqs.received', l, () => q.sReceived);
      this.add('sqs.deleted', l, () => q.sDeleted);
      this.add('sqs.visible', l, () => q.visible.length);
      this.add('sqs.in_flight', l, () => q.inFlight);
      this.add('sqs.delayed', l, () => q.delayed.length);
      this.add('sqs.moved_to_dlq', l, () => q.sMovedToDlq);
      this.add('sqs.oldest_age_seconds', l, () => q.oldestAgeSeconds(this.flushAt));
      this.afterFlush.push(() => {
        q.sSent = q.sReceived = q.sDeleted = q.sMovedToDlq = 0;
      });
    }
    for (const m of this.mappings) {
      const l = { function: m.fn.name, queue: m.queue.name };
      this.add('esm.batches', l, () => m.sBatches);
      this.add('esm.concurrency', l, () => m.sPeak);
      this.add('esm.pollers', l, () => (m.enabled ? m.pollers() : 0));
      this.add('esm.failed_batches', l, () => m.sFailed);
      this.afterFlush.push(() => {
        m.sBatches = m.sFailed = 0;
        m.sPeak = m.invoking;
      });
    }
  }



  seriesFile(): SeriesFile {
    const series: Series[] = [];
    for (const c of this.collectors) {
      // Reasons that never happened are left out (sparse, like CloudWatch's dimensions).
      if (c.series.name === 'lambda.throttles_by_reason' && c.series.values.every((v) => v === 0)) continue;
      series.push(c.series);
    }
    return { schema: SERIES_SCHEMA, source: 'simulator', startMs: 0, stepMs: this.stepMs, series: this.collect ? series : [] };
  }
}
