/**
 * `GET /_squall/accounting` on the emulator: every queue's message ledger since the emulator
 * started (cumulative counts, all messages and squall's poison alone) and what each queue holds
 * right now, by state and kind — one synchronous snapshot, so counts and holdings agree. Message
 * accounting (compare/accounting.ts) reads it; a target without it (AWS: only approximate counts)
 * cannot be accounted.
 */
export const SQS_LEDGER_SCHEMA = 'squall.sqs-ledger/v1';

export interface LedgerCounts {
  sent: number;
  deleted: number;
  /** Moved from this queue to its dead-letter queue. */
  movedToDlq: number;
  expired: number;
  purged: number;
}

export interface LedgerHoldings {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface QueueLedger {
  /** The queue this one dead-letters into (its RedrivePolicy), if any. */
  deadLetterQueue: string | null;
  all: LedgerCounts;
  poison: LedgerCounts;
  holds: { all: LedgerHoldings; poison: LedgerHoldings };
}

export interface SqsLedger {
  schema: typeof SQS_LEDGER_SCHEMA;
  /** Epoch ms of the snapshot. */
  atMs: number;
  queues: Record<string, QueueLedger>;
}
