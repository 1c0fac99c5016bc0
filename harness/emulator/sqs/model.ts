/**
 * The SQS model: queues and messages and their rules — visibility timeout, delay, retention,
 * receive count and redrive to a dead-letter queue, FIFO groups and deduplication, purge, message
 * move tasks — with all time taken from the injected `Clock`. It knows nothing of HTTP or wire
 * formats: the provider calls it for the SQS API, and Lambda's event source mappings call it
 * in-process (receive / delete / change visibility trigger redrive exactly as ReceiveMessage does).
 *
 * Cost model: each queue keeps its visible messages in a deque (FIFO: one deque per message group
 * plus a deque of groups ready to serve), and every future transition (delay end, visibility
 * expiry) in one min-heap, processed lazily by `tick()` at the start of each operation and by a
 * wake timer only while long polls wait. Receive is O(k log n) for k messages; nothing scans all
 * messages. Facts come from `contracts/aws-facts.ts` (fact sheet §4).
 *
 * This file is the façade: queues, attributes, tags, the FIFO API rate, purge, census and
 * lifecycle live here; each message operation lives in its own module over the shared `SqsCore`
 * (`send.ts`, `receive.ts`, `waiters.ts` for long polls, `receipts.ts` for delete and visibility,
 * `redrive.ts`, `tick.ts` for due transitions, `move-tasks.ts`).
 */
import type { Clock } from '../../contracts/clock.ts';
import { SQS_API } from '../../contracts/aws-facts.ts';
import { SqsCore, isPoison, type SqsLimits } from './core.ts';
import { SqsError, msg as err } from './errors.ts';
import { QUEUE_NAME } from './message-rules.ts';
import { QUEUE_ATTRIBUTE_NAMES, configValue, defaultConfig, parseConfig } from './queue-config.ts';
import { Msg, SqsQueue, State, type FifoAction, type MoveTask, type MoveTaskStatus, type ReceivedMessage, type ReceiveOptions, type SendInput, type SendResult, type SqsObserver } from './queue.ts';
import { MoveTasks } from './move-tasks.ts';
import { changeVisibility, deleteMessage } from './receipts.ts';
import { receiveNow } from './receive.ts';
import { send, sendBatch } from './send.ts';
import { removeMessage, tick } from './tick.ts';
import { clearTimers, finishWaiter, receive } from './waiters.ts';

export { Msg, SqsQueue };
export type { FifoAction, MoveTask, MoveTaskStatus, ReceivedMessage, ReceiveOptions, SendInput, SendResult, SqsObserver };

export type { MessageAttributes, MessageAttributeValue } from './md5.ts';
export type { QueueConfig, RedrivePolicy } from './queue-config.ts';
export { QUEUE_ATTRIBUTE_NAMES } from './queue-config.ts';
export { decodeHandle } from './message-rules.ts';
export { POISON_MARKER } from './core.ts';
export type { SqsLimits } from './core.ts';

export interface QueueCensus {
  visible: number;
  inFlight: number;
  delayed: number;
  poisonVisible: number;
  poisonInFlight: number;
  poisonDelayed: number;
}

export interface SqsModelOptions {
  clock: Clock;
  accountId: string;
  region: string;
  /** Override limits (tests use a small in-flight limit); defaults are AWS's. */
  limits?: Partial<SqsLimits>;
}

export class SqsModel {
  readonly clock: Clock;
  readonly accountId: string;
  readonly region: string;
  readonly limits: SqsLimits;
  /** What the operation modules share (observers, queues by ARN, counters). */
  private readonly core: SqsCore;
  private readonly queues = new Map<string, SqsQueue>();
  private readonly byArn: Map<string, SqsQueue>;
  private readonly deletedAt = new Map<string, number>();
  private readonly observers: SqsObserver[];
  private readonly lookup = (arn: string): SqsQueue | undefined => this.byArn.get(arn);
  private nextUid = 1;
  private readonly moveTasks: MoveTasks;

  constructor(opts: SqsModelOptions) {
    this.core = new SqsCore(opts.clock, opts.accountId, opts.limits);
    this.clock = opts.clock;
    this.accountId = opts.accountId;
    this.region = opts.region;
    this.limits = this.core.limits;
    this.byArn = this.core.byArn;
    this.observers = this.core.observers;
    this.moveTasks = new MoveTasks({
      clock: this.clock,
      limits: this.limits,
      queueByArn: (arn) => this.byArn.get(arn),
      deadLetterSources: (q) => this.deadLetterSources(q),
      tick: (q) => tick(this.core, q),
      removeMessage: (q, m) => removeMessage(this.core, q, m),
      send: (q, input) => send(this.core, q, input),
    });
  }

