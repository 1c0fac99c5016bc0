/**
 * The k6-binary runner: the real `k6`, found through `K6_BIN` or on PATH. It runs the same entry
 * module and flags as the embedded runner and leaves the same files.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { runK6Process } from './k6-process.ts';
import type { Availability, Runner, RunnerOptions, RunnerResult } from './types.ts';

/**
 * k6 sends an anonymous usage report on every run unless K6_NO_USAGE_REPORT (or
 * --no-usage-report) is set (k6 docs, "Usage collection"); squall's runs must talk only to the
 * endpoints of the experiment.
 */
const K6_ENV = { K6_NO_USAGE_REPORT: 'true' };

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Where the k6 binary is: `K6_BIN` when set (it must be executable), else the first `k6` on PATH. */
export function findK6(env: NodeJS.ProcessEnv = process.env): { path: string } | { error: string } {
  const configured = env.K6_BIN;
  if (configured !== undefined && configured !== '') {
    return isExecutableFile(configured)
      ? { path: path.resolve(configured) }
      : { error: `K6_BIN=${configured} is not an executable file; point K6_BIN at the k6 binary or unset it to search PATH` };
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'k6');
    if (isExecutableFile(candidate)) return { path: candidate };
  }
  return { error: 'no k6 binary: it is not on PATH and K6_BIN is not set; install k6 or set K6_BIN=/path/to/k6' };
}

export class K6BinaryRunner implements Runner {
  readonly name = 'k6-binary';
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.env = env;
  }

  async available(): Promise<Availability> {
    const found = findK6(this.env);
    if ('error' in found) return { ok: false, reason: found.error };
    try {
      const version = await new Promise<string>((resolve, reject) => {
        execFile(found.path, ['version'], { timeout: 10_000, env: { ...this.env, ...K6_ENV } }, (err, stdout) =>
          err ? reject(err) : resolve(stdout.trim().split('\n')[0] ?? ''),
        );
      });
      return { ok: true, reason: `${version} at ${found.path}` };
    } catch (e) {
      return { ok: false, reason: `${found.path} did not answer \`k6 version\` (${e instanceof Error ? e.message : String(e)}); check that it is a working k6 binary` };
    }
  }

  async run(opts: RunnerOptions): Promise<RunnerResult> {
    const found = findK6(opts.processEnv ?? this.env);
    if ('error' in found) throw new Error(found.error);
    return runK6Process(this.name, found.path, [], opts, false, K6_ENV);
  }
}
