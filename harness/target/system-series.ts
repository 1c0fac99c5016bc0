/**
 * Reading what the system did, behind one interface with two implementations: the emulator's own
 * per-second metrics (`/_squall/metrics`) and CloudWatch (GetMetricData, batched, 60 s points).
 * Both return `squall.series/v1` with the names of contracts/series.ts, so comparison does not
 * know which one it got. CloudWatch publishes 1-minute points minutes late (AWS Lambda metrics
 * "aggregated over 1 minute" and SQS's "at 1-minute intervals", see shared/reference/
 * aws-lambda-sqs-facts.md): the CloudWatch reader waits for them, bounded, and reports progress.
 */
import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { CLOUDWATCH } from '../contracts/aws-facts.ts';
import { SERIES, SERIES_SCHEMA, type Series, type SeriesFile, type SeriesName } from '../contracts/series.ts';
import { rebaseSeries } from '../observe/align.ts';
import { EXPERIMENT_ALIAS } from '../experiment/resolve.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import type { TargetClients } from './clients.ts';
import { fetchSystemSeries } from './system-metrics.ts';

export interface SeriesWindowMs {
  /** Epoch ms of the first instant to cover. */
  startMs: number;
  /** Epoch ms just after the last instant to cover. */
  endMs: number;
}

export interface SystemSeriesSource {
  readonly source: 'emulator' | 'cloudwatch';
  /** The grid of what `read` returns: 1 s for the emulator, 60 s for CloudWatch. */
  readonly stepMs: number;
  /** System series covering the window, on this source's grid from `startMs` floored to the step. */
  read(w: SeriesWindowMs, onProgress?: (line: string) => void): Promise<SeriesFile>;
}

