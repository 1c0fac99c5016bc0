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
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../contracts/clock.ts';
import { SQS, SQS_API } from '../../contracts/aws-facts.ts';
import { messageId } from '../ids.ts';
import { SqsError, msg as err } from './errors.ts';
import { attributeSize, md5Hex, md5OfMessageAttributes } from './md5.ts';
import { QUEUE_NAME, hasInvalidChars, checkAttribute, checkFifoId, decodeHandle, encodeHandle, sequenceNumber } from './message-rules.ts';
import { QUEUE_ATTRIBUTE_NAMES, configValue, defaultConfig, parseConfig } from './queue-config.ts';
import { deadLettersOnReceive, visibleAgain } from '../../rules/visibility.ts';
import { Msg, SqsQueue, State, type FifoAction, type MoveTask, type MoveTaskStatus, type ReceivedMessage, type ReceiveOptions, type SendInput, type SendResult, type SqsObserver, type Waiter } from './queue.ts';
import { makeVisible, maybeReady, returnToVisible } from './visible-set.ts';
import { MoveTasks } from './move-tasks.ts';

export { Msg, SqsQueue };
export type { FifoAction, MoveTask, MoveTaskStatus, ReceivedMessage, ReceiveOptions, SendInput, SendResult, SqsObserver };

export type { MessageAttributes, MessageAttributeValue } from './md5.ts';
export type { QueueConfig, RedrivePolicy } from './queue-config.ts';
export { QUEUE_ATTRIBUTE_NAMES } from './queue-config.ts';
export { decodeHandle } from './message-rules.ts';

export type SqsLimits = { -readonly [K in keyof typeof SQS]: number } & { fifoApiCallsPerSecond: number };

/** The message attribute squall's poison messages carry (k6-scripts/poison.js POISON_ATTRIBUTE). */
export const POISON_MARKER = 'squall-poison';

