/**
 * The metrics engine: samples in, sinks and outputs out. `add` is the hot path: it updates the
 * metric's sink, the sinks of the submetrics whose tags the sample's tag set contains (cached per
 * tag set), the group tree for checks/group_duration, and hands the sample to each output. It also
 * owns thresholds: validation at start (exit 104), evaluation every 2 s and at the end
 * (k6 `internal/metrics/engine/engine.go`, k6-contract.md §3.4).
 */
import { K6_EXIT, SquallError } from '../../contracts/exit-codes.ts';
import type { ThresholdSpec } from '../options.ts';
import { Threshold, methodAllowed, parseThresholdExpr } from '../thresholds.ts';
import { GroupTree } from './groups.ts';
import { type Metric, MetricRegistry, type Submetric, parseMetricName } from './registry.ts';
import type { SinkSnapshot } from './sinks.ts';
import { mergeSnapshot } from './sinks.ts';
import type { TagSet } from './tags.ts';

/** An output receives every sample (k6 `output.Output`); NDJSON is one. */
export interface SampleOutput {
  add(metric: Metric, tags: TagSet, value: number, epochMs: number): void;
  close(): Promise<void>;
  /** A promise while the output cannot take more samples without buffering them. */
  readonly blocked?: Promise<void> | undefined;
}

export interface ThresholdResult {
  /** Any threshold crossed at this evaluation. */
  readonly failed: boolean;
  /** A crossed threshold with abortOnFail whose delayAbortEval has passed. */
  readonly abortBy: { metric: string; source: string } | undefined;
}

const EMPTY: readonly Submetric[] = [];

export class MetricsEngine {
  readonly registry = new MetricRegistry();
  readonly groups = new GroupTree();
  readonly outputs: SampleOutput[] = [];
  private readonly checksMetric: Metric;
  private readonly groupDuration: Metric;
  private thresholdTargets: { key: string; metric: Metric; sub: Submetric | undefined }[] = [];

  constructor() {
    this.checksMetric = this.registry.builtin('checks');
    this.groupDuration = this.registry.builtin('group_duration');
    // k6 creates this submetric whenever the expected_response system tag is on (the default).
    this.registry.submetric(this.registry.builtin('http_req_duration'), 'http_req_duration{expected_response:true}');
  }

