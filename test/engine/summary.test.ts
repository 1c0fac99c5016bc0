/**
 * The summary objects against k6's own test vectors (shared/reference/k6-contract.md §1.2 and
 * §1.5, from k6 `internal/js/summary_test.go`): the same input must give exactly k6's
 * handleSummary object and exactly k6's --summary-export object.
 */
import { describe, expect, it } from 'vitest';
import { MetricsEngine } from '../../harness/engine/metrics/engine.ts';
import { TagSet } from '../../harness/engine/metrics/tags.ts';
import { buildSummaryData, oldJsonSummary, oldJsonSummaryText } from '../../harness/engine/summary/legacy.ts';
import { textSummary } from '../../harness/engine/summary/text.ts';
import { Threshold, parseThresholdExpr } from '../../harness/engine/thresholds.ts';

const STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

function k6TestInput(): MetricsEngine {
  const e = new MetricsEngine();
  const r = e.registry;
  const trend = r.register('my_trend', 'trend', 'time');
  const none = new TagSet({});
  for (const v of [10, 15, 20]) e.add(trend, none, v, 0);
  const reqs = r.builtin('http_reqs');
  for (let i = 0; i < 3; i++) e.add(reqs, none, 1, 0);
  e.add(r.builtin('vus'), none, 1, 0);
  const checks = r.builtin('checks');
  const emit = (name: string, passes: number, fails: number): void => {
    const t = new TagSet({ group: '::child', check: name });
    for (let i = 0; i < passes; i++) e.add(checks, t, 1, 0);
    for (let i = 0; i < fails; i++) e.add(checks, t, 0, 0);
  };
  emit('check1', 30, 0);
  emit('check3', 10, 5);
  emit('check2', 5, 10);
  // k6's test attaches thresholds with these sources and these results.
  const th = (source: string, failed: boolean): Threshold => {
    const parsed = parseThresholdExpr(source);
    const t = new Threshold({ source, abortOnFail: false, delayAbortEval: null, delayAbortEvalMs: 0 }, typeof parsed === 'string' ? { method: 'avg', operator: '<', value: 0 } : parsed);
    t.lastFailed = failed;
    return t;
  };
  trend.thresholds.push(th('my_trend<1000', true));
  reqs.thresholds.push(th('rate<100', true));
  checks.thresholds.push(th('rate>70', false));
  return e;
}

const EXPECTED = {
  root_group: {
    groups: [
      {
        name: 'child', path: '::child', id: 'f41cbb53a398ec1c9fb3d33e20c9b040', groups: [],
        checks: [
          { id: '6289a7a06253a1c3f6137dfb25695563', passes: 30, fails: 0, name: 'check1', path: '::child::check1' },
          { fails: 5, name: 'check3', path: '::child::check3', id: 'c7553eca92d3e034b5808332296d304a', passes: 10 },
          { name: 'check2', path: '::child::check2', id: '06f5922794bef0d4584ba76a49893e1f', passes: 5, fails: 10 },
        ],
      },
    ],
    checks: [], name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e',
  },
  options: { summaryTrendStats: STATS, summaryTimeUnit: '', noColor: false },
  state: { isStdErrTTY: false, isStdOutTTY: false, testRunDurationMs: 1000 },
  metrics: {
    checks: { contains: 'default', values: { passes: 45, fails: 15, rate: 0.75 }, type: 'rate', thresholds: { 'rate>70': { ok: true } } },
    my_trend: {
      thresholds: { 'my_trend<1000': { ok: false } }, type: 'trend', contains: 'time',
      values: { max: 20, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3, avg: 15, min: 10, med: 15 },
    },
    vus: { contains: 'default', values: { value: 1, min: 1, max: 1 }, type: 'gauge' },
    http_reqs: { type: 'counter', contains: 'default', values: { count: 3, rate: 3 }, thresholds: { 'rate<100': { ok: false } } },
  },
};

const EXPECTED_EXPORT = {
  root_group: {
    name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e',
    groups: {
      child: {
        name: 'child', path: '::child', id: 'f41cbb53a398ec1c9fb3d33e20c9b040', groups: {},
        checks: {
          check1: { name: 'check1', path: '::child::check1', id: '6289a7a06253a1c3f6137dfb25695563', passes: 30, fails: 0 },
          check2: { name: 'check2', path: '::child::check2', id: '06f5922794bef0d4584ba76a49893e1f', passes: 5, fails: 10 },
          check3: { name: 'check3', path: '::child::check3', id: 'c7553eca92d3e034b5808332296d304a', passes: 10, fails: 5 },
        },
      },
    },
    checks: {},
  },
  metrics: {
    checks: { value: 0.75, passes: 45, fails: 15, thresholds: { 'rate>70': false } },
    http_reqs: { count: 3, rate: 3, thresholds: { 'rate<100': true } },
    my_trend: { avg: 15, max: 20, med: 15, min: 10, 'p(90)': 19, 'p(95)': 19.5, 'p(99)': 19.9, count: 3, thresholds: { 'my_trend<1000': true } },
    vus: { value: 1, min: 1, max: 1 },
  },
};

function build(setupDataJson?: string) {
  return buildSummaryData({
    engine: k6TestInput(),
    trendStats: STATS,
    summaryTimeUnit: '',
    noColor: false,
    isStdOutTTY: false,
    isStdErrTTY: false,
    testRunDurationMs: 1000,
    setupDataJson,
  });
}

describe('handleSummary data (k6 expectedHandleSummaryRawData)', () => {
  it('equals k6 test vector, p(99) interpolation included', () => {
    const data = build();
    expect(data.metrics['my_trend']?.values['p(99)']).toBeCloseTo(19.9, 10);
    expect(JSON.parse(JSON.stringify(data))).toEqual(JSON.parse(JSON.stringify(EXPECTED)));
    expect('setup_data' in data).toBe(false);
  });

  it('carries setup_data only when setup returned something (expectedHandleSummaryDataWithSetup)', () => {
    expect(build('5').setup_data).toBe(5);
  });

  it('lists groups and checks in order of first appearance with md5(path) ids', () => {
    const names = build().root_group.groups[0]?.checks.map((c) => c.name);
    expect(names).toEqual(['check1', 'check3', 'check2']);
  });
});

describe('--summary-export (k6 expectedOldJSONExportResult)', () => {
  it('equals k6 test vector: flattened values, inverted threshold booleans, rate → value, maps', () => {
    expect(oldJsonSummary(build())).toEqual(EXPECTED_EXPORT);
  });
  it('is written with 4-space indentation and keeps setup_data', () => {
    const text = oldJsonSummaryText(build('{"a":1}'));
    expect(text.split('\n')[1]).toMatch(/^ {4}"/);
    expect(JSON.parse(text).setup_data).toEqual({ a: 1 });
  });
});

describe('text summary', () => {
  it('shows thresholds with their result, checks and metrics by section', () => {
    const text = textSummary(build());
    expect(text).toContain("✗ 'rate<100'");
    expect(text).toContain("✓ 'rate>70'");
    expect(text).toMatch(/checks_succeeded\.+: 75\.00% 45 out of 60/);
    expect(text).toContain('█ child');
    expect(text).toMatch(/✗ check3\n\s+↳\s+67% — ✓ 10 \/ ✗ 5/);
    expect(text).toMatch(/http_reqs\.+: 3\s+3\/s/);
    expect(text).toMatch(/my_trend\.+: avg=15\.00ms min=10\.00ms med=15\.00ms max=20\.00ms p\(90\)=19\.00ms p\(95\)=19\.50ms p\(99\)=19\.90ms count=3/);
  });
});
