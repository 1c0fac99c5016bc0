/**
 * SQS queues on the virtual clock (fact sheet §4): delay, visibility timeout per received
 * batch, ApproximateReceiveCount, redrive to the dead-letter queue when a message that was
 * already received maxReceiveCount times is received again, retention. Messages live in one
 * pooled store of typed arrays (ids recycled), so a long run keeps only what is in a queue.
 * FIFO ordering and message groups are not modelled (a warning says so).
 */
import { Deque, DueRing, grown, IntPairDeque, type IdList } from './event-queue.ts';
import { deadLettersOnReceive } from '../rules/visibility.ts';
import type { ResolvedQueue } from '../experiment/types.ts';

export const MSG_FREE = 0;
export const MSG_DELAYED = 1;
export const MSG_VISIBLE = 2;
export const MSG_IN_FLIGHT = 3;

/** Poison kinds carried by a message (0 = ordinary). */
export const POISON_NONE = 0;
export const POISON_MARKER = 1;
export const POISON_INVALID_JSON = 2;
export const POISON_OVERSIZED = 3;

/** squall's estimate of one ordinary SQS record in a Lambda event (body + attributes + envelope); not an AWS figure. */
export const SMALL_RECORD_BYTES = 1024;

export class MessageStore {
  sentAt = new Float64Array(1024);
  receiveCount = new Uint16Array(1024);
  poison = new Uint8Array(1024);
  state = new Uint8Array(1024);
  /** Owner of an in-flight message: a receive id (batch); stale receipt handles do nothing. */
  owner = new Int32Array(1024);
  /** Bumped on every reuse of an id (stale age-list entries are told apart by it). */
  gen = new Int32Array(1024);
  /** The queue a message is in now (a redrive moves it). */
  queueOf = new Int32Array(1024);
  private free = new Deque(1024);
  private next = 0;

  alloc(now: number, poison: number): number {
    let id: number;
    if (this.free.length > 0) id = this.free.popBack();
    else {
      if (this.next === this.sentAt.length) this.grow();
      id = this.next++;
    }
    this.sentAt[id] = now;
    this.receiveCount[id] = 0;
    this.poison[id] = poison;
    this.owner[id] = -1;
    this.gen[id]!++;
    return id;
  }

  release(id: number): void {
    this.state[id] = MSG_FREE;
    this.owner[id] = -1;
    this.free.pushBack(id);
  }

  private grow(): void {
    const n = this.sentAt.length * 2;
    this.sentAt = grown(this.sentAt, new Float64Array(n));
    this.receiveCount = grown(this.receiveCount, new Uint16Array(n));
    this.poison = grown(this.poison, new Uint8Array(n));
    this.state = grown(this.state, new Uint8Array(n));
    this.owner = grown(this.owner, new Int32Array(n));
    this.gen = grown(this.gen, new Int32Array(n));
    this.queueOf = grown(this.queueOf, new Int32Array(n));
  }
}

export interface QueueTotalsRaw {
  sent: number;
  received: number;
  deleted: number;
  movedToDlq: number;
  expired: number;
  peakBacklog: number;
}

export class QueueModel {
  readonly index: number;
  readonly name: string;
  readonly def: ResolvedQueue;
  readonly store: MessageStore;
  dlq: QueueModel | null = null;
  readonly maxReceiveCount: number;
  readonly delayMs: number;
  readonly visibilityTimeoutMs: number;
  readonly retentionMs: number;
  readonly visible = new Deque(256);
  /** Every message put in this queue, oldest first, with its id generation (ApproximateAgeOfOldestMessage). */
  private readonly byAge = new IntPairDeque(256);
  readonly delayed = new Deque(64);
  inFlight = 0;
  /** Bytes of the last receive, and whether it stopped at its byte budget. */
  receivedBytes = 0;
  stoppedForBytes = false;
  /** Receives waiting for their visibility timeout, in order (the timeout is fixed per queue). */
  /**
   * Due time, then the owner (batch id), its generation, and which of the owner's messages that
   * receive took: [from, to) of its batch (a gathering batch receives several times).
   */
  readonly vt = new DueRing(64);
  vtScheduled = false;
  /** Called when messages became visible (mappings poll then). */
  onVisible: (now: number) => void = () => {};
  /** Receives are returning at their visibility timeout (MappingDriver.expireDue): a poll made meanwhile leaves the rest to that loop. */
  expiring = false;

  readonly t: QueueTotalsRaw = { sent: 0, received: 0, deleted: 0, movedToDlq: 0, expired: 0, peakBacklog: 0 };
  sSent = 0;
  sReceived = 0;
  sDeleted = 0;
  sMovedToDlq = 0;

  constructor(index: number, def: ResolvedQueue, store: MessageStore) {
    this.index = index;
    this.name = def.name;
    this.def = def;
    this.store = store;
    this.maxReceiveCount = def.redrive?.maxReceiveCount ?? Infinity;
    this.delayMs = def.delaySeconds * 1000;
    this.visibilityTimeoutMs = def.visibilityTimeoutSeconds * 1000;
    this.retentionMs = def.messageRetentionSeconds * 1000;
  }

  get backlog(): number {
    return this.visible.length + this.inFlight + this.delayed.length;
  }

  private noteBacklog(): void {
    const b = this.visible.length + this.inFlight + this.delayed.length;
    if (b > this.t.peakBacklog) this.t.peakBacklog = b;
  }

