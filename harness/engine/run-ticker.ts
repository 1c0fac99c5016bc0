/**
 * The run's one-second tick, from the test clock's start to the end of teardown: `vus` and
 * `vus_max` (k6 emitVUsAndVUsMax), the live threshold evaluation every 2 s that stops the test
 * on an abortOnFail threshold (k6's thresholds ticker), a --workers child's counters for its
 * parent, and the progress line (summed over the children in a --workers parent).
 */
import { K6_EXIT } from '../contracts/exit-codes.ts';
import type { Executor } from './executors/types.ts';
import { ProgressReporter, type ScenarioProgress } from './progress.ts';
import type { RunSession } from './run-session.ts';
import type { WorkerProgress } from './workers.ts';

export class RunTicker {
  /** A --workers parent's children's last counters, by worker index − 1. */
  readonly childProgress: WorkerProgress[] = [];
  private readonly progress: ProgressReporter | undefined;
  private readonly timer: NodeJS.Timeout;
  private seconds = 0;

  constructor(
    private readonly s: RunSession,
    private readonly executors: Executor[],
  ) {
    const o = s.opts;
    const tty = o.progress === 'tty' || (o.progress !== 'none' && o.progress !== 'plain' && process.stderr.isTTY === true);
    this.progress = o.quiet || o.progress === 'none' ? undefined : new ProgressReporter(s.err, tty);
    this.timer = setInterval(() => this.tick(), 1000);
  }

  /** The test is over: no more ticks, and the progress line ends. */
  end(): void {
    clearInterval(this.timer);
    this.progress?.end();
  }

  /** The run failed: no more ticks (the progress line is left as it is). */
  cancel(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    this.seconds++;
    if (!this.s.workers) {
      this.emitVUsAndVUsMax();
      if (this.seconds % 2 === 0) this.evaluateThresholds();
    }
    const c = this.s.run.counters;
    this.s.opts.onProgress?.({ completed: c.iterationsCompleted, interrupted: c.iterationsInterrupted, vusActive: c.vusActive, vusMax: c.vusInitialized });
    this.progress?.tick({ elapsedMs: this.s.run.elapsed(), ...this.counters(), scenarios: this.scenarios() });
  }

  /** vus / vus_max every second with run tags only (k6 emitVUsAndVUsMax). */
  private emitVUsAndVUsMax(): void {
    const run = this.s.run;
    run.emit(run.builtin.vus, run.runTags, run.counters.vusActive);
    run.emit(run.builtin.vus_max, run.runTags, run.counters.vusInitialized);
  }

  private evaluateThresholds(): void {
    const { opts, metrics, log, run } = this.s;
    if (opts.noThresholds || !metrics.hasThresholds) return;
    const r = metrics.evaluateThresholds(run.elapsed(), false);
    if (r.abortBy) {
      log.warn(`thresholds on metrics '${r.abortBy.metric}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`);
      this.s.fail(`thresholds on metrics '${r.abortBy.metric}' have been crossed`, K6_EXIT.thresholdsHaveFailed);
    }
  }

  /** This process's counters, or the sum of the children's in a --workers parent. */
  private counters(): WorkerProgress {
    const c = this.s.run.counters;
    if (!this.s.workers) return { vusActive: c.vusActive, vusMax: c.vusInitialized, completed: c.iterationsCompleted, interrupted: c.iterationsInterrupted };
    const sum = (f: (p: WorkerProgress) => number): number => this.childProgress.reduce((n, p) => n + f(p), 0);
    return { vusActive: sum((p) => p.vusActive), vusMax: sum((p) => p.vusMax), completed: sum((p) => p.completed), interrupted: sum((p) => p.interrupted) };
  }

  private scenarios(): ScenarioProgress[] {
    return this.s.runtimes.map((rt, i) => {
      const ex = this.executors[i] as Executor;
      const el = Math.max(0, rt.now());
      return { name: rt.state.name, executor: ex.plan.config.executor, activeVUs: rt.activeVUs, progress: ex.progress(el), elapsedMs: el, totalMs: ex.plan.durationMs };
    });
  }
}
