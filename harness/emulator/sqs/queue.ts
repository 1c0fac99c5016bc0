/**
 * What the SQS model is made of: a message as the model stores it (`Msg`), a queue with its
 * visible set, FIFO groups, due-time heap, long-poll waiters and move tasks (`SqsQueue`), and the
 * shapes callers exchange with the model (send input and result, received message, receive
 * options, observers). No rules live here: sqs/model.ts applies them.
 */
import type { TimerHandle } from '../../contracts/clock.ts';
import { Deque } from '../deque.ts';
import { MinHeap } from '../heap.ts';
import type { MessageAttributes } from './md5.ts';
import type { QueueConfig } from './queue-config.ts';

export enum State {
  Delayed = 1,
  Visible = 2,
  InFlight = 3,
  Gone = 4,
}

/** One message as the model stores it. Internal: callers get `ReceivedMessage` copies. */
export class Msg {
  state: State = State.Visible;
  /** clock.now() when the next transition is due (delay end or visibility expiry). */
  dueAt = 0;
  receiveCount = 0;
  firstReceiveTimestamp = 0;
  /** Bumped on every receive: only the latest receipt handle acts. */
  receiveSerial = 0;
  /** clock.now() of the latest receive: the 12 h visibility cap counts from it. */
  receivedAt = 0;
  /**
   * Which hiding its `dueAt` ends (a receive, a visibility change; 0 for a send's delay) and its
   * place in it: messages hidden by different receives reappear one receive at a time (tick).
   */
  dueGroup = 0;
  dueIndex = 0;
  deadLetterQueueSourceArn: string | undefined;
  constructor(
    readonly num: number,
    readonly messageId: string,
    readonly body: string,
    readonly md5OfBody: string,
    readonly messageAttributes: MessageAttributes | undefined,
    readonly md5OfMessageAttributes: string | undefined,
    readonly awsTraceHeader: string | undefined,
    /** Epoch ms, as AWS reports `SentTimestamp`. */
    readonly sentTimestamp: number,
    /** clock.now() of enqueue, for retention and age (kept across a standard DLQ move). */
    public enqueuedAt: number,
    readonly senderId: string,
    readonly groupId: string | undefined,
    readonly dedupId: string | undefined,
    public sequenceNumber: string | undefined,
    readonly size: number,
  ) {}
}

/** What a receive hands out: a snapshot, safe to keep while the message lives on in the queue. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  messageAttributes: MessageAttributes | undefined;
  md5OfMessageAttributes: string | undefined;
  /** System attributes, already as the strings AWS sends (`ApproximateReceiveCount`, `SentTimestamp`, …). */
  attributes: Record<string, string>;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  /** Only `AWSTraceHeader` is allowed (MessageSystemAttributeNameForSends). */
  messageSystemAttributes?: MessageAttributes;
  messageDeduplicationId?: string;
  messageGroupId?: string;
  senderId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes: string | undefined;
  md5OfMessageSystemAttributes: string | undefined;
  sequenceNumber: string | undefined;
}

export interface ReceiveOptions {
  /** 1–10, default 1. */
  maxNumberOfMessages?: number;
  /** Seconds; default the queue's VisibilityTimeout. */
  visibilityTimeout?: number;
  /** Seconds of long polling; default the queue's ReceiveMessageWaitTimeSeconds. */
  waitTimeSeconds?: number;
  /** Stops waiting (answers with what it has: nothing). */
  signal?: AbortSignal;
  /** FIFO ReceiveRequestAttemptId: a retried attempt gets the same messages back. */
  receiveRequestAttemptId?: string;
}

/**
 * Observers see every state change that metrics count; all calls are synchronous and must be
 * cheap. The frame binds one to `Metrics`; Lambda's mappings may add their own.
 */
