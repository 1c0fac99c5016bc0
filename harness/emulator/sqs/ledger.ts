/**
 * The emulator's message ledger (contracts/sqs-ledger.ts): cumulative counts per queue from the
 * model's observer, poison counted apart through the model's `poison` events, and holdings by a
 * census of the live messages at snapshot time. Counters are plain integers per queue; nothing
 * here runs per message except an add.
 */
import { SQS_LEDGER_SCHEMA, type LedgerCounts, type SqsLedger } from '../../contracts/sqs-ledger.ts';
import type { SqsModel, SqsQueue } from './model.ts';

const zero = (): LedgerCounts => ({ sent: 0, deleted: 0, movedToDlq: 0, expired: 0, purged: 0 });

export function bindSqsLedger(model: SqsModel): { snapshot(): SqsLedger; reset(): void; unbind(): void } {
  // Keyed by queue name: a queue deleted and created again keeps one ledger, as a run sees it.
  const books = new Map<string, { all: LedgerCounts; poison: LedgerCounts }>();
  const of = (q: SqsQueue) => {
    let b = books.get(q.name);
    if (!b) books.set(q.name, (b = { all: zero(), poison: zero() }));
    return b;
  };
  const unbind = model.observe({
    queueCreated: (q) => void of(q),
    sent: (q, n) => void (of(q).all.sent += n),
    deleted: (q, n) => void (of(q).all.deleted += n),
    movedToDlq: (q, _dlq, n) => void (of(q).all.movedToDlq += n),
    expired: (q, n) => void (of(q).all.expired += n),
    purged: (q, n) => void (of(q).all.purged += n),
    poison: (q, what, n) => {
      const p = of(q).poison;
      if (what === 'moved') p.movedToDlq += n;
      else p[what] += n;
    },
  });
  return {
    unbind,
    // `POST /_squall/reset` starts a fresh account: the books start again with it.
    reset: () => books.clear(),
    snapshot() {
      const queues: SqsLedger['queues'] = {};
      const live = new Map(model.listQueues().map((q) => [q.name, q] as const));
      for (const [name, b] of books) {
        const q = live.get(name);
        const c = q ? model.census(q) : { visible: 0, inFlight: 0, delayed: 0, poisonVisible: 0, poisonInFlight: 0, poisonDelayed: 0 };
        const dlqArn = q?.config.RedrivePolicy?.deadLetterTargetArn;
        const dlq = dlqArn ? model.listQueues().find((x) => x.arn === dlqArn) : undefined;
        queues[name] = {
          deadLetterQueue: dlq?.name ?? null,
          all: { ...b.all },
          poison: { ...b.poison },
          holds: {
            all: { visible: c.visible, inFlight: c.inFlight, delayed: c.delayed },
            poison: { visible: c.poisonVisible, inFlight: c.poisonInFlight, delayed: c.poisonDelayed },
          },
        };
      }
      return { schema: SQS_LEDGER_SCHEMA, atMs: Math.round(model.clock.epochMs()), queues };
    },
  };
}
