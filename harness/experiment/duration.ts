/**
 * k6 durations (`lib/types/types.go: ParseExtendedDuration`, k6-contract §4.1): Go syntax such as
 * `500ms`, `1m30s`, `1.5h`, plus the `d` days extension; a bare number (or numeric string) means
 * milliseconds. Negative durations are refused: nothing in an experiment runs backwards.
 */

import { scanK6Duration } from '../contracts/k6.ts';

/** Parse a k6 duration into milliseconds, or return an error text saying what is wrong. */
export function parseDuration(input: unknown): { ms: number } | { error: string } {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) return { error: `${input} is not a duration (a bare number means milliseconds and must be ≥ 0)` };
    return { ms: input };
  }
  if (typeof input !== 'string') return { error: `expected a duration like "30s", got ${describe(input)}` };
  const s = input.trim();
  if (s === '') return { error: 'empty duration; write e.g. "30s", "1m30s" or "500ms"' };
  if (s.startsWith('-')) return { error: `"${input}" is negative; durations must be ≥ 0` };
  const ms = scanK6Duration(s.startsWith('+') ? s.slice(1) : s);
  if (ms === undefined) {
    const hint = /\d$/.test(s) || /^\d+(\.\d+)?\s/.test(s) ? ' (missing or unknown unit: use ms, s, m, h or d)' : '';
    return { error: `"${input}" is not a k6 duration${hint}; write e.g. "30s", "1m30s", "500ms" or "1h"` };
  }
  return { ms: Math.round(ms * 1e6) / 1e6 };
}

/** Format milliseconds as the shortest k6/Go duration string (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (!Number.isInteger(ms) || ms % 1000 !== 0) {
    if (ms < 1000) return `${ms}ms`;
    const s = ms / 1000;
    if (ms < 60_000) return `${s}s`;
  }
  let rest = Math.round(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
