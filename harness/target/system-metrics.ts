/**
 * The emulator's own per-second system series (`/_squall/metrics`), fetched over HTTP with a
 * bounded wait, and the call that puts its steps on the load's grid.
 */
import type { SeriesFile } from '../contracts/series.ts';
import type { SqsLedger } from '../contracts/sqs-ledger.ts';

export async function fetchSystemSeries(endpoint: string): Promise<SeriesFile> {
  const url = `${endpoint}/_squall/metrics`;
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}`);
  return (await r.json()) as SeriesFile;
}

/** Align the emulator's per-second steps on the load's start, so system and client series line up. */
export function alignSystemSeries(endpoint: string, epochMs: number, onError: (e: unknown) => void): void {
  fetch(`${endpoint}/_squall/metrics/align?epochMs=${epochMs}`, { method: 'POST', signal: AbortSignal.timeout(5000) }).then(
    (r) => r.body?.cancel(),
    onError,
  );
}

/** The emulator's message ledger (`/_squall/accounting`, contracts/sqs-ledger.ts) at this instant. */
export async function fetchLedger(endpoint: string): Promise<SqsLedger> {
  const url = `${endpoint}/_squall/accounting`;
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}`);
  return (await r.json()) as SqsLedger;
}
