/**
 * Accounting of every SQS message a run sent, by kind (good, or squall's poison with its marker
 * attribute) × outcome (processed, dead-lettered, still queued, in flight, expired, lost), from the
 * target's message ledger (contracts/sqs-ledger.ts). Each kind must add up: sent = processed +
 * dead-lettered + queued + in flight + expired + lost, and what the source queues moved to their
 * DLQs must be what the DLQs received. Good messages in a DLQ are collateral: the throttle→DLQ
 * trap's diagnosis and the settings that avoid it go with them. A target without a ledger (AWS
 * reports only approximate counts, and not by kind) is "not measured", never "lost 0".
 */
import { ESM } from '../contracts/aws-facts.ts';
import type { LedgerCounts, SqsLedger } from '../contracts/sqs-ledger.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';

export interface KindOutcomes {
  sent: number;
  /** Deleted from a source queue (a consumer finished it). */
  processed: number;
  /** In a dead-letter queue at the end, or deleted from one. */
  deadLettered: number;
  /** Visible or delayed in a source queue at the end. */
  queued: number;
  inFlight: number;
  /** Dropped by retention or PurgeQueue. */
  expired: number;
  /** sent minus every outcome above: messages that vanished (negative: counted twice). */
  lost: number;
}

export interface Collateral {
  /** Good messages (no poison marker) that ended in a DLQ. */
  goodMessages: number;
  /** Source queue → DLQ pairs where they ended, with how many. */
  queues: Array<{ queue: string; deadLetterQueue: string; goodMessages: number }>;
  diagnosis: string;
  recommendation: Recommendation[];
  /** The simulator's dead-letter count for the experiment as it is and with the recommendation applied. */
  predicted?: { asConfigured: number; withRecommendation: number };
}

export interface Recommendation {
  /** Where to change it, e.g. `system.queues.jobs.redrive.maxReceiveCount`. */
  field: string;
  current: number | null;
  recommended: number;
  why: string;
}

export type MessageAccounting =
  | (KindOutcomes & {
      /** The outcomes above are the totals over both kinds. */
      measured: true;
      byKind: { good: KindOutcomes; poison: KindOutcomes };
      /** What the source queues moved to their DLQs, and what the DLQs got and kept. */
      dlq: { movedToDlq: number; sentDirectly: number; holds: number; deletedFromDlq: number; expiredFromDlq: number; agrees: boolean };
      collateral: Collateral | null;
      perQueue: SqsLedger['queues'];
      ok: boolean;
    })
  | {
      measured: false;
      /** Why the target cannot be accounted. */
      reason: string;
      /** `expect.messagesWhenUnmeasured`: warn passes, fail fails. */
      policy: 'warn' | 'fail';
      ok: boolean;
    };

const sumHold = (h: { visible: number; inFlight: number; delayed: number }) => h.visible + h.inFlight + h.delayed;
const minus = (a: LedgerCounts, b: LedgerCounts): LedgerCounts => ({ sent: a.sent - b.sent, deleted: a.deleted - b.deleted, movedToDlq: a.movedToDlq - b.movedToDlq, expired: a.expired - b.expired, purged: a.purged - b.purged });

/** The accounting of a ledger; `experiment` (optional) lets the collateral name the settings to change. */
export function accountFromLedger(ledger: SqsLedger, experiment?: ResolvedExperiment): MessageAccounting & { measured: true } {
  const dlqs = new Set<string>();
  for (const q of Object.values(ledger.queues)) if (q.deadLetterQueue) dlqs.add(q.deadLetterQueue);

  const kind = (poison: boolean): KindOutcomes => {
    const o: KindOutcomes = { sent: 0, processed: 0, deadLettered: 0, queued: 0, inFlight: 0, expired: 0, lost: 0 };
    for (const [name, q] of Object.entries(ledger.queues)) {
      const c = poison ? q.poison : minus(q.all, q.poison);
      const h = poison ? q.holds.poison : { visible: q.holds.all.visible - q.holds.poison.visible, inFlight: q.holds.all.inFlight - q.holds.poison.inFlight, delayed: q.holds.all.delayed - q.holds.poison.delayed };
      o.sent += c.sent;
      o.expired += c.expired + c.purged;
      if (dlqs.has(name)) {
        o.deadLettered += sumHold(h) + c.deleted;
      } else {
        o.processed += c.deleted;
        o.queued += h.visible + h.delayed;
        o.inFlight += h.inFlight;
      }
    }
    o.lost = o.sent - o.processed - o.deadLettered - o.queued - o.inFlight - o.expired;
    return o;
  };
  const good = kind(false);
  const poison = kind(true);

  let movedToDlq = 0;
  let sentDirectly = 0;
  let holds = 0;
  let deletedFromDlq = 0;
  let expiredFromDlq = 0;
  for (const [name, q] of Object.entries(ledger.queues)) {
    movedToDlq += q.all.movedToDlq;
    if (!dlqs.has(name)) continue;
    sentDirectly += q.all.sent;
    holds += sumHold(q.holds.all);
    deletedFromDlq += q.all.deleted;
    expiredFromDlq += q.all.expired + q.all.purged;
  }
  // A DLQ that itself dead-letters (a chain) passes messages on: count what it moved out as kept.
  let movedOnward = 0;
  for (const name of dlqs) movedOnward += ledger.queues[name]?.all.movedToDlq ?? 0;
  const agrees = movedToDlq - movedOnward + sentDirectly === holds + deletedFromDlq + expiredFromDlq;

  const total = (k: keyof KindOutcomes) => good[k] + poison[k];
  const collateral = good.deadLettered > 0 ? collateralOf(ledger, dlqs, experiment) : null;
  return {
    measured: true,
    sent: total('sent'),
    processed: total('processed'),
    deadLettered: total('deadLettered'),
    queued: total('queued'),
    inFlight: total('inFlight'),
    expired: total('expired'),
    lost: total('lost'),
    byKind: { good, poison },
    dlq: { movedToDlq, sentDirectly, holds, deletedFromDlq, expiredFromDlq, agrees },
    collateral,
    perQueue: ledger.queues,
    ok: good.lost === 0 && poison.lost === 0 && agrees,
  };
}

