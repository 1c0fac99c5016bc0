// Supervision for a load generator squall did not write (the k6 binary): `node supervise.mjs
// <executable> [args...]` runs it in this process' group, passes SIGTERM/SIGINT on exactly once
// (k6 treats a second signal as "abort now"), exits with its code, and SIGKILLs it as soon as the
// orchestrator named in SQUALL_SUPERVISOR_PID is gone, so a kill -9 of squall leaves no orphan
// (runner/watchdog.ts does the same for squall's own children). Plain JS: it must start fast.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [, , exe, ...args] = process.argv;
const parent = Number(process.env.SQUALL_SUPERVISOR_PID);
delete process.env.SQUALL_SUPERVISOR_PID;
const child = spawn(exe, args, { stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
if (Number.isInteger(parent) && parent > 1) {
  setInterval(() => {
    if (process.ppid !== parent) {
      child.kill('SIGKILL');
      process.exit(137);
    }
  }, 200).unref();
}
child.on('error', (e) => {
  process.stderr.write(`cannot start ${exe}: ${e.message}\n`);
  process.exit(127);
});
child.on('exit', (code, sig) => process.exit(code ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0)));
