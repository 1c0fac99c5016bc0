/**
 * `status.json` of a run folder: when the run started, the phase it reached, and — once it ends,
 * however it ends — why and with which exit code. Written at every phase transition (atomically:
 * a temporary file renamed over the old one), so a run that dies still says how far it got.
 */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type RunPhase = 'preparing' | 'load' | 'restoring' | 'observing' | 'comparing' | 'done';

export interface RunStatus {
  runId: string;
  experiment: string;
  startedAt: string;
  phase: RunPhase;
  updatedAt: string;
  /** Set once the run has ended. */
  ended: { at: string; reason: string; exitCode: number } | null;
  pid: number;
}

export class RunStatusFile {
  private status: RunStatus;
  constructor(
    private readonly runDir: string,
    runId: string,
    experiment: string,
  ) {
    const now = new Date().toISOString();
    this.status = { runId, experiment, startedAt: now, phase: 'preparing', updatedAt: now, ended: null, pid: process.pid };
    this.flush();
  }
  get phase(): RunPhase {
    return this.status.phase;
  }
  enter(phase: RunPhase): void {
    this.status = { ...this.status, phase, updatedAt: new Date().toISOString() };
    this.flush();
  }
  end(reason: string, exitCode: number): void {
    const at = new Date().toISOString();
    this.status = { ...this.status, updatedAt: at, ended: { at, reason, exitCode } };
    this.flush();
  }
  private flush(): void {
    const file = path.join(this.runDir, 'status.json');
    try {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(this.status, null, 2)}\n`);
      renameSync(`${file}.tmp`, file);
    } catch {
      // A status that cannot be written (disk full) must not stop a restore.
    }
  }
}
