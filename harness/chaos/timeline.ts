/**
 * The fault timeline of one run: applies each fault at its `at` on the load's clock, ends it at the
 * end of its `for`, and on `finish()` (normal end, error, or signal) puts every changed resource
 * back. Each resource is a small state machine: its ORIGINAL is the value before squall's first
 * change to it in this run; faults on it form a stack (the value in force is the original with the
 * faults still in force applied in order), so a window's end returns the resource to the value
 * beneath, whether windows nest or cross. Every step goes through the journal first, every restore
 * is read back, retried with backoff, and bounded by a deadline. Operations run one at a time in
 * timeline order, so a restore never races the apply it undoes.
 */
import type { Clock, TimerHandle } from '../contracts/clock.ts';
import type { ResolvedFault, ResolvedFaultAction } from '../experiment/types.ts';
import type { TargetClients } from '../target/clients.ts';
import { apply, capture } from './actions.ts';
import { describeEnvironment, describeFunctionFault } from './function-faults.ts';
import { openResources, readJournal, resourceKey, type Journal, type JournalEntry, type PreviousState } from './journal.ts';
import { compose, describeState, NotRestoredError, writeState, writeVerified, type ResourceState } from './resources.ts';

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

/** What a restore left behind: one line per fault it could not confirm back at its original. */
export interface RestoreFailure {
  faultId: number;
  error: string;
  /** The resource (e.g. `reserved-concurrency:fn`) and the value it should hold. */
  resource?: string;
  wanted?: string;
}

export interface RestoreReport {
  restored: number;
  failed: RestoreFailure[];
}

/** How long a window's end may retry before the fault is left for finish() (ms). */
const WINDOW_END_DEADLINE_MS = 20_000;
/** Default overall deadline of finish() and of `squall restore` (ms). */
export const RESTORE_DEADLINE_MS = 60_000;

const POISON_TICK_MS = 100;

interface ResourceSlot {
  original: ResourceState;
  /** Faults in force, in the order they were applied. */
  stack: Array<{ faultId: number; fault: ResolvedFaultAction }>;
  /** Faults with a planned line and no restored line yet (in force, or whose end failed). */
  open: Set<number>;
}

