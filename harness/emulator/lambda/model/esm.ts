/**
 * SQS event source mappings in the emulator (reference §3): pollers that receive from the SQS
 * model in-process, invoke the function synchronously through the same pipeline and concurrency
 * accounting as Invoke (so ESM throttles count as Lambda throttles), delete what succeeded and
 * leave the rest in flight, so a failed or dropped batch comes back after the visibility timeout
 * with its receive count increased and can reach the DLQ. How many pollers run, their back-off
 * and what a throttle or a function error does are rules/esm-poller.ts (shared with the
 * simulator); a partial batch response is read by rules/batch-response.ts.
 * Disabling or deleting the mapping drops held batches at once. Batching: with a window of 0 a
 * poller invokes with whatever one receive returned; otherwise it keeps receiving until
 * BatchSize, the window, or the 6 MB payload cap.
 */
import { setMaxListeners } from 'node:events';
import type { TimerHandle } from '../../../contracts/clock.ts';
import { ESM, ESM_SCALING, SQS } from '../../../contracts/aws-facts.ts';
import { parseBatchItemFailures, type BatchVerdict } from '../../../rules/batch-response.ts';
import { keepPolling, onFunctionError, onSecond, onThrottle, pollerCap, pollersAllowed, retryBeforeDeadline } from '../../../rules/esm-poller.ts';
import type { Counter, Level } from '../../metrics.ts';
import type { ReceivedMessage, SqsModel, SqsQueue } from '../../sqs/model.ts';
import { uuid } from '../../ids.ts';
import type { LambdaFunction, LambdaModel } from './functions.ts';
import type { InvokeOutcome } from './runtime.ts';

export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

export interface MappingConfig {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency: number | null;
  enabled: boolean;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export class Mapping {
  state: MappingState = 'Creating';
  lastModifiedEpochMs: number;
  /** Pollers allowed to hold a batch at once (esm.pollers). */
  allowed: number = ESM.initialConcurrency;
  /** Batches being invoked now. */
  active = 0;
  /** Poller loops alive. */
  loops = 0;
  sawMessages = false;
  lastProcessingResult = 'No records processed';
  /** Aborts the pollers' current long polls and back-off sleeps (replaced on each disable). */
  abort = pollerAbort();
  scaleTimer: TimerHandle | null = null;
  deleted = false;
  /** With a batching window, one poller gathers at a time, so a quiet queue yields one batch per window. */
  gathering: Promise<void> | null = null;
  readonly m: { batches: Counter; failed: Counter; concurrency: Level; stopGauge: () => void };

  constructor(
    readonly uuid: string,
    readonly queue: SqsQueue,
    public fn: LambdaFunction,
    /** Qualifier the mapping invokes (`live` when FunctionName named the alias). */
    public qualifier: string | null,
    public config: MappingConfig,
    nowEpochMs: number,
    m: { batches: Counter; failed: Counter; concurrency: Level; stopGauge: () => void },
  ) {
    this.lastModifiedEpochMs = nowEpochMs;
    this.m = m;
  }

  cap(): number {
    return pollerCap(this.config.maximumConcurrency);
  }
}

/** One signal is shared by every poller of a mapping (up to the ESM maximum), so lift the listener cap. */
function pollerAbort(): AbortController {
  const ac = new AbortController();
  setMaxListeners(4 * ESM.maximumConcurrencyStandard, ac.signal);
  return ac;
}

/** A received batch and its visibility deadline (clock.now() when its first messages reappear). */
interface Batch {
  records: SqsRecord[];
  deadline: number;
}

export { parseBatchItemFailures, type BatchVerdict };

function toRecord(m: ReceivedMessage, queue: SqsQueue, region: string): SqsRecord {
  const messageAttributes: Record<string, unknown> = {};
  if (m.messageAttributes) {
    for (const [k, v] of Object.entries(m.messageAttributes)) {
      // Lambda's record spells message attributes in lower camel case with list members present.
      const a: Record<string, unknown> = { stringListValues: [], binaryListValues: [], dataType: v.DataType };
      if (v.StringValue !== undefined) a.stringValue = v.StringValue;
      if (v.BinaryValue !== undefined) a.binaryValue = Buffer.from(v.BinaryValue).toString('base64');
      messageAttributes[k] = a;
    }
  }
  const rec: SqsRecord = {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle,
    body: m.body,
    attributes: m.attributes,
    messageAttributes,
    md5OfBody: m.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: region,
  };
  if (m.md5OfMessageAttributes !== undefined) rec.md5OfMessageAttributes = m.md5OfMessageAttributes;
  return rec;
}

export class EsmManager {
  private readonly mappings = new Map<string, Mapping>();
  private closed = false;

