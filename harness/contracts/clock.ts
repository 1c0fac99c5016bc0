/**
 * Time, injected. Models (emulator rules, simulator, chaos timeline) never read the wall clock
 * directly: the emulator hands in the real clock, the simulator a virtual one, tests a fake.
 */
export interface Clock {
  /** Milliseconds, monotonic for the process (may be fractional). */
  now(): number;
  /** Epoch milliseconds, for timestamps AWS puts on the wire. */
  epochMs(): number;
  /** Run `fn` after `ms`; returns a handle for `clearTimer`. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: number;
}

/** The real clock: performance.now() and Node timers. Timers are unref'd so they never hold a process open. */
export function systemClock(): Clock {
  const origin = Date.now() - performance.now();
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => performance.now(),
    epochMs: () => origin + performance.now(),
    setTimer(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        timers.delete(id);
        fn();
      }, Math.max(0, ms));
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimer(h) {
      const t = timers.get(h.id);
      if (t) {
        clearTimeout(t);
        timers.delete(h.id);
      }
    },
  };
}

/**
 * A manual clock for tests and the simulator: time moves only when `advance` is called, and due
 * timers fire in time order (ties in scheduling order).
 */
export class ManualClock implements Clock {
  private t: number;
  private readonly epochOrigin: number;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; seq: number; fn: () => void }>();

  constructor(startMs = 0, epochOrigin = Date.UTC(2026, 0, 1)) {
    this.t = startMs;
    this.epochOrigin = epochOrigin;
  }
  now(): number {
    return this.t;
  }
  epochMs(): number {
    return this.epochOrigin + this.t;
  }
  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), seq: id, fn });
    return { id };
  }
  clearTimer(h: TimerHandle): void {
    this.pending.delete(h.id);
  }
  /** Move time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let best: { id: number; at: number; seq: number; fn: () => void } | undefined;
      for (const [id, p] of this.pending) {
        if (p.at <= end && (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq))) best = { id, ...p };
      }
      if (!best) break;
      this.pending.delete(best.id);
      this.t = best.at;
      best.fn();
    }
    this.t = end;
  }
  pendingCount(): number {
    return this.pending.size;
  }
}
