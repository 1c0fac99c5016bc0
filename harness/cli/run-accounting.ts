/**
 * The run's message accounting, wired: the emulator's ledger read at the end of the run, or "not
 * measured" on a target without one; when good messages ended in a DLQ, the simulator predicts the
 * dead-letter count again with the recommended settings, so the advice comes with its effect.
 */
import { accountFromLedger, notMeasured, withRecommendation, type MessageAccounting } from '../compare/accounting.ts';
import type { SqsLedger } from '../contracts/sqs-ledger.ts';
import type { ResolvedExperiment } from '../experiment/types.ts';
import { simulate } from '../simulator/simulate.ts';

export function runAccounting(exp: ResolvedExperiment, ledger: SqsLedger | null, o: { seed?: number; tailMs: number }): MessageAccounting | null {
  if (!ledger) {
    if (exp.expect.messages !== 'no-loss') return null;
    return notMeasured(
      exp.target.kind === 'aws'
        ? 'on an aws target SQS gives only approximate counts (ApproximateNumberOfMessages*), not a ledger of every message, and cannot tell squall\'s poison apart'
        : 'the target gave no message ledger',
      exp.expect.messagesWhenUnmeasured ?? 'fail',
    );
  }
  const a = accountFromLedger(ledger, exp);
  if (a.collateral && a.collateral.recommendation.length) {
    const dead = (e: ResolvedExperiment) => {
      const t = simulate(e, { ...(o.seed !== undefined ? { seed: o.seed } : {}), drainLimitMs: o.tailMs }).totals;
      return a.collateral!.queues.reduce((n, q) => n + (t.queues[q.queue]?.deadLettered ?? 0), 0);
    };
    a.collateral.predicted = { asConfigured: dead(exp), withRecommendation: dead(withRecommendation(exp, a.collateral.recommendation)) };
  }
  return a;
}
