/**
 * Calibration of a handler function (the logic behind `squall calibrate`): run the real handler
 * in the emulator's worker environments N times — a few cold starts, the rest warm — record the
 * handler durations the worker measures, fit them with the shared fitting code
 * (`contracts/distributions.ts`), and express the fit in the experiment file's own distribution
 * syntax so it can be pasted as `calibrated:` or `duration:`.
 */
import path from 'node:path';
import { systemClock } from '../../contracts/clock.ts';
import { createRng, fitDistributionDetailed, quantileDuration, type FitResult } from '../../contracts/distributions.ts';
import { EXIT, SquallError } from '../../contracts/exit-codes.ts';
import type { DurationDistribution, ResolvedExperiment, ResolvedFunction } from '../../experiment/types.ts';
import { LAMBDA } from '../../contracts/aws-facts.ts';
import { usableCpu } from '../../rules/memory-cpu.ts';
import { Metrics } from '../metrics.ts';
import { DEFAULT_ACCOUNT, LambdaModel, type LambdaFunction } from './model/functions.ts';
import { specFromResolved } from './provider.ts';

export interface CalibrationOptions {
  invocations: number;
  coldStarts: number;
  /** Event JSON; null = a sample event matching how the experiment invokes the function. */
  payload: string | null;
}

export interface Stats {
  n: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface CalibrationResult {
  function: string;
  handler: string;
  invocations: number;
  errors: number;
  /** Handler durations of every successful invocation (cold ones included; init excluded). */
  durations: Stats;
  /** Cold-start init (worker start + module init + configured init), ms. */
  coldInit: Stats;
  fit: FitResult;
  /** The fit in the experiment file's syntax (durations in ms): paste as `calibrated:`. */
  calibrated: Record<string, unknown>;
  /**
   * The CPU share of the duration at the function's memory (paste as `cpu:`), learnt by running
   * the handler again at a second memory size: below one vCPU only the CPU part stretches.
   */
  cpu: { fraction: number; secondMemoryMB: number; medianMs: number; secondMedianMs: number } | null;
  resolved: DurationDistribution;
}

const round = (x: number) => Math.round(x * 100) / 100;

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const q = (p: number) => (n === 0 ? 0 : s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!);
  return { n, meanMs: round(n ? s.reduce((a, b) => a + b, 0) / n : 0), p50Ms: round(q(50)), p95Ms: round(q(95)), p99Ms: round(q(99)), maxMs: round(n ? s[n - 1]! : 0) };
}

/** A DurationDistribution in the experiment file's input syntax (bare numbers are milliseconds). */
export function toExperimentSyntax(d: DurationDistribution): Record<string, unknown> {
  switch (d.kind) {
    case 'constant':
      return { constant: round(d.ms) };
    case 'uniform':
      return { uniform: { min: round(d.minMs), max: round(d.maxMs) } };
    case 'normal':
      return { normal: { mean: round(d.meanMs), stddev: round(d.stddevMs) } };
    case 'lognormal':
      return { lognormal: { p50: round(d.p50Ms), p99: round(d.p99Ms) } };
    case 'exponential':
      return { exponential: { mean: round(d.meanMs) } };
    case 'empirical':
      return { empirical: Object.fromEntries(d.percentiles.map((p) => [`p${p.p}`, round(p.ms)])) };
  }
}

