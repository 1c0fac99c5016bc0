/** `k6/timers` per VU: the same tracked timers as the globals (k6 re-exports the globals, v0.50+). */
import { vuFor } from '../host.ts';

const vu = vuFor(import.meta.url);

export function setTimeout(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
  return vu.setTimeout(fn, ms, args, false);
}
export function setInterval(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
  return vu.setTimeout(fn, ms, args, true);
}
export function clearTimeout(id: unknown): void {
  vu.clear(id);
}
export function clearInterval(id: unknown): void {
  vu.clear(id);
}
export default { setTimeout, setInterval, clearTimeout, clearInterval };
