/**
 * The SQS model on a manual clock: the rules one by one (visibility, delay, retention, redrive,
 * FIFO groups and deduplication, long polls, purge, limits, move tasks), then property tests over
 * random operation sequences: no message is lost or duplicated outside at-least-once rules, a
 * message is never handed out while its visibility timeout runs, FIFO groups stay in order, counts
 * stay consistent, and every OverLimit refusal is counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { SQS } from '../../harness/contracts/aws-facts.ts';
import { SqsError } from '../../harness/emulator/sqs/errors.ts';
import { SqsModel } from '../../harness/emulator/sqs/model.ts';
import type { ReceivedMessage, SqsLimits, SqsQueue } from '../../harness/emulator/sqs/model.ts';

function setup(limits?: Partial<SqsLimits>) {
  const clock = new ManualClock();
  const model = new SqsModel({ clock, accountId: '000000000000', region: 'us-east-1', limits });
  const counts = { sent: 0, received: 0, deleted: 0, moved: 0, expired: 0, purged: 0, overLimit: 0 };
  model.observe({
    sent: (_q, n) => (counts.sent += n),
    received: (_q, n) => (counts.received += n),
    deleted: (_q, n) => (counts.deleted += n),
    movedToDlq: (_q, _d, n) => (counts.moved += n),
    expired: (_q, n) => (counts.expired += n),
    purged: (_q, n) => (counts.purged += n),
    overLimit: () => counts.overLimit++,
  });
  return { clock, model, counts };
}

function ok<T>(x: T | SqsError): T {
  if (x instanceof SqsError) throw new Error(`${x.code}: ${x.message}`);
  return x;
}

function now(model: SqsModel, q: SqsQueue, max = 10, visibilityTimeout?: number): ReceivedMessage[] {
  return ok(model.receiveNow(q, { maxNumberOfMessages: max, visibilityTimeout }));
}

describe('visibility and receive count', () => {
  it('hides a received message until its visibility timeout ends, then redelivers it', () => {
    const { clock, model, counts } = setup();
    const q = model.createQueue('v', { VisibilityTimeout: '30' });
    ok(model.send(q, { body: 'a' }));
    const [m1] = now(model, q);
    expect(m1!.attributes['ApproximateReceiveCount']).toBe('1');
    expect(now(model, q)).toEqual([]);
    clock.advance(29_999);
    expect(now(model, q)).toEqual([]);
    clock.advance(1);
    const [m2] = now(model, q);
    expect(m2!.messageId).toBe(m1!.messageId);
    expect(m2!.attributes['ApproximateReceiveCount']).toBe('2');
    expect(m2!.attributes['ApproximateFirstReceiveTimestamp']).toBe(m1!.attributes['ApproximateFirstReceiveTimestamp']);
    expect(m2!.receiptHandle).not.toBe(m1!.receiptHandle);
    // The old handle is stale: delete "succeeds" but the message stays.
    expect(model.deleteMessage(q, m1!.receiptHandle)).toBeUndefined();
    expect(q.inFlightCount).toBe(1);
    expect(model.deleteMessage(q, m2!.receiptHandle)).toBeUndefined();
    expect(model.size(q)).toBe(0);
    expect(counts).toMatchObject({ sent: 1, received: 2, deleted: 1 });
  });

  it('changes visibility from now, 0 returns the message at once, and refuses messages not in flight', () => {
    const { clock, model } = setup();
    const q = model.createQueue('cv');
    ok(model.send(q, { body: 'a' }));
    const [m] = now(model, q, 1, 10);
    clock.advance(8_000);
    expect(model.changeVisibility(q, m!.receiptHandle, 5)).toBeUndefined();
    clock.advance(4_999);
    expect(now(model, q)).toEqual([]);
    clock.advance(1);
    const [again] = now(model, q, 1, 100);
    expect(again!.messageId).toBe(m!.messageId);
    expect(model.changeVisibility(q, again!.receiptHandle, 0)).toBeUndefined();
    expect(q.visibleCount).toBe(1);
    expect(model.changeVisibility(q, again!.receiptHandle, 10)?.code).toBe('MessageNotInflight');
    expect(model.changeVisibility(q, m!.receiptHandle, 10)?.code).toBe('InvalidParameterValueException');
    expect(model.changeVisibility(q, 'nonsense', 10)?.code).toBe('ReceiptHandleIsInvalid');
    expect(model.changeVisibility(q, again!.receiptHandle, SQS.visibilityTimeoutMaxSeconds + 1)?.code).toBe('InvalidParameterValueException');
  });

  it('caps the total visibility at 12 hours from the receive', () => {
    const { clock, model } = setup();
    const q = model.createQueue('cap');
    ok(model.send(q, { body: 'a' }));
    const [m] = now(model, q, 1, SQS.visibilityTimeoutMaxSeconds);
    clock.advance(3_600_000);
    expect(model.changeVisibility(q, m!.receiptHandle, SQS.visibilityTimeoutMaxSeconds - 3600)).toBeUndefined();
    expect(model.changeVisibility(q, m!.receiptHandle, SQS.visibilityTimeoutMaxSeconds - 3599)?.message).toContain('beyond the limit [43200 seconds]');
  });

  it('rejects a receipt handle from another queue', () => {
    const { model } = setup();
    const a = model.createQueue('a');
    const b = model.createQueue('b');
    ok(model.send(a, { body: 'x' }));
    const [m] = now(model, a);
    expect(model.deleteMessage(b, m!.receiptHandle)?.code).toBe('ReceiptHandleIsInvalid');
  });
});

describe('delay and retention', () => {
  it('delays by the queue default or per message, counted as delayed', () => {
    const { clock, model } = setup();
    const q = model.createQueue('d', { DelaySeconds: '5' });
    ok(model.send(q, { body: 'queue-delay' }));
    ok(model.send(q, { body: 'msg-delay', delaySeconds: 2 }));
    ok(model.send(q, { body: 'none', delaySeconds: 0 }));
    expect([q.visibleCount, q.delayedCount]).toEqual([1, 2]);
    expect(now(model, q).map((m) => m.body)).toEqual(['none']);
    clock.advance(2_000);
    expect(now(model, q).map((m) => m.body)).toEqual(['msg-delay']);
    clock.advance(3_000);
    expect(now(model, q).map((m) => m.body)).toEqual(['queue-delay']);
    expect(q.delayedCount).toBe(0);
  });

  it('drops messages when the retention period ends', () => {
    const { clock, model, counts } = setup();
    const q = model.createQueue('r', { MessageRetentionPeriod: '60' });
    ok(model.send(q, { body: 'old' }));
    clock.advance(30_000);
    ok(model.send(q, { body: 'young' }));
    expect(q.oldestAgeSeconds(clock.now())).toBe(30);
    clock.advance(30_000);
    expect(now(model, q).map((m) => m.body)).toEqual(['young']);
    expect(counts.expired).toBe(1);
  });
});

describe('redrive', () => {
  it('moves a message to the DLQ when it would pass maxReceiveCount, keeping its identity and count', () => {
    const { model, counts } = setup();
    const dlq = model.createQueue('dlq');
    const q = model.createQueue('src', { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }) });
    const sent = ok(model.send(q, { body: 'poison', messageAttributes: { 'squall-poison': { DataType: 'String', StringValue: 'run-1' } } }));
    for (let i = 1; i <= 3; i++) expect(now(model, q)[0]!.attributes['ApproximateReceiveCount']).toBe(String(i));
    expect(now(model, q)).toEqual([]);
    expect(counts.moved).toBe(1);
    const [m] = now(model, dlq);
    expect(m!.messageId).toBe(sent.messageId);
    expect(m!.attributes['ApproximateReceiveCount']).toBe('4');
    expect(m!.attributes['DeadLetterQueueSourceArn']).toBe(q.arn);
    expect(m!.messageAttributes).toEqual({ 'squall-poison': { DataType: 'String', StringValue: 'run-1' } });
    expect(m!.md5OfMessageAttributes).toBe(sent.md5OfMessageAttributes);
    expect(model.deadLetterSources(dlq)).toEqual([q]);
  });

  it('validates the redrive policy', () => {
    const { model } = setup();
    const std = model.createQueue('std');
    const fifo = model.createQueue('f.fifo', { FifoQueue: 'true' });
    const bad = (p: string, into = 'x') => {
      try {
        model.createQueue(into, { RedrivePolicy: p });
      } catch (e) {
        return (e as SqsError).message;
      }
      return 'accepted';
    };
    expect(bad('{nope')).toContain('not a valid JSON map');
    expect(bad(JSON.stringify({ deadLetterTargetArn: std.arn, maxReceiveCount: 0 }))).toContain('valid values are from 1 to 1000');
    expect(bad(JSON.stringify({ deadLetterTargetArn: fifo.arn, maxReceiveCount: 2 }))).toContain('same type');
    expect(bad(JSON.stringify({ deadLetterTargetArn: std.arn, maxReceiveCount: 2 }), 'std')).toContain('cannot be the source queue');
    expect(bad(JSON.stringify({ deadLetterTargetArn: std.arn, maxReceiveCount: '5' }))).toBe('accepted');
    // A → B → A would bounce a message between the two forever.
    const a = model.createQueue('cyc-a');
    model.createQueue('cyc-b', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: a.arn, maxReceiveCount: 1 }) });
    let message = 'accepted';
    try {
      model.setAttributes(a, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: model.arnFor('cyc-b'), maxReceiveCount: 1 }) });
    } catch (e) {
      message = (e as SqsError).message;
    }
    expect(message).toContain('redrive cycle');
  });
});

describe('FIFO', () => {
  it('redelivers a group in order after its visibility ends, and serves other groups meanwhile', () => {
    const { clock, model } = setup();
    const q = model.createQueue('o.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '10' });
    for (const b of ['a1', 'a2', 'a3']) ok(model.send(q, { body: b, messageGroupId: 'a' }));
    ok(model.send(q, { body: 'b1', messageGroupId: 'b' }));
    expect(now(model, q, 2).map((m) => m.body)).toEqual(['a1', 'a2']);
    expect(now(model, q, 10).map((m) => m.body)).toEqual(['b1']);
    expect(now(model, q, 10)).toEqual([]);
    clock.advance(10_000);
    const again = now(model, q, 10).map((m) => m.body);
    expect(again.filter((b) => b.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(again).toContain('b1');
  });

  it('deduplicates for 5 minutes, per queue or per group', () => {
    const { clock, model } = setup();
    const q = model.createQueue('dd.fifo', { FifoQueue: 'true' });
    const a = ok(model.send(q, { body: 'x', messageGroupId: 'g', messageDeduplicationId: 'd' }));
    expect(ok(model.send(q, { body: 'x', messageGroupId: 'h', messageDeduplicationId: 'd' })).messageId).toBe(a.messageId);
    clock.advance(SQS.fifoDeduplicationIntervalSeconds * 1000);
    expect(ok(model.send(q, { body: 'x', messageGroupId: 'g', messageDeduplicationId: 'd' })).messageId).not.toBe(a.messageId);
    const g = model.createQueue('dg.fifo', { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
    const b = ok(model.send(g, { body: 'x', messageGroupId: 'g', messageDeduplicationId: 'd' }));
    expect(ok(model.send(g, { body: 'x', messageGroupId: 'h', messageDeduplicationId: 'd' })).messageId).not.toBe(b.messageId);
    expect(ok(model.send(g, { body: 'x', messageGroupId: 'g', messageDeduplicationId: 'd' })).messageId).toBe(b.messageId);
  });

  it('moves to a FIFO DLQ with the message id as deduplication id, and the group kept', () => {
    const { model } = setup();
    const dlq = model.createQueue('fd.fifo', { FifoQueue: 'true' });
    const q = model.createQueue('fs.fifo', { FifoQueue: 'true', VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
    const sent = ok(model.send(q, { body: 'p', messageGroupId: 'g', messageDeduplicationId: 'same' }));
    now(model, q);
    expect(now(model, q)).toEqual([]);
    const [m] = now(model, dlq);
    expect(m!.attributes).toMatchObject({ MessageDeduplicationId: sent.messageId, MessageGroupId: 'g', ApproximateReceiveCount: '2' });
  });

  it('returns the same messages for a repeated ReceiveRequestAttemptId', () => {
    const { model } = setup();
    const q = model.createQueue('att.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    ok(model.send(q, { body: 'm', messageGroupId: 'g' }));
    const first = ok(model.receiveNow(q, { receiveRequestAttemptId: 'try-1' }));
    const retry = ok(model.receiveNow(q, { receiveRequestAttemptId: 'try-1' }));
    expect(retry.map((m) => m.receiptHandle)).toEqual(first.map((m) => m.receiptHandle));
    expect(ok(model.receiveNow(q, { receiveRequestAttemptId: 'try-2' }))).toEqual([]);
  });
});

describe('long polling on the injected clock', () => {
  it('wakes when a delayed message becomes visible, and answers empty at the end of the wait', async () => {
    const { clock, model } = setup();
    const q = model.createQueue('lp');
    ok(model.send(q, { body: 'soon', delaySeconds: 3 }));
    const p = model.receive(q, { waitTimeSeconds: 20 });
    clock.advance(3_000);
    expect((await p).map((m) => m.body)).toEqual(['soon']);
    const empty = model.receive(q, { waitTimeSeconds: 5 });
    clock.advance(5_000);
    expect(await empty).toEqual([]);
  });

  it('hands a waiting long poll one receive\'s returns, not those of every receive due at that instant', async () => {
    const { clock, model } = setup();
    const q = model.createQueue('lp3');
    for (const body of ['a1', 'a2', 'b']) ok(model.send(q, { body }));
    // Two receives at one instant: their messages reappear together by the clock, but each
    // receive's at its own instant as far as a long poll is concerned (fact sheet §4: a long poll
    // returns as soon as a message is there), so two waiting polls get one receive each.
    expect(now(model, q, 2, 2).map((m) => m.body)).toEqual(['a1', 'a2']);
    expect(now(model, q, 10, 2).map((m) => m.body)).toEqual(['b']);
    const first = model.receive(q, { waitTimeSeconds: 20, maxNumberOfMessages: 10, visibilityTimeout: 2 });
    const second = model.receive(q, { waitTimeSeconds: 20, maxNumberOfMessages: 10, visibilityTimeout: 2 });
    clock.advance(2_000);
    expect((await first).map((m) => m.body)).toEqual(['a1', 'a2']);
    expect((await second).map((m) => m.body)).toEqual(['b']);
    // With nobody waiting, a later receive takes them all, in the order they were received.
    clock.advance(2_000);
    expect(now(model, q).map((m) => m.body)).toEqual(['a1', 'a2', 'b']);
  });

  it('wakes when an in-flight message returns, and stops on abort', async () => {
    const { clock, model } = setup();
    const q = model.createQueue('lp2');
    ok(model.send(q, { body: 'x' }));
    now(model, q, 1, 2);
    const p = model.receive(q, { waitTimeSeconds: 20 });
    clock.advance(2_000);
    expect((await p)[0]!.attributes['ApproximateReceiveCount']).toBe('2');
    const ac = new AbortController();
    const aborted = model.receive(q, { waitTimeSeconds: 20, signal: ac.signal });
    ac.abort();
    expect(await aborted).toEqual([]);
    expect(q.waiters.length === 0 || [...q.waiters].every((w) => w.done)).toBe(true);
  });
});

describe('queue lifecycle and limits', () => {
  it('purge once per 60 s; re-create a deleted name only after 60 s', () => {
    const { clock, model, counts } = setup();
    const q = model.createQueue('p');
    ok(model.send(q, { body: 'x' }));
    model.purge(q);
    expect(counts.purged).toBe(1);
    expect(() => model.purge(q)).toThrowError();
    clock.advance(60_000);
    model.purge(q);
    model.deleteQueue(q);
    expect(() => model.createQueue('p')).toThrow();
    clock.advance(60_000);
    expect(model.createQueue('p').name).toBe('p');
  });

  it('moves a DLQ back at the requested rate', () => {
    const { clock, model } = setup();
    const dlq = model.createQueue('mdlq');
    const src = model.createQueue('msrc', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }) });
    for (let i = 0; i < 7; i++) ok(model.send(dlq, { body: `b${i}` }));
    const t = model.startMoveTask(dlq.arn, src.arn, 3);
    expect(() => model.startMoveTask(dlq.arn)).toThrow();
    clock.advance(0);
    expect(t.approximateNumberOfMessagesMoved).toBe(3);
    clock.advance(1_000);
    expect(t.approximateNumberOfMessagesMoved).toBe(6);
    clock.advance(1_000);
    expect(t.status).toBe('COMPLETED');
    expect(src.visibleCount).toBe(7);
    expect(dlq.visibleCount).toBe(0);
  });

  it('rate-limits FIFO API calls per action, except in high-throughput mode', () => {
    const { clock, model } = setup();
    let throttles = 0;
    model.observe({ throttled: () => throttles++ });
    const q = model.createQueue('rl.fifo', { FifoQueue: 'true' });
    const rate = model.limits.fifoApiCallsPerSecond;
    for (let i = 0; i < rate; i++) expect(model.admit(q, 'send')).toBeUndefined();
    expect(model.admit(q, 'send')?.code).toBe('RequestThrottled');
    // Other actions have their own budget; time refills continuously.
    expect(model.admit(q, 'receive')).toBeUndefined();
    clock.advance(10); // 10 ms refills 3 calls at 300/s
    for (let i = 0; i < 3; i++) expect(model.admit(q, 'send')).toBeUndefined();
    expect(model.admit(q, 'send')?.code).toBe('RequestThrottled');
    expect(throttles).toBe(2);
    const ht = model.createQueue('ht.fifo', { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
    for (let i = 0; i < rate * 2; i++) expect(model.admit(ht, 'send')).toBeUndefined();
    const std = model.createQueue('std-rl');
    for (let i = 0; i < rate * 2; i++) expect(model.admit(std, 'send')).toBeUndefined();
  });

  it('OverLimit when the in-flight limit is reached', () => {
    const { model, counts } = setup({ inFlightMaxStandard: 2 });
    const q = model.createQueue('ol');
    for (let i = 0; i < 3; i++) ok(model.send(q, { body: `${i}` }));
    expect(now(model, q, 10)).toHaveLength(2);
    expect((model.receiveNow(q) as SqsError).code).toBe('OverLimit');
    expect(counts.overLimit).toBe(1);
  });
});

// ------------------------------------------------------------------ properties

type Op =
  | { kind: 'send'; n: number; delay: number }
  | { kind: 'receive'; max: number; vt: number }
  | { kind: 'delete'; pick: number; stale: boolean }
  | { kind: 'change'; pick: number; vt: number }
  | { kind: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), n: fc.integer({ min: 1, max: 4 }), delay: fc.constantFrom(0, 0, 1, 3) }),
  fc.record({ kind: fc.constant('receive' as const), max: fc.integer({ min: 1, max: 10 }), vt: fc.constantFrom(0, 1, 2, 5, 30) }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat(), stale: fc.boolean() }),
  fc.record({ kind: fc.constant('change' as const), pick: fc.nat(), vt: fc.constantFrom(0, 1, 4) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1, 500, 1000, 2500, 6000) }),
);

describe('properties', () => {
  it('standard queue with a DLQ: nothing lost, nothing duplicated, visibility respected, counts consistent', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 4 }), (ops, maxReceiveCount) => {
        const { clock, model, counts } = setup({ inFlightMaxStandard: 6 });
        const dlq = model.createQueue('dlq');
        const q = model.createQueue('src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }) });
        const sent = new Set<string>();
        const deleted = new Set<string>();
        /** Latest and older handles and the time each message may be handed out again. */
        const latest = new Map<string, string>();
        const older: string[] = [];
        const hiddenUntil = new Map<string, number>();
        let overLimitErrors = 0;
        let received = 0;
        let deletes = 0;
        for (const op of ops) {
          switch (op.kind) {
            case 'send':
              for (let i = 0; i < op.n; i++) sent.add(ok(model.send(q, { body: `b${sent.size}`, delaySeconds: op.delay })).messageId);
              break;
            case 'receive': {
              const r = model.receiveNow(q, { maxNumberOfMessages: op.max, visibilityTimeout: op.vt });
              if (r instanceof SqsError) {
                expect(r.code).toBe('OverLimit');
                overLimitErrors++;
                break;
              }
              const ids = new Set<string>();
              for (const m of r) {
                expect(ids.has(m.messageId)).toBe(false);
                ids.add(m.messageId);
                expect(sent.has(m.messageId)).toBe(true);
                expect(deleted.has(m.messageId)).toBe(false);
                // At-least-once, but never while a previous receive's visibility timeout still runs.
                expect(clock.now()).toBeGreaterThanOrEqual(hiddenUntil.get(m.messageId) ?? 0);
                const prev = latest.get(m.messageId);
                if (prev) older.push(prev);
                latest.set(m.messageId, m.receiptHandle);
                hiddenUntil.set(m.messageId, clock.now() + op.vt * 1000);
                received++;
              }
              break;
            }
            case 'delete': {
              if (op.stale && older.length) {
                const before = model.size(q);
                expect(model.deleteMessage(q, older[op.pick % older.length]!)).toBeUndefined();
                expect(model.size(q)).toBe(before);
                break;
              }
              const live = [...latest.entries()].filter(([id]) => !deleted.has(id));
              if (!live.length) break;
              const [id, h] = live[op.pick % live.length]!;
              const inSource = q.live.size;
              expect(model.deleteMessage(q, h)).toBeUndefined();
              if (q.live.size < inSource) {
                deleted.add(id);
                deletes++;
              }
              break;
            }
            case 'change': {
              const live = [...latest.entries()].filter(([id]) => !deleted.has(id));
              if (!live.length) break;
              const [id, h] = live[op.pick % live.length]!;
              if (model.changeVisibility(q, h, op.vt) === undefined) hiddenUntil.set(id, clock.now() + op.vt * 1000);
              break;
            }
            case 'advance':
              clock.advance(op.ms);
              break;
          }
          for (const x of [q, dlq]) {
            model.tick(x);
            expect(x.visibleCount + x.inFlightCount + x.delayedCount).toBe(x.live.size);
          }
        }
        expect(counts.overLimit).toBe(overLimitErrors);
        expect(counts.received).toBe(received);
        expect(counts.deleted).toBe(deletes);
        expect(counts.sent).toBe(sent.size);
        // Drain both queues: every message not deleted is in exactly one of them, exactly once.
        clock.advance(3_600_000);
        const drained = new Map<string, number>();
        for (const x of [q, dlq]) {
          for (;;) {
            // Each batch is deleted at once, so the in-flight limit never stops the drain.
            const r = ok(model.receiveNow(x, { maxNumberOfMessages: 10, visibilityTimeout: 43_200 }));
            if (r.length === 0) break;
            for (const m of r) {
              drained.set(m.messageId, (drained.get(m.messageId) ?? 0) + 1);
              model.deleteMessage(x, m.receiptHandle);
            }
          }
        }
        for (const [, n] of drained) expect(n).toBe(1);
        const expected = [...sent].filter((id) => !deleted.has(id)).sort();
        expect([...drained.keys()].sort()).toEqual(expected);
        expect(counts.moved).toBeLessThanOrEqual(sent.size);
      }),
      { numRuns: 150 },
    );
  });

  it('FIFO: a group is served in order, one receive at a time, and each message ends deleted or drained once', () => {
    const fifoOp = fc.oneof(
      fc.record({ kind: fc.constant('send' as const), group: fc.constantFrom('a', 'b', 'c'), dup: fc.boolean() }),
      fc.record({ kind: fc.constant('receive' as const), max: fc.integer({ min: 1, max: 10 }), vt: fc.constantFrom(0, 1, 3) }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(500, 1000, 3000) }),
    );
    fc.assert(
      fc.property(fc.array(fifoOp, { minLength: 1, maxLength: 100 }), (ops) => {
        const { clock, model } = setup();
        const q = model.createQueue('p.fifo', { FifoQueue: 'true' });
        const order = new Map<string, string[]>(); // group → message ids in send order
        const groupOf = new Map<string, string>();
        const deleted = new Set<string>();
        const handles = new Map<string, string>();
        const hiddenUntil = new Map<string, number>(); // message → end of its latest visibility timeout
        let seq = 0;
        for (const op of ops) {
          if (op.kind === 'send') {
            const dedup = op.dup && seq > 0 ? `d${seq - 1}` : `d${seq}`;
            const r = ok(model.send(q, { body: `m${seq}`, messageGroupId: op.group, messageDeduplicationId: dedup }));
            if (!groupOf.has(r.messageId)) {
              groupOf.set(r.messageId, op.group);
              order.set(op.group, [...(order.get(op.group) ?? []), r.messageId]);
            }
            if (dedup === `d${seq}`) seq++;
          } else if (op.kind === 'receive') {
            const got = ok(model.receiveNow(q, { maxNumberOfMessages: op.max, visibilityTimeout: op.vt }));
            const byGroup = new Map<string, string[]>();
            for (const m of got) {
              const g = groupOf.get(m.messageId)!;
              byGroup.set(g, [...(byGroup.get(g) ?? []), m.messageId]);
              handles.set(m.messageId, m.receiptHandle);
            }
            for (const [g, ids] of byGroup) {
              const pending = order.get(g)!.filter((id) => !deleted.has(id));
              // A group with a message still hidden by an earlier receive is never served.
              for (const id of pending) expect(clock.now()).toBeGreaterThanOrEqual(hiddenUntil.get(id) ?? 0);
              // Served from the head of the group, in send order.
              expect(ids).toEqual(pending.slice(0, ids.length));
              for (const id of ids) hiddenUntil.set(id, clock.now() + op.vt * 1000);
            }
          } else if (op.kind === 'delete') {
            const live = [...handles.entries()].filter(([id]) => !deleted.has(id));
            if (!live.length) continue;
            const [id, h] = live[op.pick % live.length]!;
            const before = q.live.size;
            model.deleteMessage(q, h);
            if (q.live.size < before) deleted.add(id);
          } else {
            clock.advance(op.ms);
          }
          expect(q.visibleCount + q.inFlightCount + q.delayedCount).toBe(q.live.size);
        }
        clock.advance(60_000);
        const drained: string[] = [];
        for (let guard = 0; guard < 1000; guard++) {
          const r = ok(model.receiveNow(q, { maxNumberOfMessages: 10, visibilityTimeout: 60 }));
          if (!r.length) break;
          for (const m of r) {
            drained.push(m.messageId);
            model.deleteMessage(q, m.receiptHandle);
          }
        }
        expect(new Set(drained).size).toBe(drained.length);
        expect(drained.sort()).toEqual([...groupOf.keys()].filter((id) => !deleted.has(id)).sort());
      }),
      { numRuns: 150 },
    );
  });
});