  /**
   * SendMessage(Batch): `count` messages, the first `poisonCount` of them carrying `poisonKind`.
   * Returns true if they were delayed (the caller schedules a promotion at now + delay).
   */
  send(now: number, count: number, poisonKind: number, poisonCount: number): boolean {
    const delayed = this.delayMs > 0;
    for (let i = 0; i < count; i++) {
      const id = this.store.alloc(now, i < poisonCount ? poisonKind : POISON_NONE);
      this.store.queueOf[id] = this.index;
      this.byAge.pushBack(id, this.store.gen[id]!);
      if (delayed) {
        this.store.state[id] = MSG_DELAYED;
        this.delayed.pushBack(id);
      } else {
        this.store.state[id] = MSG_VISIBLE;
        this.visible.pushBack(id);
      }
    }
    this.t.sent += count;
    this.sSent += count;
    this.noteBacklog();
    // The age list is pruned when the gauge is read; without series, keep it near the live count.
    if (this.byAge.length > 4096 && this.byAge.length > 4 * this.backlog) this.oldestAgeSeconds(now);
    // A SendMessageBatch wakes waiting receivers once, after all its entries landed, so one waiting
    // poll gets the whole batch (as the emulator's SQS does).
    if (!delayed && count > 0) this.onVisible(now);
    return delayed;
  }

  /** A message redriven from a source queue keeps its original timestamp (standard queues, §4). */
  acceptMoved(id: number): void {
    this.store.queueOf[id] = this.index;
    this.byAge.pushBack(id, this.store.gen[id]!);
    this.store.state[id] = MSG_VISIBLE;
    this.store.receiveCount[id] = 0;
    this.store.owner[id] = -1;
    this.visible.pushBack(id);
    this.noteBacklog();
  }

  /** Delayed messages whose delay passed become visible (the queue's delay is fixed, so FIFO order holds). */
  promote(now: number): void {
    let moved = false;
    const st = this.store;
    while (this.delayed.length > 0 && st.sentAt[this.delayed.front()]! + this.delayMs <= now) {
      const id = this.delayed.popFront();
      st.state[id] = MSG_VISIBLE;
      this.visible.pushBack(id);
      moved = true;
    }
    if (moved) this.onVisible(now);
  }

  /**
   * ReceiveMessage for `owner`: up to `max` ids appended to `out`. Expired messages are dropped;
   * a message already received maxReceiveCount times moves to the DLQ instead of being returned.
   */
  receive(now: number, max: number, owner: number, out: IdList, byteBudget = Infinity): number {
    const st = this.store;
    let n = 0;
    let moved = 0;
    this.receivedBytes = 0;
    this.stoppedForBytes = false;
    while (n < max && this.visible.length > 0) {
      const size = this.messageBytes(this.visible.front());
      if (out.length > 0 && this.receivedBytes + size > byteBudget) {
        // Over the 6 MB synchronous payload cap: the message waits for the next batch (§3.4).
        this.stoppedForBytes = true;
        break;
      }
      const id = this.visible.popFront();
      if (now - st.sentAt[id]! >= this.retentionMs) {
        st.release(id);
        this.t.expired++;
        continue;
      }
      if (this.dlq !== null && deadLettersOnReceive(st.receiveCount[id]!, this.maxReceiveCount)) {
        this.t.movedToDlq++;
        this.sMovedToDlq++;
        this.dlq.acceptMoved(id);
        moved++;
        continue;
      }
      st.receiveCount[id]!++;
      st.state[id] = MSG_IN_FLIGHT;
      st.owner[id] = owner;
      this.inFlight++;
      out.push(id);
      this.receivedBytes += size;
      n++;
    }
    this.t.received += n;
    this.sReceived += n;
    if (moved > 0) this.dlq!.onVisible(now);
    return n;
  }

  /** The visibility timeout of a receive ran out: its messages (`ids[from, to)`) not deleted become visible again. */
  returnVisible(now: number, owner: number, list: IdList, from = 0, to = list.length): void {
    const st = this.store;
    const ids = list.ids;
    let any = false;
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      if (st.state[id] === MSG_IN_FLIGHT && st.owner[id] === owner) {
        st.state[id] = MSG_VISIBLE;
        st.owner[id] = -1;
        this.inFlight--;
        this.visible.pushBack(id);
        any = true;
      }
    }
    if (any) this.onVisible(now);
  }

  /** DeleteMessage with the receipt of `owner`; a stale receipt "succeeds" without deleting (§4). */
  delete(id: number, owner: number): boolean {
    const st = this.store;
    if (st.state[id] !== MSG_IN_FLIGHT || st.owner[id] !== owner) return false;
    st.release(id);
    this.inFlight--;
    this.t.deleted++;
    this.sDeleted++;
    return true;
  }

  /**
   * Bytes a message adds to a Lambda event: squall's estimate of a record's envelope and
   * attributes, plus, for an `oversized` poison message, a body as large as the queue allows.
   */
  messageBytes(id: number): number {
    return this.store.poison[id] === POISON_OVERSIZED ? this.def.maximumMessageSizeBytes + SMALL_RECORD_BYTES : SMALL_RECORD_BYTES;
  }

  /**
   * ApproximateAgeOfOldestMessage (s): the oldest message not yet deleted, in flight included.
   * Entries of deleted, expired or redriven messages are dropped from the age list here, once per step.
   */
  oldestAgeSeconds(now: number): number {
    const st = this.store;
    while (this.byAge.length > 0) {
      const id = this.byAge.front();
      if (st.gen[id] === this.byAge.frontSecond() && st.state[id] !== MSG_FREE && st.queueOf[id] === this.index) {
        return Math.max(0, (now - st.sentAt[id]!) / 1000);
      }
      this.byAge.popFront();
    }
    return 0;
  }

}
