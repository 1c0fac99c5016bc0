/**
 * The runner contract (design.md "runner/"): one interface, several ways of running a k6 script.
 * Whatever runs it (the real k6 binary or squall's embedded engine), a run leaves the SAME files
 * in its run folder, so observe/, compare/ and report/ never know which one ran.
 */

/** File names a runner writes into `RunnerOptions.runDir` (design.md "Contracts"). */
export const RUN_FILES = {
  /** Exactly the object k6 hands to `handleSummary(data)` (k6-contract §1.1, the legacy shape). */
  summary: 'k6-summary.json',
  /** Exactly the lines of `k6 run --out json=…gz` (k6-contract §2.1), gzip-compressed. */
  points: 'k6-points.ndjson.gz',
  /** The k6 process' standard output and error, as they were written. */
  stdout: 'k6-stdout.log',
  stderr: 'k6-stderr.log',
  /** What ran and how it ended: RunRecord below. */
  record: 'k6-run.json',
} as const;

export type RunFiles = { [K in keyof typeof RUN_FILES]: string };

export interface RunnerOptions {
  /** The k6 script to run (absolute, or relative to the current directory). It is never modified. */
  script: string;
  /** The run folder; created if missing. */
  runDir: string;
  /** `-e K=V`: values the script sees in `__ENV`. */
  env?: Record<string, string>;
  /** `--tag k=v`: run tags on every sample. */
  tags?: Record<string, string>;
  /** k6's `-u`, `-d`, `-i`, `--stage` shortcuts; omitted = the script's own options. */
  vus?: number;
  duration?: string;
  iterations?: number;
  stages?: { duration: string; target: number }[];
  /** `--summary-trend-stats`, e.g. ["avg","p(95)","p(99)"]. */
  summaryTrendStats?: string[];
  /** `--no-thresholds`. */
  noThresholds?: boolean;
  /** `--quiet` (no progress bar); default true, since the logs go to files. */
  quiet?: boolean;
  /** Embedded engine only: `--workers N` processes (execution segments). Ignored by the k6 binary. */
  workers?: number;
  /** Further k6 flags passed as they are, before the script path. */
  extraArgs?: string[];
  /** Environment of the k6 process (default: this process' environment). */
  processEnv?: NodeJS.ProcessEnv;
  /** Stop the run (SIGTERM to k6: a graceful stop, exit code 105) when this fires. */
  signal?: AbortSignal;
  /** Stop the run NOW (SIGKILL): a second Ctrl-C, when restoring must not wait for the load. */
  kill?: AbortSignal;
  /** Hard limit: SIGTERM after this long, SIGKILL 15 s later. */
  timeoutMs?: number;
  /** Live copies of the k6 process' output (they also go to the log files). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface RunnerResult {
  runner: string;
  /** k6's own exit code (k6-contract §3.5); 128+signal number when the process died by a signal. */
  exitCode: number;
  /** The signal that ended the k6 process, if any. */
  signal: string | null;
  durationMs: number;
  /** Absolute paths of the run files. `summary`/`points` may be missing if k6 failed early. */
  files: RunFiles;
  /** The command line that ran (for the record and for re-running by hand). */
  command: string[];
}

/** The contents of `k6-run.json`. */
export interface RunRecord {
  runner: string;
  /** The user's script (absolute). `command` names the entry module, deleted after the run. */
  script: string;
  command: string[];
  exitCode: number;
  signal: string | null;
  startedAt: string;
  durationMs: number;
}

export interface Availability {
  ok: boolean;
  /** Why not, and how to fix it, when `ok` is false; the version found when true. */
  reason?: string;
}

export interface Runner {
  /** `embedded` or `k6-binary`. */
  readonly name: string;
  available(): Promise<Availability>;
  run(opts: RunnerOptions): Promise<RunnerResult>;
}

/** `load.engine` in an experiment (harness/experiment/types.ts ResolvedLoad.engine). */
export type EngineChoice = 'embedded' | 'k6' | 'auto';
