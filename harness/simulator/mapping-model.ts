/**
 * An SQS event source mapping (fact sheet §3): pollers that start at five concurrent batches and
 * grow by 300 per minute while messages wait, up to MaximumConcurrency or the standard ceiling;
 * batches of BatchSize with a batching window; synchronous invokes that ignore reserved
 * concurrency (and so get throttled); partial batch responses; and back-off on errors and
 * throttles. Approximations (AWS does not publish the exact controller): scale-up +5 pollers per
 * second only while all pollers are busy and the last second had no throttle or backed-off error;
 * after such a second the pollers halve (never below 2, "as few as 2"); with an empty queue and no
 * batch in flight they return to five; a throttled batch is retried after 1 s, 2 s, 4 s …
 * while its messages are still invisible, then released to reappear after the visibility timeout.
 */
import { ESM } from '../contracts/aws-facts.ts';
import type { ResolvedEventSource } from '../experiment/types.ts';
import type { FunctionModel } from './function-model.ts';
import type { QueueModel } from './queue-model.ts';

export interface MappingTotalsRaw {
  batches: number;
  failedBatches: number;
  throttledAttempts: number;
  partialBatches: number;
  messagesProcessed: number;
  peakConcurrency: number;
  peakPollers: number;
}

/** Receives (batches) across all mappings, pooled; ids double as SQS receipt owners. */
export class BatchPool {
  msgs: number[][] = [];
  mapping: number[] = [];
  receivedAt: number[] = [];
  retries: number[] = [];
  /** bit 0: its invocation lifecycle is over; bit 1: its visibility-timeout event fired. */
  flags: number[] = [];
  private free: number[] = [];

  alloc(mapping: number, now: number): number {
    let id: number;
    if (this.free.length > 0) {
      id = this.free.pop()!;
      this.msgs[id]!.length = 0;
    } else {
      id = this.msgs.length;
      this.msgs.push([]);
      this.mapping.push(0);
      this.receivedAt.push(0);
      this.retries.push(0);
      this.flags.push(0);
    }
    this.mapping[id] = mapping;
    this.receivedAt[id] = now;
    this.retries[id] = 0;
    this.flags[id] = 0;
    return id;
  }

  /** Mark a phase over; the id is recycled once both the invocation and the visibility timeout are done. */
  finish(id: number, bit: 1 | 2): void {
    const f = this.flags[id]! | bit;
    this.flags[id] = f;
    if (f === 3) this.free.push(id);
  }
}

export class MappingModel {
  readonly index: number;
  readonly id: string;
  readonly def: ResolvedEventSource;
  readonly queue: QueueModel;
  readonly fn: FunctionModel;
  enabled: boolean;
  batchSize: number;
  readonly windowMs: number;
  readonly reportBatchItemFailures: boolean;
  maximumConcurrency: number | null;
  /** Allowed concurrent batches (pollers), fractional while ramping. */
  allowed: number;
  /** Batches holding a poller: open (filling), invoking, or waiting to retry a throttle. */
  active = 0;
  invoking = 0;
  openBatch = -1;
  /** A throttle or a backed-off error happened since the last tick. */
  trouble = false;

  readonly t: MappingTotalsRaw = { batches: 0, failedBatches: 0, throttledAttempts: 0, partialBatches: 0, messagesProcessed: 0, peakConcurrency: 0, peakPollers: 0 };
  sBatches = 0;
  sFailed = 0;
  sPeak = 0;

  constructor(index: number, def: ResolvedEventSource, queue: QueueModel, fn: FunctionModel) {
    this.index = index;
    this.id = def.id;
    this.def = def;
    this.queue = queue;
    this.fn = fn;
    this.enabled = def.enabled;
    this.batchSize = def.batchSize;
    this.windowMs = def.maximumBatchingWindowSeconds * 1000;
    this.reportBatchItemFailures = def.reportBatchItemFailures;
    this.maximumConcurrency = def.maximumConcurrency;
    this.allowed = this.initialPollers();
  }

  /** MaximumConcurrency, or the standard ceiling (1,000 or 1,250 by doc revision; aws-facts picks one, §3.1). */
  cap(): number {
    return this.maximumConcurrency ?? ESM.maximumConcurrencyStandard;
  }

  initialPollers(): number {
    return Math.min(ESM.initialConcurrency, this.cap());
  }

  /** Once per simulated second: scale up, back off, or settle back to the initial pollers. */
  tick(): void {
    const cap = this.cap();
    if (this.trouble) {
      this.allowed = Math.max(Math.min(2, cap), Math.floor(this.allowed / 2));
    } else if (this.queue.visible.length > 0 && this.active >= Math.floor(this.allowed)) {
      this.allowed = Math.min(cap, this.allowed + ESM.scaleUpPerMinute / 60);
    } else if (this.queue.visible.length === 0 && this.active === 0) {
      this.allowed = this.initialPollers();
    }
    if (this.allowed > cap) this.allowed = cap;
    this.trouble = false;
    const p = Math.floor(this.allowed);
    if (p > this.t.peakPollers) this.t.peakPollers = p;
  }

  noteInvoking(): void {
    this.invoking++;
    if (this.invoking > this.sPeak) this.sPeak = this.invoking;
    if (this.invoking > this.t.peakConcurrency) this.t.peakConcurrency = this.invoking;
  }
}
