/**
 * The chaos write-ahead journal (`chaos-journal.ndjson`): one line per planned, applied, restored
 * or failed action, with the value it replaced. A `planned` line holding the previous value is
 * written and fsync'd BEFORE the mutation, so that after a hard kill `squall restore` knows what
 * to put back even if the process died between the API call and the `applied` line.
 */
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

export const JOURNAL_VERSION = 1;

/** What a fault changed, captured before the change, enough to put it back. */
export type PreviousState =
  | { kind: 'reserved-concurrency'; function: string; value: number | null }
  | { kind: 'provisioned-concurrency'; function: string; qualifier: string; value: number | null }
  | { kind: 'event-source'; uuid: string; id: string; enabled: boolean; batchSize: number; maximumConcurrency: number | null }
  /** A mapping's MetricsConfig.Metrics (squall adds `EventCount` for a run on aws when allowed). */
  | { kind: 'event-source-metrics'; uuid: string; id: string; metrics: string[] }
  /** A function's memory size (`squall tune` changes it, one value after another). */
  | { kind: 'function-memory'; function: string; value: number }
  /**
   * A function's whole Environment.Variables (null: no environment), which function faults change
   * to set SQUALL_FAULTS. It may hold the user's secrets: the journal file is private (0600).
   */
  | { kind: 'function-environment'; function: string; variables: Record<string, string> | null }
  /** A function's Description (`squall tune --only-cold-starts` changes it to force new environments). */
  | { kind: 'function-description'; function: string; value: string }
  | { kind: 'none' };

export type JournalEntry =
  | {
      event: 'run';
      runId: string;
      target: { kind: 'emulated' | 'aws'; region: string; endpoint: string | null; profile?: string | null };
      /** The orchestrator's pid, so a later run can tell a live run's journal from a crashed one's. */
      pid?: number;
      at: string;
    }
  /**
   * `previous` is the resource's ORIGINAL value: the one before squall's first change to it in this
   * run (not the value the fault found, which may be another fault's). `resource` names the
   * resource; `target` is the value this fault's apply writes (the stack composed).
   */
  | { event: 'planned'; faultId: number; action: string; resource?: string; previous: PreviousState; target?: PreviousState; change: unknown; at: string }
  | { event: 'applied'; faultId: number; action: string; detail?: unknown; at: string }
  /** The fault's window ended: the resource now holds `to` (the value beneath), confirmed by `readBack`. */
  | { event: 'restored'; faultId: number; previous: PreviousState; to?: PreviousState; readBack?: PreviousState; at: string }
  | { event: 'failed'; faultId: number; phase: 'apply' | 'restore'; error: string; at: string }
  /** A stop condition fired (chaos/stop-conditions.ts): every fault is restored right after this line. */
  | { event: 'stop-condition'; condition: string; index: number | null; atMs: number; value: number | null; then: 'stop-load' | 'continue'; at: string };

export class Journal {
  private readonly fd: number;
  constructor(readonly file: string) {
    // Owner-only: a function's journaled environment may hold secrets.
    this.fd = openSync(file, 'a', 0o600);
  }
  /** Append one entry and fsync: when this returns, the line survives a crash. */
  write(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
  }
  close(): void {
    closeSync(this.fd);
  }
}

export function readJournal(file: string): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalEntry);
    } catch {
      // A torn last line (killed mid-write) carries nothing applied: the planned line before it does.
    }
  }
  return out;
}

/** A resource some fault of the journal's run may have left changed, and the value to put back. */
export interface OpenResource {
  key: string;
  /** The value before the run's first change to this resource. */
  original: Exclude<PreviousState, { kind: 'none' }>;
  /** Faults on it with a planned line and no restored line, in the order they were planned. */
  faultIds: number[];
}

/** One key per resource: two faults on the same key form a stack. */
export function resourceKey(p: Exclude<PreviousState, { kind: 'none' }>): string {
  switch (p.kind) {
    case 'reserved-concurrency':
      return `reserved-concurrency:${p.function}`;
    case 'provisioned-concurrency':
      return `provisioned-concurrency:${p.function}:${p.qualifier}`;
    case 'event-source':
      return `event-source:${p.uuid}`;
    case 'event-source-metrics':
      return `event-source-metrics:${p.uuid}`;
    case 'function-memory':
      return `function-memory:${p.function}`;
    case 'function-environment':
      return `function-environment:${p.function}`;
    case 'function-description':
      return `function-description:${p.function}`;
  }
}

/**
 * Resources that may still be changed: any with a planned-but-not-restored fault. The value to
 * put back is the `previous` of the FIRST planned line for that resource, i.e. the value before
 * squall's first change in the run; whatever faults were stacked on it, they all end there.
 */
export function openResources(entries: JournalEntry[]): OpenResource[] {
  const first = new Map<string, OpenResource>();
  const open = new Map<number, string>();
  for (const e of entries) {
    if (e.event === 'planned') {
      if (e.previous.kind === 'none') continue;
      const key = e.resource ?? resourceKey(e.previous);
      if (!first.has(key)) first.set(key, { key, original: e.previous, faultIds: [] });
      open.set(e.faultId, key);
    } else if (e.event === 'restored') open.delete(e.faultId);
  }
  for (const [id, key] of open) first.get(key)!.faultIds.push(id);
  return [...first.values()].filter((r) => r.faultIds.length > 0);
}