  /** Register an observer; returns a function that removes it. */
  observe(o: SqsObserver): () => void {
    this.observers.push(o);
    for (const q of this.queues.values()) o.queueCreated?.(q);
    return () => {
      const i = this.observers.indexOf(o);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  arnFor(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  // ---------------------------------------------------------------- queues

  /**
   * CreateQueue: idempotent when the attributes match, `QueueNameExists` when they differ,
   * `QueueDeletedRecently` within 60 s of a delete. Throws `SqsError`.
   */
  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): SqsQueue {
    const isFifoName = name.endsWith('.fifo');
    const fifoAttr = attributes['FifoQueue'];
    const wantsFifo = fifoAttr !== undefined && fifoAttr.toLowerCase() === 'true';
    const base = isFifoName ? name.slice(0, -5) : name;
    if (!QUEUE_NAME.test(base) || name.length > this.limits.queueNameMaxLength) {
      throw new SqsError(
        'InvalidParameterValueException',
        isFifoName || wantsFifo
          ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
          : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    if (wantsFifo && !isFifoName) {
      throw new SqsError(
        'InvalidParameterValueException',
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
    }
    if (isFifoName && !wantsFifo) {
      throw new SqsError('InvalidParameterValueException', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const config = parseConfig(attributes, defaultConfig(this.limits, isFifoName), isFifoName, true, this.arnFor(name), this.limits, this.lookup);
    const existing = this.queues.get(name);
    if (existing) {
      // Idempotent only when every given attribute matches the live queue's value.
      for (const k of Object.keys(attributes)) {
        if (configValue(existing.config, existing.fifo, k) !== configValue(config, isFifoName, k)) {
          throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
        }
      }
      return existing;
    }
    const deletedAt = this.deletedAt.get(name);
    if (deletedAt !== undefined && this.clock.now() - deletedAt < SQS_API.queueDeletedRecentlySeconds * 1000) {
      throw new SqsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
    }
    this.checkTags(tags, 0);
    const q = new SqsQueue(this.nextUid++, name, this.arnFor(name), config, this.clock.epochMs());
    for (const [k, v] of Object.entries(tags)) q.tags.set(k, v);
    this.queues.set(name, q);
    this.byArn.set(q.arn, q);
    for (const o of this.observers) o.queueCreated?.(q);
    return q;
  }

  getQueue(name: string): SqsQueue | undefined {
    return this.queues.get(name);
  }

  getQueueByArn(arn: string): SqsQueue | undefined {
    return this.byArn.get(arn);
  }

  /** Like getQueue but throws AWS's `QueueDoesNotExist`. */
  requireQueue(name: string): SqsQueue {
    const q = this.queues.get(name);
    if (!q) throw err.queueDoesNotExist();
    return q;
  }

  listQueues(prefix = ''): SqsQueue[] {
    const out: SqsQueue[] = [];
    for (const q of this.queues.values()) if (q.name.startsWith(prefix)) out.push(q);
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return out;
  }

  deleteQueue(q: SqsQueue): void {
    if (q.deleted) throw err.queueDoesNotExist();
    q.deleted = true;
    this.queues.delete(q.name);
    this.byArn.delete(q.arn);
    this.deletedAt.set(q.name, this.clock.now());
    clearTimers(this.core, q);
    for (const w of q.waiters) finishWaiter(this.core, w, []);
    q.waiters.clear();
    for (const t of q.moveTasks) this.moveTasks.stop(t, 'CANCELLED');
    for (const o of this.observers) o.queueDeleted?.(q);
  }

  /** Queues whose RedrivePolicy targets `q` (ListDeadLetterSourceQueues). */
  deadLetterSources(q: SqsQueue): SqsQueue[] {
    return this.listQueues().filter((s) => s.config.RedrivePolicy?.deadLetterTargetArn === q.arn);
  }

  // ---------------------------------------------------------------- attributes

  setAttributes(q: SqsQueue, attrs: Record<string, string>): void {
    this.live(q);
    q.config = parseConfig(attrs, q.config, q.fifo, false, q.arn, this.limits, this.lookup);
    q.lastModifiedTimestamp = Math.floor(this.clock.epochMs() / 1000);
    // A longer wait or a changed retention may change what is due; nothing else needs a scan.
    this.tick(q);
  }

  /** The string value AWS reports for one attribute, or undefined when unset. */
  attributeValue(q: SqsQueue, name: string): string | undefined {
    switch (name) {
      case 'ApproximateNumberOfMessages':
        return String(q.visibleCount);
      case 'ApproximateNumberOfMessagesNotVisible':
        return String(q.inFlightCount);
      case 'ApproximateNumberOfMessagesDelayed':
        return String(q.delayedCount);
      case 'CreatedTimestamp':
        return String(q.createdTimestamp);
      case 'LastModifiedTimestamp':
        return String(q.lastModifiedTimestamp);
      case 'QueueArn':
        return q.arn;
      default:
        return configValue(q.config, q.fifo, name);
    }
  }

  /** GetQueueAttributes: `names` may contain `All`; unknown names → `InvalidAttributeName`. */
  getAttributes(q: SqsQueue, names: readonly string[]): Record<string, string> {
    this.live(q);
    this.tick(q);
    const want = new Set<string>();
    for (const n of names) {
      if (n === 'All') for (const a of QUEUE_ATTRIBUTE_NAMES) want.add(a);
      else if ((QUEUE_ATTRIBUTE_NAMES as readonly string[]).includes(n)) want.add(n);
      else throw err.unknownAttribute(n);
    }
    const out: Record<string, string> = {};
    for (const n of want) {
      const v = this.attributeValue(q, n);
      if (v !== undefined) out[n] = v;
    }
    return out;
  }

  // ---------------------------------------------------------------- tags

  private checkTags(tags: Record<string, string>, existing: number): void {
    const A = SQS_API;
    for (const [k, v] of Object.entries(tags)) {
      if (k.length < 1 || k.length > A.tagKeyMaxLength) throw err.invalidValue('Tag', k, `Tag keys must be between 1 and ${A.tagKeyMaxLength} characters in length.`);
      if (typeof v !== 'string' || v.length > A.tagValueMaxLength) throw err.invalidValue('Tag', k, `Tag values must be less than ${A.tagValueMaxLength} characters in length.`);
    }
    if (existing + Object.keys(tags).length > A.tagsPerQueueMax) throw new SqsError('InvalidParameterValueException', 'Too many tags added for queue.');
  }

  tagQueue(q: SqsQueue, tags: Record<string, string>): void {
    this.live(q);
    const added = Object.keys(tags).filter((k) => !q.tags.has(k)).length;
    this.checkTags(tags, q.tags.size + added - Object.keys(tags).length);
    for (const [k, v] of Object.entries(tags)) q.tags.set(k, v);
  }

  untagQueue(q: SqsQueue, keys: readonly string[]): void {
    this.live(q);
    for (const k of keys) q.tags.delete(k);
  }

  // ---------------------------------------------------------------- FIFO API rate

  /**
   * Admit one API call on a FIFO queue: 300 calls per second per action without high-throughput
   * mode (a continuously refilled token bucket); high throughput (`FifoThroughputLimit:
   * perMessageGroupId`) is not rate-limited here. Returns `RequestThrottled` when refused.
   */
  admit(q: SqsQueue, action: FifoAction): SqsError | undefined {
    if (!q.fifo || q.config.FifoThroughputLimit === 'perMessageGroupId') return undefined;
    const rate = this.limits.fifoApiCallsPerSecond;
    const now = this.clock.now();
    let b = q.buckets.get(action);
    if (!b) {
      b = { tokens: rate, at: now };
      q.buckets.set(action, b);
    }
    b.tokens = Math.min(rate, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    for (const o of this.observers) o.throttled?.(q, action);
    return new SqsError('RequestThrottled', 'The request was denied due to request throttling.');
  }

  // ---------------------------------------------------------------- send




  // ---------------------------------------------------------------- receive





  // ---------------------------------------------------------------- delete / visibility



  // ---------------------------------------------------------------- messages (send.ts, receive.ts, waiters.ts, receipts.ts)

  /**
   * SendMessage for one message. Returns an `SqsError` (not thrown) for an invalid message so
   * batch entries fail one by one without exceptions on the hot path.
   */
  send(q: SqsQueue, input: SendInput): SendResult | SqsError {
    return send(this.core, q, input);
  }

  /** SendMessageBatch: every entry is sent, then waiting receivers are served once. */
  sendBatch(q: SqsQueue, inputs: SendInput[]): Array<SendResult | SqsError> {
    return sendBatch(this.core, q, inputs);
  }

  /**
   * ReceiveMessage. Long-polls up to `waitTimeSeconds` (default the queue's
   * ReceiveMessageWaitTimeSeconds) and answers as soon as at least one message is there. Rejects
   * with `SqsError` (OverLimit, QueueDoesNotExist).
   */
  receive(q: SqsQueue, opts: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    return receive(this.core, q, opts);
  }

  /** Receive without waiting: what is visible now (possibly nothing), or an `SqsError`. */
  receiveNow(q: SqsQueue, opts: ReceiveOptions = {}): ReceivedMessage[] | SqsError {
    return receiveNow(this.core, q, opts);
  }

  /** DeleteMessage (returns the error instead of throwing; a stale handle succeeds without effect). */
  deleteMessage(q: SqsQueue, receiptHandle: string): SqsError | undefined {
    return deleteMessage(this.core, q, receiptHandle);
  }

  /** ChangeMessageVisibility (returns the error instead of throwing). */
  changeVisibility(q: SqsQueue, receiptHandle: string, visibilityTimeout: number): SqsError | undefined {
    return changeVisibility(this.core, q, receiptHandle, visibilityTimeout);
  }

  /** Apply every transition due by now (the metrics gauges call it so counts are current). */
  tick(q: SqsQueue): void {
    tick(this.core, q);
  }

  /** PurgeQueue: removes every message now; again within 60 s → `PurgeQueueInProgress`. Throws. */
  purge(q: SqsQueue): void {
    this.live(q);
    const now = this.clock.now();
    if (now - q.lastPurgeAt < this.limits.purgeIntervalSeconds * 1000) {
      throw new SqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${q.name} is allowed every ${this.limits.purgeIntervalSeconds} seconds.`);
    }
    q.lastPurgeAt = now;
    const n = q.live.size;
    let poison = 0;
    for (const m of q.live.values()) {
      m.state = State.Gone;
      if (isPoison(m)) poison++;
    }
    q.live.clear();
    q.visible.clear();
    q.groups.clear();
    q.readyGroups.clear();
    q.byAge.clear();
    q.due.clear();
    q.visibleCount = q.inFlightCount = q.delayedCount = 0;
    if (n) for (const o of this.observers) o.purged?.(q, n);
    if (poison) for (const o of this.observers) o.poison?.(q, 'purged', poison);
  }

  /**
   * The queue's messages by state and kind right now (message accounting at the end of a run): a
   * scan of the live messages, after due transitions, so it agrees with the Approximate* counts.
   */
  census(q: SqsQueue): QueueCensus {
    if (!q.deleted) this.tick(q);
    const c: QueueCensus = { visible: 0, inFlight: 0, delayed: 0, poisonVisible: 0, poisonInFlight: 0, poisonDelayed: 0 };
    for (const m of q.live.values()) {
      const poison = isPoison(m);
      if (m.state === State.Visible) {
        c.visible++;
        if (poison) c.poisonVisible++;
      } else if (m.state === State.InFlight) {
        c.inFlight++;
        if (poison) c.poisonInFlight++;
      } else if (m.state === State.Delayed) {
        c.delayed++;
        if (poison) c.poisonDelayed++;
      }
    }
    return c;
  }

  // ---------------------------------------------------------------- message move tasks (sqs/move-tasks.ts)

  startMoveTask(sourceArn: string, destinationArn?: string, maxPerSecond?: number): MoveTask {
    return this.moveTasks.start(sourceArn, destinationArn, maxPerSecond);
  }

  listMoveTasks(sourceArn: string): MoveTask[] {
    return this.moveTasks.list(sourceArn);
  }

  cancelMoveTask(taskHandle: string): MoveTask {
    return this.moveTasks.cancel(taskHandle);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Forget every queue (the `/_squall/reset` route and test isolation). */
  reset(): void {
    for (const q of [...this.queues.values()]) this.deleteQueue(q);
    this.deletedAt.clear();
  }

  /** Stop all timers and answer every waiting long poll with nothing. */
  close(): void {
    this.core.closed = true;
    for (const q of this.queues.values()) {
      clearTimers(this.core, q);
      for (const w of q.waiters) finishWaiter(this.core, w, []);
      q.waiters.clear();
      for (const t of q.moveTasks) if (t.timer) this.clock.clearTimer(t.timer);
    }
  }

  /** Total messages the queue holds (visible + in flight + delayed); for tests and accounting. */
  size(q: SqsQueue): number {
    this.tick(q);
    return q.live.size;
  }

  // ---------------------------------------------------------------- internals

  private live(q: SqsQueue): void {
    if (q.deleted) throw err.queueDoesNotExist();
  }









}
