/**
 * The embedded runner: squall's own k6-compatible engine, started as `node bin/squall.js k6 run …`
 * in a child process. A subprocess rather than an in-process call keeps the runner independent of
 * the engine's internals, gives the run its own heap and event loop (a load test must not share
 * them with the orchestrator), and makes exit codes and logs behave exactly as with the k6 binary.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runK6Process } from './k6-process.ts';
import type { Availability, Runner, RunnerOptions, RunnerResult } from './types.ts';

const SQUALL_BIN = fileURLToPath(new URL('../../bin/squall.js', import.meta.url));
/** The engine's programmatic entry; its presence is how we know the engine has landed. */
const ENGINE_ENTRY = fileURLToPath(new URL('../engine/run.ts', import.meta.url));

export class EmbeddedRunner implements Runner {
  readonly name = 'embedded';

  available(): Promise<Availability> {
    if (!existsSync(SQUALL_BIN)) return Promise.resolve({ ok: false, reason: `squall's CLI is missing at ${SQUALL_BIN}; reinstall squall` });
    if (!existsSync(ENGINE_ENTRY)) {
      return Promise.resolve({ ok: false, reason: `the embedded k6 engine is not built in this checkout (${ENGINE_ENTRY} is missing); use a k6 binary (K6_BIN) instead` });
    }
    return Promise.resolve({ ok: true, reason: `squall embedded engine (node ${process.version})` });
  }

  run(opts: RunnerOptions): Promise<RunnerResult> {
    return runK6Process(this.name, process.execPath, [SQUALL_BIN, 'k6'], opts, true);
  }
}
