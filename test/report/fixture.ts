/** Copies of the committed run folders (test/fixtures/runs) in a temp folder, so rendering never writes into the repo. */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_RUNS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/runs');
export const QUICKSTART = 'quickstart/20261207-020347-auy5';
export const POISON = 'sqs-poison/20261207-020549-8y2s';
export const TRAP = 'throttle-dlq-trap/20261207-020714-ygwo';
/** A run written after the message ledger: comparison.json's accounting is exact, by kind. */
export const TRAP_LEDGER = 'throttle-dlq-trap/20261207-031544-8k0o';

/** A fresh reports folder holding copies of the named runs; returns it and each run's path. */
export function reportsCopy(...runs: string[]): { reports: string; dirs: string[] } {
  const reports = mkdtempSync(path.join(tmpdir(), 'squall-report-'));
  const dirs = runs.map((r) => {
    const to = path.join(reports, r);
    cpSync(path.join(FIXTURE_RUNS, r), to, { recursive: true });
    return to;
  });
  return { reports, dirs };
}
