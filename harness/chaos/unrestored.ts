/**
 * Faults left applied by earlier runs. Before a run changes anything, it looks through the
 * reports folder for chaos journals of runs against the same target (an `aws` target with the same
 * region and endpoint) that still have faults with no confirmed restore. Their resources would
 * otherwise be captured as "the original" in their faulted state and "restored" to the fault.
 * (An embedded emulator dies with its run, and its faults with it, so only `aws` targets count.)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedTarget } from '../experiment/types.ts';
import { openResources, readJournal, type OpenResource } from './journal.ts';

export const JOURNAL_FILE = 'chaos-journal.ndjson';

export interface UnrestoredRun {
  runDir: string;
  runId: string;
  open: OpenResource[];
  /** The run's orchestrator still seems to be running (its pid is a live squall process). */
  live: boolean;
}

function isLiveSquall(pid: number | undefined): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A pid can be reused after a crash; only a squall process holds the run.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('squall');
  } catch {
    return true; // no /proc (macOS): assume it is the run
  }
}

/** Runs under `reportsDir/<experiment>/<run id>/` against `target` with faults not confirmed restored. */
export function findUnrestored(reportsDir: string, target: ResolvedTarget): UnrestoredRun[] {
  if (target.kind !== 'aws' || !existsSync(reportsDir)) return [];
  const out: UnrestoredRun[] = [];
  for (const exp of safeList(reportsDir)) {
    for (const run of safeList(path.join(reportsDir, exp))) {
      const runDir = path.join(reportsDir, exp, run);
      const file = path.join(runDir, JOURNAL_FILE);
      if (!existsSync(file)) continue;
      const entries = readJournal(file);
      const head = entries.find((e) => e.event === 'run');
      if (!head || head.event !== 'run' || head.target.kind !== 'aws') continue;
      if (head.target.region !== target.region || (head.target.endpoint ?? null) !== (target.endpoint ?? null)) continue;
      const open = openResources(entries);
      if (open.length) out.push({ runDir, runId: head.runId, open, live: isLiveSquall(head.pid) });
    }
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => {
      try {
        return statSync(path.join(dir, n)).isDirectory();
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}
