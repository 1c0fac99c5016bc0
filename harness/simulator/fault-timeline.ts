/**
 * The fault timeline of one simulated run: each fault applies exactly at `at` and, unless it is a
 * poison injection, is put back at `at + for` (or at the end of the load when `for` is omitted),
 * restoring the value it replaced, as the chaos part does against a real target. Poison
 * injections send `count` messages spread evenly over the window (message k at at + k·window/n),
 * or `ratePerSecond` × window of them. Function faults join the function's stack of faults in
 * force (function-faults.ts) for their window.
 */
import type { ResolvedFault } from '../experiment/types.ts';
import type { FunctionModel } from './function-model.ts';
import type { MappingModel } from './mapping-model.ts';
import { poisonKindCode } from './scenario-model.ts';

/** What the timeline may touch in the simulation. */
export interface FaultHost {
  fn(name: string): FunctionModel;
  mapping(id: string): MappingModel;
  setMappingEnabled(m: MappingModel, enabled: boolean, now: number): void;
  /** The mapping's configuration changed: adjust its pollers and poll. */
  repoll(m: MappingModel, now: number): void;
  sendPoison(queue: string, kind: number, now: number): void;
  schedulePoison(t: number, fault: number, k: number): void;
}

export class FaultTimeline {
  private readonly prev: unknown[] = [];

  constructor(
    private readonly faults: readonly ResolvedFault[],
    private readonly loadEndMs: number,
    private readonly host: FaultHost,
  ) {}

  apply(i: number, now: number): void {
    const f = this.faults[i]!;
    const h = this.host;
    switch (f.action) {
      case 'set-reserved-concurrency':
      case 'remove-reserved-concurrency': {
        const fn = h.fn(f.function);
        this.prev[i] = fn.reserved;
        fn.setReserved(f.action === 'set-reserved-concurrency' ? f.value : null, now);
        break;
      }
      case 'set-provisioned-concurrency': {
        const fn = h.fn(f.function);
        this.prev[i] = fn.provisioned;
        fn.setProvisioned(f.value, now);
        break;
      }
      case 'disable-event-source':
      case 'enable-event-source': {
        const m = h.mapping(f.eventSource);
        this.prev[i] = m.enabled;
        h.setMappingEnabled(m, f.action === 'enable-event-source', now);
        break;
      }
      case 'update-event-source': {
        const m = h.mapping(f.eventSource);
        this.prev[i] = { batchSize: m.batchSize, maximumConcurrency: m.maximumConcurrency };
        if (f.batchSize !== null) m.batchSize = f.batchSize;
        if (f.maximumConcurrency !== null) m.maximumConcurrency = f.maximumConcurrency;
        h.repoll(m, now);
        break;
      }
      case 'inject-poison':
        if (this.poisonCount(f) > 0) h.schedulePoison(now, i, 0);
        break;
      case 'inject-latency':
      case 'inject-errors':
      case 'override-status': {
        // Stacked, like the entries of the function's SQUALL_FAULTS: the end removes this one only.
        // Setting the variable is a configuration update: the idle environments go (cold starts).
        const fn = h.fn(f.function);
        fn.faults.add(i, f);
        fn.drainIdle(now);
        break;
      }
    }
  }

  restore(i: number, now: number): void {
    const f = this.faults[i]!;
    const prev = this.prev[i];
    const h = this.host;
    switch (f.action) {
      case 'set-reserved-concurrency':
      case 'remove-reserved-concurrency':
        h.fn(f.function).setReserved(prev as number | null, now);
        break;
      case 'set-provisioned-concurrency':
        h.fn(f.function).setProvisioned(prev as number, now);
        break;
      case 'disable-event-source':
      case 'enable-event-source':
        h.setMappingEnabled(h.mapping(f.eventSource), prev as boolean, now);
        break;
      case 'update-event-source': {
        const m = h.mapping(f.eventSource);
        const p = prev as { batchSize: number; maximumConcurrency: number | null };
        m.batchSize = p.batchSize;
        m.maximumConcurrency = p.maximumConcurrency;
        h.repoll(m, now);
        break;
      }
      case 'inject-poison':
        break;
      case 'inject-latency':
      case 'inject-errors':
      case 'override-status': {
        const fn = h.fn(f.function);
        fn.faults.remove(i);
        fn.drainIdle(now);
        break;
      }
    }
  }

  /** Poison message k of n. */
  poison(i: number, k: number, now: number): void {
    const f = this.faults[i]!;
    if (f.action !== 'inject-poison') return;
    this.host.sendPoison(f.queue, poisonKindCode(f.kind), now);
    const n = this.poisonCount(f);
    if (k + 1 < n) this.host.schedulePoison(f.atMs + ((k + 1) * this.windowMs(f)) / n, i, k + 1);
  }

  private windowMs(f: ResolvedFault): number {
    return f.forMs ?? Math.max(0, this.loadEndMs - f.atMs);
  }

  private poisonCount(f: ResolvedFault): number {
    if (f.action !== 'inject-poison') return 0;
    if (f.count !== null) return f.count;
    return Math.floor(((f.ratePerSecond ?? 0) * this.windowMs(f)) / 1000);
  }
}