export function notMeasured(reason: string, policy: 'warn' | 'fail'): MessageAccounting & { measured: false } {
  return { measured: false, reason, policy, ok: policy === 'warn' };
}

function collateralOf(ledger: SqsLedger, dlqs: Set<string>, exp: ResolvedExperiment | undefined): Collateral {
  const queues: Collateral['queues'] = [];
  for (const [name, q] of Object.entries(ledger.queues)) {
    if (!q.deadLetterQueue || dlqs.has(name)) continue;
    const d = ledger.queues[q.deadLetterQueue];
    if (!d) continue;
    const good = sumHold(d.holds.all) - sumHold(d.holds.poison) + (d.all.deleted - d.poison.deleted);
    if (good > 0) queues.push({ queue: name, deadLetterQueue: q.deadLetterQueue, goodMessages: good });
  }
  const goodMessages = queues.reduce((a, b) => a + b.goodMessages, 0);
  return {
    goodMessages,
    queues,
    diagnosis:
      'the throttle→DLQ trap: a batch the event source mapping could not invoke (function throttled) returns to the queue when its visibility timeout ends, and that receive counts toward maxReceiveCount, so messages that never failed are dead-lettered (shared/reference/aws-lambda-sqs-facts.md §3.5)',
    recommendation: exp ? recommend(exp, queues.map((q) => q.queue)) : [],
  };
}

/**
 * AWS's advice against the trap, for the queues that lost good messages and the mappings that
 * read them (aws-lambda-sqs-facts.md §3.2, §3.5; aws-facts.ts ESM): maxReceiveCount ≥ 5,
 * visibility timeout ≥ 6 × the function timeout, and a mapping's maximum concurrency no higher
 * than the function's reserved concurrency (so the mapping never invokes into a throttle).
 */
export function recommend(exp: ResolvedExperiment, queues: readonly string[]): Recommendation[] {
  const out: Recommendation[] = [];
  for (const name of queues) {
    const q = exp.system.queues[name];
    if (!q) continue;
    if (q.redrive && q.redrive.maxReceiveCount < ESM.recommendedMinimumMaxReceiveCount) {
      out.push({ field: `system.queues.${name}.redrive.maxReceiveCount`, current: q.redrive.maxReceiveCount, recommended: ESM.recommendedMinimumMaxReceiveCount, why: 'a throttled batch counts as a receive; leave room for retries' });
    }
    exp.system.eventSources.forEach((es, i) => {
      if (es.queue !== name) return;
      const fn = exp.system.functions[es.function];
      if (!fn) return;
      const vt = ESM.recommendedVisibilityTimeoutFactor * fn.timeoutSeconds;
      if (q.visibilityTimeoutSeconds < vt) {
        out.push({ field: `system.queues.${name}.visibilityTimeoutSeconds`, current: q.visibilityTimeoutSeconds, recommended: vt, why: `AWS: at least ${ESM.recommendedVisibilityTimeoutFactor} × the function timeout (${fn.timeoutSeconds} s), so Lambda can retry a throttled batch` });
      }
      const reserved = fn.reservedConcurrency;
      if (reserved !== null && reserved >= ESM.maximumConcurrencyMin && (es.maximumConcurrency === null || es.maximumConcurrency > reserved)) {
        out.push({ field: `system.eventSources[${i}].maximumConcurrency`, current: es.maximumConcurrency, recommended: reserved, why: `no more concurrent batches than ${es.function}'s reserved concurrency (${reserved}), so the mapping does not invoke into throttles` });
      }
    });
  }
  return out;
}

/** The experiment with the recommendation applied (for the simulator to back it). */
export function withRecommendation(exp: ResolvedExperiment, recs: readonly Recommendation[]): ResolvedExperiment {
  const copy = structuredClone(exp);
  for (const r of recs) {
    let m = /^system\.queues\.(.+)\.redrive\.maxReceiveCount$/.exec(r.field);
    if (m && copy.system.queues[m[1]!]?.redrive) copy.system.queues[m[1]!]!.redrive!.maxReceiveCount = r.recommended;
    m = /^system\.queues\.(.+)\.visibilityTimeoutSeconds$/.exec(r.field);
    if (m && copy.system.queues[m[1]!]) copy.system.queues[m[1]!]!.visibilityTimeoutSeconds = r.recommended;
    m = /^system\.eventSources\[(\d+)\]\.maximumConcurrency$/.exec(r.field);
    if (m && copy.system.eventSources[Number(m[1])]) copy.system.eventSources[Number(m[1])]!.maximumConcurrency = r.recommended;
  }
  return copy;
}

/** One line per kind that adds up as written, e.g. `sent 4000 = processed 3800 + dead-lettered 185 + queued 15 + in flight 0 + lost 0`. */
export function formatOutcomes(o: KindOutcomes | (MessageAccounting & { measured: true })): string {
  return `sent ${o.sent} = processed ${o.processed} + dead-lettered ${o.deadLettered} + queued ${o.queued} + in flight ${o.inFlight}${o.expired ? ` + expired ${o.expired}` : ''} + lost ${o.lost}`;
}