export class ChaosTimeline {
  private readonly timers: TimerHandle[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly resources = new Map<string, ResourceSlot>();
  private readonly faultResource = new Map<number, string>();
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
        if (f.forMs !== null) this.at(f.atMs + f.forMs, () => this.endFault(f.id));
      }
    }
  }

  /** Resolves when every operation started so far has finished (tests, progress output). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Fault ids whose change may be in effect (not confirmed restored), oldest first. */
  activeFaults(): number[] {
    return this.order.filter((id) => {
      const key = this.faultResource.get(id);
      return key !== undefined && this.resources.get(key)!.open.has(id);
    });
  }

  /**
   * Cancel what has not started, wait for what has, then put every resource a fault may have
   * changed back to its original, read back, within `deadlineMs` overall.
   */
  async finish(opts: { deadlineMs?: number } = {}): Promise<RestoreReport> {
    this.finished = true;
    for (const t of this.timers) this.o.clock.clearTimer(t);
    await this.chain;
    const deadlineAt = Date.now() + (opts.deadlineMs ?? RESTORE_DEADLINE_MS);
    const report: RestoreReport = { restored: 0, failed: [] };
    // Newest resource first: the reverse of the order squall first touched them.
    for (const [key, slot] of [...this.resources].reverse()) {
      if (slot.open.size === 0) continue;
      const ids = [...slot.open];
      try {
        const readBack = await writeVerified(this.o.clients, slot.original, { deadlineAt });
        for (const id of ids) {
          this.o.journal.write({ event: 'restored', faultId: id, previous: slot.original, to: slot.original, readBack, at: this.stamp() });
          this.emit(id, 'restored', `${describePrevious(slot.original)} (read back)`);
          report.restored++;
        }
        slot.stack = [];
        slot.open.clear();
      } catch (e) {
        const error = errorText(e);
        for (const id of ids) {
          this.o.journal.write({ event: 'failed', faultId: id, phase: 'restore', error, at: this.stamp() });
          this.emit(id, 'failed', `restore: ${error}`);
          report.failed.push({ faultId: id, error, resource: key, wanted: describeState(slot.original) });
        }
      }
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
      const current = await capture(this.o.clients, f);
      if (current.kind === 'none') return;
      const key = resourceKey(current);
      let slot = this.resources.get(key);
      if (!slot) {
        slot = { original: current, stack: [], open: new Set() };
        this.resources.set(key, slot);
      }
      slot.stack.push({ faultId: f.id, fault: f });
      slot.open.add(f.id);
      this.faultResource.set(f.id, key);
      this.order.push(f.id);
      const target = compose(slot.original, slot.stack.map((x) => x.fault));
      this.o.journal.write({ event: 'planned', faultId: f.id, action: f.action, resource: key, previous: slot.original, target, change: { ...f }, at: this.stamp() });
      await writeState(this.o.clients, target);
      this.o.journal.write({ event: 'applied', faultId: f.id, action: f.action, detail: target, at: this.stamp() });
      this.emit(f.id, 'applied', describeFault(f));
    } catch (e) {
      const error = errorText(e);
      this.o.journal.write({ event: 'failed', faultId: f.id, phase: 'apply', error, at: this.stamp() });
      this.emit(f.id, 'failed', `apply ${f.action}: ${error}`);
    }
  }

  /** A window's end: the fault leaves the stack and the resource goes to the value beneath. */
  private async endFault(id: number): Promise<void> {
    const key = this.faultResource.get(id);
    if (key === undefined) return;
    const slot = this.resources.get(key)!;
    const i = slot.stack.findIndex((x) => x.faultId === id);
    if (i < 0) return;
    slot.stack.splice(i, 1);
    const beneath = compose(slot.original, slot.stack.map((x) => x.fault));
    try {
      const readBack = await writeVerified(this.o.clients, beneath, { deadlineAt: Date.now() + WINDOW_END_DEADLINE_MS });
      this.o.journal.write({ event: 'restored', faultId: id, previous: slot.original, to: beneath, readBack, at: this.stamp() });
      slot.open.delete(id);
      this.emit(id, 'restored', describeBack(beneath, slot.stack.length > 0));
    } catch (e) {
      // Left open: finish() puts the resource back to its original.
      const error = errorText(e);
      this.o.journal.write({ event: 'failed', faultId: id, phase: 'restore', error, at: this.stamp() });
      this.emit(id, 'failed', `restore: ${error}`);
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
      return `provisioned concurrency of ${f.function}:${f.qualifier} set to ${f.value}`;
    case 'disable-event-source':
      return `event source ${f.eventSource} disabled`;
    case 'enable-event-source':
      return `event source ${f.eventSource} enabled`;
    case 'update-event-source':
      return `event source ${f.eventSource} updated${f.batchSize !== null ? ` (batch size ${f.batchSize})` : ''}${f.maximumConcurrency !== null ? ` (maximum concurrency ${f.maximumConcurrency})` : ''}`;
    case 'inject-poison':
      return `poison (${f.kind}) into ${f.queue}`;
    case 'inject-latency':
    case 'inject-errors':
    case 'override-status':
      return describeFunctionFault(f);
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
    case 'event-source-metrics':
      return `metrics of event source ${p.id} back to ${p.metrics.length ? p.metrics.join(', ') : 'none'}`;
    case 'function-memory':
      return `memory of ${p.function} back to ${p.value} MB`;
    case 'function-environment':
      return `environment of ${p.function} back to ${describeEnvironment(p.variables)}`;
    case 'function-description':
      return `description of ${p.function} back to ${JSON.stringify(p.value)}`;
    case 'none':
      return 'nothing to restore';
  }
}

/**
 * `squall restore`: put every resource the journal's run may have left changed back to its
 * original (the value before the run's first change to it), read back, within `deadlineMs`.
 */
export async function restoreFromJournal(
  file: string,
  clients: TargetClients,
  journal?: Journal,
  opts: { deadlineMs?: number } = {},
): Promise<RestoreReport & { pending: number }> {
  const entries: JournalEntry[] = readJournal(file);
  const todo = openResources(entries);
  const deadlineAt = Date.now() + (opts.deadlineMs ?? RESTORE_DEADLINE_MS);
  const report: RestoreReport & { pending: number } = { restored: 0, failed: [], pending: todo.reduce((n, r) => n + r.faultIds.length, 0) };
  for (const r of todo.reverse()) {
    try {
      const readBack = await writeVerified(clients, r.original, { deadlineAt });
      for (const id of r.faultIds) journal?.write({ event: 'restored', faultId: id, previous: r.original, to: r.original, readBack, at: new Date().toISOString() });
      report.restored += r.faultIds.length;
    } catch (e) {
      const error = errorText(e);
      for (const id of r.faultIds) {
        journal?.write({ event: 'failed', faultId: id, phase: 'restore', error, at: new Date().toISOString() });
        report.failed.push({ faultId: id, error, resource: r.key, wanted: describeState(r.original) });
      }
    }
  }
  return report;
}

function errorText(e: unknown): string {
  if (e instanceof NotRestoredError) return e.message;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function describeBack(s: ResourceState, beneath: boolean): string {
  return `${describePrevious(s)}${beneath ? ' (the fault beneath is still in force)' : ''}`;
}
