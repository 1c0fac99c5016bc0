/**
 * The run's outputs (k6's output manager, cmd/outputs.go): `--out json=FILE` values and a
 * --workers child's points stream become NDJSON outputs fed by the metrics engine; they are
 * flushed and closed before the final threshold evaluation, so the files are whole when the
 * summary is written.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { K6_EXIT, SquallError } from '../contracts/exit-codes.ts';
import type { MetricsEngine } from './metrics/engine.ts';
import type { ResolvedOptions } from './options.ts';
import { NdjsonOutput } from './outputs/ndjson.ts';
import { ThreadedNdjsonOutput } from './outputs/ndjson-threaded.ts';
import type { RunSession } from './run-session.ts';

export interface RunOutputs {
  /** The in-thread NDJSON output: a worker child's points stream, stdout (`json=-`), or a --workers parent's file. */
  ndjson: NdjsonOutput | undefined;
  /** Every other file, written by one writer thread. */
  threaded: ThreadedNdjsonOutput | undefined;
}

export function openOutputs(s: RunSession, thresholds: ResolvedOptions['thresholds']): RunOutputs {
  const o: RunOutputs = { ndjson: undefined, threaded: undefined };
  if (s.opts.pointsSink) {
    o.ndjson = new NdjsonOutput({ path: '', stream: s.opts.pointsSink, thresholds });
    s.metrics.outputs.push(o.ndjson);
  }
  // Every file output goes through one writer thread: the samples are copied once, and the
  // lines written to each file (one of them may be a live, uncompressed copy for squall run).
  const threadedPaths: string[] = [];
  for (const value of s.opts.out ?? []) {
    const path = outPath(value, s.cwd);
    if (path !== '-') mkdirSync(dirname(path), { recursive: true });
    // Children of --workers send raw lines the parent writes in order: that stays in-thread.
    if (path !== '-' && !s.workers) {
      threadedPaths.push(path);
      continue;
    }
    o.ndjson = new NdjsonOutput({ path, thresholds });
    s.metrics.outputs.push(o.ndjson);
  }
  if (threadedPaths.length) {
    o.threaded = new ThreadedNdjsonOutput(threadedPaths, thresholds);
    s.metrics.outputs.push(o.threaded);
  }
  return o;
}

/** The file of `json=FILE` (relative to the run's directory), or '-' for stdout. */
function outPath(value: string, cwd: string): string {
  const m = /^json(?:=(.*))?$/.exec(value);
  if (!m) throw new SquallError(`--out ${value}: squall's engine writes only json=FILE (k6's NDJSON)`, { exitCode: K6_EXIT.invalidConfig, hint: 'use --out json=points.ndjson.gz, or run real k6 for other outputs' });
  return m[1] ? resolve(cwd, m[1]) : '-';
}

export function hasOutputs(o: RunOutputs): boolean {
  return o.ndjson !== undefined || o.threaded !== undefined;
}

/** Flushed and closed once the test is over; the session's close() then has none left to close. */
export async function closeOutputs(metrics: MetricsEngine, o: RunOutputs): Promise<void> {
  if (!hasOutputs(o)) return;
  await o.ndjson?.close();
  await o.threaded?.close();
  metrics.outputs.length = 0;
}