  constructor(
    private readonly lambda: LambdaModel,
    private readonly sqs: SqsModel,
  ) {}

  get(id: string): Mapping | undefined {
    return this.mappings.get(id);
  }
  list(): Mapping[] {
    return [...this.mappings.values()];
  }

  create(queue: SqsQueue, fn: LambdaFunction, qualifier: string | null, config: MappingConfig): Mapping {
    const labels = { function: fn.name, queue: queue.name };
    const metrics = this.lambda.metrics;
    const mp = new Mapping(uuid(), queue, fn, qualifier, config, this.lambda.clock.epochMs(), {
      batches: metrics.counter('esm.batches', labels),
      failed: metrics.counter('esm.failed_batches', labels),
      concurrency: metrics.level('esm.concurrency', labels),
      stopGauge: () => {},
    });
    mp.m.stopGauge = metrics.gauge('esm.pollers', labels, () => (mp.state === 'Enabled' ? pollersAllowed(mp, mp.cap()) : 0));
    this.mappings.set(mp.uuid, mp);
    // State goes Creating → Enabled/Disabled asynchronously, as on AWS (§3.4).
    this.lambda.clock.setTimer(() => this.settle(mp), 0);
    return mp;
  }

  update(mp: Mapping, config: MappingConfig, fn?: LambdaFunction, qualifier?: string | null): void {
    if (!config.enabled && mp.config.enabled) {
      mp.abort.abort();
      mp.abort = pollerAbort();
    }
    // AWS answers a change of Enabled with Disabling/Enabling, any other change with Updating (§3.4).
    const transition: MappingState = config.enabled === mp.config.enabled ? 'Updating' : config.enabled ? 'Enabling' : 'Disabling';
    mp.config = config;
    if (fn) mp.fn = fn;
    if (qualifier !== undefined) mp.qualifier = qualifier;
    mp.lastModifiedEpochMs = this.lambda.clock.epochMs();
    mp.state = transition;
    this.lambda.clock.setTimer(() => this.settle(mp), 0);
  }

  delete(mp: Mapping): void {
    mp.state = 'Deleting';
    mp.deleted = true;
    mp.abort.abort();
    if (mp.scaleTimer) this.lambda.clock.clearTimer(mp.scaleTimer);
    mp.m.stopGauge();
    this.lambda.clock.setTimer(() => this.mappings.delete(mp.uuid), 0);
  }

  private settle(mp: Mapping): void {
    if (mp.deleted || this.closed) return;
    mp.state = mp.config.enabled ? 'Enabled' : 'Disabled';
    if (mp.state === 'Disabled') {
      // Stop polling now: long polls in progress end empty instead of taking new messages.
      mp.abort.abort();
      mp.abort = pollerAbort();
    }
    if (mp.state === 'Enabled') {
      if (!mp.scaleTimer) this.scheduleScale(mp);
      this.spawn(mp);
    }
  }

  private running(mp: Mapping): boolean {
    return !mp.deleted && !this.closed && mp.state === 'Enabled' && !mp.queue.deleted;
  }

  /** Start poller loops up to the allowed concurrency. */
  private spawn(mp: Mapping): void {
    while (this.running(mp) && mp.loops < pollersAllowed(mp, mp.cap())) {
      mp.loops++;
      void this.loop(mp);
    }
  }

  /** Once a second: grow by 5 while messages keep coming and every poller is busy; shrink to 5 when idle. */
  private scheduleScale(mp: Mapping): void {
    mp.scaleTimer = this.lambda.clock.setTimer(() => {
      mp.scaleTimer = null;
      if (mp.deleted || this.closed) return;
      // The next second is booked before this one's polls start (rules/esm-poller.ts).
      if (mp.state === 'Enabled' || mp.state === 'Updating' || mp.state === 'Creating' || mp.state === 'Enabling') this.scheduleScale(mp);
      onSecond(mp, mp.active, mp.cap());
      if (mp.state === 'Enabled') this.spawn(mp);
    }, 1000);
  }

