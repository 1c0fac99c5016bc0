/**
 * The programmatic entry: `runK6Script(opts)` runs a k6 script in this process and resolves with
 * k6's exit code and the handleSummary object. The engine proper (run-impl.ts and everything the
 * shims import) is loaded through Node's own module loader, after the loader hooks that map `k6/*`
 * to the shims are registered, so that scripts, shims and engine share one set of module instances
 * whether the caller is the CLI or a test runner that transforms its own imports.
 */
import { createRequire, register } from 'node:module';
import { type ExitCode, SquallError } from '../contracts/exit-codes.ts';
import type { K6RunOptions, K6RunResult } from './run-impl.ts';

export type { K6RunOptions, K6RunResult } from './run-impl.ts';
export type { K6SummaryData } from './summary/legacy.ts';

const nativeImport = createRequire(import.meta.url)('./runtime/native-import.cjs') as (s: string) => Promise<Record<string, unknown>>;
const FLAG = Symbol.for('squall.engine.hooks');

async function prepare(): Promise<void> {
  const g = globalThis as Record<symbol, unknown>;
  if (g[FLAG]) return;
  // TypeScript through tsx: the CLI already registered it; a bare Node or a test runner has not.
  try {
    await nativeImport(new URL('./runtime/ts-probe.ts', import.meta.url).href);
  } catch {
    const tsx = (await nativeImport('tsx/esm/api')) as { register: () => unknown };
    tsx.register();
  }
  const engineDir = new URL('./', import.meta.url).href;
  register(new URL('./runtime/loader-hooks.mjs', import.meta.url).href, {
    data: { shimDir: new URL('./runtime/shims/', import.meta.url).href, engineDir },
  });
  g[FLAG] = true;
}

export async function runK6Script(opts: K6RunOptions): Promise<K6RunResult> {
  await prepare();
  const impl = (await nativeImport(new URL('./run-impl.ts', import.meta.url).href)) as {
    runK6ScriptImpl: (o: K6RunOptions) => Promise<K6RunResult>;
  };
  try {
    return await impl.runK6ScriptImpl(opts);
  } catch (e) {
    // The engine's SquallError class comes from Node's own module instance; a caller whose
    // imports were transformed (a test runner) has its own: hand it one of its own kind.
    const x = e as { name?: string; message?: string; exitCode?: number; hint?: string } | null;
    if (x && x.name === 'SquallError' && !(e instanceof SquallError) && typeof x.exitCode === 'number') {
      throw new SquallError(x.message ?? '', { exitCode: x.exitCode as ExitCode, ...(x.hint ? { hint: x.hint } : {}), cause: e });
    }
    throw e;
  }
}
