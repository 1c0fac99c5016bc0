/**
 * External programs some tests need (moto_server, chromium, k6) that a user's fresh machine may
 * lack. Absent: the test file skips with one clear line saying what is skipped and how to enable
 * it. With `SQUALL_REQUIRE_<NAME>=1` (CI sets these in .ci/run) an absent program is a failure,
 * so CI always runs those tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface ExternalProgram {
  readonly name: string;
  readonly available: boolean;
  /** Absolute path or command name to run, when available. */
  readonly command: string | null;
}

const KNOWN = {
  moto_server: { env: 'SQUALL_REQUIRE_MOTO', install: "pip install 'moto[server]'", candidates: ['moto_server'] },
  chromium: { env: 'SQUALL_REQUIRE_CHROMIUM', install: 'apt-get install chromium', candidates: ['/usr/bin/chromium', 'chromium', 'chromium-browser'] },
  xmllint: { env: 'SQUALL_REQUIRE_XMLLINT', install: 'apt-get install libxml2-utils', candidates: ['xmllint'] },
  k6: { env: 'SQUALL_REQUIRE_K6', install: 'see https://grafana.com/docs/k6/latest/set-up/install-k6/', candidates: [process.env.K6_BIN ?? '', 'k6'] },
} as const;

export type ProgramName = keyof typeof KNOWN;

function locate(candidate: string): string | null {
  if (!candidate) return null;
  if (candidate.startsWith('/')) return existsSync(candidate) ? candidate : null;
  const r = spawnSync('sh', ['-c', `command -v ${candidate}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || candidate : null;
}

const cache = new Map<ProgramName, ExternalProgram>();

/**
 * Looks the program up once per test process. Throws when it is required (CI) and absent; prints
 * one line and reports `available: false` otherwise: use with `describe.skipIf(!p.available)`.
 */
export function external(name: ProgramName, what = 'these tests'): ExternalProgram {
  const hit = cache.get(name);
  if (hit) return hit;
  const k = KNOWN[name];
  let command: string | null = null;
  for (const c of k.candidates) if ((command = locate(c))) break;
  if (!command) {
    if (process.env[k.env] === '1') throw new Error(`${name} is required (${k.env}=1) but not found: ${k.install}`);
    process.stderr.write(`skip: ${what} need ${name}, which is not installed (${k.install}; set ${k.env}=1 to make its absence a failure)\n`);
  }
  const p: ExternalProgram = { name, available: command !== null, command };
  cache.set(name, p);
  return p;
}
