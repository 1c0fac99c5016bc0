/**
 * Binds the SQS model to the emulator's metrics: one observer turns model events into the
 * `sqs.*` counters, and per-queue gauges sample the Approximate* counts once per step. Counter
 * handles are created once per queue, so the hot path only adds integers.
 */
import type { Counter, Metrics } from '../metrics.ts';
import type { SqsModel, SqsQueue } from './model.ts';

interface QueueMeters {
  sent: Counter;
  received: Counter;
  deleted: Counter;
  movedToDlq: Counter;
  throttled: Counter;
  expired: Counter;
  purged: Counter;
  stop: Array<() => void>;
}

export function bindSqsMetrics(model: SqsModel, metrics: Metrics): () => void {
  const meters = new Map<SqsQueue, QueueMeters>();
  const of = (q: SqsQueue): QueueMeters => {
    let m = meters.get(q);
    if (!m) {
      const labels = { queue: q.name };
      m = {
        sent: metrics.counter('sqs.sent', labels),
        received: metrics.counter('sqs.received', labels),
        deleted: metrics.counter('sqs.deleted', labels),
        movedToDlq: metrics.counter('sqs.moved_to_dlq', labels),
        throttled: metrics.counter('sqs.throttled', labels),
        expired: metrics.counter('sqs.expired', labels),
        purged: metrics.counter('sqs.purged', labels),
        stop: [
          // The first gauge applies due transitions so the counts are current even with no traffic.
          metrics.gauge('sqs.visible', labels, () => {
            if (!q.deleted) model.tick(q);
            return q.visibleCount;
          }),
          metrics.gauge('sqs.in_flight', labels, () => q.inFlightCount),
          metrics.gauge('sqs.delayed', labels, () => q.delayedCount),
          metrics.gauge('sqs.oldest_age_seconds', labels, () => q.oldestAgeSeconds(model.clock.now())),
        ],
      };
      meters.set(q, m);
    }
    return m;
  };
  return model.observe({
    queueCreated: (q) => void of(q),
    queueDeleted: (q) => {
      const m = meters.get(q);
      if (m) for (const stop of m.stop) stop();
      meters.delete(q);
    },
    sent: (q, n) => of(q).sent.add(n),
    received: (q, n) => of(q).received.add(n),
    deleted: (q, n) => of(q).deleted.add(n),
    movedToDlq: (q, _dlq, n) => of(q).movedToDlq.add(n),
    throttled: (q) => of(q).throttled.add(1),
    overLimit: (q) => of(q).throttled.add(1),
    expired: (q, n) => of(q).expired.add(n),
    purged: (q, n) => of(q).purged.add(n),
  });
}
