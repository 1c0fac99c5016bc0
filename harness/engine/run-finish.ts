/**
 * The end of a run, once the outputs are closed (k6 cmd/run.go after the scheduler returns): the
 * final threshold evaluation, the run's error, the summary with handleSummary and
 * --summary-export, k6's exit code with k6's precedence (k6-contract.md §1.4, §3.4–3.5: the run's
 * error, then test.fail(), then thresholds), and a --workers child's report to its parent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { K6_EXIT } from '../contracts/exit-codes.ts';
import type { K6RunResult } from './run-impl.ts';
import type { LoadedTest } from './run-init.ts';
import type { RunSession } from './run-session.ts';
import { handleSummary } from './runtime/handle-summary.ts';
import { type K6SummaryData, buildSummaryData, oldJsonSummaryText } from './summary/legacy.ts';
import type { WorkerDone } from './workers.ts';

export interface RunEnd {
  testRunDurationMs: number;
  setupJson: string | undefined;
  /** A --workers parent's children's reports; empty otherwise. */
  childDone: WorkerDone[];
  vuInit: K6RunResult['vuInit'];
}

export async function finishRun(s: RunSession, test: LoadedTest, end: RunEnd): Promise<K6RunResult> {
  let thresholdsFailed = false;
  if (!s.opts.noThresholds && s.metrics.hasThresholds) thresholdsFailed = s.metrics.evaluateThresholds(end.testRunDurationMs, true).failed;
  if (s.runError) s.err(`ERRO[squall] ${s.runError.message}\n`);
  const summary = s.opts.noSummary ? undefined : await writeSummary(s, test, end);
  const exitCode = runExitCode(s, thresholdsFailed);
  const lagAll = s.runtimes.filter((r) => !r.lag.empty);
  const lagP99 = lagAll.length ? Math.max(...lagAll.map((r) => r.lag.percentile(0.99))) : undefined;
  const childLag = end.childDone.flatMap((d) => (d.schedulingLagP99Ms === undefined ? [] : [d.schedulingLagP99Ms]));
  const dropped = s.runtimes.reduce((n, r) => n + r.dropped, 0) + end.childDone.reduce((n, d) => n + d.droppedIterations, 0);
  reportToParent(s, end.setupJson, dropped, lagP99);
  return {
    exitCode,
    summary,
    schedulingLagP99Ms: childLag.length ? Math.max(...childLag) : lagP99,
    droppedIterations: dropped,
    vuInit: end.vuInit,
  };
}

/** The summary data, handed to the script's handleSummary (or k6's text summary), and --summary-export. */
async function writeSummary(s: RunSession, test: LoadedTest, end: RunEnd): Promise<K6SummaryData> {
  const summary = buildSummaryData({
    engine: s.metrics,
    trendStats: test.options.summaryTrendStats,
    summaryTimeUnit: test.options.summaryTimeUnit,
    noColor: process.env.NO_COLOR !== undefined,
    isStdOutTTY: process.stdout.isTTY === true,
    isStdErrTTY: process.stderr.isTTY === true,
    testRunDurationMs: end.testRunDurationMs,
    setupDataJson: end.setupJson,
  });
  await handleSummary(test.vu0, summary, s.out, s.err, s.cwd, s.log);
  const exportTo = s.opts.summaryExport;
  if (exportTo) {
    try {
      const p = resolve(s.cwd, exportTo);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, oldJsonSummaryText(summary));
    } catch (e) {
      s.log.warn(`could not write --summary-export ${exportTo}: ${(e as Error).message}`);
    }
  }
  return summary;
}

function runExitCode(s: RunSession, thresholdsFailed: boolean): number {
  if (s.runError) return s.runError.exitCode;
  if (s.run.markedFailed !== undefined) return K6_EXIT.markedAsFailed;
  if (!thresholdsFailed) return K6_EXIT.ok;
  // A --workers child's thresholds cover only its share; the parent judges the merged run.
  if (!s.opts.onWorkerDone) s.err('ERRO[squall] thresholds on metrics have been crossed\n');
  return K6_EXIT.thresholdsHaveFailed;
}

/** A --workers child: everything the parent merges (metrics, groups, errors, setup data, drops). */
function reportToParent(s: RunSession, setupJson: string | undefined, dropped: number, lagP99: number | undefined): void {
  const { metrics, runError } = s;
  s.opts.onWorkerDone?.({
    snapshot: metrics.snapshot(),
    types: Object.fromEntries([...metrics.registry.all()].map((m) => [m.name, { type: m.type, contains: m.contains }])),
    groups: metrics.groups.snapshot(),
    runErrorCode: runError?.exitCode,
    runErrorMessage: runError?.message,
    markedFailed: s.run.markedFailed,
    setupDataJson: setupJson,
    droppedIterations: dropped,
    schedulingLagP99Ms: lagP99,
  });
}
