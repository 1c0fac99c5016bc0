/**
 * The --workers parent's run: the children (workers.ts) each run one execution segment of the
 * test; the parent writes their NDJSON lines, sums their progress, then merges their metrics,
 * groups, setup data and errors, picking the error whose exit code k6 would report first.
 */
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { MetricsEngine } from './metrics/engine.ts';
import type { RunOutputs } from './run-outputs.ts';
import type { RunSession } from './run-session.ts';
import type { WorkerDone, WorkerOutcome, WorkerProgress } from './workers.ts';

/** k6's precedence among the instances' own errors: abort, signal, abortOnFail, script errors. */
const ERROR_PRECEDENCE: number[] = [K6_EXIT.scriptAborted, K6_EXIT.externalAbort, K6_EXIT.thresholdsHaveFailed, K6_EXIT.scriptException, K6_EXIT.setupTimeout, K6_EXIT.teardownTimeout];

export interface WorkersRan {
  setupJson: string | undefined;
  /** What each child that finished reported. */
  childDone: WorkerDone[];
}

export async function runInWorkers(s: RunSession, outputs: RunOutputs, childProgress: WorkerProgress[]): Promise<WorkersRan> {
  const o = s.opts;
  const outcomes = await s.group.run({
    n: s.workers,
    config: {
      script: s.scriptPath,
      cwd: s.cwd,
      cli: o.cli ?? {},
      env: o.env ?? {},
      includeSystemEnv: o.includeSystemEnv !== false,
      noThresholds: o.noThresholds === true,
      noSetup: o.noSetup === true,
      noTeardown: o.noTeardown === true,
      wantPoints: outputs.ndjson !== undefined,
    },
    onLines: (text) => outputs.ndjson?.addRawLines(text),
    onProgress: (i, p) => {
      childProgress[i - 1] = p;
    },
  });
  const childDone = checkOutcomes(s, outcomes);
  mergeChildren(s, childDone);
  return { setupJson: childDone.find((d) => d.setupDataJson !== undefined)?.setupDataJson, childDone };
}

/** A child that could not start the test fails the run at once; one that vanished fails it at the end. */
function checkOutcomes(s: RunSession, outcomes: WorkerOutcome[]): WorkerDone[] {
  for (const o of outcomes) {
    if (o.fatal) {
      throw new SquallError(`worker ${o.index}/${s.workers}: ${o.fatal.message}`, { exitCode: o.fatal.exitCode as 107, hint: o.fatal.hint ?? 'run without --workers to see the error directly' });
    }
    if (!o.done) s.fail(`worker ${o.index}/${s.workers} exited (code ${o.exitCode}) without reporting its metrics`, K6_EXIT.genericEngine);
  }
  return outcomes.flatMap((o) => (o.done ? [o.done] : []));
}

function mergeChildren(s: RunSession, childDone: WorkerDone[]): void {
  const errs = childDone
    .filter((d) => d.runErrorCode !== undefined)
    .sort((x, y) => ERROR_PRECEDENCE.indexOf(x.runErrorCode as number) - ERROR_PRECEDENCE.indexOf(y.runErrorCode as number));
  if (errs[0]) s.fail(errs[0].runErrorMessage ?? 'a worker failed', errs[0].runErrorCode as number);
  const marked = childDone.find((d) => d.markedFailed !== undefined);
  if (marked) s.run.markedFailed = marked.markedFailed;
  for (const d of childDone) {
    s.metrics.merge(d.snapshot, d.types as Parameters<MetricsEngine['merge']>[1]);
    s.metrics.groups.merge(d.groups);
  }
}
