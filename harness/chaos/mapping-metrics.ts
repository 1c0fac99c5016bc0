/**
 * A mapping's event metrics (PolledEventCount, InvokedEventCount, FailedInvokeEventCount,
 * DeletedEventCount) exist only while its MetricsConfig has `EventCount`. When the user allows
 * it (`squall run --mapping-metrics`), squall turns them on for the run and off again after,
 * exactly like a fault: journaled before the change, written and read back, restored on every
 * path, and put back by `squall restore` after a hard kill.
 */
import type { TargetClients } from '../target/clients.ts';
import type { Journal } from './journal.ts';
import { describeState, resourceKey, writeVerified, type ResourceState } from './resources.ts';
import type { RestoreReport } from './timeline.ts';

/** Journal ids of these changes: above any fault's index in the file (at most 50 faults are allowed). */
export const MAPPING_METRICS_ID_BASE = 10_000;

export interface MappingMetrics {
  uuid: string;
  /** `queue->function`. */
  id: string;
  /** MetricsConfig.Metrics now. */
  metrics: string[];
}

export interface MetricsChange {
  /** What was turned on (mapping ids); empty when every mapping had EventCount already. */
  enabled: string[];
  restore(): Promise<RestoreReport>;
}

export async function enableMappingMetrics(c: TargetClients, journal: Journal, mappings: MappingMetrics[], o: { timeoutMs?: number; log?: (l: string) => void } = {}): Promise<MetricsChange> {
  const changed: Array<{ faultId: number; previous: ResourceState; target: ResourceState }> = [];
  const deadline = () => Date.now() + (o.timeoutMs ?? 30_000);
  const at = () => new Date().toISOString();
  try {
    for (const [i, m] of mappings.entries()) {
      if (m.metrics.includes('EventCount')) continue;
      const previous: ResourceState = { kind: 'event-source-metrics', uuid: m.uuid, id: m.id, metrics: [...m.metrics] };
      const target: ResourceState = { ...previous, metrics: [...m.metrics, 'EventCount'] };
      const faultId = MAPPING_METRICS_ID_BASE + i;
      journal.write({ event: 'planned', faultId, action: 'enable-mapping-metrics', resource: resourceKey(previous), previous, target, change: { metrics: target.metrics }, at: at() });
      changed.push({ faultId, previous, target });
      await writeVerified(c, target, { deadlineAt: deadline() });
      journal.write({ event: 'applied', faultId, action: 'enable-mapping-metrics', detail: { metrics: target.metrics }, at: at() });
      o.log?.(`metrics: ${describeState(target)} for the run`);
    }
  } catch (e) {
    // Put back what was changed before the failure, then let the caller report it.
    await restoreAll(c, journal, changed, deadline);
    throw e;
  }
  const enabled = mappings.filter((m) => !m.metrics.includes('EventCount')).map((m) => m.id);
  return { enabled, restore: () => restoreAll(c, journal, changed.splice(0), deadline, o.log) };
}

async function restoreAll(
  c: TargetClients,
  journal: Journal,
  changed: Array<{ faultId: number; previous: ResourceState }>,
  deadline: () => number,
  log?: (l: string) => void,
): Promise<RestoreReport> {
  const report: RestoreReport = { restored: 0, failed: [] };
  for (const x of changed.reverse()) {
    try {
      const readBack = await writeVerified(c, x.previous, { deadlineAt: deadline() });
      journal.write({ event: 'restored', faultId: x.faultId, previous: x.previous, to: x.previous, readBack, at: new Date().toISOString() });
      log?.(`metrics: ${describeState(x.previous)} again`);
      report.restored++;
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      journal.write({ event: 'failed', faultId: x.faultId, phase: 'restore', error, at: new Date().toISOString() });
      report.failed.push({ faultId: x.faultId, error });
    }
  }
  return report;
}