export interface SqsObserver {
  queueCreated?(q: SqsQueue): void;
  queueDeleted?(q: SqsQueue): void;
  sent?(q: SqsQueue, n: number): void;
  received?(q: SqsQueue, n: number): void;
  deleted?(q: SqsQueue, n: number): void;
  movedToDlq?(from: SqsQueue, to: SqsQueue, n: number): void;
  /** Messages dropped because their retention period ended. */
  expired?(q: SqsQueue, n: number): void;
  /** Messages removed by PurgeQueue. */
  purged?(q: SqsQueue, n: number): void;
  /** A receive refused with OverLimit (too many messages in flight). */
  overLimit?(q: SqsQueue): void;
  /** A request refused with RequestThrottled (FIFO API rate). */
  throttled?(q: SqsQueue, action: FifoAction): void;
  /**
   * The same events again, for messages carrying squall's poison marker only (message accounting
   * by kind). `moved` counts on the source queue, as `movedToDlq` does.
   */
  poison?(q: SqsQueue, what: 'sent' | 'deleted' | 'moved' | 'expired' | 'purged', n: number): void;
}

/** The API actions a FIFO queue rate-limits separately (a batch call counts as its base action). */
export type FifoAction = 'send' | 'receive' | 'delete' | 'changeVisibility';

export interface Group {
  readonly id: string;
  readonly msgs: Deque<Msg>;
  inFlight: number;
  ready: boolean;
}

export interface Waiter {
  max: number;
  visibilityTimeout: number;
  resolve: (msgs: ReceivedMessage[]) => void;
  timer: TimerHandle | undefined;
  done: boolean;
  onAbort: (() => void) | undefined;
  signal: AbortSignal | undefined;
}

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export interface MoveTask {
  taskHandle: string;
  status: MoveTaskStatus;
  sourceArn: string;
  destinationArn: string | undefined;
  maxNumberOfMessagesPerSecond: number | undefined;
  approximateNumberOfMessagesMoved: number;
  approximateNumberOfMessagesToMove: number;
  failureReason: string | undefined;
  /** Epoch ms. */
  startedTimestamp: number;
  timer: TimerHandle | undefined;
}

export class SqsQueue {
  readonly fifo: boolean;
  config: QueueConfig;
  readonly tags = new Map<string, string>();
  /** Seconds since epoch (AWS reports queue timestamps in seconds). */
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  deleted = false;

  // Counts behind the Approximate* attributes.
  visibleCount = 0;
  inFlightCount = 0;
  delayedCount = 0;

  /** @internal */ readonly visible = new Deque<Msg>();
  /** @internal */ readonly groups = new Map<string, Group>();
  /** @internal */ readonly readyGroups = new Deque<Group>();
  /** @internal */ readonly live = new Map<number, Msg>();
  /** @internal */ readonly due = new MinHeap<Msg>();
  /** @internal Messages in enqueue order, for retention and the oldest message's age. */
  readonly byAge = new Deque<Msg>();
  /** @internal */ readonly waiters = new Deque<Waiter>();
  /** @internal */ wakeTimer: TimerHandle | undefined;
  /** @internal */ wakeAt = Infinity;
  /** @internal */ nextNum = 1;
  /** @internal */ nextSeq = 1;
  /** @internal FIFO dedup: key → original send result, with expiry queue. */
  readonly dedup = new Map<string, { result: SendResult; expiresAt: number }>();
  /** @internal */ readonly dedupOrder = new Deque<{ key: string; expiresAt: number }>();
  /** @internal FIFO ReceiveRequestAttemptId → the answer given. */
  readonly attempts = new Map<string, { msgs: ReceivedMessage[]; nums: number[]; serials: number[]; expiresAt: number }>();
  /** @internal FIFO API rate: one token bucket per action. */
  readonly buckets = new Map<FifoAction, { tokens: number; at: number }>();
  /** @internal clock.now() of the last PurgeQueue. */
  lastPurgeAt = -Infinity;
  readonly moveTasks: MoveTask[] = [];

  constructor(
    readonly uid: number,
    readonly name: string,
    readonly arn: string,
    config: QueueConfig,
    createdEpochMs: number,
  ) {
    this.fifo = config.FifoQueue;
    this.config = config;
    this.createdTimestamp = Math.floor(createdEpochMs / 1000);
    this.lastModifiedTimestamp = this.createdTimestamp;
  }

  /** clock.now() age in seconds of the oldest message still in the queue (0 when empty). */
  oldestAgeSeconds(now: number): number {
    let head = this.byAge.peek();
    while (head && head.state === State.Gone) {
      this.byAge.shift();
      head = this.byAge.peek();
    }
    return head ? Math.max(0, Math.floor((now - head.enqueuedAt) / 1000)) : 0;
  }
}

