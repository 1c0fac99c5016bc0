/**
 * Live progress of `squall run`, so the terminal is never silent for long: phase, elapsed/total,
 * offered vs achieved rate, errors and the faults in force. On a TTY one status line is redrawn
 * in place (log lines print above it); otherwise plain timestamped lines, at phase changes and
 * every `everyMs`. The formatting is pure; `RunProgress` only keeps the latest snapshot and
 * decides when to write.
 */
import type { ResolvedExperiment } from '../experiment/types.ts';

export type RunPhase = 'starting' | 'load' | 'tail' | 'comparing' | 'report' | 'done';

export interface ProgressSnapshot {
  phase: RunPhase;
  /** Since load start (0 before it). */
  elapsedMs: number;
  /** Load + tail. */
  totalMs: number;
  /** What the executors schedule now (iterations/s); null for VU-based executors. */
  offeredPerSecond: number | null;
  /** What the system achieved in the last second (invocations or responses/s); null when unknown. */
  achievedPerSecond: number | null;
  /** Errors and throttles so far. */
  errors: number;
  /** Labels of the faults in force. */
  activeFaults: string[];
}

const PHASE_TEXT: Record<RunPhase, string> = {
  starting: 'starting',
  load: 'load',
  tail: 'draining',
  comparing: 'comparing',
  report: 'report',
  done: 'done',
};

const rate = (v: number | null) => (v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const secs = (ms: number) => `${Math.floor(ms / 1000)}`;

/** One status line: `load  23/75 s [#####.....] offered 50.0/s achieved 12.0/s errors 180 | fault #0 …`. */
export function formatProgress(s: ProgressSnapshot, opts: { tty: boolean; width?: number; now?: Date }): string {
  const frac = s.totalMs > 0 ? Math.min(1, Math.max(0, s.elapsedMs / s.totalMs)) : 0;
  const bar = opts.tty ? ` [${'█'.repeat(Math.round(frac * 20)).padEnd(20, '·')}]` : '';
  const faults = s.activeFaults.length ? ` | fault ${s.activeFaults.join('; ')}` : '';
  const body = `${PHASE_TEXT[s.phase].padEnd(9)} ${secs(s.elapsedMs).padStart(4)}/${secs(s.totalMs)} s${bar} offered ${rate(s.offeredPerSecond)}/s achieved ${rate(s.achievedPerSecond)}/s errors ${s.errors}${faults}`;
  if (opts.tty) {
    const width = opts.width ?? 120;
    return body.length > width - 1 ? `${body.slice(0, width - 2)}…` : body;
  }
  return `${(opts.now ?? new Date()).toISOString().slice(11, 19)} ${body}`;
}

/** Iterations/s the experiment's arrival-rate executors schedule at `tMs` after load start (k6's rules: linear ramps between stages). */
export function offeredRateAt(exp: ResolvedExperiment, tMs: number): number | null {
  let total = 0;
  let any = false;
  for (const s of Object.values(exp.load.scenarios)) {
    const t = tMs - s.startTimeMs;
    if (s.executor === 'constant-arrival-rate') {
      any = true;
      if (t >= 0 && t < s.durationMs) total += (s.rate * 1000) / s.timeUnitMs;
    } else if (s.executor === 'ramping-arrival-rate') {
      any = true;
      if (t < 0) continue;
      let from = s.startRate;
      let at = 0;
      for (const st of s.stages) {
        if (t < at + st.durationMs) {
          total += ((from + ((st.target - from) * (t - at)) / st.durationMs) * 1000) / s.timeUnitMs;
          break;
        }
        at += st.durationMs;
        from = st.target;
      }
    }
  }
  return any ? total : null;
}

export interface ProgressOutput {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class RunProgress {
  private snap: ProgressSnapshot;
  private lastPlain = -Infinity;
  private drawn = false;
  constructor(
    private readonly out: ProgressOutput,
    totalMs: number,
    private readonly opts: { everyMs?: number; now?: () => number } = {},
  ) {
    this.snap = { phase: 'starting', elapsedMs: 0, totalMs, offeredPerSecond: null, achievedPerSecond: null, errors: 0, activeFaults: [] };
  }

  get snapshot(): ProgressSnapshot {
    return { ...this.snap, activeFaults: [...this.snap.activeFaults] };
  }

  /** A log line: on a TTY the status line is cleared first and redrawn after. */
  log(line: string): void {
    if (this.out.isTTY && this.drawn) this.out.write('\r\x1b[2K');
    this.out.write(`${line}\n`);
    if (this.out.isTTY && this.drawn) this.draw();
  }

  update(p: Partial<ProgressSnapshot>): void {
    const phaseChanged = p.phase !== undefined && p.phase !== this.snap.phase;
    this.snap = { ...this.snap, ...p };
    const now = (this.opts.now ?? Date.now)();
    if (this.out.isTTY) this.draw();
    else if (phaseChanged || now - this.lastPlain >= (this.opts.everyMs ?? 10_000)) {
      this.lastPlain = now;
      this.out.write(`${formatProgress(this.snap, { tty: false, now: new Date(now) })}\n`);
    }
  }

  faultStarted(label: string): void {
    this.update({ activeFaults: [...this.snap.activeFaults, label] });
  }

  faultEnded(label: string): void {
    const i = this.snap.activeFaults.indexOf(label);
    this.update({ activeFaults: i < 0 ? this.snap.activeFaults : [...this.snap.activeFaults.slice(0, i), ...this.snap.activeFaults.slice(i + 1)] });
  }

  /** Leaves the terminal clean: the status line is erased on a TTY. */
  finish(): void {
    if (this.out.isTTY && this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(): void {
    this.out.write(`\r\x1b[2K${formatProgress(this.snap, { tty: true, width: this.out.columns ?? 120 })}`);
    this.drawn = true;
  }
}
