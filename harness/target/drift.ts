/**
 * Drift: where what is deployed differs from what the experiment says. The table is printed before
 * a run; the prediction is made from what is really deployed (the experiment with the deployed
 * values put in), because predicting a system that is not there would compare against fiction.
 */
import type { ResolvedExperiment } from '../experiment/types.ts';
import type { DeployedSystem } from './deployed.ts';

export interface DriftRow {
  /** `function orders`, `queue jobs`, `mapping jobs->worker`, `account`. */
  resource: string;
  /** The experiment's field name: `memoryMB`, `visibilityTimeoutSeconds`, … */
  field: string;
  experiment: string;
  deployed: string;
}

const show = (v: unknown): string => (v === null || v === undefined ? 'none' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function driftRows(exp: ResolvedExperiment, d: DeployedSystem): DriftRow[] {
  const rows: DriftRow[] = [];
  const cmp = (resource: string, field: string, want: unknown, have: unknown) => {
    if (have === undefined) return;
    if (show(want) !== show(have)) rows.push({ resource, field, experiment: show(want), deployed: show(have) });
  };
  if (d.account.concurrencyLimit !== null) cmp('account', 'concurrencyLimit', exp.system.account.concurrencyLimit, d.account.concurrencyLimit);
  for (const f of Object.values(exp.system.functions)) {
    const g = d.functions[f.name];
    if (!g) continue;
    cmp(`function ${f.name}`, 'memoryMB', f.memoryMB, g.memoryMB);
    cmp(`function ${f.name}`, 'timeoutSeconds', f.timeoutSeconds, g.timeoutSeconds);
    cmp(`function ${f.name}`, 'reservedConcurrency', f.reservedConcurrency, g.reservedConcurrency);
    if (g.provisionedConcurrency !== null) cmp(`function ${f.name}`, 'provisionedConcurrency', f.provisionedConcurrency, g.provisionedConcurrency);
  }
  for (const q of Object.values(exp.system.queues)) {
    const g = d.queues[q.name];
    if (!g) continue;
    cmp(`queue ${q.name}`, 'visibilityTimeoutSeconds', q.visibilityTimeoutSeconds, g.visibilityTimeoutSeconds);
    cmp(`queue ${q.name}`, 'redrive', q.redrive, g.redrive);
  }
  for (const es of exp.system.eventSources) {
    const g = d.eventSources[es.id];
    if (!g) continue;
    cmp(`mapping ${es.id}`, 'batchSize', es.batchSize, g.batchSize);
    cmp(`mapping ${es.id}`, 'maximumBatchingWindowSeconds', es.maximumBatchingWindowSeconds, g.maximumBatchingWindowSeconds);
    cmp(`mapping ${es.id}`, 'maximumConcurrency', es.maximumConcurrency, g.maximumConcurrency);
    cmp(`mapping ${es.id}`, 'reportBatchItemFailures', es.reportBatchItemFailures, g.reportBatchItemFailures);
    cmp(`mapping ${es.id}`, 'enabled', es.enabled, g.enabled);
  }
  return rows;
}

/** A fixed-width table, or one line saying there is no drift. */
export function formatDriftTable(rows: DriftRow[]): string {
  if (!rows.length) return 'drift: none (the deployed configuration matches the experiment)\n';
  const head: DriftRow = { resource: 'resource', field: 'field', experiment: 'experiment', deployed: 'deployed (used for the prediction)' };
  const all = [head, ...rows];
  const w = (k: keyof DriftRow) => Math.max(...all.map((r) => r[k].length));
  const line = (r: DriftRow) => `  ${r.resource.padEnd(w('resource'))}  ${r.field.padEnd(w('field'))}  ${r.experiment.padEnd(w('experiment'))}  ${r.deployed}`;
  return `drift: ${rows.length} difference(s) between the experiment and what is deployed\n${all.map(line).join('\n')}\n`;
}

/** The experiment with every deployed value put in: what the simulator should predict. */
export function withDeployed(exp: ResolvedExperiment, d: DeployedSystem): ResolvedExperiment {
  const out = structuredClone(exp);
  if (d.account.concurrencyLimit !== null) out.system.account.concurrencyLimit = d.account.concurrencyLimit;
  for (const f of Object.values(out.system.functions)) {
    const g = d.functions[f.name];
    if (!g) continue;
    f.memoryMB = g.memoryMB;
    f.timeoutSeconds = g.timeoutSeconds;
    f.reservedConcurrency = g.reservedConcurrency;
    if (g.provisionedConcurrency !== null) f.provisionedConcurrency = g.provisionedConcurrency;
  }
  for (const q of Object.values(out.system.queues)) {
    const g = d.queues[q.name];
    if (!g) continue;
    q.visibilityTimeoutSeconds = g.visibilityTimeoutSeconds;
    q.redrive = g.redrive && out.system.queues[g.redrive.deadLetterQueue] ? g.redrive : q.redrive && !g.redrive ? null : q.redrive;
  }
  for (const es of out.system.eventSources) {
    const g = d.eventSources[es.id];
    if (!g) continue;
    es.batchSize = g.batchSize;
    es.maximumBatchingWindowSeconds = g.maximumBatchingWindowSeconds;
    es.maximumConcurrency = g.maximumConcurrency;
    es.reportBatchItemFailures = g.reportBatchItemFailures;
    es.enabled = g.enabled;
  }
  return out;
}
