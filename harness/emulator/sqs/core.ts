/**
 * The state an SQS model's parts share: clock, limits, observers, queues by ARN, and the few
 * counters that span operations. The façade (`model.ts`) owns one; the operation modules (send,
 * receive, waiters, receipts, tick, redrive) are plain functions over it, so a hot path costs
 * direct calls, not callbacks.
 */
import type { Clock } from '../../contracts/clock.ts';
import { SQS, SQS_API } from '../../contracts/aws-facts.ts';
import type { Msg, SqsObserver, SqsQueue } from './queue.ts';

export type SqsLimits = { -readonly [K in keyof typeof SQS]: number } & { fifoApiCallsPerSecond: number };

/** The message attribute squall's poison messages carry (k6-scripts/poison.js POISON_ATTRIBUTE). */
export const POISON_MARKER = 'squall-poison';

export function isPoison(m: Msg): boolean {
  return m.messageAttributes !== undefined && m.messageAttributes[POISON_MARKER] !== undefined;
}

export class SqsCore {
  readonly limits: SqsLimits;
  readonly observers: SqsObserver[] = [];
  readonly byArn = new Map<string, SqsQueue>();
  /** Set by `close()`: long polls no longer wait. */
  closed = false;
  /** Nesting depth of sendBatch: while > 0, sends do not serve waiting receivers one by one. */
  batchDepth = 0;
  /** Serial of the last hiding (receive or visibility change), for Msg.dueGroup. */
  dueGroups = 0;
  /** The message the last `enqueue` added (its out-parameter; a field, so no tuple per message). */
  enqueued: Msg | undefined;

  constructor(
    readonly clock: Clock,
    readonly accountId: string,
    limits: Partial<SqsLimits> | undefined,
  ) {
    this.limits = { ...SQS, fifoApiCallsPerSecond: SQS_API.fifoApiCallsPerSecond, ...limits };
  }
}
