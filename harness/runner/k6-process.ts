/**
 * What both runners share: the k6 command line built from RunnerOptions, the entry module, and one
 * k6 process whose output is teed into the run folder's logs and whose end is recorded in
 * k6-run.json. The runners differ only in which executable they start.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeSummaryEntry } from './summary-entry.ts';
import { supervisedEnv } from './watchdog.ts';
import { RUN_FILES, type RunFiles, type RunRecord, type RunnerOptions, type RunnerResult } from './types.ts';

/** Wraps an executable that has no watchdog of its own (the k6 binary): see supervise.mjs. */
const SUPERVISE = fileURLToPath(new URL('./supervise.mjs', import.meta.url));

export function runFiles(runDir: string): RunFiles {
  const dir = path.resolve(runDir);
  return {
    summary: path.join(dir, RUN_FILES.summary),
    points: path.join(dir, RUN_FILES.points),
    stdout: path.join(dir, RUN_FILES.stdout),
    stderr: path.join(dir, RUN_FILES.stderr),
    record: path.join(dir, RUN_FILES.record),
  };
}

/** The `k6 run …` arguments (without the executable) that both runners pass. */
export function k6RunArgs(opts: RunnerOptions, entry: string, files: RunFiles, embedded: boolean): string[] {
  const args = ['run', '--out', `json=${files.points}`];
  if (opts.quiet ?? true) args.push('--quiet');
  if (opts.vus !== undefined) args.push('--vus', String(opts.vus));
  if (opts.duration !== undefined) args.push('--duration', opts.duration);
  if (opts.iterations !== undefined) args.push('--iterations', String(opts.iterations));
  for (const s of opts.stages ?? []) args.push('--stage', `${s.duration}:${s.target}`);
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('--env', `${k}=${v}`);
  for (const [k, v] of Object.entries(opts.tags ?? {})) args.push('--tag', `${k}=${v}`);
  if (opts.summaryTrendStats !== undefined) args.push('--summary-trend-stats', opts.summaryTrendStats.join(','));
  if (opts.noThresholds) args.push('--no-thresholds');
  if (embedded && opts.workers !== undefined) args.push('--workers', String(opts.workers));
  args.push(...(opts.extraArgs ?? []), entry);
  return args;
}

/**
 * Runs one k6 process for `opts`: writes the entry module beside the script, starts
 * `executable [...prefix, ...k6 run args]`, tees stdout/stderr to the logs, removes the entry and
 * writes k6-run.json. Never throws for a k6 failure: the exit code says it. It throws only when
 * the process cannot be started at all.
 */
export async function runK6Process(
  runner: string,
  executable: string,
  prefix: string[],
  opts: RunnerOptions,
  embedded: boolean,
  extraEnv: Record<string, string> = {},
): Promise<RunnerResult> {
  const files = runFiles(opts.runDir);
  mkdirSync(path.dirname(files.summary), { recursive: true });
  const entry = writeSummaryEntry(opts.script, files.summary);
  const command = [executable, ...prefix, ...k6RunArgs(opts, entry.entry, files, embedded)];
  const startedAt = new Date();
  const t0 = performance.now();
  const stdout = createWriteStream(files.stdout);
  const stderr = createWriteStream(files.stderr);
  try {
    const { exitCode, signal } = await spawnTeed(command, opts, { ...(opts.processEnv ?? process.env), ...extraEnv }, stdout, stderr);
    const durationMs = performance.now() - t0;
    const record: RunRecord = { runner, script: path.resolve(opts.script), command, exitCode, signal, startedAt: startedAt.toISOString(), durationMs };
    writeFileSync(files.record, `${JSON.stringify(record, null, 2)}\n`);
    return { runner, exitCode, signal, durationMs, files, command };
  } finally {
    entry.remove();
    await Promise.all([closeStream(stdout), closeStream(stderr)]);
  }
}

function spawnTeed(
  command: string[],
  opts: RunnerOptions,
  env: NodeJS.ProcessEnv,
  stdout: WriteStream,
  stderr: WriteStream,
): Promise<{ exitCode: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    // squall's own engine watches its parent itself (watchdog.ts); anything else runs under supervise.mjs.
    const [exe, ...rest] = command[0] === process.execPath ? command : [process.execPath, SUPERVISE, ...command];
    const child = spawn(exe!, rest, {
      // The script's directory, as with `cd dir && k6 run script.js`: handleSummary's relative paths
      // and any relative path the user passed resolve where the user would expect.
      cwd: path.dirname(path.resolve(opts.script)),
      env: supervisedEnv(env),
      // Its own process group: a terminal's Ctrl-C reaches only the orchestrator, which stops the
      // load itself (SIGTERM below) after deciding what to restore (watchdog.ts).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM'); // k6 stops gracefully on SIGTERM and exits 105 (k6-contract §3.5)
      killTimer ??= setTimeout(() => kill(), 15_000);
      killTimer.unref();
    };
    const timeout = opts.timeoutMs === undefined ? undefined : setTimeout(stop, opts.timeoutMs);
    timeout?.unref();
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // The whole group: the engine's workers or the supervised k6 go too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    if (opts.signal?.aborted) stop();
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.kill?.aborted) kill();
    opts.kill?.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (c: Buffer) => {
      stdout.write(c);
      opts.onStdout?.(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr.write(c);
      opts.onStderr?.(c);
    });
    const cleanup = () => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', stop);
      opts.kill?.removeEventListener('abort', kill);
    };
    child.once('error', (e) => {
      cleanup();
      reject(e);
    });
    child.once('close', (code, sig) => {
      cleanup();
      const exitCode = code ?? 128 + (sig ? (osConstants.signals[sig] ?? 0) : 0);
      resolve({ exitCode, signal: sig });
    });
  });
}

function closeStream(s: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (s.closed) resolve();
    else s.end(() => resolve());
  });
}
