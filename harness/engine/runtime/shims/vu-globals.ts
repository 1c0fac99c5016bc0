/**
 * Per-VU bindings the loader prepends to every script module: `__VU`, a live `__ITER`, this VU's
 * own `__ENV`, the global timers (tracked so an iteration ends only when they are done) and
 * `open()` (init context only; relative paths resolve against the entry script's directory, as
 * k6 does today, k6-contract.md §5.3).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { makeTimers } from '../api/timers.ts';
import { vuFor } from '../host.ts';

const vu = vuFor(import.meta.url);

export const __VU = vu.id;
export let __ITER = 0;
vu.setIter = (n: number): void => {
  __ITER = n;
};
export const __ENV = vu.env;
export const console = vu.run.console;

// The same tracked timers as k6/timers (k6 re-exports the globals there).
export const { setTimeout, setInterval, clearTimeout, clearInterval } = makeTimers(vu);

export function open(path: string, mode?: string): string | ArrayBuffer {
  vu.assertInit('open()');
  if (typeof path !== 'string' || path === '') throw new Error('open() needs a file name');
  const file = path.startsWith('file://') ? new URL(path).pathname : isAbsolute(path) ? path : resolve(dirname(vu.run.scriptPath), path);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new Error(`open("${path}"): ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file ${file}` : (e as Error).message}`, { cause: e });
  }
  if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return buf.toString('utf8');
}
