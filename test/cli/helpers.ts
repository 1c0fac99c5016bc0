/**
 * Running the real CLI (`node bin/squall.js …`) as a child process, several at once: these tests
 * check what reaches a user (exit code, stdout, stderr) and what is left on disk.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function squall(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, 'bin/squall.js'), ...args],
      { cwd: opts.cwd ?? root, env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, killSignal: 'SIGKILL', encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `squall-${prefix}-`));
}

/** No stack trace: no "    at fn (file:line)" frames. */
export const STACK_FRAME = /\n\s+at .+:\d+/;

/** Runs the CLI once per argument list, a few at a time (the machine is shared), results in order. */
export async function squallAll(list: string[][], concurrency = 3): Promise<CliResult[]> {
  const out: CliResult[] = new Array(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      out[i] = await squall(list[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, worker));
  return out;
}
