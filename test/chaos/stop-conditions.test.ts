/**
 * Stop-condition evaluation on hand-made series: the trailing window (never older data), label
 * selection and combination across series, the three aggregates, the watcher's once-a-second
 * schedule and single firing, k6's abortOnFail line; and the live tail of a k6 NDJSON file that
 * is still being appended to (torn lines, points before the load's start).
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { abortOnFailMetric, conditionValue, describeStopCondition, firstHolding, StopConditionWatcher, type StopFired } from '../../harness/chaos/stop-conditions.ts';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { SERIES_SCHEMA, type Series, type SeriesFile } from '../../harness/contracts/series.ts';
import type { StopCondition } from '../../harness/experiment/types.ts';
import { LiveK6Points } from '../../harness/observe/live.ts';

const T0 = Date.UTC(2026, 0, 1);

function file(series: Series[], startMs = T0): SeriesFile {
  return { schema: SERIES_SCHEMA, source: 'test', startMs, stepMs: 1000, series };
}
const throttles = (fn: string, values: Array<number | null>): Series => ({ name: 'lambda.throttles', labels: { function: fn }, unit: 'count', values });
function cond(p: Partial<StopCondition>): StopCondition {
  return { series: 'lambda.throttles', labels: {}, aggregate: 'sum', op: '>', value: 20, windowMs: 5000, then: 'stop-load', ...p };
}

describe('conditionValue', () => {
  it('sums only the trailing window: the current step and the whole steps before it', () => {
    const f = file([throttles('api', [100, 100, 1, 2, 3, 4, 5])]);
    // now in step 6 (partial): a 5 s window is steps 2..6, not the 100s of steps 0 and 1.
    expect(conditionValue(cond({}), [f], T0 + 6500)).toBe(15);
    expect(conditionValue(cond({ windowMs: 2000 }), [f], T0 + 6500)).toBe(9);
    // A window longer than the run so far takes what there is.
    expect(conditionValue(cond({ windowMs: 60_000 }), [f], T0 + 6500)).toBe(215);
  });

  it('selects by labels and adds up several matching series step by step', () => {
    const f = file([throttles('api', [0, 10, 10]), throttles('worker', [0, 5, 5])]);
    expect(conditionValue(cond({ labels: { function: 'api' } }), [f], T0 + 2100)).toBe(20);
    expect(conditionValue(cond({}), [f], T0 + 2100)).toBe(30);
    expect(conditionValue(cond({ labels: { function: 'none' } }), [f], T0 + 2100)).toBeNull();
  });

  it('max and last over the window; percentiles and peaks combine by the largest', () => {
    const p95 = (scenario: string, values: Array<number | null>): Series => ({ name: 'http.latency_p95_ms', labels: { scenario }, unit: 'ms', values });
    const f = file([p95('a', [900, 100, 300, null]), p95('b', [0, 200, 50, null])]);
    const c = cond({ series: 'http.latency_p95_ms', aggregate: 'max', op: '>=', value: 300, windowMs: 3000 });
    // Steps 1..3: combined 200, 300, (no data).
    expect(conditionValue(c, [f], T0 + 3200)).toBe(300);
    expect(conditionValue({ ...c, aggregate: 'last' }, [f], T0 + 3200)).toBe(300);
    expect(conditionValue({ ...c, aggregate: 'last' }, [f], T0 + 1200)).toBe(200);
  });

  it('combines files whose grids differ by a fraction of a step, counting back from each current step', () => {
    const a = file([throttles('api', [5, 5, 5])], T0);
    const b = file([throttles('api', [7, 7])], T0 + 400);
    expect(conditionValue(cond({ windowMs: 1000 }), [a, b], T0 + 2300)).toBe(12);
    // A file with nothing yet in its current step adds nothing: stale steps never count.
    expect(conditionValue(cond({ windowMs: 1000 }), [a, b], T0 + 2500)).toBe(5);
  });

  it('firstHolding returns the first condition in file order that holds, with its value', () => {
    const f = file([throttles('api', [30, 30])]);
    const conds = [cond({ op: '>', value: 100 }), cond({ op: '>=', value: 60 }), cond({ value: 1 })];
    expect(firstHolding(conds, [f], T0 + 1999)).toEqual({ index: 1, value: 60 });
    expect(firstHolding([cond({ op: '<', value: 5 })], [f], T0 + 1999)).toBeNull();
    expect(describeStopCondition(cond({ labels: { function: 'api' } }))).toBe('sum(lambda.throttles{function=api}) over 5s > 20');
  });
});

describe('StopConditionWatcher', () => {
  it('evaluates once a second after start, fires once, and awaits the reaction', async () => {
    const clock = new ManualClock(0, T0);
    const values: number[] = [];
    const reads: number[] = [];
    const fired: StopFired[] = [];
    const w = new StopConditionWatcher({
      conditions: [cond({ labels: { function: 'api' } })],
      sources: [{ name: 'fake', read: () => (reads.push(clock.now()), Promise.resolve(file([throttles('api', [...values])]))) }],
      clock,
      onFire: async (f) => {
        await new Promise((r) => setTimeout(r, 5));
        fired.push(f);
      },
    });
    w.start(T0);
    const step = async (v: number) => {
      values.push(v);
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 0));
    };
    await step(5);
    await step(10);
    expect(w.fired).toBeNull();
    await step(10); // 25 in the last 3 s
    expect(reads).toEqual([1000, 2000, 3000]);
    expect(w.fired).toMatchObject({ index: 0, value: 25, atMs: 3000, then: 'stop-load', at: new Date(T0 + 3000).toISOString() });
    await w.settled();
    expect(fired).toHaveLength(1);
    await step(100);
    expect(reads).toHaveLength(3); // no more evaluation after firing
    expect(fired).toHaveLength(1);
  });

  it('goes on when a source fails, warning once; never fires after stop()', async () => {
    const clock = new ManualClock(0, T0);
    const warnings: string[] = [];
    let fail = true;
    const w = new StopConditionWatcher({
      conditions: [cond({ value: 0 })],
      sources: [{ name: 'flaky', read: () => (fail ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(file([throttles('api', [1])]))) }],
      clock,
      onFire: () => {},
      onWarning: (m) => warnings.push(m),
    });
    w.start(T0);
    for (let i = 0; i < 3; i++) {
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(warnings).toEqual(['stop conditions: cannot read flaky (ECONNREFUSED); retrying every second']);
    expect(w.fired).toBeNull();
    w.stop();
    fail = false;
    expect(await w.tick()).toBeNull();
  });

  it("records k6's abortOnFail stop once, as the first thing that fired", () => {
    const clock = new ManualClock(0, T0);
    const w = new StopConditionWatcher({ conditions: [], sources: [], clock, onFire: () => {} });
    w.start(T0);
    clock.advance(4200);
    const line = `time="2026-01-01T00:00:04Z" level=error msg="thresholds on metrics 'http_req_failed' were crossed; at least one has abortOnFail enabled, stopping test prematurely"`;
    expect(abortOnFailMetric(line)).toBe('http_req_failed');
    expect(abortOnFailMetric("thresholds on metrics 'http_req_duration' have been crossed")).toBe('http_req_duration');
    expect(abortOnFailMetric('some thresholds have failed')).toBeNull();
    expect(w.thresholdAborted('http_req_failed')).toMatchObject({ index: null, condition: 'k6 threshold on http_req_failed (abortOnFail)', atMs: 4200, value: null });
    expect(w.thresholdAborted('other')).toBeNull();
  });
});

describe('LiveK6Points', () => {
  const point = (metric: string, t: number, value: number, tags: Record<string, string>) =>
    `${JSON.stringify({ metric, type: 'Point', data: { time: new Date(t).toISOString(), value, tags } })}\n`;

  it('reads what was appended since the last read, waits for torn lines, drops points before the start', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-live-'));
    const f = path.join(dir, 'live.ndjson');
    const live = new LiveK6Points(f, () => T0);
    expect(await live.read()).toMatchObject({ series: [] }); // file not there yet
    const s = { scenario: 'hits', status: '429' };
    writeFileSync(f, `{"type":"Metric","data":{"name":"http_reqs"},"metric":"http_reqs"}\n${point('http_reqs', T0 - 500, 1, s)}${point('http_reqs', T0 + 100, 1, s)}`);
    const torn = point('http_reqs', T0 + 1200, 1, s);
    appendFileSync(f, torn.slice(0, 20));
    let out = (await live.read())!;
    const get = (o: SeriesFile, name: string) => o.series.find((x) => x.name === name)?.values;
    expect(get(out, 'http.status_429')).toEqual([1]);
    appendFileSync(f, torn.slice(20) + point('http_reqs', T0 + 1300, 1, { scenario: 'hits', status: '200' }) + point('http_req_duration', T0 + 1300, 42, { scenario: 'hits' }));
    out = (await live.read())!;
    expect(get(out, 'http.requests')).toEqual([1, 2]);
    expect(get(out, 'http.status_429')).toEqual([1, 1]);
    expect(get(out, 'http.status_2xx')).toEqual([0, 1]);
    expect(get(out, 'http.latency_p95_ms')![1]).toBeCloseTo(42, 0);
    expect(out.startMs).toBe(T0);
    live.close();
  });
});

describe('StopConditionWatcher reaction failures', () => {
  it('a failing reaction is reported, never left as an unhandled rejection', async () => {
    const clock = new ManualClock(0, T0);
    const warnings: string[] = [];
    const w = new StopConditionWatcher({
      conditions: [],
      sources: [],
      clock,
      onFire: () => Promise.reject(new Error('journal: ENOSPC')),
      onWarning: (m) => warnings.push(m),
    });
    w.start(T0);
    w.thresholdAborted('http_req_failed');
    await w.settled();
    expect(warnings).toEqual(['stop condition fired, but reacting to it failed: journal: ENOSPC']);
  });
});
