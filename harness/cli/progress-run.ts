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

/** What a run-flow log line says about progress; the run flow is not touched to report it. */
export function progressFromLog(line: string): { phase?: RunPhase; emulator?: string; loadClockMs?: number } {
  if (line.startsWith('emulator at ')) return { emulator: line.slice('emulator at '.length).trim() };
  // Chaos lines carry the load's own clock: the load starts seconds after the runner (VU init).
  const chaos = /^chaos \+(\d+(?:\.\d+)?)s /.exec(line);
  if (chaos) return { loadClockMs: Number(chaos[1]) * 1000 };
  if (line.startsWith('load: ')) return { phase: 'load' };
  if (line.startsWith('load finished') || line.startsWith('observing the system')) return { phase: 'tail' };
  return {};
}

/** Faults whose planned window holds `tMs` (load clock), as `#id label`. */
export function activeFaultsAt(exp: ResolvedExperiment, tMs: number, label: (f: ResolvedExperiment['chaos']['faults'][number]) => string): string[] {
  return exp.chaos.faults.filter((f) => f.atMs <= tMs && (f.forMs === null || tMs < f.atMs + f.forMs)).map((f) => `#${f.id} ${label(f)}`);
}

interface MetricsSnapshot {
  series: Array<{ name: string; values: Array<number | null> }>;
}

/** Achieved rate (invocations in the last complete second) and errors + throttles so far, from the emulator's metrics. */
export function figuresFromMetrics(m: MetricsSnapshot): { achievedPerSecond: number | null; errors: number } {
  let errors = 0;
  let achieved: number | null = null;
  const inv = m.series.filter((s) => s.name === 'lambda.invocations');
  if (inv.length) {
    const n = Math.max(...inv.map((s) => s.values.length));
    // The last step is still filling; the one before it is complete.
    const i = n - 2;
    if (i >= 0) achieved = inv.reduce((a, s) => a + (s.values[i] ?? 0), 0);
  }
  for (const s of m.series) if (s.name === 'lambda.errors' || s.name === 'lambda.throttles') for (const v of s.values) errors += v ?? 0;
  return { achievedPerSecond: achieved, errors };
}

/**
 * `squall run`'s progress: fed the run flow's log lines, it knows the phase and the emulator's
 * endpoint; a 1 s timer updates elapsed time, the planned offered rate and faults, and (on the
 * emulator) polls its metrics every few seconds for the achieved rate and the errors.
 */
export class LiveRunProgress {
  readonly progress: RunProgress;
  private loadStart: number | null = null;
  private endpoint: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastPoll = 0;
  private polling = false;
  constructor(
    private readonly exp: ResolvedExperiment,
    out: ProgressOutput,
    tailMs: number,
    private readonly label: (f: ResolvedExperiment['chaos']['faults'][number]) => string,
  ) {
    this.progress = new RunProgress(out, exp.load.durationMs + tailMs);
  }

  log(line: string): void {
    this.progress.log(line);
    const p = progressFromLog(line);
    if (p.emulator) this.endpoint = p.emulator;
    if (p.phase === 'load' && this.loadStart === null) {
      this.loadStart = Date.now();
      this.timer = setInterval(() => this.tick(), 1000);
      this.timer.unref();
    }
    if (p.loadClockMs !== undefined) this.loadStart = Date.now() - p.loadClockMs;
    if (p.phase) this.progress.update({ phase: p.phase });
  }

  private tick(): void {
    if (this.loadStart === null) return;
    const t = Date.now() - this.loadStart;
    this.progress.update({ elapsedMs: t, offeredPerSecond: t < this.exp.load.durationMs ? offeredRateAt(this.exp, t) : 0, activeFaults: activeFaultsAt(this.exp, t, this.label) });
    if (this.endpoint && !this.polling && Date.now() - this.lastPoll >= 3000) {
      this.polling = true;
      this.lastPoll = Date.now();
      fetch(`${this.endpoint}/_squall/metrics`, { signal: AbortSignal.timeout(2000) })
        .then((r) => (r.ok ? (r.json() as Promise<MetricsSnapshot>) : null))
        .then((m) => {
          if (m) this.progress.update(figuresFromMetrics(m));
        })
        // Progress is best effort: a missed poll only leaves the last figures on screen.
        .catch(() => {})
        .finally(() => (this.polling = false));
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.progress.finish();
  }
}
