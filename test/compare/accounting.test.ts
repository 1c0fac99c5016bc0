/**
 * Message accounting by kind × outcome: on hand-made ledgers (the line adds up as written, poison
 * and good apart, the DLQ check, collateral with the recommendation; a target without a ledger is
 * "not measured"), and on the emulator's own ledger filled by the real SQS SDK over HTTP (poison
 * marked with `squall-poison`, a redrive with maxReceiveCount 1).
 */
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountFromLedger, notMeasured, recommend, withRecommendation } from '../../harness/compare/accounting.ts';
import { compareSeries } from '../../harness/compare/compare.ts';
import { formatMessages, formatPredictions } from '../../harness/cli/run-summary.ts';
import { runAccounting } from '../../harness/cli/run-accounting.ts';
import { SERIES_SCHEMA, type SeriesFile } from '../../harness/contracts/series.ts';
import { SQS_LEDGER_SCHEMA, type LedgerCounts, type QueueLedger, type SqsLedger } from '../../harness/contracts/sqs-ledger.ts';
import { startEmulator, type Emulator } from '../../harness/emulator/server.ts';
import { loadExperiment } from '../../harness/experiment/load.ts';

const root = path.resolve(import.meta.dirname, '../..');
const counts = (c: Partial<LedgerCounts> = {}): LedgerCounts => ({ sent: 0, deleted: 0, movedToDlq: 0, expired: 0, purged: 0, ...c });
const hold = (visible = 0, inFlight = 0, delayed = 0) => ({ visible, inFlight, delayed });
function queue(q: Partial<QueueLedger>): QueueLedger {
  return { deadLetterQueue: null, all: counts(), poison: counts(), holds: { all: hold(), poison: hold() }, ...q };
}
const ledger = (queues: Record<string, QueueLedger>): SqsLedger => ({ schema: SQS_LEDGER_SCHEMA, atMs: 0, queues });

/** The sqs-poison example's shape: 4000 sent, 200 of them poison, 185 dead-lettered, 15 still waiting for their third receive. */
const poisonRun = () =>
  ledger({
    orders: queue({ deadLetterQueue: 'orders-dlq', all: counts({ sent: 4000, deleted: 3800, movedToDlq: 185 }), poison: counts({ sent: 200, movedToDlq: 185 }), holds: { all: hold(15), poison: hold(15) } }),
    'orders-dlq': queue({ holds: { all: hold(185), poison: hold(185) } }),
  });