  add(metric: Metric, tags: TagSet, value: number, epochMs: number): void {
    metric.sink.add(value);
    metric.observed = true;
    if (metric.submetrics.length !== 0) {
      const subs = this.matching(metric, tags);
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i] as Submetric;
        s.sink.add(value);
        s.observed = true;
      }
    }
    if (metric === this.checksMetric) {
      let node = tags.aux as { passes: number; fails: number } | undefined;
      if (node === undefined) node = tags.aux = this.groups.check(tags.get('group') ?? '', tags.get('check') ?? '');
      if (value !== 0) node.passes++;
      else node.fails++;
    } else if (metric === this.groupDuration) {
      this.groups.group(tags.get('group') ?? '');
    }
    const outs = this.outputs;
    for (let i = 0; i < outs.length; i++) (outs[i] as SampleOutput).add(metric, tags, value, epochMs);
  }

  /** A promise to wait on when an output is behind, else undefined (checked once per iteration). */
  backpressure(): Promise<void> | undefined {
    const outs = this.outputs;
    for (let i = 0; i < outs.length; i++) {
      const b = (outs[i] as SampleOutput).blocked;
      if (b !== undefined) return b;
    }
    return undefined;
  }

  private matching(metric: Metric, tags: TagSet): readonly Submetric[] {
    let cache = tags.matchCache;
    if (cache === undefined) cache = tags.matchCache = new Map();
    let subs = cache.get(metric.id) as readonly Submetric[] | undefined;
    if (subs === undefined) {
      const found = metric.submetrics.filter((s) => tags.contains(s.tags));
      subs = found.length ? found : EMPTY;
      cache.set(metric.id, subs);
    }
    return subs;
  }

  /**
   * Attach thresholds once the script's init code registered its custom metrics. Every invalid
   * threshold is reported at once (k6: malformed expression, unsupported method, unknown metric →
   * exit 104).
   */
  setThresholds(specs: ReadonlyMap<string, readonly ThresholdSpec[]>): void {
    const errors: string[] = [];
    for (const [key, list] of specs) {
      const { name, suffix } = parseMetricName(key);
      if (suffix !== undefined && !key.endsWith('}')) {
        errors.push(`thresholds["${key}"]: a submetric must end with "}" (write name{tag:value})`);
        continue;
      }
      const metric = this.registry.get(name);
      if (!metric) {
        errors.push(`thresholds["${key}"]: no metric named "${name}" exists (define custom metrics in the init code, or fix the name)`);
        continue;
      }
      const sub = suffix === undefined ? undefined : this.registry.submetric(metric, key);
      const target = sub ?? metric;
      for (const spec of list) {
        const expr = parseThresholdExpr(spec.source);
        if (typeof expr === 'string') {
          errors.push(`thresholds["${key}"]: malformed expression ${expr}`);
          continue;
        }
        if (!methodAllowed(metric.type, expr.method)) {
          errors.push(`thresholds["${key}"]: "${expr.method}" is not allowed on a ${metric.type} metric (see k6's threshold methods per metric type)`);
          continue;
        }
        target.thresholds.push(new Threshold(spec, expr));
      }
      // A metric with a threshold is observed even without samples (k6 ingester).
      metric.observed = true;
      if (sub) sub.observed = true;
      this.thresholdTargets.push({ key, metric, sub });
    }
    if (errors.length) {
      throw new SquallError(`invalid thresholds:\n  - ${errors.join('\n  - ')}`, {
        exitCode: K6_EXIT.invalidConfig,
        hint: 'threshold expressions look like "p(95)<200", "rate<0.01", "count>10" (k6 exit code 104)',
      });
    }
  }

  get hasThresholds(): boolean {
    return this.thresholdTargets.length > 0;
  }

  /** Evaluate every threshold; periodic runs skip empty sinks, the final one does not. */
  evaluateThresholds(elapsedMs: number, final: boolean): ThresholdResult {
    let failed = false;
    let abortBy: ThresholdResult['abortBy'];
    const sec = elapsedMs / 1000;
    for (const t of this.thresholdTargets) {
      const target = t.sub ?? t.metric;
      if (!final && target.sink.empty) continue;
      for (const th of target.thresholds) {
        if (th.evaluate(target.sink, sec)) continue;
        failed = true;
        if (!final && th.spec.abortOnFail && abortBy === undefined && th.spec.delayAbortEvalMs < elapsedMs) {
          abortBy = { metric: t.key, source: th.spec.source };
        }
      }
    }
    return { failed, abortBy };
  }

  /** Sink snapshots of every observed metric and submetric, for merging across processes. */
  snapshot(): Record<string, SinkSnapshot> {
    const out: Record<string, SinkSnapshot> = {};
    for (const m of this.registry.all()) {
      if (!m.sink.empty) out[m.name] = m.sink.snapshot();
      for (const s of m.submetrics) if (!s.sink.empty) out[s.name] = s.sink.snapshot();
    }
    return out;
  }

  merge(snap: Record<string, SinkSnapshot>, types: Record<string, { type: Metric['type']; contains: Metric['contains'] }>): void {
    for (const [name, s] of Object.entries(snap)) {
      const { name: base, suffix } = parseMetricName(name);
      const t = types[base];
      const metric = this.registry.get(base) ?? (t ? this.registry.register(base, t.type, t.contains) : undefined);
      if (!metric) continue;
      const target = suffix === undefined ? metric : this.registry.submetric(metric, name);
      mergeSnapshot(target.sink, s);
      target.observed = true;
      metric.observed = true;
    }
  }
}
