/**
 * `k6/execution` per VU (k6 `internal/js/modules/k6/execution/execution.go`, k6-contract.md
 * §5.2): scenario, instance, test and vu objects with live getters. `scenario` throws in the init
 * context; `test.abort()` stops the test (exit 108); `test.fail()` marks it failed (exit 110).
 */
import type { VuContext } from '../vu.ts';

/** The module's API bound to one VU; its per-VU module instance (shims/execution.ts) re-exports it. */
export function makeExecution(vu: VuContext) {
  const run = vu.run;

  function scenarioState() {
    if (vu.inInit || !vu.scenario) throw new Error('exec.scenario is only available while a scenario runs (not in the init context, setup or teardown)');
    return vu.scenario;
  }

  class AbortedByScript extends Error {
    readonly squallAbort = true;
  }

  const scenario = {
    get name() {
      return scenarioState().name;
    },
    get executor() {
      return scenarioState().executor;
    },
    get startTime() {
      return scenarioState().startEpochMs;
    },
    get progress() {
      return scenarioState().progress();
    },
    get iterationInInstance() {
      return scenarioState().iterations - 1;
    },
    get iterationInTest() {
      const s = scenarioState();
      return s.iterationInTest(s.iterations - 1);
    },
  };

  const instance = {
    get currentTestRunDuration() {
      return run.elapsed();
    },
    get iterationsCompleted() {
      return run.counters.iterationsCompleted;
    },
    get iterationsInterrupted() {
      return run.counters.iterationsInterrupted;
    },
    get vusActive() {
      return run.counters.vusActive;
    },
    get vusInitialized() {
      return run.counters.vusInitialized;
    },
  };

  const test = {
    abort(reason?: string): never {
      const text = reason === undefined ? 'test aborted' : `test aborted: ${reason}`;
      run.onAbort(text);
      throw new AbortedByScript(text);
    },
    fail(message?: string): void {
      if (vu.inInit) throw new Error('exec.test.fail() can only be called from a VU (default, scenario functions), not in the init context');
      run.markedFailed = message ?? 'test marked as failed';
      run.log.warn(`test marked as failed${message ? `: ${message}` : ''}`);
    },
    get options() {
      return run.options?.consolidated ?? {};
    },
  };

  const tagProxy = new Proxy({} as Record<string, string>, {
    get: (_t, k) => (typeof k === 'string' ? (vu.tags.get(k) ?? vu.customTags[k]) : undefined),
    set: (_t, k, v) => {
      if (typeof k !== 'string') return false;
      if (v !== null && typeof v === 'object') throw new TypeError(`exec.vu.tags.${k}: only strings, numbers and booleans can be tag values`);
      vu.setCustomTag(k, String(v));
      return true;
    },
    deleteProperty: (_t, k) => {
      if (typeof k === 'string') vu.setCustomTag(k, undefined);
      return true;
    },
    ownKeys: () => Object.keys(vu.tags.tags),
    getOwnPropertyDescriptor: (_t, k) =>
      typeof k === 'string' && vu.tags.get(k) !== undefined ? { value: vu.tags.get(k), enumerable: true, configurable: true, writable: true } : undefined,
  });

  const vuObj = {
    get idInInstance() {
      return vu.id;
    },
    get idInTest() {
      return vu.idInTest;
    },
    get iterationInInstance() {
      return vu.iter;
    },
    get iterationInScenario() {
      return vu.iterationInScenario;
    },
    tags: tagProxy,
    metrics: { tags: tagProxy, metadata: {} as Record<string, string> },
  };

  const api = { scenario, instance, test, vu: vuObj };
  return { scenario, instance, test, vu: vuObj, AbortedByScript, default: api };
}