describe('accountFromLedger', () => {
  it('adds up by kind as written, and the DLQ holds what was moved to it', () => {
    const a = accountFromLedger(poisonRun());
    expect(a).toMatchObject({ sent: 4000, processed: 3800, deadLettered: 185, queued: 15, inFlight: 0, expired: 0, lost: 0, ok: true, collateral: null });
    expect(a.byKind.good).toEqual({ sent: 3800, processed: 3800, deadLettered: 0, queued: 0, inFlight: 0, expired: 0, lost: 0 });
    expect(a.byKind.poison).toEqual({ sent: 200, processed: 0, deadLettered: 185, queued: 15, inFlight: 0, expired: 0, lost: 0 });
    expect(a.dlq).toEqual({ movedToDlq: 185, sentDirectly: 0, holds: 185, deletedFromDlq: 0, expiredFromDlq: 0, agrees: true });
    expect(formatMessages(a)).toBe(
      [
        'messages: sent 4000 = processed 3800 + dead-lettered 185 + queued 15 + in flight 0 + lost 0',
        '  good:   sent 3800 = processed 3800 + dead-lettered 0 + queued 0 + in flight 0 + lost 0',
        '  poison: sent 200 = processed 0 + dead-lettered 185 + queued 15 + in flight 0 + lost 0',
        '',
      ].join('\n'),
    );
  });

  it('finds messages that vanished, per kind, and a DLQ that holds less than was moved to it', () => {
    const l = poisonRun();
    l.queues['orders-dlq']!.holds = { all: hold(180), poison: hold(180) };
    const a = accountFromLedger(l);
    expect(a.byKind.poison.lost).toBe(5);
    expect(a.byKind.good.lost).toBe(0);
    expect(a.dlq.agrees).toBe(false);
    expect(a.ok).toBe(false);
    expect(formatMessages(a)).toContain('dead-letter queues DISAGREE: moved 185, but they hold 180');
  });

  it('counts expired, in-flight and DLQ-consumed messages as outcomes, not losses', () => {
    const a = accountFromLedger(
      ledger({
        q: queue({ deadLetterQueue: 'dlq', all: counts({ sent: 100, deleted: 80, movedToDlq: 10, expired: 3 }), holds: { all: hold(2, 5), poison: hold() } }),
        dlq: queue({ all: counts({ deleted: 4 }), holds: { all: hold(6), poison: hold() } }),
      }),
    );
    expect(a).toMatchObject({ sent: 100, processed: 80, deadLettered: 10, queued: 2, inFlight: 5, expired: 3, lost: 0, ok: true });
    expect(formatMessages(a).split('\n')[0]).toBe('messages: sent 100 = processed 80 + dead-lettered 10 + queued 2 + in flight 5 + expired 3 + lost 0');
  });

  it('reports good messages in a DLQ as collateral, with the diagnosis and the settings that avoid it', async () => {
    const exp = await loadExperiment(path.join(root, 'examples/experiments/throttle-dlq-trap.yaml'));
    const a = accountFromLedger(
      ledger({
        jobs: queue({ deadLetterQueue: 'jobs-dlq', all: counts({ sent: 1810, deleted: 1740, movedToDlq: 70 }) }),
        'jobs-dlq': queue({ holds: { all: hold(70), poison: hold() } }),
      }),
      exp,
    );
    expect(a.collateral).toMatchObject({ goodMessages: 70, queues: [{ queue: 'jobs', deadLetterQueue: 'jobs-dlq', goodMessages: 70 }] });
    expect(a.collateral!.diagnosis).toContain('throttle→DLQ trap');
    expect(a.collateral!.recommendation.map((r) => [r.field, r.current, r.recommended])).toEqual([
      ['system.queues.jobs.redrive.maxReceiveCount', 2, 5],
      ['system.queues.jobs.visibilityTimeoutSeconds', 5, 30],
      ['system.eventSources[0].maximumConcurrency', null, 2],
    ]);
    const fixed = withRecommendation(exp, a.collateral!.recommendation);
    expect(fixed.system.queues.jobs!.redrive!.maxReceiveCount).toBe(5);
    expect(fixed.system.eventSources[0]!.maximumConcurrency).toBe(2);
    expect(exp.system.queues.jobs!.redrive!.maxReceiveCount).toBe(2); // the original is untouched
    expect(recommend(fixed, ['jobs'])).toEqual([]);
    const text = formatMessages(a);
    expect(text).toContain('collateral: 70 good message(s) dead-lettered (jobs → jobs-dlq: 70)');
    expect(text).toContain('fix: system.queues.jobs.redrive.maxReceiveCount: 2 → 5');
  });

  it('is "not measured" without a ledger: never "lost 0, pass"; fails or warns as configured', () => {
    const empty: SeriesFile = { schema: SERIES_SCHEMA, source: 'x', startMs: 0, stepMs: 1000, series: [] };
    const fail = compareSeries(empty, empty, { thresholds: {}, predictions: {}, messages: 'no-loss', messagesWhenUnmeasured: 'fail' });
    expect(fail.messages).toMatchObject({ measured: false, ok: false, policy: 'fail' });
    expect(fail.verdict.messages).toBe('not-measured');
    const warn = notMeasured('on an aws target SQS gives only approximate counts', 'warn');
    expect(warn.ok).toBe(true);
    expect(formatMessages(warn)).toBe('messages: not measured — on an aws target SQS gives only approximate counts (warning only: expect.messagesWhenUnmeasured: warn)\n');
    expect(formatMessages(warn)).not.toMatch(/lost 0/);
  });
});

