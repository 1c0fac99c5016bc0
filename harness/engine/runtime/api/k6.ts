/**
 * The `k6` module per VU: check, group (sync callbacks only, as k6 requires), sleep (a Promise
 * here: scripts write `await sleep(1)`, which real k6 passes through), fail, randomSeed
 * (k6 `internal/js/modules/k6/k6.go`, k6-contract.md §2.2–2.3, §5.1).
 */
import type { VuContext } from '../vu.ts';

/** The module's API bound to one VU; its per-VU module instance (shims/k6.ts) re-exports it. */
export function makeK6(vu: VuContext) {
  const run = vu.run;

  function isAsync(fn: unknown): boolean {
    return typeof fn === 'function' && (fn as { constructor: { name: string } }).constructor.name === 'AsyncFunction';
  }

  function check<T>(val: T, sets: Record<string, ((v: T) => unknown) | unknown>, tags?: Record<string, string>): boolean {
    vu.assertNotInit('check()');
    if (sets === null || typeof sets !== 'object') throw new Error('check(value, sets): sets must be an object of { name: function or value }');
    let all = true;
    for (const name of Object.keys(sets)) {
      const fn = sets[name];
      if (isAsync(fn)) throw new Error(`check "${name}": async functions are not supported by check() (k6 rejects them too); await the value first, then check it`);
      const result = typeof fn === 'function' ? (fn as (v: T) => unknown)(val) : fn;
      if (result instanceof Promise) throw new Error(`check "${name}" returned a Promise; await the value before check() (k6 rejects async checks)`);
      const ok = Boolean(result);
      if (!ok) all = false;
      let t = vu.tags.derive(`\u0000check\u0000${name}`, () => ({ check: name }));
      if (tags) t = t.with(tags);
      run.emit(run.builtin.checks, t, ok ? 1 : 0);
    }
    return all;
  }

  function group<T>(name: string, fn: () => T): T {
    vu.assertNotInit('group()');
    if (typeof name !== 'string' || name === '') throw new Error('group(name, fn): name must be a non-empty string');
    if (name.includes('::')) throw new Error(`group name "${name}" contains "::", which k6 reserves as the path separator`);
    if (isAsync(fn)) throw new Error(`group "${name}": async functions are not supported by group() (k6 rejects them too); use a sync callback`);
    const parent = vu.groupPath;
    const path = `${parent}::${name}`;
    vu.setGroup(path);
    const start = performance.now();
    try {
      return fn();
    } finally {
      run.emit(run.builtin.group_duration, vu.tags, performance.now() - start);
      vu.setGroup(parent);
    }
  }

  function sleep(seconds: number): Promise<void> {
    vu.assertNotInit('sleep()');
    return vu.sleep(seconds);
  }

  function fail(message?: string): never {
    throw new Error(message === undefined ? 'fail' : String(message));
  }

  /** Seeds Math.random with a deterministic generator (mulberry32); k6 does this per VU. */
  function randomSeed(seed: number): void {
    let a = Number(seed) >>> 0;
    Math.random = (): number => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  const api = { check, group, sleep, fail, randomSeed };
  return { check, group, sleep, fail, randomSeed, default: api };
}
