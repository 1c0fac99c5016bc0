/**
 * Per-VU bindings the loader prepends to every script module: `__VU`, a live `__ITER`, this VU's
 * own `__ENV`, the global timers (tracked so an iteration ends only when they are done) and
 * `open()` (init context only; relative paths resolve against the entry script's directory, as
 * k6 does today, k6-contract.md §5.3).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { vuFor } from '../host.ts';

const vu = vuFor(import.meta.url);

export const __VU = vu.id;
// eslint-disable-next-line import/no-mutable-exports
export let __ITER = 0;
vu.setIter = (n: number): void => {
  __ITER = n;
};
export const __ENV = vu.env;
export const console = vu.run.console;

export function setTimeout(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
  return vu.setTimeout(fn, ms, args, false);
}
export function setInterval(fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): number {
  return vu.setTimeout(fn, ms, args, true);
}
export function clearTimeout(id: unknown): void {
  vu.clear(id);
}
export function clearInterval(id: unknown): void {
  vu.clear(id);
}

export function open(path: string, mode?: string): string | ArrayBuffer {
  vu.assertInit('open()');
  if (typeof path !== 'string' || path === '') throw new Error('open() needs a file name');
  const file = path.startsWith('file://') ? new URL(path).pathname : isAbsolute(path) ? path : resolve(dirname(vu.run.scriptPath), path);
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new Error(`open("${path}"): ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file ${file}` : (e as Error).message}`);
  }
  if (mode === 'b') return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return buf.toString('utf8');
}
