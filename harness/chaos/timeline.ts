/**
 * The fault timeline of one run: applies each fault at its `at` on the load's clock, restores it
 * at the end of its `for`, and on `finish()` (normal end, error, or signal) restores everything
 * still changed, newest first. Every step goes through the journal first. Operations run one at a
 * time in timeline order, so a restore never races the apply it undoes.
 */
import type { Clock, TimerHandle } from '../contracts/clock.ts';
import type { ResolvedFault } from '../experiment/types.ts';
import type { TargetClients } from '../target/clients.ts';
import { apply, capture, restore } from './actions.ts';
import { outstanding, readJournal, type Journal, type JournalEntry, type PreviousState } from './journal.ts';

export interface ChaosEvent {
  atMs: number;
  faultId: number;
  what: 'applied' | 'restored' | 'failed' | 'poison';
  detail: string;
}

export interface TimelineOptions {
  faults: ResolvedFault[];
  clients: TargetClients;
  journal: Journal;
  clock: Clock;
  runId: string;
  onEvent?: (e: ChaosEvent) => void;
}

export interface RestoreReport {
  restored: number;
  failed: Array<{ faultId: number; error: string }>;
}

const POISON_TICK_MS = 100;

export class ChaosTimeline {
  private readonly timers: TimerHandle[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly active = new Map<number, PreviousState>();
  private readonly order: number[] = [];
  private startedAt = 0;
  private finished = false;
  readonly events: ChaosEvent[] = [];

  constructor(private readonly o: TimelineOptions) {}

  start(): void {
    this.startedAt = this.o.clock.now();
    for (const f of this.o.faults) {
      if (f.action === 'inject-poison') this.schedulePoison(f);
      else {
        this.at(f.atMs, () => this.applyFault(f));
        if (f.forMs !== null) this.at(f.atMs + f.forMs, () => this.restoreFault(f.id));
      }
    }
  }

  /** Resolves when every operation started so far has finished (tests, progress output). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Fault ids currently in effect, oldest first. */
  activeFaults(): number[] {
    return this.order.filter((id) => this.active.has(id));
  }

  /** Cancel what has not started, wait for what has, then restore every fault still in effect. */
  async finish(): Promise<RestoreReport> {
    this.finished = true;
    for (const t of this.timers) this.o.clock.clearTimer(t);
    await this.chain;
    const report: RestoreReport = { restored: 0, failed: [] };
    for (const id of [...this.order].reverse()) {
      if (!this.active.has(id)) continue;
      const err = await this.restoreNow(id);
      if (err) report.failed.push({ faultId: id, error: err });
      else report.restored++;
    }
    return report;
  }

  private at(offsetMs: number, op: () => Promise<void>): void {
    const delay = Math.max(0, this.startedAt + offsetMs - this.o.clock.now());
    this.timers.push(
      this.o.clock.setTimer(() => {
        if (this.finished) return;
        this.chain = this.chain.then(op, op);
      }, delay),
    );
  }

  private emit(faultId: number, what: ChaosEvent['what'], detail: string): void {
    const e = { atMs: this.o.clock.now() - this.startedAt, faultId, what, detail };
    this.events.push(e);
    this.o.onEvent?.(e);
  }

  private stamp(): string {
    return new Date(this.o.clock.epochMs()).toISOString();
  }

  private async applyFault(f: ResolvedFault): Promise<void> {
    try {
      const previous = await capture(this.o.clients, f);
      const change = { ...f };
      this.o.journal.write({ event: 'planned', faultId: f.id, action: f.action, previous, change, at: this.stamp() });
      this.active.set(f.id, previous);
      this.order.push(f.id);
      const detail = await apply(this.o.clients, f, previous, { runId: this.o.runId });
      this.o.journal.write({ event: 'applied', faultId: f.id, action: f.action, detail, at: this.stamp() });
      this.emit(f.id, 'applied', describeFault(f));
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.o.journal.write({ event: 'failed', faultId: f.id, phase: 'apply', error, at: this.stamp() });
      this.emit(f.id, 'failed', `apply ${f.action}: ${error}`);
    }
  }

  private async restoreFault(id: number): Promise<void> {
    if (this.active.has(id)) await this.restoreNow(id);
  }

  private async restoreNow(id: number): Promise<string | null> {
    const previous = this.active.get(id)!;
    try {
      await restore(this.o.clients, previous);
      this.o.journal.write({ event: 'restored', faultId: id, previous, at: this.stamp() });
      this.active.delete(id);
      this.emit(id, 'restored', describePrevious(previous));
      return null;
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.o.journal.write({ event: 'failed', faultId: id, phase: 'restore', error, at: this.stamp() });
      this.emit(id, 'failed', `restore: ${error}`);
      return error;
    }
  }

  /** Poison is sent, not restored: spread evenly over the window in ticks of 100 ms. */
  private schedulePoison(f: Extract<ResolvedFault, { action: 'inject-poison' }>): void {
    const windowMs = f.forMs ?? 0;
    const total = f.count ?? Math.round(((f.ratePerSecond ?? 0) * windowMs) / 1000);
    if (total <= 0) return;
    const perTick = new Map<number, number>();
    for (let i = 0; i < total; i++) {
      const t = windowMs > 0 ? Math.floor((f.atMs + (i * windowMs) / total) / POISON_TICK_MS) * POISON_TICK_MS : f.atMs;
      perTick.set(t, (perTick.get(t) ?? 0) + 1);
    }
    let first = true;
    for (const [t, n] of perTick) {
      const isFirst = first;
      first = false;
      this.at(t, async () => {
        try {
          if (isFirst) this.o.journal.write({ event: 'planned', faultId: f.id, action: f.action, previous: { kind: 'none' }, change: { ...f, total }, at: this.stamp() });
          const r = await apply(this.o.clients, f, { kind: 'none' }, { runId: this.o.runId, poisonCount: n });
          this.o.journal.write({ event: 'applied', faultId: f.id, action: f.action, detail: r, at: this.stamp() });
          this.emit(f.id, 'poison', `${n} ${f.kind} poison message(s) to ${f.queue}`);
        } catch (e) {
          const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          this.o.journal.write({ event: 'failed', faultId: f.id, phase: 'apply', error, at: this.stamp() });
          this.emit(f.id, 'failed', `inject-poison: ${error}`);
        }
      });
    }
  }
}

export function describeFault(f: ResolvedFault): string {
  switch (f.action) {
    case 'set-reserved-concurrency':
      return `reserved concurrency of ${f.function} set to ${f.value}`;
    case 'remove-reserved-concurrency':
      return `reserved concurrency of ${f.function} removed`;
    case 'set-provisioned-concurrency':
      return `provisioned concurrency of ${f.function} set to ${f.value}`;
    case 'disable-event-source':
      return `event source ${f.eventSource} disabled`;
    case 'enable-event-source':
      return `event source ${f.eventSource} enabled`;
    case 'update-event-source':
      return `event source ${f.eventSource} updated${f.batchSize !== null ? ` (batch size ${f.batchSize})` : ''}${f.maximumConcurrency !== null ? ` (maximum concurrency ${f.maximumConcurrency})` : ''}`;
    case 'inject-poison':
      return `poison (${f.kind}) into ${f.queue}`;
  }
}

function describePrevious(p: PreviousState): string {
  switch (p.kind) {
    case 'reserved-concurrency':
      return `reserved concurrency of ${p.function} back to ${p.value ?? 'none'}`;
    case 'provisioned-concurrency':
      return `provisioned concurrency of ${p.function}:${p.qualifier} back to ${p.value ?? 'none'}`;
    case 'event-source':
      return `event source ${p.id} back to ${p.enabled ? 'enabled' : 'disabled'}, batch size ${p.batchSize}`;
    case 'none':
      return 'nothing to restore';
  }
}

/** `squall restore`: put back everything a crashed run's journal says may still be changed. */
export async function restoreFromJournal(file: string, clients: TargetClients, journal?: Journal): Promise<RestoreReport & { pending: number }> {
  const entries: JournalEntry[] = readJournal(file);
  const todo = outstanding(entries);
  const report: RestoreReport & { pending: number } = { restored: 0, failed: [], pending: todo.length };
  for (const t of todo) {
    try {
      await restore(clients, t.previous);
      journal?.write({ event: 'restored', faultId: t.faultId, previous: t.previous, at: new Date().toISOString() });
      report.restored++;
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      journal?.write({ event: 'failed', faultId: t.faultId, phase: 'restore', error, at: new Date().toISOString() });
      report.failed.push({ faultId: t.faultId, error });
    }
  }
  return report;
}
