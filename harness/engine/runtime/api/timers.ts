/** `k6/timers` per VU: the same tracked timers as the globals (k6 re-exports the globals, v0.50+). */
import type { VuContext } from '../vu.ts';

/** The module's API bound to one VU; its per-VU module instance (shims/timers.ts) re-exports it. */
export function makeTimers(vu: VuContext) {
  function setTimeout(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
    return vu.setTimeout(fn, ms, args, false);
  }
  function setInterval(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
    return vu.setTimeout(fn, ms, args, true);
  }
  function clearTimeout(id: unknown): void {
    vu.clear(id);
  }
  function clearInterval(id: unknown): void {
    vu.clear(id);
  }

  const api = { setTimeout, setInterval, clearTimeout, clearInterval };
  return { setTimeout, setInterval, clearTimeout, clearInterval, default: api };
}