/** An event shaped like the ones the experiment sends this function. */
export function sampleEvent(exp: ResolvedExperiment, f: ResolvedFunction): string {
  const es = exp.system.eventSources.find((e) => e.function === f.name);
  if (es) {
    const records = Array.from({ length: Math.min(es.batchSize, 10) }, (_, i) => ({
      messageId: `00000000-0000-4000-8000-00000000000${i}`,
      receiptHandle: `calibrate-${i}`,
      body: JSON.stringify({ calibrate: true, i }),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'squall', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${es.queue}`,
      awsRegion: 'us-east-1',
    }));
    return JSON.stringify({ Records: records });
  }
  if (f.url) {
    return JSON.stringify({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/',
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      requestContext: { http: { method: 'GET', path: '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'squall-calibrate' }, requestId: 'calibrate', stage: '$default' },
      isBase64Encoded: false,
    });
  }
  return '{}';
}

function once(model: LambdaModel, fn: LambdaFunction, payload: string, i: number): Promise<{ durationMs: number; initMs: number; error: boolean }> {
  return new Promise((resolve) => {
    model.invoke(fn, null, { requestId: `calibrate-${i}`, payload, event: undefined, logTail: false, clientContext: null }, (throttle, o, initMs) => {
      resolve({ durationMs: o?.durationMs ?? 0, initMs, error: throttle !== null || !o || o.functionError });
    });
  });
}

export async function calibrate(exp: ResolvedExperiment, name: string, opts: CalibrationOptions, progress?: (done: number) => void): Promise<CalibrationResult> {
  const f = exp.system.functions[name];
  if (!f) {
    throw new SquallError(`${exp.sourceFile}: no function named ${name}`, {
      exitCode: EXIT.invalidInput,
      hint: `functions in this experiment: ${Object.keys(exp.system.functions).join(', ') || '(none)'}`,
    });
  }
  if (!f.handler) {
    throw new SquallError(`function ${name} is synthetic: its duration is already a distribution`, {
      exitCode: EXIT.invalidInput,
      hint: 'calibrate functions that have `handler: file#export`',
    });
  }
  const clock = systemClock();
  const metrics = new Metrics(clock);
  const model = new LambdaModel({ clock, metrics, account: DEFAULT_ACCOUNT, rng: createRng(exp.seed) });
  // Handler duration only: the configured init time is left out of the measurement on purpose.
  const fn = model.create({ ...specFromResolved(f), initMs: f.coldStart.initMs });
  const payload = opts.payload ?? sampleEvent(exp, f);
  const durations: number[] = [];
  const inits: number[] = [];
  let errors = 0;
  // Cold starts spread evenly over the run; everything else reuses the warm environment.
  const coldEvery = opts.coldStarts > 0 ? Math.max(1, Math.floor(opts.invocations / opts.coldStarts)) : Infinity;
  // The system clock's timers never hold the process open; a calibration run must not end early.
  const hold = setInterval(() => {}, 1000);
  const warm: number[] = [];
  const second: number[] = [];
  // The second memory size: one vCPU when the function has less, else the smallest (128 MB).
  const secondMemoryMB = f.memoryMB < LAMBDA.memoryPerVcpuMB ? LAMBDA.memoryPerVcpuMB : LAMBDA.memoryMinMB;
  try {
    for (let i = 0; i < opts.invocations; i++) {
      if (i > 0 && i % coldEvery === 0) model.drainIdle(fn);
      const r = await once(model, fn, payload, i);
      if (r.error) errors++;
      else durations.push(r.durationMs);
      if (!r.error && r.initMs < 0) warm.push(r.durationMs);
      if (r.initMs >= 0) inits.push(r.initMs);
      progress?.(i + 1);
    }
    // Again at a second memory size: below one vCPU only the CPU part of a duration stretches.
    model.update(fn, { ...fn.spec, memoryMB: secondMemoryMB });
    const k = Math.min(20, Math.max(5, Math.floor(opts.invocations / 5)));
    for (let i = 0; i <= k; i++) {
      const r = await once(model, fn, payload, opts.invocations + i);
      if (!r.error && r.initMs < 0) second.push(r.durationMs);
    }
  } finally {
    clearInterval(hold);
    model.close();
    metrics.stop();
  }
  if (durations.length < Math.max(2, opts.invocations / 2)) {
    throw new SquallError(`function ${name} failed ${errors} of ${opts.invocations} invocations during calibration`, {
      exitCode: EXIT.invalidInput,
      hint: 'pass an event the handler accepts with --payload, or fix the handler; `squall emulator` + an Invoke with LogType Tail shows its error',
    });
  }
  const fit = fitDistributionDetailed(durations);
  return {
    function: name,
    handler: `${path.relative(process.cwd(), f.handler.file) || f.handler.file}#${f.handler.export}`,
    invocations: opts.invocations,
    errors,
    durations: stats(durations),
    coldInit: stats(inits),
    fit,
    calibrated: toExperimentSyntax(fit.dist),
    cpu: cpuSplit(f.memoryMB, warm, secondMemoryMB, second),
    resolved: fit.dist,
  };
}

/**
 * The CPU share from two medians: at memory m the emulator's duration is wait + cpu × s(m), with
 * s(m) = 1 / min(1, vCPUs(m)) (harness/rules/memory-cpu.ts), so two sizes with different s give
 * both parts. Null when either side has too few warm invocations or the sizes do not differ in s.
 */
export function cpuSplit(memoryMB: number, atMemory: number[], secondMemoryMB: number, atSecond: number[]): CalibrationResult['cpu'] {
  if (atMemory.length < 3 || atSecond.length < 3) return null;
  const s = (m: number) => 1 / usableCpu(m);
  const gap = s(memoryMB) - s(secondMemoryMB);
  if (Math.abs(gap) < 1e-9) return null;
  const m1 = stats(atMemory).p50Ms;
  const m2 = stats(atSecond).p50Ms;
  const cpu = Math.max(0, (m1 - m2) / gap);
  const fraction = m1 > 0 ? Math.min(1, (cpu * s(memoryMB)) / m1) : 0;
  return { fraction: round(fraction), secondMemoryMB, medianMs: m1, secondMedianMs: m2 };
}

/** Human summary of a calibration; pure, so tests can read it. */
export function formatCalibration(r: CalibrationResult): string {
  const s = r.durations;
  const c = r.coldInit;
  const lines = [
    `calibrated ${r.function} (${r.handler})`,
    `  invocations: ${r.invocations} (${c.n} cold, ${r.errors} errors)`,
    `  handler duration: mean ${s.meanMs} ms, p50 ${s.p50Ms} ms, p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms`,
    `  cold-start init: mean ${c.meanMs} ms, max ${c.maxMs} ms`,
    `  fit: ${r.fit.chosen} (KS lognormal ${r.fit.ks.lognormal.toFixed(3)}, normal ${r.fit.ks.normal.toFixed(3)}, critical ${r.fit.critical.toFixed(3)} at α=0.05)`,
    `  fitted p50 ${round(quantileDuration(r.resolved, 0.5))} ms, p99 ${round(quantileDuration(r.resolved, 0.99))} ms`,
    '',
    ...(r.cpu ? [`  CPU share: ${r.cpu.fraction} (median ${r.cpu.medianMs}  ms at its memory, ${r.cpu.secondMedianMs} ms at ${r.cpu.secondMemoryMB} MB)`] : []),
    '',
    'Paste into the function in your experiment:',
    `  calibrated: ${JSON.stringify(r.calibrated)}`,
    ...(r.cpu ? [`  cpu: ${r.cpu.fraction}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}
