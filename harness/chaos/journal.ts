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
  | { kind: 'none' };

export type JournalEntry =
  | {
      event: 'run';
      runId: string;
      target: { kind: 'emulated' | 'aws'; region: string; endpoint: string | null; profile?: string | null };
      at: string;
    }
  | { event: 'planned'; faultId: number; action: string; previous: PreviousState; change: unknown; at: string }
  | { event: 'applied'; faultId: number; action: string; detail?: unknown; at: string }
  | { event: 'restored'; faultId: number; previous: PreviousState; at: string }
  | { event: 'failed'; faultId: number; phase: 'apply' | 'restore'; error: string; at: string }
  /** A stop condition fired (chaos/stop-conditions.ts): every fault is restored right after this line. */
  | { event: 'stop-condition'; condition: string; index: number | null; atMs: number; value: number | null; then: 'stop-load' | 'continue'; at: string };

export class Journal {
  private readonly fd: number;
  constructor(readonly file: string) {
    this.fd = openSync(file, 'a');
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

/**
 * Faults whose change may be in effect: planned (and maybe applied) but not restored, newest
 * first, so that restoring in this order unwinds nested faults on one target correctly.
 */
export function outstanding(entries: JournalEntry[]): Array<{ faultId: number; action: string; previous: PreviousState }> {
  const open = new Map<number, { faultId: number; action: string; previous: PreviousState; order: number }>();
  let order = 0;
  for (const e of entries) {
    if (e.event === 'planned') open.set(e.faultId, { faultId: e.faultId, action: e.action, previous: e.previous, order: order++ });
    else if (e.event === 'restored') open.delete(e.faultId);
  }
  return [...open.values()].filter((x) => x.previous.kind !== 'none').sort((a, b) => b.order - a.order);
}
