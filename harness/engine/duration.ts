/**
 * k6 duration values: Go `time.ParseDuration` syntax plus k6's `d` (days) extension, and a bare
 * number (JSON number or numeric string) meaning milliseconds (k6 `lib/types/types.go:
 * ParseExtendedDuration`, shared/reference/k6-contract.md §4.1). Everything here is in milliseconds.
 */

import { scanK6Duration } from '../contracts/k6.ts';

/** Parse a k6 duration; returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  const sign = s[0] === '-' ? -1 : 1;
  const ms = scanK6Duration(s[0] === '-' || s[0] === '+' ? s.slice(1) : s);
  return ms === undefined ? undefined : sign * ms;
}

/** Format milliseconds the way k6 prints durations in its plans and progress ("1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000}ms`;
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.round(rest) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