function isPoison(m: Msg): boolean {
  return m.messageAttributes !== undefined && m.messageAttributes[POISON_MARKER] !== undefined;
}

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
  /** Nesting depth of sendBatch: while > 0, sends do not serve waiting receivers one by one. */
  private batchDepth = 0;
  /** The message the last `enqueue` added (its out-parameter; a field, so no tuple per message). */
  private enqueued: Msg | undefined;
  /** Serial of the last hiding (receive or visibility change), for Msg.dueGroup. */
  private dueGroups = 0;
  readonly clock: Clock;
  readonly accountId: string;
  readonly region: string;
  readonly limits: SqsLimits;
  private readonly queues = new Map<string, SqsQueue>();
  private readonly byArn = new Map<string, SqsQueue>();
  private readonly deletedAt = new Map<string, number>();
  private readonly observers: SqsObserver[] = [];
  private readonly lookup = (arn: string): SqsQueue | undefined => this.byArn.get(arn);
  private nextUid = 1;
  private readonly moveTasks: MoveTasks;
  private closed = false;

  constructor(opts: SqsModelOptions) {
    this.clock = opts.clock;
    this.accountId = opts.accountId;
    this.region = opts.region;
    this.limits = { ...SQS, fifoApiCallsPerSecond: SQS_API.fifoApiCallsPerSecond, ...opts.limits };
    this.moveTasks = new MoveTasks({
      clock: this.clock,
      limits: this.limits,
      queueByArn: (arn) => this.byArn.get(arn),
      deadLetterSources: (q) => this.deadLetterSources(q),
      tick: (q) => this.tick(q),
      removeMessage: (q, m) => this.removeMessage(q, m),
      send: (q, input) => this.send(q, input),
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
    this.clearTimers(q);
    for (const w of q.waiters) this.finishWaiter(w, []);
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

  /**
   * SendMessage for one message. Returns an `SqsError` (not thrown) for an invalid message so
   * batch entries fail one by one without exceptions on the hot path.
   */
  send(q: SqsQueue, input: SendInput): SendResult | SqsError {
    if (!q.deleted) this.tick(q);
    const r = this.enqueue(q, input, this.clock.now(), Math.round(this.clock.epochMs()));
    const m = this.enqueued;
    if (m) {
      this.enqueued = undefined;
      for (const o of this.observers) o.sent?.(q, 1);
      if (isPoison(m)) for (const o of this.observers) o.poison?.(q, 'sent', 1);
    }
    return r;
  }

  /**
   * Validate and enqueue one message at `now`, without telling observers: the caller does, once
   * per call, so a batch of ten costs one observer round, not ten. The message it enqueued is left
   * in `enqueued` (none for an error or a FIFO duplicate, which is accepted but not enqueued).
   */
  private enqueue(q: SqsQueue, input: SendInput, now: number, epochMs: number): SendResult | SqsError {
    if (q.deleted) return err.queueDoesNotExist();
    const L = this.limits;
    const body = input.body;
    if (typeof body !== 'string' || body.length === 0) return err.missing('MessageBody');
    if (hasInvalidChars(body)) {
      return new SqsError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    }
    let size = Buffer.byteLength(body, 'utf8');
    const attrs = input.messageAttributes;
    let md5Attrs: string | undefined;
    if (attrs) {
      const names = Object.keys(attrs);
      if (names.length > SQS_API.messageAttributesMax) {
        return err.invalidValue('MessageAttributes', names.length, `Number of message attributes [${names.length}] exceeds the allowed maximum [${SQS_API.messageAttributesMax}].`);
      }
      for (const name of names) {
        const bad = checkAttribute(name, attrs[name]!);
        if (bad) return bad;
        size += attributeSize(name, attrs[name]!);
      }
      if (names.length) md5Attrs = md5OfMessageAttributes(attrs);
    }
    let trace: string | undefined;
    let md5Sys: string | undefined;
    if (input.messageSystemAttributes) {
      for (const [name, v] of Object.entries(input.messageSystemAttributes)) {
        if (name !== 'AWSTraceHeader') return err.invalidValue('MessageSystemAttributes', name, 'Only AWSTraceHeader is supported.');
        if (v.DataType !== 'String' || v.StringValue === undefined) return err.invalidValue('MessageSystemAttributes', name, 'AWSTraceHeader must be of type String.');
        trace = v.StringValue;
      }
      if (trace !== undefined) md5Sys = md5OfMessageAttributes(input.messageSystemAttributes);
    }
    if (size > q.config.MaximumMessageSize) {
      return err.invalidValue('MessageBody', '', `Message must be shorter than ${q.config.MaximumMessageSize} bytes.`).withMessage(
        `One or more parameters are invalid. Reason: Message must be shorter than ${q.config.MaximumMessageSize} bytes.`,
      );
    }
    let delay = q.config.DelaySeconds;
    if (input.delaySeconds !== undefined) {
      if (q.fifo) {
        return err.invalidValue('DelaySeconds', input.delaySeconds, 'The request include parameter that is not valid for this queue type.');
      }
      if (!Number.isInteger(input.delaySeconds) || input.delaySeconds < 0 || input.delaySeconds > L.delayMaxSeconds) {
        return err.invalidValue('DelaySeconds', input.delaySeconds, `DelaySeconds must be >= 0 and <= ${L.delayMaxSeconds}`);
      }
      delay = input.delaySeconds;
    }
    let groupId: string | undefined;
    let dedupId: string | undefined;
    let dedupKey: string | undefined;
    if (q.fifo) {
      groupId = input.messageGroupId;
      if (groupId === undefined || groupId === '') return err.missing('MessageGroupId');
      const badGroup = checkFifoId('MessageGroupId', groupId);
      if (badGroup) return badGroup;
      dedupId = input.messageDeduplicationId;
      if (dedupId === undefined) {
        if (!q.config.ContentBasedDeduplication) {
          return new SqsError(
            'InvalidParameterValueException',
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
        dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
      } else {
        const badDedup = checkFifoId('MessageDeduplicationId', dedupId);
        if (badDedup) return badDedup;
      }
      dedupKey = q.config.DeduplicationScope === 'messageGroup' ? `${groupId}\u0000${dedupId}` : dedupId;
      this.expireDedup(q, now);
      const seen = q.dedup.get(dedupKey);
      if (seen) {
        // A duplicate within the 5-minute interval is accepted but not enqueued [fact sheet §4 FIFO].
        return { ...seen.result, md5OfMessageBody: md5Hex(body), md5OfMessageAttributes: md5Attrs, md5OfMessageSystemAttributes: md5Sys };
      }
    } else {
      if (input.messageDeduplicationId !== undefined) {
        return err.invalidValue('MessageDeduplicationId', input.messageDeduplicationId, 'The request include parameter that is not valid for this queue type.');
      }
      // A MessageGroupId on a standard queue is allowed: it marks a fair-queue tenant [fact sheet §4].
      groupId = input.messageGroupId;
    }
    const m = new Msg(
      q.nextNum++,
      messageId(),
      body,
      md5Hex(body),
      md5Attrs ? attrs : undefined,
      md5Attrs,
      trace,
      epochMs,
      now,
      input.senderId ?? this.accountId,
      groupId,
      q.fifo ? dedupId : undefined,
      q.fifo ? sequenceNumber(q.nextSeq++) : undefined,
      size,
    );
    q.live.set(m.num, m);
    q.byAge.push(m);
    const result: SendResult = {
      messageId: m.messageId,
      md5OfMessageBody: m.md5OfBody,
      md5OfMessageAttributes: md5Attrs,
      md5OfMessageSystemAttributes: md5Sys,
      sequenceNumber: m.sequenceNumber,
    };
    if (dedupKey !== undefined) {
      const expiresAt = now + L.fifoDeduplicationIntervalSeconds * 1000;
      q.dedup.set(dedupKey, { result, expiresAt });
      q.dedupOrder.push({ key: dedupKey, expiresAt });
    }
    if (delay > 0) {
      m.state = State.Delayed;
      m.dueAt = now + delay * 1000;
      m.dueGroup = 0;
      q.delayedCount++;
      q.due.push(m.dueAt, m);
      this.armWake(q);
    } else {
      makeVisible(q, m);
      // Inside a SendMessageBatch the entries become receivable together (served once at the end),
      // so a waiting long poll gets up to its MaxNumberOfMessages of them, not one each.
      if (this.batchDepth === 0) this.serveWaiters(q);
    }
    this.enqueued = m;
    return result;
  }

  /** SendMessageBatch: every entry is sent, then waiting receivers are served once. */
  sendBatch(q: SqsQueue, inputs: SendInput[]): Array<SendResult | SqsError> {
    this.batchDepth++;
    const out: Array<SendResult | SqsError> = new Array(inputs.length);
    let sent = 0;
    let poison = 0;
    try {
      // One instant for the whole batch: due transitions applied once, one SentTimestamp.
      if (!q.deleted) this.tick(q);
      const now = this.clock.now();
      const epochMs = Math.round(this.clock.epochMs());
      for (let i = 0; i < inputs.length; i++) {
        out[i] = this.enqueue(q, inputs[i]!, now, epochMs);
        const m = this.enqueued;
        if (m) {
          this.enqueued = undefined;
          sent++;
          if (isPoison(m)) poison++;
        }
      }
      return out;
    } finally {
      this.batchDepth--;
      if (sent) for (const o of this.observers) o.sent?.(q, sent);
      if (poison) for (const o of this.observers) o.poison?.(q, 'sent', poison);
      if (this.batchDepth === 0 && !q.deleted) this.serveWaiters(q);
    }
  }

  // ---------------------------------------------------------------- receive

  /**
   * ReceiveMessage. Long-polls up to `waitTimeSeconds` (default the queue's
   * ReceiveMessageWaitTimeSeconds) and answers as soon as at least one message is there. Messages
   * whose receive count already reached the redrive policy's maxReceiveCount move to the DLQ
   * instead of being returned. Rejects with `SqsError` (OverLimit, QueueDoesNotExist).
   */
  receive(q: SqsQueue, opts: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const got = this.receiveNow(q, opts);
    if (got instanceof SqsError) return Promise.reject(got);
    const wait = opts.waitTimeSeconds ?? q.config.ReceiveMessageWaitTimeSeconds;
    if (got.length > 0 || wait <= 0 || this.closed || opts.signal?.aborted) return Promise.resolve(got);
    return new Promise((resolve) => {
      const w: Waiter = {
        max: opts.maxNumberOfMessages ?? 1,
        visibilityTimeout: opts.visibilityTimeout ?? q.config.VisibilityTimeout,
        resolve,
        timer: undefined,
        done: false,
        onAbort: undefined,
        signal: opts.signal,
      };
      w.timer = this.clock.setTimer(() => {
        w.timer = undefined;
        this.finishWaiter(w, []);
      }, wait * 1000);
      if (opts.signal) {
        w.onAbort = () => this.finishWaiter(w, []);
        opts.signal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (q.waiters.length >= 64) q.waiters.filter((x) => !x.done);
      q.waiters.push(w);
      this.armWake(q);
    });
  }

  /** Receive without waiting: what is visible now (possibly nothing), or an `SqsError`. */
  receiveNow(q: SqsQueue, opts: ReceiveOptions = {}): ReceivedMessage[] | SqsError {
    if (q.deleted) return err.queueDoesNotExist();
    this.tick(q);
    const max = opts.maxNumberOfMessages ?? 1;
    const vt = opts.visibilityTimeout ?? q.config.VisibilityTimeout;
    const attemptId = opts.receiveRequestAttemptId;
    if (q.fifo && attemptId !== undefined) {
      const prev = q.attempts.get(attemptId);
      if (prev && prev.expiresAt > this.clock.now()) {
        // Same attempt id within 5 min: the same messages, if none was touched since [MODEL ReceiveMessage doc].
        const same = prev.nums.every((n, i) => {
          const m = q.live.get(n);
          return m !== undefined && m.state === State.InFlight && m.receiveSerial === prev.serials[i];
        });
        if (same) return prev.msgs;
      }
    }
    if (!q.fifo && q.inFlightCount >= this.limits.inFlightMaxStandard) {
      for (const o of this.observers) o.overLimit?.(q);
      return new SqsError('OverLimit', `The maximum number of in flight messages has been reached (${this.limits.inFlightMaxStandard}).`);
    }
    const got = this.take(q, max, vt);
    if (q.fifo && attemptId !== undefined) {
      const live = got.map((r) => decodeHandle(r.receiptHandle)!);
      q.attempts.set(attemptId, {
        msgs: got,
        nums: live.map((h) => h.num),
        serials: live.map((h) => h.serial),
        expiresAt: this.clock.now() + this.limits.fifoDeduplicationIntervalSeconds * 1000,
      });
    }
    return got;
  }

  private take(q: SqsQueue, max: number, visibilityTimeout: number): ReceivedMessage[] {
    const out: ReceivedMessage[] = [];
    const now = this.clock.now();
    let room = q.fifo ? this.limits.inFlightMaxFifo - q.inFlightCount : this.limits.inFlightMaxStandard - q.inFlightCount;
    const redrive = q.config.RedrivePolicy;
    // A queue is never its own DLQ (rejected at SetQueueAttributes; guarded here against loops).
    const target = redrive ? this.byArn.get(redrive.deadLetterTargetArn) : undefined;
    const dlq = target !== q ? target : undefined;
    let moved = 0;
    let movedPoison = 0;
    const group = ++this.dueGroups;
    const takeOne = (m: Msg): boolean => {
      if (dlq && redrive && deadLettersOnReceive(m.receiveCount, redrive.maxReceiveCount)) {
        this.removeVisible(q, m);
        this.moveToDlq(q, m, dlq);
        moved++;
        if (isPoison(m)) movedPoison++;
        return false;
      }
      m.dueGroup = group;
      m.dueIndex = out.length;
      out.push(this.deliver(q, m, now, visibilityTimeout));
      room--;
      return true;
    };
    if (!q.fifo) {
      while (out.length < max && room > 0) {
        const m = q.visible.shift();
        if (!m) break;
        if (m.state !== State.Visible) continue;
        takeOne(m);
      }
    } else {
      while (out.length < max && room > 0) {
        const g = q.readyGroups.shift();
        if (!g) break;
        g.ready = false;
        if (g.inFlight > 0) continue;
        // Several messages of one group may come together, in order; the group then stays locked
        // until none of them is in flight [fact sheet §4 FIFO].
        while (out.length < max && room > 0) {
          const m = g.msgs.shift();
          if (!m) break;
          if (m.state !== State.Visible) continue;
          if (takeOne(m)) g.inFlight++;
        }
        maybeReady(q, g);
      }
    }
    if (moved > 0 && dlq) {
      for (const o of this.observers) o.movedToDlq?.(q, dlq, moved);
      if (movedPoison) for (const o of this.observers) o.poison?.(q, 'moved', movedPoison);
      this.serveWaiters(dlq);
    }
    if (out.length > 0) for (const o of this.observers) o.received?.(q, out.length);
    if (q.waiters.length) this.armWake(q);
    return out;
  }

  private deliver(q: SqsQueue, m: Msg, now: number, vt: number): ReceivedMessage {
    q.visibleCount--;
    q.inFlightCount++;
    m.state = State.InFlight;
    m.receiveCount++;
    m.receiveSerial++;
    m.receivedAt = now;
    const epoch = Math.round(this.clock.epochMs());
    if (m.firstReceiveTimestamp === 0) m.firstReceiveTimestamp = epoch;
    m.dueAt = now + vt * 1000;
    q.due.push(m.dueAt, m);
    const attributes: Record<string, string> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentTimestamp),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp),
    };
    if (m.sequenceNumber !== undefined) attributes['SequenceNumber'] = m.sequenceNumber;
    if (m.dedupId !== undefined) attributes['MessageDeduplicationId'] = m.dedupId;
    if (m.groupId !== undefined) attributes['MessageGroupId'] = m.groupId;
    if (m.awsTraceHeader !== undefined) attributes['AWSTraceHeader'] = m.awsTraceHeader;
    if (m.deadLetterQueueSourceArn !== undefined) attributes['DeadLetterQueueSourceArn'] = m.deadLetterQueueSourceArn;
    return {
      messageId: m.messageId,
      receiptHandle: encodeHandle(q.uid, m.num, m.receiveSerial),
      body: m.body,
      md5OfBody: m.md5OfBody,
      messageAttributes: m.messageAttributes,
      md5OfMessageAttributes: m.md5OfMessageAttributes,
      attributes,
    };
  }

  // ---------------------------------------------------------------- delete / visibility

  /**
   * DeleteMessage. A stale handle (the message was received again since) or a handle of an
   * already deleted message succeeds without effect, as AWS documents; a handle that is not one
   * of this queue's → `ReceiptHandleIsInvalid`. Returns the error instead of throwing.
   */
  deleteMessage(q: SqsQueue, receiptHandle: string): SqsError | undefined {
    if (q.deleted) return err.queueDoesNotExist();
    const h = decodeHandle(receiptHandle);
    if (!h || h.queue !== q.uid) return err.invalidReceiptHandle(receiptHandle);
    const m = q.live.get(h.num);
    if (!m || m.receiveSerial !== h.serial) return undefined;
    this.removeMessage(q, m);
    for (const o of this.observers) o.deleted?.(q, 1);
    if (isPoison(m)) for (const o of this.observers) o.poison?.(q, 'deleted', 1);
    return undefined;
  }

  /**
   * ChangeMessageVisibility: the new timeout counts from now; 0 makes the message visible at
   * once. Not in flight → `MessageNotInflight`; the total may not pass 12 h from the receive.
   */
  changeVisibility(q: SqsQueue, receiptHandle: string, visibilityTimeout: number): SqsError | undefined {
    if (q.deleted) return err.queueDoesNotExist();
    const h = decodeHandle(receiptHandle);
    if (!h || h.queue !== q.uid) return err.invalidReceiptHandle(receiptHandle);
    if (!Number.isInteger(visibilityTimeout) || visibilityTimeout < 0 || visibilityTimeout > this.limits.visibilityTimeoutMaxSeconds) {
      return err.invalidValue('VisibilityTimeout', visibilityTimeout, `Must be between 0 and ${this.limits.visibilityTimeoutMaxSeconds}, if provided.`);
    }
    this.tick(q);
    const m = q.live.get(h.num);
    if (!m || m.receiveSerial !== h.serial) {
      return err.invalidValue('ReceiptHandle', receiptHandle, 'Message does not exist or is not available for visibility timeout change.');
    }
    if (m.state !== State.InFlight) return new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    const now = this.clock.now();
    // A message stays invisible at most 12 h from its receive, however often it is extended [4].
    const max = this.limits.visibilityTimeoutMaxSeconds;
    if ((now - m.receivedAt) / 1000 + visibilityTimeout > max) {
      return err.invalidValue('VisibilityTimeout', visibilityTimeout, `Total VisibilityTimeout for the message is beyond the limit [${max} seconds]`);
    }
    m.dueAt = now + visibilityTimeout * 1000;
    m.dueGroup = ++this.dueGroups;
    m.dueIndex = 0;
    if (visibilityTimeout === 0) {
      returnToVisible(q, m);
      this.serveWaiters(q);
    } else {
      q.due.push(m.dueAt, m);
      this.armWake(q);
    }
    return undefined;
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
    this.closed = true;
    for (const q of this.queues.values()) {
      this.clearTimers(q);
      for (const w of q.waiters) this.finishWaiter(w, []);
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

  /**
   * Apply every transition due by now: delays and visibility timeouts that ended, retention that
   * ran out, FIFO dedup entries that expired. Lazy: called at the start of each operation.
   */
  tick(q: SqsQueue): void {
    const now = this.clock.now();
    let woke = false;
    let due: Msg[] | null = null;
    while (visibleAgain(q.due.peekKey(), now)) {
      const key = q.due.peekKey();
      const m = q.due.pop()!;
      // A deleted message leaves its entry behind; only a hidden one has anything due.
      if (m.dueAt === key && (m.state === State.Delayed || m.state === State.InFlight)) (due ??= []).push(m);
    }
    if (due !== null) {
      // A long poll returns messages "as soon as they become available" (SQS guide; fact sheet §4
      // ReceiveMessage), and messages hidden by different receives reappear at different instants,
      // so a waiting receiver gets one receive's returns, not everything a late timer finds due:
      // the earliest hiding first, each in its receive's order, waiters served between them (as
      // the simulator's driver does).
      if (due.length > 1) due.sort((a, b) => a.dueAt - b.dueAt || a.dueGroup - b.dueGroup || a.dueIndex - b.dueIndex);
      for (let i = 0; i < due.length; i++) {
        const m = due[i]!;
        if (m.state === State.Delayed) {
          q.delayedCount--;
          makeVisible(q, m);
          woke = true;
        } else if (m.state === State.InFlight) {
          returnToVisible(q, m);
          woke = true;
        }
        const next = due[i + 1];
        if (woke && next !== undefined && (next.dueAt !== m.dueAt || next.dueGroup !== m.dueGroup) && q.waiters.length > 0) this.serveWaiters(q);
      }
    }
    const retentionMs = q.config.MessageRetentionPeriod * 1000;
    let expired = 0;
    let expiredPoison = 0;
    for (;;) {
      const head = q.byAge.peek();
      if (!head) break;
      if (head.state === State.Gone) {
        q.byAge.shift();
        continue;
      }
      if (now - head.enqueuedAt < retentionMs) break;
      q.byAge.shift();
      this.removeMessage(q, head);
      expired++;
      if (isPoison(head)) expiredPoison++;
    }
    if (expired) for (const o of this.observers) o.expired?.(q, expired);
    if (expiredPoison) for (const o of this.observers) o.poison?.(q, 'expired', expiredPoison);
    if (woke) this.serveWaiters(q);
  }

  /** Detach a visible message from the visible structures' counts (it stays lazily in the deque). */
  private removeVisible(q: SqsQueue, m: Msg): void {
    if (m.state === State.Visible) {
      q.visibleCount--;
      m.state = State.Gone;
      q.live.delete(m.num);
    }
  }

  /** Remove a message for good, whatever its state; structures drop it lazily. */
  private removeMessage(q: SqsQueue, m: Msg): void {
    switch (m.state) {
      case State.Visible:
        q.visibleCount--;
        break;
      case State.InFlight:
        q.inFlightCount--;
        if (q.fifo && m.groupId !== undefined) {
          const g = q.groups.get(m.groupId);
          if (g) {
            g.inFlight--;
            maybeReady(q, g);
          }
        }
        break;
      case State.Delayed:
        q.delayedCount--;
        break;
      default:
        return;
    }
    m.state = State.Gone;
    q.live.delete(m.num);
    if (q.fifo && q.waiters.length) this.serveWaiters(q);
  }

  private moveToDlq(from: SqsQueue, m: Msg, dlq: SqsQueue): void {
    // Standard DLQs keep the original enqueue time (retention counts from the first send); FIFO
    // DLQs reset it [fact sheet §4 Redrive]. Receive count carries over ("across all queues").
    const moved = new Msg(
      dlq.nextNum++,
      m.messageId,
      m.body,
      m.md5OfBody,
      m.messageAttributes,
      m.md5OfMessageAttributes,
      m.awsTraceHeader,
      m.sentTimestamp,
      dlq.fifo ? this.clock.now() : m.enqueuedAt,
      m.senderId,
      m.groupId,
      // "the original message's deduplication ID will be replaced with the original message's ID"
      // (SQS developer guide, configuring DLQ redrive), so two messages sharing one stay distinct.
      dlq.fifo ? m.messageId : m.dedupId,
      dlq.fifo ? sequenceNumber(dlq.nextSeq++) : undefined,
      m.size,
    );
    moved.receiveCount = m.receiveCount;
    moved.firstReceiveTimestamp = m.firstReceiveTimestamp;
    moved.deadLetterQueueSourceArn = from.arn;
    dlq.live.set(moved.num, moved);
    dlq.byAge.push(moved);
    makeVisible(dlq, moved);
  }

  private expireDedup(q: SqsQueue, now: number): void {
    for (;;) {
      const head = q.dedupOrder.peek();
      if (!head || head.expiresAt > now) break;
      q.dedupOrder.shift();
      const cur = q.dedup.get(head.key);
      if (cur && cur.expiresAt === head.expiresAt) q.dedup.delete(head.key);
    }
    if (q.attempts.size > 1000) for (const [k, a] of q.attempts) if (a.expiresAt <= now) q.attempts.delete(k);
  }

  private serveWaiters(q: SqsQueue): void {
    while (q.waiters.length > 0 && q.visibleCount > 0) {
      const w = q.waiters.shift()!;
      if (w.done) continue;
      if (!q.fifo && q.inFlightCount >= this.limits.inFlightMaxStandard) {
        q.waiters.unshift(w);
        return;
      }
      const got = this.take(q, w.max, w.visibilityTimeout);
      if (got.length === 0) {
        q.waiters.unshift(w);
        return;
      }
      this.finishWaiter(w, got);
    }
  }

  private finishWaiter(w: Waiter, msgs: ReceivedMessage[]): void {
    if (w.done) return;
    w.done = true;
    if (w.timer) this.clock.clearTimer(w.timer);
    w.timer = undefined;
    if (w.onAbort && w.signal) w.signal.removeEventListener('abort', w.onAbort);
    w.resolve(msgs);
  }

  /** While long polls wait, keep one timer at the next due transition so they wake on time. */
  private armWake(q: SqsQueue): void {
    if (q.waiters.length === 0) return;
    const at = q.due.peekKey();
    if (at === Infinity || at >= q.wakeAt) return;
    if (q.wakeTimer) this.clock.clearTimer(q.wakeTimer);
    q.wakeAt = at;
    q.wakeTimer = this.clock.setTimer(() => {
      q.wakeTimer = undefined;
      q.wakeAt = Infinity;
      if (q.deleted) return;
      this.tick(q);
      this.serveWaiters(q);
      this.armWake(q);
    }, Math.max(0, at - this.clock.now()));
  }

  private clearTimers(q: SqsQueue): void {
    if (q.wakeTimer) this.clock.clearTimer(q.wakeTimer);
    q.wakeTimer = undefined;
    q.wakeAt = Infinity;
  }
}
