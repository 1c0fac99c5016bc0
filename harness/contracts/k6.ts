/**
 * k6 facts more than one part needs: the executor names, and k6's duration syntax, shared by every part that reads one (k6 `lib/types/types.go:
 * ParseExtendedDuration`, shared/reference/k6-contract.md §4.1): Go `time.ParseDuration` units plus
 * `d` for days, and a bare number meaning milliseconds. Parts wrap this scanner with their own
 * policy (the experiment refuses negatives with a message; the engine follows k6's laxer rules).
 */

export const K6_DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;
const BARE = /^(\d+(\.\d*)?|\.\d+)$/;

/**
 * Milliseconds of an unsigned k6 duration text (`"1m30s"`, `"500ms"`, `"250"`, `"0"`), or
 * undefined when it is not one. Signs are the caller's business.
 */
export function scanK6Duration(text: string): number | undefined {
  if (text === '') return undefined;
  if (BARE.test(text)) return Number(text);
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return undefined;
    total += Number(m[1]) * K6_DURATION_UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  return total;
}

/** k6's six executors (`lib/executor`, k6-contract §4.2; `externally-controlled` was removed in v2.0). */
export const K6_EXECUTORS = [
  'shared-iterations',
  'per-vu-iterations',
  'constant-vus',
  'ramping-vus',
  'constant-arrival-rate',
  'ramping-arrival-rate',
] as const;
export type ExecutorName = (typeof K6_EXECUTORS)[number];
