/**
 * Calling the script's `handleSummary(data)` the way k6 does (k6-contract.md §1.4): in VU 0, sync
 * or async, on its own copy of the data; a falsy result prints the default text summary on
 * stdout; `stdout`/`stderr`/file keys are written; errors are logged and never change the exit
 * code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { K6SummaryData } from '../summary/legacy.ts';
import { textSummary } from '../summary/text.ts';
import type { Logger } from './run-context.ts';
import { type VuContext, errorText } from './vu.ts';

export async function handleSummary(
  vu0: VuContext,
  data: K6SummaryData,
  out: (s: string) => void,
  err: (s: string) => void,
  cwd: string,
  log: Logger,
): Promise<void> {
  const fn = vu0.module?.handleSummary;
  let result: unknown;
  if (fn !== undefined) {
    if (typeof fn !== 'function') {
      log.warn('the exported handleSummary is not a function; printing the default summary');
    } else {
      vu0.enterPart('');
      try {
        // handleSummary gets its own copy; k6 hands it a fresh object too.
        result = await (fn as (d: unknown) => unknown)(JSON.parse(JSON.stringify(data)));
      } catch (e) {
        log.warn(`handleSummary() failed: ${errorText(e)}; printing the default summary`);
        result = undefined;
      }
    }
  }
  if (!result) {
    // k6: a falsy return prints the default text summary to stdout.
    out(`\n${textSummary(data)}\n\n`);
    return;
  }
  if (typeof result !== 'object') {
    log.warn('handleSummary() must return an object like { stdout: "...", "file.json": "..." }');
    return;
  }
  for (const [key, value] of Object.entries(result as Record<string, unknown>)) {
    const text = value instanceof ArrayBuffer ? Buffer.from(value) : typeof value === 'string' ? value : JSON.stringify(value);
    try {
      if (key === 'stdout') out(text.toString());
      else if (key === 'stderr') err(text.toString());
      else {
        const p = resolve(cwd, key);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, text, { mode: 0o666 });
      }
    } catch (e) {
      // k6: errors writing the summary are logged and do not change the exit code.
      log.warn(`handleSummary: could not write ${key}: ${(e as Error).message}`);
    }
  }
}
