/**
 * `k6/data` SharedArray: the callback runs once per run and name (in the first init context that
 * asks), the result is frozen and the same array is handed to every VU, as in k6.
 */
import type { VuContext } from '../vu.ts';

/** The module's API bound to one VU; its per-VU module instance (shims/data.ts) re-exports it. */
export function makeData(vu: VuContext) {
  const run = vu.run;

  function deepFreeze<T>(v: T): T {
    if (v && typeof v === 'object' && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    }
    return v;
  }

  class SharedArray {
    constructor(name: string, fn: () => unknown[]) {
      if (!vu.inInit) throw new Error('SharedArray must be created in the init context (top-level code)');
      if (typeof name !== 'string' || name === '') throw new Error('SharedArray needs a non-empty name');
      let arr = run.sharedArrays.get(name);
      if (!arr) {
        if (typeof fn !== 'function') throw new Error(`SharedArray("${name}"): the second argument must be a function returning an array`);
        const data = fn();
        if (!Array.isArray(data)) throw new Error(`SharedArray("${name}"): the function must return an array`);
        // k6 stores the array as JSON, so only JSON values survive.
        arr = deepFreeze(JSON.parse(JSON.stringify(data)) as unknown[]);
        run.sharedArrays.set(name, arr);
      }
      return arr as unknown as SharedArray;
    }
  }

  const api = { SharedArray };
  return { SharedArray, default: api };
}
