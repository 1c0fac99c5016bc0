/**
 * Where per-VU shim modules find their VU: every run registers its `RunContext` under an id, and a
 * shim instance reads `<run>.<vu>` from its own `import.meta.url` (the loader hooks put it there).
 * This module is loaded once per process, without a query, so every shim instance shares it.
 */
import type { RunContext } from './run-context.ts';
import type { VuContext } from './vu.ts';

const runs = new Map<string, RunContext>();
let nextRun = 1;

export function registerRun(make: (id: string) => RunContext): RunContext {
  const id = `r${nextRun++}`;
  const run = make(id);
  runs.set(id, run);
  return run;
}

export function unregisterRun(id: string): void {
  runs.delete(id);
}

function parse(url: string): { run: RunContext; vu: number } {
  const m = /[?&]squall=([^.&]+)\.(\d+)/.exec(url);
  if (!m) throw new Error(`squall engine: module ${url} was loaded outside a VU (import k6 modules only from a k6 script run by squall)`);
  const run = runs.get(m[1] as string);
  if (!run) throw new Error(`squall engine: run ${m[1]} is over; module ${url} cannot be used`);
  return { run, vu: Number(m[2]) };
}

/** The VU a per-VU module instance belongs to. */
export function vuFor(moduleUrl: string): VuContext {
  const { run, vu } = parse(moduleUrl);
  return run.vu(vu);
}

export function runFor(moduleUrl: string): RunContext {
  return parse(moduleUrl).run;
}
