/**
 * Live progress: on a TTY one line redrawn in place (scenarios, executor, VUs, iterations/s,
 * elapsed of total); otherwise a plain line every few seconds. Formatting is a pure function.
 */
import { formatDuration } from './duration.ts';

export interface ScenarioProgress {
  name: string;
  executor: string;
  activeVUs: number;
  progress: number;
  elapsedMs: number;
  totalMs: number;
}

export interface ProgressState {
  elapsedMs: number;
  vusActive: number;
  vusMax: number;
  completed: number;
  interrupted: number;
  iterationsPerSec: number;
  scenarios: ScenarioProgress[];
}

function secs(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

export function formatProgress(s: ProgressState): string {
  const head = `running (${secs(s.elapsedMs)}), ${s.vusActive}/${s.vusMax} VUs, ${s.completed} complete and ${s.interrupted} interrupted iterations, ${s.iterationsPerSec.toFixed(1)} iters/s`;
  const parts = s.scenarios.map((sc) => {
    const pct = Math.round(Math.min(1, Math.max(0, sc.progress)) * 100);
    return `${sc.name} [${String(pct).padStart(3)}%] ${sc.executor} ${sc.activeVUs} VUs ${secs(sc.elapsedMs)}/${formatDuration(sc.totalMs)}`;
  });
  return parts.length ? `${head} | ${parts.join(' | ')}` : head;
}

export class ProgressReporter {
  private lastCompleted = 0;
  private lastAt = 0;
  private ticks = 0;
  private drawn = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly tty: boolean,
    private readonly plainEvery = 5,
  ) {}

  /** Called once a second with the current state (without iterationsPerSec, computed here). */
  tick(state: Omit<ProgressState, 'iterationsPerSec'>): void {
    const dt = (state.elapsedMs - this.lastAt) / 1000;
    const rate = dt > 0 ? (state.completed - this.lastCompleted) / dt : 0;
    this.lastAt = state.elapsedMs;
    this.lastCompleted = state.completed;
    const line = formatProgress({ ...state, iterationsPerSec: rate });
    if (this.tty) {
      this.write(`\r\u001b[K${line}`);
      this.drawn = true;
    } else if (++this.ticks % this.plainEvery === 0) this.write(`${line}\n`);
  }

  end(): void {
    if (this.tty && this.drawn) this.write('\n');
  }
}
