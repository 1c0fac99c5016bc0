/**
 * Milliseconds back to k6 duration strings. The resolved experiment keeps every duration in ms;
 * k6 options take Go duration syntax (`"500ms"`, `"1m30s"`, `"1h"`: k6-contract.md §4.1, parsed by
 * `lib/types/types.go: ParseExtendedDuration`). A bare number would also be read as ms, but
 * strings keep the generated options readable and identical to what a person would write.
 */

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** `90000` → `"1m30s"`, `500` → `"500ms"`, `0` → `"0s"`; sub-millisecond rests as `us`. */
export function k6Duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`duration must be a finite number of ms >= 0, got ${ms}`);
  // Work in whole microseconds so 0.5 ms becomes "500us" instead of a float artefact.
  let us = Math.round(ms * 1000);
  if (us === 0) return '0s';
  let out = '';
  for (const [unit, unitMs] of UNITS) {
    const unitUs = unitMs * 1000;
    const n = Math.floor(us / unitUs);
    if (n > 0) {
      out += `${n}${unit}`;
      us -= n * unitUs;
    }
  }
  if (us > 0) out += `${us}us`;
  return out;
}
