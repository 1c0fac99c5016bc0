/**
 * runner/supervise.mjs, the watchdog for a load generator squall did not write (the k6 binary):
 * it forwards SIGTERM exactly once, passes the exit code through, and kills the generator when the
 * orchestrator dies by kill -9.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

const SUPERVISE = path.resolve(import.meta.dirname, '../../harness/runner/supervise.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-supervise-'));
// A stand-in for k6: records its pid and every SIGTERM, exits 105 (k6's "stopped by signal") on the first.
const fakeK6 = path.join(dir, 'fake-k6.mjs');
writeFileSync(
  fakeK6,
  `import { appendFileSync, writeFileSync } from 'node:fs';
writeFileSync(process.argv[2], String(process.pid));
process.on('SIGTERM', () => { appendFileSync(process.argv[3], 'TERM\\n'); setTimeout(() => process.exit(105), 300); });
setInterval(() => {}, 1000);
`,
);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(f: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (f()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return f();
}

it('forwards one SIGTERM and exits with the generator’s code', async () => {
  const pidFile = path.join(dir, 'a.pid');
  const sigFile = path.join(dir, 'a.sig');
  const child = spawn(process.execPath, [SUPERVISE, process.execPath, fakeK6, pidFile, sigFile], {
    env: { ...process.env, SQUALL_SUPERVISOR_PID: String(process.pid) },
    detached: true,
    stdio: 'ignore',
  });
  await until(() => existsSync(pidFile), 10_000);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect(code).toBe(105);
  expect(readFileSync(sigFile, 'utf8')).toBe('TERM\n');
});

it('kills the generator when its orchestrator is killed with -9', async () => {
  const pidFile = path.join(dir, 'b.pid');
  // The orchestrator: starts the supervised generator, then waits to be killed.
  const orchestrator = spawn(
    process.execPath,
    [
      '-e',
      `const { spawn } = require('node:child_process');
spawn(process.execPath, [${JSON.stringify(SUPERVISE)}, process.execPath, ${JSON.stringify(fakeK6)}, ${JSON.stringify(pidFile)}, '/dev/null'], { env: { ...process.env, SQUALL_SUPERVISOR_PID: String(process.pid) }, detached: true, stdio: 'ignore' });
setInterval(() => {}, 1000);`,
    ],
    { stdio: 'ignore' },
  );
  expect(await until(() => existsSync(pidFile), 10_000)).toBe(true);
  const generator = Number(readFileSync(pidFile, 'utf8'));
  expect(alive(generator)).toBe(true);
  orchestrator.kill('SIGKILL');
  expect(await until(() => !alive(generator), 5000)).toBe(true);
});
