/**
 * An SQS event source mapping (fact sheet §3) in the simulator's state layout: poller ids in
 * plain arrays, batches pooled (BatchPool). The controller — how many pollers, their back-off,
 * what a throttle or a function error does — is rules/esm-poller.ts, shared with the emulator;
 * mapping-driver.ts moves the messages and batches.
 */
import { ESM } from '../contracts/aws-facts.ts';
import { keepPolling, onFunctionError, onSecond, onThrottle, pollerCap, pollersAllowed } from '../rules/esm-poller.ts';
import type { ResolvedEventSource } from '../experiment/types.ts';
import type { FunctionModel } from './function-model.ts';
import type { QueueModel } from './queue-model.ts';
import { IdList } from './event-queue.ts';

export interface MappingTotalsRaw {
  /** Invoke attempts, throttled ones included (like the emulator's esm.batches). */
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
  /** The batch's message ids (lists reused with the id, their storage kept). */
  msgs: IdList[] = [];
  mapping: number[] = [];
  poller: number[] = [];
  receivedAt: number[] = [];
  /** Event payload bytes of the batch so far (the 6 MB cap, §3.4). */
  bytes: number[] = [];
  /** bit 0: its invocation lifecycle is over; bit 1: its visibility timeout fired or no longer matters. */
  flags: number[] = [];
  /** Throttled invoke attempts of the batch so far (its retry back-off). */
  throttles: number[] = [];
  /** Receives of the batch whose visibility timeout has not fired yet (a gathering batch receives several times). */
  vtPending: number[] = [];
  /** Bumped on every reuse of an id, so a stale visibility-timeout entry can be told apart. */
  gen: number[] = [];
  private free: number[] = [];

  alloc(mapping: number, poller: number, now: number): number {
    let id: number;
    if (this.free.length > 0) {
      id = this.free.pop()!;
      this.msgs[id]!.length = 0;
    } else {
      id = this.msgs.length;
      this.msgs.push(new IdList());
      this.mapping.push(0);
      this.poller.push(0);
      this.receivedAt.push(0);
      this.bytes.push(0);
      this.flags.push(0);
      this.throttles.push(0);
      this.vtPending.push(0);
      this.gen.push(0);
    }
    this.gen[id]!++;
    this.mapping[id] = mapping;
    this.poller[id] = poller;
    this.receivedAt[id] = now;
    this.bytes[id] = 0;
    this.flags[id] = 0;
    this.throttles[id] = 0;
    this.vtPending[id] = 0;
    return id;
  }

  /** Mark a phase over; the id is recycled once both the invocation and the visibility timeout are done. */
  finish(id: number, bit: 1 | 2): void {
    const before = this.flags[id]!;
    const f = before | bit;
    this.flags[id] = f;
    if (f === 3 && before !== 3) this.free.push(id);
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
  /** Pollers allowed (esm.pollers before the cap). */
  allowed: number = ESM.initialConcurrency;
  /** Poller loops alive: waiting, filling, invoking or sleeping. */
  loops = 0;
  /** Batches held by pollers: being invoked or waiting to retry after a throttle (esm.concurrency). */
  invoking = 0;
  sawMessages = false;
  /** Pollers waiting for messages (stack of poller ids). */
  readonly waiting: number[] = [];
  /** Batches still filling within their batching window, oldest first. */
  readonly filling: number[] = [];
  /** Consecutive batches failed by function errors, per poller id. */
  readonly failures: number[] = [];
  /** 1 while the poller's last batch succeeded: it keeps its place even when surplus. */
  readonly processed: number[] = [];
  private readonly freeIds: number[] = [];

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
  }

  /** MaximumConcurrency, or the standard ceiling (1,000 or 1,250 by doc revision; aws-facts picks one, §3.1). */
  cap(): number {
    return pollerCap(this.maximumConcurrency);
  }

  pollers(): number {
    return pollersAllowed(this, this.cap());
  }

  /** Start poller loops up to the allowed number (they wait for messages). */
  spawn(): void {
    if (!this.enabled) return;
    while (this.loops < this.pollers()) {
      const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.failures.length;
      if (id === this.failures.length) {
        this.failures.push(0);
        this.processed.push(0);
      }
      this.failures[id] = 0;
      this.processed[id] = 0;
      this.loops++;
      this.waiting.push(id);
    }
    const p = this.pollers();
    if (p > this.t.peakPollers) this.t.peakPollers = p;
  }

  /** A poller about to poll again: false (and it ends) when it is surplus or the mapping is disabled. */
  keepPoller(id: number): boolean {
    if (this.enabled && keepPolling(this.processed[id] === 1, this.loops, this.pollers())) return true;
    this.loops--;
    this.freeIds.push(id);
    return false;
  }

  /** Once per simulated second. */
  tick(): void {
    onSecond(this, this.invoking, this.cap());
    this.spawn();
  }

  /** A batch failed by a function error: one poller fewer (not with ReportBatchItemFailures); returns the poller's back-off (ms). */
  failed(poller: number): number {
    return onFunctionError(this, this.reportBatchItemFailures, ++this.failures[poller]!);
  }

  /** The `n`th throttle of a held batch: one poller fewer, not below the initial 5; returns the wait before its retry (ms). */
  throttled(n: number): number {
    return onThrottle(this, n);
  }

  noteInvoking(): void {
    this.invoking++;
    if (this.invoking > this.sPeak) this.sPeak = this.invoking;
    if (this.invoking > this.t.peakConcurrency) this.t.peakConcurrency = this.invoking;
  }
}
