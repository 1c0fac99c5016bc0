/**
 * Supervision of squall's own children (the load generator, the emulator). The orchestrator
 * starts them detached — in their own process group, so a terminal's Ctrl-C reaches only the
 * orchestrator, which decides when the load stops and keeps the emulator alive until every fault
 * is restored — and names itself in SQUALL_SUPERVISOR_PID. A supervised child polls its parent
 * pid and exits as soon as the parent is gone (even by kill -9), so no run leaves an orphan.
 */

/** The environment variable that marks a process as supervised by the orchestrator with that pid. */
export const SUPERVISOR_ENV = 'SQUALL_SUPERVISOR_PID';

/** How often a supervised child checks that its parent is still there (ms). */
const POLL_MS = 200;

/** Environment for a supervised child of this process. */
export function supervisedEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, [SUPERVISOR_ENV]: String(process.pid) };
}

/**
 * In a child started with supervisedEnv(): exit when the parent dies. The variable is removed so
 * the child's own children (engine workers) do not watch the wrong parent; they die with this
 * process through their IPC channel.
 */
export function watchSupervisor(): void {
  const raw = process.env[SUPERVISOR_ENV];
  if (!raw) return;
  delete process.env[SUPERVISOR_ENV];
  const parent = Number(raw);
  if (!Number.isInteger(parent) || parent <= 1) return;
  const check = () => {
    // Reparented (to init or a subreaper): the orchestrator is gone; nothing here is worth keeping.
    if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  };
  check();
  setInterval(check, POLL_MS).unref();
}
