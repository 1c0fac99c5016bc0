/**
 * The emulator in its own process, as `squall run` uses it: spawn `squall emulator --port 0`
 * (with the run's resolved `experiment.json` or an experiment file), wait for the endpoint it
 * prints, and stop it with SIGTERM (SIGKILL after a grace period). A child that dies before it
 * listens becomes a SquallError carrying its stderr. The child runs in its own process group and
 * dies with its parent (runner/watchdog.ts).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, SquallError } from '../../contracts/exit-codes.ts';
import { supervisedEnv } from '../../runner/watchdog.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/squall.js');

export interface EmulatorProcessOptions {
  /** A resolved experiment (`experiment.json` of a run). */
  resolvedFile?: string;
  /** Or an experiment file (YAML/JSON/TS). */
  config?: string;
  host?: string;
  /** 0 (default) = any free port. */
  port?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** How long to wait for the endpoint line (ms). */
  startTimeoutMs?: number;
}

export interface EmulatorProcess {
  readonly endpoint: string;
  readonly pid: number;
  /** Everything the child wrote so far (stdout then stderr), for error reports. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
  stop(graceMs?: number): Promise<number | null>;
}

export function spawnEmulatorProcess(opts: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
  const args = [BIN, 'emulator', '--host', opts.host ?? '127.0.0.1', '--port', String(opts.port ?? 0)];
  if (opts.resolvedFile) args.push('--resolved', opts.resolvedFile);
  if (opts.config) args.push('--config', opts.config);
  if (opts.credentials) args.push('--credentials', `${opts.credentials.accessKeyId}:${opts.credentials.secretAccessKey}`);
  // Detached (its own process group) so a terminal's Ctrl-C does not stop it before the run has
  // restored its faults through it; supervised so it dies with the run even on kill -9.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: supervisedEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-100_000)));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-100_000)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new SquallError(`the emulator did not start within ${opts.startTimeoutMs ?? 30_000} ms`, { hint: stderr.trim() || 'run `squall emulator` by hand to see why' }));
    }, opts.startTimeoutMs ?? 30_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        endpoint: m[1]!,
        pid: child.pid!,
        output: () => `${stdout}${stderr}`,
        async stop(graceMs = 10_000) {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          const code = await exited;
          clearTimeout(killer);
          return code;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new SquallError(`the emulator exited (${code}) before it listened`, {
          exitCode: code === EXIT.invalidInput ? EXIT.invalidInput : EXIT.internalError,
          hint: stderr.trim() || stdout.trim() || 'no output',
        }),
      );
    });
  });
}
