/**
 * The verdict ladder of `squall run`: one exit code from what happened, most serious first — a
 * fault left applied (even when interrupted: 130 promises everything was put back), interrupted,
 * messages lost, thresholds failed, the load generator failed,
 * predictions missed. The reasons say why, for the summary line.
 */
import { EXIT, K6_EXIT } from '../contracts/exit-codes.ts';
import type { StopFired } from '../chaos/stop-conditions.ts';
import type { Comparison } from './compare.ts';

export interface VerdictInput {
  interrupted: boolean;
  k6ExitCode: number;
  restoreFailed: number;
  comparison: Comparison;
  /** The stop condition that fired during the run, if one did. */
  stoppedBy?: StopFired | null;
}

export function verdict(v: VerdictInput): { exitCode: number; reasons: string[] } {
  const reasons: string[] = [];
  const c = v.comparison;
  let exitCode: number = EXIT.ok;
  const stop = v.stoppedBy ?? null;
  // A fault left applied outranks everything, an interrupted run included: exit 5 tells the user to restore.
  if (v.restoreFailed) exitCode = EXIT.restoreFailed;
  // A fired stop condition with `then: stop-load` ends the load with SIGTERM (k6 exit 105) too.
  else if (v.interrupted || (v.k6ExitCode === K6_EXIT.externalAbort && stop?.then !== 'stop-load')) {
    exitCode = EXIT.interrupted;
    reasons.push('interrupted');
  } else if (stop) {
    // A brake that fired means the system did not hold under the experiment: like k6's abortOnFail (exit 99).
    exitCode = EXIT.thresholdsFailed;
    reasons.push(`stop condition fired at +${(stop.atMs / 1000).toFixed(1)}s: ${stop.condition}${stop.value !== null ? ` = ${stop.value}` : ''}`);
  } else if (c.verdict.messages === 'fail' && c.messages?.measured) {
    exitCode = EXIT.messagesLost;
    const m = c.messages;
    reasons.push(m.lost !== 0 ? `${m.lost} message(s) lost` : `the dead-letter queues do not hold what was moved to them (moved ${m.dlq.movedToDlq}, held ${m.dlq.holds})`);
  } else if (c.verdict.messages === 'not-measured' && c.messages?.measured === false && c.messages.policy === 'fail') {
    // Never "lost 0, pass" on a target whose messages squall cannot all see.
    exitCode = EXIT.messagesLost;
    reasons.push(`expect.messages no-loss was not measured: ${c.messages.reason} (expect.messagesWhenUnmeasured: fail)`);
  } else if (v.k6ExitCode === K6_EXIT.thresholdsHaveFailed || c.verdict.thresholds === 'fail') {
    exitCode = EXIT.thresholdsFailed;
    reasons.push(v.k6ExitCode === K6_EXIT.thresholdsHaveFailed ? 'k6 thresholds failed' : 'series thresholds failed');
  } else if (v.k6ExitCode !== K6_EXIT.ok) {
    exitCode = EXIT.internalError;
    reasons.push(`the load generator exited with ${v.k6ExitCode} (see k6-stderr.log)`);
  } else if (c.verdict.predictions === 'fail') {
    exitCode = EXIT.predictionMismatch;
    reasons.push(`${c.series.filter((s) => s.verdict === 'fail').length} series outside their prediction tolerance`);
  }
  return { exitCode, reasons };
}