  private sleep(ms: number, mp: Mapping): Promise<void> {
    const signal = mp.abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = () => {
        this.lambda.clock.clearTimer(h);
        resolve();
      };
      const h = this.lambda.clock.setTimer(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async loop(mp: Mapping): Promise<void> {
    /** Consecutive batches failed by function errors (the poller's back-off). */
    let failures = 0;
    /** The last batch succeeded: the poller keeps its place even when surplus (see the header). */
    let processed = false;
    for (;;) {
      // A loop beyond the allowed number ends itself (synchronously, so exactly the surplus
      // ends): that is how the mapping scales down.
      if (!this.running(mp) || !keepPolling(processed, mp.loops, pollersAllowed(mp, mp.cap()))) {
        mp.loops--;
        return;
      }
      processed = false;
      let records: SqsRecord[];
      let deadline: number;
      try {
        ({ records, deadline } = await this.collect(mp));
      } catch {
        // Queue deleted or over its in-flight limit: wait and poll again, like a poller would.
        await this.sleep(1000, mp);
        continue;
      }
      if (records.length === 0) continue;
      if (!this.running(mp)) {
        // Disabled or deleted while this poll was answered: hand the messages straight back.
        for (const r of records) this.sqs.changeVisibility(mp.queue, r.receiptHandle, 0);
        continue;
      }
      mp.sawMessages = true;
      const verdict = await this.processBatch(mp, records, deadline);
      if (verdict.kind === 'failed' && verdict.throttled) continue;
      if (verdict.kind === 'failed') {
        failures++;
        await this.sleep(onFunctionError(mp, mp.config.reportBatchItemFailures, failures), mp);
      } else {
        failures = 0;
        processed = true;
      }
    }
  }

  /**
   * Receive one batch: one long poll, then (with a batching window) more until size, window or
   * 6 MB. `deadline` is when the first receive's messages become visible again (clock.now()).
   */
  private async collect(mp: Mapping): Promise<Batch> {
    if (mp.config.maximumBatchingWindowSeconds <= 0) return this.gather(mp);
    while (mp.gathering) await mp.gathering;
    if (!this.running(mp)) return { records: [], deadline: 0 };
    let release!: () => void;
    mp.gathering = new Promise<void>((r) => (release = r));
    try {
      return await this.gather(mp);
    } finally {
      mp.gathering = null;
      release();
    }
  }

  private async gather(mp: Mapping): Promise<Batch> {
    const clock = this.lambda.clock;
    const region = this.sqs.region;
    const { batchSize, maximumBatchingWindowSeconds } = mp.config;
    const records: SqsRecord[] = [];
    let bytes = 0;
    let full = false;
    const take = (msgs: ReceivedMessage[]): boolean => {
      for (const m of msgs) {
        const r = toRecord(m, mp.queue, region);
        const size = Buffer.byteLength(JSON.stringify(r));
        if (full || (bytes + size > ESM.batchPayloadMaxBytes && records.length > 0)) {
          // Over the 6 MB invoke cap: the batch is full; hand the message straight back.
          full = true;
          this.sqs.changeVisibility(mp.queue, m.receiptHandle, 0);
          continue;
        }
        bytes += size;
        records.push(r);
      }
      return full || records.length >= batchSize || bytes >= ESM.batchPayloadMaxBytes;
    };
    const first = await this.sqs.receive(mp.queue, {
      maxNumberOfMessages: Math.min(batchSize, SQS.receiveMaxMessages),
      waitTimeSeconds: ESM_SCALING.pollWaitSeconds,
      signal: mp.abort.signal,
    });
    const batch: Batch = { records, deadline: clock.now() + mp.queue.config.VisibilityTimeout * 1000 };
    if (first.length === 0 || take(first) || maximumBatchingWindowSeconds <= 0) return batch;
    const deadline = clock.now() + maximumBatchingWindowSeconds * 1000;
    while (this.running(mp)) {
      const left = deadline - clock.now();
      if (left <= 0) break;
      const more = await this.sqs.receive(mp.queue, {
        maxNumberOfMessages: Math.min(batchSize - records.length, SQS.receiveMaxMessages),
        waitTimeSeconds: left / 1000,
        signal: mp.abort.signal,
      });
      if (take(more)) break;
    }
    return batch;
  }

  /**
   * Invoke a batch until it is done: a throttled invoke is retried after 1 s, 2 s, 4 s … while
   * the retry starts before the visibility deadline, else the batch is dropped (§3.5). The batch
   * counts as held (esm.concurrency, scale-up) from the first attempt until it is done.
   */
  private async processBatch(mp: Mapping, records: SqsRecord[], deadline: number): Promise<BatchVerdict> {
    const clock = this.lambda.clock;
    const event = { Records: records };
    mp.active++;
    mp.m.concurrency.add(1);
    let verdict: BatchVerdict = { kind: 'failed', throttled: true };
    let throttles = 0;
    try {
      // The dispatch hop (rules/esm-poller.ts): the invoke leaves on the next timer turn, so what
      // else is due now (a retry, another poller's invoke) reaches Lambda first, as it can on AWS.
      await this.sleep(0, mp);
      // Disabled or deleted during the hop: dropped like a held batch.
      while (this.running(mp)) {
        verdict = await this.invokeOnce(mp, records, event);
        if (verdict.kind !== 'failed' || !verdict.throttled) break;
        const backoffMs = onThrottle(mp, ++throttles);
        if (!this.running(mp) || !retryBeforeDeadline(clock.now(), backoffMs, deadline)) break;
        // Disabled or deleted while waiting: the loop ends and the batch is dropped (its messages return at the deadline).
        await this.sleep(backoffMs, mp);
      }
    } finally {
      mp.active--;
      mp.m.concurrency.add(-1);
    }
    this.apply(mp, records, verdict);
    return verdict;
  }

  private invokeOnce(mp: Mapping, records: SqsRecord[], event: { Records: SqsRecord[] }): Promise<BatchVerdict> {
    const fn = mp.fn;
    const payload = fn.spec.code.kind !== 'synthetic' ? JSON.stringify(event) : '';
    mp.m.batches.add(1);
    return new Promise((resolve) => {
      let settled = false;
      const done = (verdict: BatchVerdict) => {
        if (settled) return;
        settled = true;
        resolve(verdict);
      };
      try {
        this.lambda.invoke(fn, mp.qualifier, { requestId: uuid(), payload, event, logTail: false, clientContext: null }, (throttle, o) =>
          done(this.verdict(mp, records, throttle !== null, o)),
        );
      } catch {
        // An emulator fault must not kill the poller: the batch fails and comes back later.
        done({ kind: 'failed', throttled: false });
      }
    });
  }

  private verdict(mp: Mapping, records: SqsRecord[], throttled: boolean, o: InvokeOutcome | null): BatchVerdict {
    if (throttled || !o) return { kind: 'failed', throttled: true };
    if (o.functionError) return { kind: 'failed', throttled: false };
    if (!mp.config.reportBatchItemFailures) return { kind: 'success' };
    let value = o.value;
    if (value === undefined) {
      try {
        value = JSON.parse(o.payload);
      } catch {
        value = null;
      }
    }
    return parseBatchItemFailures(value, new Set(records.map((r) => r.messageId)));
  }

  /** Delete what succeeded; failed or dropped messages stay in flight until their visibility timeout ends. */
  private apply(mp: Mapping, records: SqsRecord[], v: BatchVerdict): void {
    if (v.kind === 'failed') {
      mp.m.failed.add(1);
      mp.lastProcessingResult = 'PROBLEM: Function call failed';
      return;
    }
    mp.lastProcessingResult = 'OK';
    for (const r of records) {
      if (v.kind === 'partial' && v.failedIds.has(r.messageId)) continue;
      this.sqs.deleteMessage(mp.queue, r.receiptHandle);
    }
  }

  close(): void {
    this.closed = true;
    for (const mp of this.mappings.values()) {
      mp.abort.abort();
      if (mp.scaleTimer) this.lambda.clock.clearTimer(mp.scaleTimer);
      mp.scaleTimer = null;
    }
  }
}
