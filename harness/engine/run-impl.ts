/**
 * One `k6 run`, phase by phase as k6's cmd/run.go reads: the first init context (VU 0) yields the
 * options; then the outputs, the VUs, the test clock and its 1 s tick, the test itself (in this
 * process, or split over --workers processes), the outputs closed, and the end: final
 * thresholds, summary, handleSummary and k6's exit code (k6-contract.md §1.4, §3.4–3.5). The
 * phases live in run-*.ts and share one RunSession. Loaded through Node's own loader (see
 * run.ts), so the shims share these module instances.
 */
import type { Writable } from 'node:stream';
import type { SegmentShare } from './executors/types.ts';
import type { CliOverrides } from './options.ts';
import { closeOutputs, openOutputs } from './run-outputs.ts';
import { initVUs, loadTest, printBanner } from './run-init.ts';
import { finishRun } from './run-finish.ts';
import { runInWorkers } from './run-in-workers.ts';
import { runLocally } from './run-local.ts';
import { RunSession } from './run-session.ts';
import { RunTicker } from './run-ticker.ts';
import { VuPool } from './runtime/vu-pool.ts';
import type { K6SummaryData } from './summary/legacy.ts';
import type { WorkerDone, WorkerProgress } from './workers.ts';

export interface K6RunOptions {
  /** Path of the k6 script (.js, .mjs or .ts). */
  script: string;
  cli?: CliOverrides;
  /** `-e KEY=VALUE` values, over the system environment. */
  env?: Record<string, string>;
  /** k6 run includes system env vars in __ENV by default. */
  includeSystemEnv?: boolean;
  /** `--out` values; `json=FILE` (FILE.gz for gzip) is supported. */
  out?: string[];
  summaryExport?: string;
  noThresholds?: boolean;
  /** `--summary-mode=disabled`: no handleSummary, no text summary, no export. */
  noSummary?: boolean;
  /** k6 --no-setup / --no-teardown. */
  noSetup?: boolean;
  noTeardown?: boolean;
  quiet?: boolean;
  /** Resolve relative paths (script, outputs, handleSummary files) against this. */
  cwd?: string;
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** Stop on SIGINT/SIGTERM with exit 105 (the CLI sets this; in-process callers usually do not). */
  handleSignals?: boolean;
  /** Progress line: on a TTY by default; 'none' for tests. */
  progress?: 'auto' | 'tty' | 'plain' | 'none';
  /** This process's share of a segmented test; the whole test by default. */
  segment?: SegmentShare;
  /** k6's --execution-segment / --execution-segment-sequence values (parsed by segments.ts). */
  segmentFlags?: { segment: string; sequence: string };
  /** Split the test over this many processes (`--workers N`) and merge their metrics. */
  workers?: number;
  /** --workers child: NDJSON lines go to this stream instead of a file. */
  pointsSink?: Writable | undefined;
  /** --workers child: counters every second, for the parent's progress line. */
  onProgress?: (p: WorkerProgress) => void;
  /** --workers child: receives a function that stops the test (the parent asked). */
  onStopRequest?: (stop: () => void) => void;
  /** --workers child: everything the parent merges, once the run is over. */
  onWorkerDone?: (d: WorkerDone) => void;
}

export interface K6RunResult {
  exitCode: number;
  summary: K6SummaryData | undefined;
  /** p99 of how late arrival-rate iterations started after their due time (ms), when any ran. */
  schedulingLagP99Ms: number | undefined;
  droppedIterations: number;
  /** VU initialization in this process: how many, how long, live heap per VU (measured between two full GCs). */
  vuInit: { count: number; ms: number; heapBytesPerVU: number } | undefined;
}

export async function runK6ScriptImpl(opts: K6RunOptions): Promise<K6RunResult> {
  const s = RunSession.open(opts);
  try {
    const test = await loadTest(s);
    const outputs = openOutputs(s, test.options.thresholds);
    if (!opts.quiet) printBanner(s, test.plans, outputs);
    // VUs live in this process unless the test is split over worker processes.
    const pool = new VuPool(s.run, 1);
    const vuInit = s.workers ? undefined : await initVUs(s, test.plans, pool);

    // The test clock starts before setup (k6 MarkStarted).
    s.run.testStartMono = performance.now();
    const ticker = (s.ticker = new RunTicker(s, test.executors));
    const ran = s.workers
      ? await runInWorkers(s, outputs, ticker.childProgress)
      : { setupJson: await runLocally(s, test, pool), childDone: [] };
    ticker.end();
    const testRunDurationMs = s.run.elapsed();

    // Outputs flushed, then the final thresholds, summary and handleSummary.
    await closeOutputs(s.metrics, outputs);
    return await finishRun(s, test, { ...ran, testRunDurationMs, vuInit });
  } finally {
    await s.close();
  }
}