/** The emulator's per-second metrics, cut to the window. */
export function emulatorSeriesSource(endpoint: string): SystemSeriesSource {
  return {
    source: 'emulator',
    stepMs: 1000,
    async read(w) {
      const f = await fetchSystemSeries(endpoint);
      const startMs = w.startMs - (((w.startMs - f.startMs) % f.stepMs) + f.stepMs) % f.stepMs;
      return rebaseSeries(f, startMs, Math.ceil((w.endMs - startMs) / f.stepMs));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CloudWatch

export interface SystemResources {
  functions: string[];
  queues: string[];
  /** Event source mappings by UUID (their metrics' dimension), with what they connect. */
  mappings: Array<{ uuid: string; function: string; queue: string }>;
  /**
   * Per function, the versions and aliases that carry provisioned concurrency during the run:
   * spillover is published per qualifier. A function not listed gets no spillover query.
   */
  provisioned?: Record<string, string[]>;
}

/**
 * The qualifiers an experiment puts provisioned concurrency on, per function: the alias squall
 * deploys behind when the function declares `provisionedConcurrency`, and each
 * set-provisioned-concurrency fault's own qualifier.
 */
export function provisionedQualifiers(exp: Pick<ResolvedExperiment, 'system' | 'chaos'>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (fn: string, q: string) => {
    const list = (out[fn] ??= []);
    if (!list.includes(q)) list.push(q);
  };
  for (const [name, f] of Object.entries(exp.system.functions)) if (f.provisionedConcurrency > 0) add(name, EXPERIMENT_ALIAS);
  for (const f of exp.chaos.faults) if (f.action === 'set-provisioned-concurrency') add(f.function, f.qualifier);
  return out;
}

interface MetricSpec {
  namespace: 'AWS/Lambda' | 'AWS/SQS';
  metric: string;
  stat: string;
  series: SeriesName;
}

/** AWS/Lambda per function (dimension FunctionName). */
const LAMBDA: MetricSpec[] = [
  { namespace: 'AWS/Lambda', metric: 'Invocations', stat: 'Sum', series: 'lambda.invocations' },
  { namespace: 'AWS/Lambda', metric: 'Errors', stat: 'Sum', series: 'lambda.errors' },
  { namespace: 'AWS/Lambda', metric: 'Throttles', stat: 'Sum', series: 'lambda.throttles' },
  { namespace: 'AWS/Lambda', metric: 'Duration', stat: 'p50', series: 'lambda.duration_p50_ms' },
  { namespace: 'AWS/Lambda', metric: 'Duration', stat: 'p95', series: 'lambda.duration_p95_ms' },
  { namespace: 'AWS/Lambda', metric: 'Duration', stat: 'p99', series: 'lambda.duration_p99_ms' },
  { namespace: 'AWS/Lambda', metric: 'ConcurrentExecutions', stat: 'Maximum', series: 'lambda.concurrency' },
  { namespace: 'AWS/Lambda', metric: 'AsyncEventsDropped', stat: 'Sum', series: 'lambda.async_dropped' },
];
const SPILLOVER: MetricSpec = { namespace: 'AWS/Lambda', metric: 'ProvisionedConcurrencySpilloverInvocations', stat: 'Sum', series: 'lambda.provisioned_spillover' };
/** The mapping's event metrics (dimension EventSourceMappingUUID), published when MetricsConfig has EventCount. */
const MAPPING: MetricSpec[] = [
  { namespace: 'AWS/Lambda', metric: 'PolledEventCount', stat: 'Sum', series: 'esm.polled_events' },
  { namespace: 'AWS/Lambda', metric: 'InvokedEventCount', stat: 'Sum', series: 'esm.invoked_events' },
  { namespace: 'AWS/Lambda', metric: 'FailedInvokeEventCount', stat: 'Sum', series: 'esm.failed_invoke_events' },
  { namespace: 'AWS/Lambda', metric: 'DeletedEventCount', stat: 'Sum', series: 'esm.deleted_events' },
];
/** AWS/SQS per queue (dimension QueueName). Gauges take the minute's maximum. */
const QUEUE: MetricSpec[] = [
  { namespace: 'AWS/SQS', metric: 'NumberOfMessagesSent', stat: 'Sum', series: 'sqs.sent' },
  { namespace: 'AWS/SQS', metric: 'NumberOfMessagesReceived', stat: 'Sum', series: 'sqs.received' },
  { namespace: 'AWS/SQS', metric: 'NumberOfMessagesDeleted', stat: 'Sum', series: 'sqs.deleted' },
  { namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesVisible', stat: 'Maximum', series: 'sqs.visible' },
  { namespace: 'AWS/SQS', metric: 'ApproximateNumberOfMessagesNotVisible', stat: 'Maximum', series: 'sqs.in_flight' },
  { namespace: 'AWS/SQS', metric: 'ApproximateAgeOfOldestMessage', stat: 'Maximum', series: 'sqs.oldest_age_seconds' },
];

/** From the one AWS facts module (contracts/aws-facts.ts). */
export const CLOUDWATCH_MAX_QUERIES = CLOUDWATCH.maxQueriesPerRequest;
export const CLOUDWATCH_PERIOD_SECONDS = CLOUDWATCH.periodSeconds;

interface PlannedQuery {
  query: MetricDataQuery;
  series: SeriesName;
  labels: Record<string, string>;
}

export function cloudWatchQueries(r: SystemResources): PlannedQuery[] {
  const out: PlannedQuery[] = [];
  const add = (spec: MetricSpec, dims: Array<{ Name: string; Value: string }>, labels: Record<string, string>) =>
    out.push({
      query: {
        Id: `m${out.length}`,
        MetricStat: { Metric: { Namespace: spec.namespace, MetricName: spec.metric, Dimensions: dims }, Period: CLOUDWATCH_PERIOD_SECONDS, Stat: spec.stat },
        ReturnData: true,
      },
      series: spec.series,
      labels,
    });
  for (const f of r.functions) {
    for (const s of LAMBDA) add(s, [{ Name: 'FunctionName', Value: f }], { function: f });
    // Spillover is published per version or alias (dimensions FunctionName + Resource `name:qualifier`).
    for (const q of r.provisioned?.[f] ?? []) add(SPILLOVER, [{ Name: 'FunctionName', Value: f }, { Name: 'Resource', Value: `${f}:${q}` }], { function: f, qualifier: q });
  }
  for (const m of r.mappings) for (const s of MAPPING) add(s, [{ Name: 'EventSourceMappingUUID', Value: m.uuid }], { function: m.function, queue: m.queue });
  for (const q of r.queues) for (const s of QUEUE) add(s, [{ Name: 'QueueName', Value: q }], { queue: q });
  return out;
}

export interface CloudWatchReadOptions {
  /** Longest wait for late points after the window ends (default 5 min). */
  maxWaitMs?: number;
  /** Time between polls while waiting (default 30 s). */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function cloudWatchSeriesSource(clients: TargetClients, resources: SystemResources, o: CloudWatchReadOptions = {}): SystemSeriesSource {
  const stepMs = CLOUDWATCH_PERIOD_SECONDS * 1000;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const planned = cloudWatchQueries(resources);
  return {
    source: 'cloudwatch',
    stepMs,
    async read(w, onProgress) {
      const startMs = Math.floor(w.startMs / stepMs) * stepMs;
      const steps = Math.max(1, Math.ceil((w.endMs - startMs) / stepMs));
      const lastStepMs = startMs + (steps - 1) * stepMs;
      const deadline = now() + (o.maxWaitMs ?? 5 * 60_000);
      const waitStarted = now();
      for (;;) {
        const results = await fetchAll(clients, planned, startMs, startMs + steps * stepMs);
        // A series is complete once it has its last minute; series that never had a point (no
        // activity) cannot tell, so completeness is judged on the ones with data.
        const withData = results.filter((r) => (r.Timestamps?.length ?? 0) > 0);
        const complete = withData.filter((r) => r.Timestamps!.some((t) => Math.floor(t.getTime() / stepMs) * stepMs >= lastStepMs));
        const done = withData.length > 0 && complete.length === withData.length;
        if (done || now() >= deadline) {
          if (!done) onProgress?.(`CloudWatch: gave up waiting after ${Math.round((now() - waitStarted) / 1000)} s; ${withData.length - complete.length} of ${withData.length} series lack their last minute (compared as they are)`);
          return toSeriesFile(planned, results, startMs, stepMs, steps);
        }
        onProgress?.(
          `CloudWatch: waiting for late 1-minute points: ${complete.length}/${withData.length} series have ${new Date(lastStepMs).toISOString().slice(11, 16)} UTC (waited ${Math.round((now() - waitStarted) / 1000)} s of at most ${Math.round((o.maxWaitMs ?? 300_000) / 1000)} s)`,
        );
        await sleep(Math.min(o.pollMs ?? 30_000, Math.max(0, deadline - now())));
      }
    },
  };
}

/** GetMetricData in batches of at most 500 queries, following NextToken. */
async function fetchAll(clients: TargetClients, planned: PlannedQuery[], startMs: number, endMs: number): Promise<MetricDataResult[]> {
  const byId = new Map<string, MetricDataResult>();
  for (let i = 0; i < planned.length; i += CLOUDWATCH_MAX_QUERIES) {
    const batch = planned.slice(i, i + CLOUDWATCH_MAX_QUERIES).map((p) => p.query);
    let token: string | undefined;
    do {
      const r = await clients.cloudwatch.send(
        new GetMetricDataCommand({ StartTime: new Date(startMs), EndTime: new Date(endMs), MetricDataQueries: batch, ScanBy: 'TimestampAscending', ...(token ? { NextToken: token } : {}) }),
      );
      for (const d of r.MetricDataResults ?? []) {
        const prev = byId.get(d.Id!);
        if (prev) {
          prev.Timestamps = [...(prev.Timestamps ?? []), ...(d.Timestamps ?? [])];
          prev.Values = [...(prev.Values ?? []), ...(d.Values ?? [])];
        } else byId.set(d.Id!, { ...d, Timestamps: [...(d.Timestamps ?? [])], Values: [...(d.Values ?? [])] });
      }
      token = r.NextToken;
    } while (token);
  }
  return planned.map((p) => byId.get(p.query.Id!) ?? { Id: p.query.Id!, Timestamps: [], Values: [] });
}

function toSeriesFile(planned: PlannedQuery[], results: MetricDataResult[], startMs: number, stepMs: number, steps: number): SeriesFile {
  const series: Series[] = planned.map((p, i) => {
    const def = SERIES[p.series];
    // No point in a minute means no activity for a count; for a gauge or percentile it means unknown.
    const values: Array<number | null> = new Array<number | null>(steps).fill(def.kind === 'sum' ? 0 : null);
    const r = results[i]!;
    (r.Timestamps ?? []).forEach((t, j) => {
      const k = Math.floor((t.getTime() - startMs) / stepMs);
      const v = r.Values?.[j];
      if (k >= 0 && k < steps && v !== undefined) values[k] = def.kind === 'sum' ? (values[k] ?? 0) + v : Math.max(values[k] ?? -Infinity, v);
    });
    return { name: p.series, labels: p.labels, unit: def.unit, values };
  });
  return { schema: SERIES_SCHEMA, source: 'cloudwatch', startMs, stepMs, series };
}