describe("the emulator's ledger, filled through the real SQS SDK", () => {
  let emu: Emulator;
  let sqs: SQSClient;
  beforeAll(async () => {
    emu = await startEmulator();
    sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs.destroy();
    await emu.close();
  });

  it('counts poison apart, and the DLQ holds exactly what was moved to it', async () => {
    const dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ledger-dlq' }))).QueueUrl!;
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'ledger-src', Attributes: { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) } }))).QueueUrl!;
    const marker = { 'squall-poison': { DataType: 'String', StringValue: 'run-1' } };
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: `m${i}`, ...(i < 3 ? { MessageAttributes: marker } : {}) })),
      }),
    );
    // First receive: all ten (receive count 1). Delete the good ones, leave the poison; visibility 0
    // makes the poison visible again, and the next receive moves it to the DLQ.
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(got.Messages).toHaveLength(10);
    for (const m of got.Messages!) if (!m.MessageAttributes?.['squall-poison']) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(again.Messages ?? []).toHaveLength(0);

    const l = (await (await fetch(`${emu.endpoint}/_squall/accounting`)).json()) as SqsLedger;
    expect(l.queues['ledger-src']).toMatchObject({ deadLetterQueue: 'ledger-dlq', all: { sent: 10, deleted: 7, movedToDlq: 3 }, poison: { sent: 3, deleted: 0, movedToDlq: 3 } });
    expect(l.queues['ledger-dlq']!.holds).toEqual({ all: hold(3), poison: hold(3) });
    const a = accountFromLedger(l);
    expect(a.byKind.good).toMatchObject({ sent: 7, processed: 7, lost: 0 });
    expect(a.byKind.poison).toMatchObject({ sent: 3, deadLettered: 3, lost: 0 });
    expect(a.dlq.agrees).toBe(true);
    expect(a.collateral).toBeNull();
  });

  it('starts its books again on POST /_squall/reset', async () => {
    await fetch(`${emu.endpoint}/_squall/reset`, { method: 'POST' });
    const l = (await (await fetch(`${emu.endpoint}/_squall/accounting`)).json()) as SqsLedger;
    expect(l.queues).toEqual({});
  });
});

describe('runAccounting', () => {
  it('on an aws target without a ledger: not measured, failing unless told to warn', async () => {
    const exp = await loadExperiment(path.join(root, 'examples/experiments/throttle-dlq-trap.yaml'));
    const aws = { ...exp, target: { ...exp.target, kind: 'aws' } } as unknown as typeof exp;
    const a = runAccounting(aws, null, { tailMs: 0 })!;
    expect(a).toMatchObject({ measured: false, policy: 'fail', ok: false });
    expect(a.measured === false && a.reason).toContain('aws target');
    const warn = runAccounting({ ...aws, expect: { ...aws.expect, messagesWhenUnmeasured: 'warn' } }, null, { tailMs: 0 })!;
    expect(warn.ok).toBe(true);
    expect(runAccounting({ ...aws, expect: { ...aws.expect, messages: 'off' } }, null, { tailMs: 0 })).toBeNull();
  });

  it('backs the collateral advice with the simulator: fewer dead letters with the recommended settings', async () => {
    const exp = await loadExperiment(path.join(root, 'examples/experiments/throttle-dlq-trap.yaml'));
    const a = runAccounting(
      exp,
      ledger({ jobs: queue({ deadLetterQueue: 'jobs-dlq', all: counts({ sent: 1810, deleted: 1740, movedToDlq: 70 }) }), 'jobs-dlq': queue({ holds: { all: hold(70), poison: hold() } }) }),
      { tailMs: 15_000 },
    )!;
    const p = a.measured ? a.collateral?.predicted : undefined;
    expect(p!.asConfigured).toBeGreaterThan(0);
    expect(p!.withRecommendation).toBeLessThan(p!.asConfigured);
  });
});

describe('formatPredictions', () => {
  const s = (name: string, measured: number | null, predicted: number | null, verdict: 'pass' | 'fail' | 'skipped', unit = 'count') => ({
    key: `${name}{x=a}`,
    name,
    labels: { x: 'a' },
    unit,
    measured,
    predicted,
    error: null,
    relativeError: null,
    tolerance: null,
    steps: { predicted: 1, measured: 1 },
    verdict,
  });
  it('shows the headline series on success too, in a fixed order, then other failures', () => {
    const c = {
      schema: 'squall.comparison/v1' as const,
      window: { startMs: 0, stepMs: 1000, steps: 1, loadSteps: 1, prediction: null },
      series: [s('sqs.visible', 10, 4, 'fail'), s('lambda.invocations', 700, 698, 'pass'), s('http.latency_p95_ms', 12.345, 10, 'pass', 'ms'), s('http.requests', 700, 700, 'pass'), s('http.status_429', 0, 0, 'pass'), s('lambda.cold_starts', 3, 3, 'pass')],
      thresholds: [],
      messages: null,
      verdict: { predictions: 'fail' as const, thresholds: 'pass' as const, messages: 'off' as const },
    };
    expect(formatPredictions(c)).toBe(
      [
        'predictions: fail (5 pass, 1 fail)',
        '  over 1 s (load 1 s + tail)',
        '  http.requests{x=a}: measured 700 vs predicted 700 (pass)',
        '  http.latency_p95_ms{x=a}: measured 12.3 ms vs predicted 10 ms (pass)',
        '  lambda.invocations{x=a}: measured 700 vs predicted 698 (pass)',
        '  sqs.visible{x=a}: measured 10 vs predicted 4 (fail)',
        '',
      ].join('\n'),
    );
  });
});
