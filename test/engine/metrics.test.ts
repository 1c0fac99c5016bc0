/**
 * Sinks (k6 percentile interpolation, gauge/rate rules, HDR past the exact cap, merging), the
 * threshold grammar and evaluation with k6's empty-sink rules, submetric matching, and the
 * NDJSON line format (k6 `internal/output/json/json_test.go`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { K6_EXIT, SquallError } from '../../harness/contracts/exit-codes.ts';
import { MetricsEngine } from '../../harness/engine/metrics/engine.ts';
import { LogLinearHistogram, bucketOf, bucketRange } from '../../harness/engine/metrics/histogram.ts';
import { parseMetricName } from '../../harness/engine/metrics/registry.ts';
import { EXACT_CAP, GaugeSink, RateSink, TrendSink, CounterSink } from '../../harness/engine/metrics/sinks.ts';
import { TagSet } from '../../harness/engine/metrics/tags.ts';
import { TimeFormatter, metricLine } from '../../harness/engine/outputs/ndjson.ts';
import type { ThresholdSpec } from '../../harness/engine/options.ts';
import { Threshold, parseThresholdExpr } from '../../harness/engine/thresholds.ts';

const spec = (source: string, extra: Partial<ThresholdSpec> = {}): ThresholdSpec => ({ source, abortOnFail: false, delayAbortEval: null, delayAbortEvalMs: 0, ...extra });

describe('trend percentiles (k6 TrendSink.P)', () => {
  it('interpolates linearly at i = p·(n−1) like numpy "linear"', () => {
    const t = new TrendSink();
    for (const v of [20, 10, 15]) t.add(v);
    expect(t.percentile(0.9)).toBeCloseTo(19, 12);
    expect(t.percentile(0.95)).toBeCloseTo(19.5, 12);
    expect(t.percentile(0.5)).toBe(15);
  });
  it('is 0 when empty and the value itself for one sample', () => {
    const t = new TrendSink();
    expect(t.percentile(0.95)).toBe(0);
    t.add(7.5);
    expect(t.percentile(0.99)).toBe(7.5);
  });
  it('matches a sorted-array reference for any input (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (vals, p) => {
        const t = new TrendSink();
        for (const v of vals) t.add(v);
        const s = [...vals].sort((a, b) => a - b);
        const i = p * (s.length - 1);
        const lo = Math.floor(i);
        const hi = Math.ceil(i);
        const ref = s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
        expect(t.percentile(p)).toBeCloseTo(ref, 6);
      }),
      { numRuns: 200 },
    );
  });
  it('past the exact cap, percentiles come from the histogram within 0.1 %', () => {
    const t = new TrendSink();
    const n = EXACT_CAP + 50_000;
    for (let i = 1; i <= n; i++) t.add(i / 100);
    expect(t.count).toBe(n);
    expect(t.percentile(0.5)).toBeCloseTo(n / 200, -1);
    expect(Math.abs(t.percentile(0.99) - (0.99 * n) / 100) / ((0.99 * n) / 100)).toBeLessThan(0.001);
    expect(t.max).toBe(n / 100);
  });
  it('merging snapshots equals feeding one sink (exact and HDR)', () => {
    for (const size of [100, EXACT_CAP]) {
      const a = new TrendSink();
      const b = new TrendSink();
      const all = new TrendSink();
      for (let i = 0; i < size; i++) {
        const v = (i * 7919) % 1000;
        (i % 2 ? a : b).add(v);
        all.add(v);
      }
      const m = new TrendSink();
      m.merge(a.snapshot());
      m.merge(JSON.parse(JSON.stringify(b.snapshot())));
      expect(m.count).toBe(all.count);
      expect(m.avg).toBeCloseTo(all.avg, 9);
      expect(m.min).toBe(all.min);
      expect(m.max).toBe(all.max);
      expect(Math.abs(m.percentile(0.95) - all.percentile(0.95))).toBeLessThanOrEqual(all.percentile(0.95) * 0.001 + 1e-9);
    }
  });
});

describe('gauge, rate, counter sinks', () => {
  it('gauge keeps the last ingested value with min and max', () => {
    const g = new GaugeSink();
    for (const v of [5, 1, 9, 3]) g.add(v);
    expect([g.value, g.min, g.max]).toEqual([3, 1, 9]);
  });
  it('rate counts non-zero samples as passes', () => {
    const r = new RateSink();
    for (const v of [1, 0, 2, 0]) r.add(v);
    expect([r.passes, r.total]).toEqual([2, 4]);
  });
  it('counter merges by sum', () => {
    const c = new CounterSink();
    c.add(2);
    c.merge({ type: 'counter', count: 3 });
    expect(c.count).toBe(5);
  });
});

describe('threshold grammar (k6 thresholds_parser.go)', () => {
  it.each([
    ['p(95)<200', { method: 'p(95)', operator: '<', value: 200 }],
    ['avg <= 100', { method: 'avg', operator: '<=', value: 100 }],
    ['rate>=0.9', { method: 'rate', operator: '>=', value: 0.9 }],
    ['count==3', { method: 'count', operator: '==', value: 3 }],
    ['count===3', { method: 'count', operator: '===', value: 3 }],
    ['value!=1', { method: 'value', operator: '!=', value: 1 }],
    ['p(99.9) < 1e3', { method: 'p(99.9)', operator: '<', value: 1000 }],
    ['min>-5', { method: 'min', operator: '>', value: -5 }],
  ])('%s', (src, want) => expect(parseThresholdExpr(src)).toEqual(want));
  it.each(['p95<200', 'avg<', 'avg 200', 'rate<abc', 'p(101)<1', 'foo>1'])('%s is malformed', (src) => expect(typeof parseThresholdExpr(src)).toBe('string'));
});

describe('threshold evaluation', () => {
  const ev = (src: string, sink: Parameters<Threshold['evaluate']>[0], sec = 1): boolean => {
    const e = parseThresholdExpr(src);
    if (typeof e === 'string') throw new Error(e);
    return new Threshold(spec(src), e).evaluate(sink, sec);
  };
  it('empty sinks: trend stats are 0, empty rate passes, counter rate at 0 s passes', () => {
    expect(ev('p(95)<200', new TrendSink())).toBe(true);
    expect(ev('avg>1', new TrendSink())).toBe(false);
    expect(ev('rate>0.99', new RateSink())).toBe(true);
    expect(ev('rate>5', new CounterSink(), 0)).toBe(true);
    expect(ev('count>0', new CounterSink())).toBe(false);
  });
  it('counter rate divides by the elapsed seconds', () => {
    const c = new CounterSink();
    c.add(10);
    expect(ev('rate>=5', c, 2)).toBe(true);
    expect(ev('rate>5', c, 2)).toBe(false);
  });
});

describe('metrics engine: submetrics, observed metrics, threshold setup', () => {
  it('parses submetric names like k6 (first {, last }, first :, quotes trimmed)', () => {
    expect(parseMetricName('http_req_duration{name:http://${}.com}')).toEqual({ name: 'http_req_duration', suffix: 'name:http://${}.com', tags: { name: 'http://${}.com' } });
    expect(parseMetricName(`d{ "a" : '1', b:}`).tags).toEqual({ a: '1', b: '' });
  });
  it('routes samples into submetrics whose tags the sample contains', () => {
    const e = new MetricsEngine();
    e.setThresholds(new Map([['http_req_duration{status:200,method:GET}', [spec('max<100')]]]));
    const d = e.registry.builtin('http_req_duration');
    e.add(d, new TagSet({ status: '200', method: 'GET', url: 'x' }), 5, 0);
    e.add(d, new TagSet({ status: '500', method: 'GET' }), 500, 0);
    const sub = d.submetrics.find((s) => s.name === 'http_req_duration{status:200,method:GET}')!;
    expect((sub.sink as TrendSink).count).toBe(1);
    expect((d.sink as TrendSink).count).toBe(2);
    expect(e.evaluateThresholds(1000, true).failed).toBe(false);
  });
  it('reports every invalid threshold at once, exit 104', () => {
    const e = new MetricsEngine();
    let err: unknown;
    try {
      e.setThresholds(new Map([
        ['nope', [spec('avg<1')]],
        ['http_reqs', [spec('p(95)<1'), spec('count<<1')]],
        ['http_req_duration', [spec('count<1')]],
      ]));
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(SquallError);
    expect((err as SquallError).exitCode).toBe(K6_EXIT.invalidConfig);
    const m = (err as Error).message;
    expect(m).toContain('no metric named "nope"');
    expect(m).toContain('"p(95)" is not allowed on a counter');
    expect(m).toContain('"count" is not allowed on a trend');
    expect(m).toContain('count<<1');
  });
  it('abortOnFail respects delayAbortEval and periodic runs skip empty sinks', () => {
    const e = new MetricsEngine();
    e.setThresholds(new Map([
      ['http_req_failed', [spec('rate<0.1', { abortOnFail: true, delayAbortEval: '5s', delayAbortEvalMs: 5000 })]],
      ['iteration_duration', [spec('avg>1', { abortOnFail: true })]],
    ]));
    e.add(e.registry.builtin('http_req_failed'), new TagSet({}), 1, 0);
    expect(e.evaluateThresholds(4000, false).abortBy).toBeUndefined();
    expect(e.evaluateThresholds(6000, false).abortBy).toEqual({ metric: 'http_req_failed', source: 'rate<0.1' });
    expect(e.evaluateThresholds(6000, true).failed).toBe(true);
  });
});

describe('NDJSON lines (k6 json_test.go)', () => {
  it('Metric line with thresholds and submetrics', () => {
    const e = new MetricsEngine();
    const m = e.registry.register('my_metric1', 'gauge', 'default');
    e.registry.submetric(m, 'my_metric1{a:1,b:2}');
    const line = JSON.parse(metricLine(m, [spec('rate<0.01'), spec('p(99)<250')]));
    expect(line).toEqual({
      type: 'Metric',
      data: { name: 'my_metric1', type: 'gauge', contains: 'default', thresholds: ['rate<0.01', 'p(99)<250'], submetrics: [{ name: 'my_metric1{a:1,b:2}', suffix: 'a:1,b:2', tags: { a: '1', b: '2' } }] },
      metric: 'my_metric1',
    });
    const m2 = e.registry.register('my_metric2', 'counter', 'data');
    expect(JSON.parse(metricLine(m2, undefined))).toEqual({ type: 'Metric', data: { name: 'my_metric2', type: 'counter', contains: 'data', thresholds: [], submetrics: null }, metric: 'my_metric2' });
  });
  it('abortOnFail thresholds are objects with delayAbortEval', () => {
    const e = new MetricsEngine();
    const line = JSON.parse(metricLine(e.registry.builtin('http_req_failed'), [spec('rate<0.01', { abortOnFail: true, delayAbortEval: '10s', delayAbortEvalMs: 10_000 })]));
    expect(line.data.thresholds).toEqual([{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }]);
  });
  it('times are RFC 3339 UTC with microseconds; tags JSON has sorted keys', () => {
    const f = new TimeFormatter();
    expect(f.format(Date.UTC(2021, 1, 24, 13, 37, 10) + 0.5)).toBe('2021-02-24T13:37:10.000500Z');
    expect(f.format(Date.UTC(2021, 1, 24, 13, 37, 11, 123))).toBe('2021-02-24T13:37:11.123000Z');
    expect(new TagSet({ url: 'u', method: 'GET', group: '' }).json).toBe('{"group":"","method":"GET","url":"u"}');
  });
});

describe('HDR-style log-linear histogram', () => {
  it('buckets are contiguous and never wider than 1/1024 of their value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const [lo, hi] = bucketRange(bucketOf(v));
        expect(lo).toBeLessThanOrEqual(v);
        expect(hi).toBeGreaterThanOrEqual(v);
        expect(hi - lo).toBeLessThanOrEqual(Math.max(0, lo / 1024));
      }),
      { numRuns: 2000 },
    );
    expect(bucketOf(2047)).toBe(2047);
    expect(bucketOf(2048)).toBe(2048);
    expect(bucketRange(bucketOf(4095))).toEqual([4094, 4095]);
  });
  it('merges by adding counts, through its sparse JSON form', () => {
    const a = new LogLinearHistogram();
    const b = new LogLinearHistogram();
    const all = new LogLinearHistogram();
    for (let i = 0; i < 5000; i++) {
      const v = (i * 104729) % 3_000_000;
      (i % 3 ? a : b).record(v);
      all.record(v);
    }
    a.merge(LogLinearHistogram.fromSparse(JSON.parse(JSON.stringify(b.toSparse()))));
    expect(a.total).toBe(5000);
    for (const p of [0, 0.5, 0.9, 0.99, 1]) expect(a.percentile(p)).toBe(all.percentile(p));
  });
});
