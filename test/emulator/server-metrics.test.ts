/**
 * The emulator's per-second metrics on a manual clock: counters bucketed by step, gauges sampled
 * by the step timer, levels keeping the peak, percentiles per step, and the SQS binding that
 * turns model events into `sqs.*` series.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';
import { SqsModel } from '../../harness/emulator/sqs/model.ts';
import { bindSqsMetrics } from '../../harness/emulator/sqs/metrics.ts';
import { SqsError } from '../../harness/emulator/sqs/errors.ts';

function series(m: Metrics, name: string, labels: Record<string, string> = {}) {
  const s = m.snapshot().series.find((x) => x.name === name && JSON.stringify(x.labels) === JSON.stringify(labels));
  return s?.values;
}

describe('Metrics', () => {
  it('counts per step and pads sums with zeros', () => {
    const clock = new ManualClock();
    const m = new Metrics(clock);
    const c = m.counter('lambda.invocations', { function: 'f' });
    c.add();
    c.add(2);
    clock.advance(2_500);
    c.add(5);
    expect(series(m, 'lambda.invocations', { function: 'f' })).toEqual([3, 0, 5]);
    const snap = m.snapshot();
    expect(snap).toMatchObject({ schema: 'squall.series/v1', source: 'emulator', stepMs: 1000, startMs: clock.epochMs() - 2_500 });
    expect(snap.series[0]).toMatchObject({ unit: 'count' });
  });

  it('samples gauges once per step on the timer', () => {
    const clock = new ManualClock();
    const m = new Metrics(clock);
    let v = 1;
    m.gauge('k6.vus', {}, () => v);
    m.start();
    clock.advance(1_000);
    v = 7;
    clock.advance(1_000);
    v = 3;
    clock.advance(500);
    expect(m.sampleCount).toBe(2);
    // Step 2 is in progress: the snapshot samples it now.
    expect(series(m, 'k6.vus')).toEqual([1, 7, 3]);
    m.stop();
  });

  it('keeps the peak of a level per step and carries it over quiet steps', () => {
    const clock = new ManualClock();
    const m = new Metrics(clock);
    const l = m.level('lambda.concurrency', { function: 'f' });
    l.add(1);
    l.add(1);
    l.add(-1);
    clock.advance(3_000);
    l.add(2);
    l.add(-3);
    expect(series(m, 'lambda.concurrency', { function: 'f' })).toEqual([2, 1, 1, 3]);
    expect(l.value).toBe(0);
  });

  it('computes percentiles per step, null where a step had no values', () => {
    const clock = new ManualClock();
    const m = new Metrics(clock);
    const r = m.percentiles({ 'lambda.duration_p50_ms': 50, 'lambda.duration_p95_ms': 95 }, { function: 'f' });
    for (let i = 1; i <= 100; i++) r.record(i);
    clock.advance(2_000);
    r.record(10.5);
    const p50 = series(m, 'lambda.duration_p50_ms', { function: 'f' })!;
    const p95 = series(m, 'lambda.duration_p95_ms', { function: 'f' })!;
    expect(p50[0]).toBeCloseTo(50, 0);
    expect(p95[0]).toBeCloseTo(95, 0);
    expect(p50[1]).toBeNull();
    expect(p50[2]).toBeCloseTo(10.5, 1);
  });
});

describe('SQS metrics binding', () => {
  it('turns model events into sqs.* series per queue', () => {
    const clock = new ManualClock();
    const metrics = new Metrics(clock);
    const model = new SqsModel({ clock, accountId: '000000000000', region: 'us-east-1' });
    bindSqsMetrics(model, metrics);
    const dlq = model.createQueue('d');
    const q = model.createQueue('q', { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
    for (let i = 0; i < 3; i++) model.send(q, { body: `m${i}` });
    model.send(q, { body: 'later', delaySeconds: 10 });
    const got = model.receiveNow(q, { maxNumberOfMessages: 2 });
    if (got instanceof SqsError) throw new Error(got.message);
    model.deleteMessage(q, got[0]!.receiptHandle);
    clock.advance(1_000);
    // The second message's visibility ended; receiving again moves it to the DLQ (maxReceiveCount 1).
    model.receiveNow(q, { maxNumberOfMessages: 10 });
    const L = { queue: 'q' };
    expect(series(metrics, 'sqs.sent', L)).toEqual([4, 0]);
    expect(series(metrics, 'sqs.received', L)).toEqual([2, 1]);
    expect(series(metrics, 'sqs.deleted', L)).toEqual([1, 0]);
    expect(series(metrics, 'sqs.moved_to_dlq', L)).toEqual([0, 1]);
    expect(series(metrics, 'sqs.in_flight', L)).toEqual([null, 1]);
    expect(series(metrics, 'sqs.delayed', L)).toEqual([null, 1]);
    expect(series(metrics, 'sqs.visible', { queue: 'd' })).toEqual([null, 1]);
    expect(series(metrics, 'sqs.oldest_age_seconds', L)).toEqual([null, 1]);
    // Every message is accounted for: purged and expired ones have their own series.
    model.purge(q);
    const r = model.createQueue('ret', { MessageRetentionPeriod: '60' });
    model.send(r, { body: 'old' });
    clock.advance(60_000);
    model.tick(r);
    const total = (name: string, queue: string) => (series(metrics, name, { queue }) ?? []).reduce((a: number, b) => a + (b ?? 0), 0);
    expect(total('sqs.purged', 'q')).toBe(2);
    expect(total('sqs.expired', 'ret')).toBe(1);
  });
});
