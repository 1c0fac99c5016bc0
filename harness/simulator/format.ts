/**
 * Text rendering of predictions, sweeps and costs for the terminal: pure functions from results
 * to strings (the CLI only prints them), so tests can read exactly what a user sees.
 */
import type { LambdaCostBreakdown } from './pricing.ts';
import type { SimulationResult } from './simulate.ts';
import type { ExpectationResult } from '../contracts/series-thresholds.ts';
import { sweepConclusion, type SweepResult } from './sweep.ts';

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function num(x: number | null | undefined, digits = 0): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function usd(x: number): string {
  if (x === 0) return '$0';
  if (Math.abs(x) < 0.01) return `$${x.toPrecision(3)}`;
  return `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.001 && x > 0 ? 4 : 2)}%`;
}

export function formatSimulation(name: string, r: SimulationResult, exp: ExpectationResult | null): string {
  const t = r.totals;
  const out: string[] = [];
  out.push(
    `Prediction for ${name}: seed ${t.seed}${t.runs > 1 ? `, mean of ${t.runs} runs` : ''}, load ${num(t.loadDurationMs / 1000, 1)} s, simulated ${num(t.simulatedMs / 1000, 0)} s`,
  );
  const sc = Object.entries(t.scenarios);
  if (sc.length) {
    out.push('', 'Scenarios');
    out.push(
      table(
        ['scenario', 'iterations', 'dropped', 'requests', '2xx', '429', '5xx', 'failed', 'p50 ms', 'p95 ms', 'p99 ms'],
        sc.map(([n, s]) => [n, num(s.iterations), num(s.droppedIterations), num(s.requests), num(s.status2xx), num(s.status429), num(s.status5xx), num(s.failed), num(s.latencyP50Ms, 1), num(s.latencyP95Ms, 1), num(s.latencyP99Ms, 1)]),
      ),
    );
  }
  const fns = Object.entries(t.functions);
  if (fns.length) {
    out.push('', 'Functions');
    out.push(
      table(
        ['function', 'invocations', 'errors', 'throttles', 'cold', 'P(cold)', 'avg env', 'avg busy', 'avg idle', 'peak conc', 'cost', 'per month'],
        fns.map(([n, f]) => [
          n,
          num(f.invocations),
          num(f.errors),
          num(f.throttles),
          num(f.coldStarts),
          pct(f.coldStartProbability),
          num(f.averageEnvironments, 2),
          num(f.averageBusyEnvironments, 2),
          num(f.averageIdleEnvironments, 2),
          num(f.peakConcurrency),
          usd(f.costUsd),
          usd(f.projectedMonthlyUsd),
        ]),
      ),
    );
    const reasons = fns.flatMap(([n, f]) => Object.entries(f.throttlesByReason).map(([r, c]) => `  ${n}: ${num(c)} × ${r}`));
    if (reasons.length) out.push('', 'Throttles by reason', ...reasons);
    out.push('', 'Closed forms (per function)');
    out.push(
      table(
        ['function', 'rate/s', 'mean ms', "Little's L", 'cap', 'erlangs', 'Erlang-B P(429)', 'simulated P(429)'],
        fns.map(([n, f]) => {
          const c = f.closedForms;
          return [n, num(c.arrivalRatePerSecond, 2), num(c.meanServiceMs, 1), num(c.littleConcurrency, 2), num(c.concurrencyCap), num(c.offeredErlangs, 2), pct(c.erlangBThrottleProbability), pct(c.simulatedThrottleProbability)];
        }),
      ),
    );
  }
  const qs = Object.entries(t.queues);
  if (qs.length) {
    out.push('', 'Queues');
    out.push(
      table(
        ['queue', 'sent', 'received', 'deleted', 'to DLQ', 'peak backlog', 'left', 'drained after'],
        qs.map(([n, q]) => [n, num(q.sent), num(q.received), num(q.deleted), num(q.deadLettered), num(q.peakBacklog), num(q.finalBacklog), q.timeToDrainMs === null ? '-' : `${num(q.timeToDrainMs / 1000, 0)} s`]),
      ),
    );
  }
  const ms = Object.entries(t.mappings);
  if (ms.length) {
    out.push('', 'Event source mappings');
    out.push(
      table(
        ['mapping', 'batches', 'failed', 'partial', 'throttled', 'deleted', 'peak conc', 'peak pollers'],
        ms.map(([n, m]) => [n, num(m.batches), num(m.failedBatches), num(m.partialBatches), num(m.throttledAttempts), num(m.messagesDeleted), num(m.peakConcurrency), num(m.peakPollers)]),
      ),
    );
  }
  out.push('', `Cost of this run ${usd(t.costUsd)}; at this rate for a 30-day month ${usd(t.projectedMonthlyUsd)} (list prices, no free tier).`);
  if (exp && exp.checks.length) {
    out.push('', `Expectations: ${exp.met ? 'met' : 'NOT met'} by the prediction`);
    for (const c of exp.checks) out.push(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.key} ${c.threshold}  (predicted ${c.value === null ? 'nothing' : num(c.value, 2)}${c.reason ? `; ${c.reason}` : ''})`);
  }
  return out.join('\n');
}

export function formatSweep(s: SweepResult): string {
  const out: string[] = [`Sweep of ${s.knob} (${s.path}) over ${s.rows.length} values`, ''];
  out.push(
    table(
      ['value', 'meets', 'invocations', 'throttles', '429', 'errors', 'cold', 'to DLQ', 'peak conc', 'p95 ms', 'cost', 'per month'],
      s.rows.map((r) => [
        num(r.value, Number.isInteger(r.value) ? 0 : 2),
        r.met ? 'yes' : 'no',
        num(r.invocations),
        num(r.throttles),
        num(r.status429),
        num(r.errors),
        num(r.coldStarts),
        num(r.deadLettered),
        num(r.peakConcurrency),
        num(r.latencyP95Ms, 1),
        usd(r.costUsd),
        usd(r.projectedMonthlyUsd),
      ]),
    ),
  );
  out.push('');
  out.push(sweepConclusion(s));
  return out.join('\n');
}

export function formatCost(c: LambdaCostBreakdown, input: { architecture: string; memoryMB: number; freeTier: boolean }): string {
  const rows: string[][] = [
    ['requests', num(c.requests), num(c.billableRequests), usd(c.requestUsd)],
    ['duration (GB-s)', num(c.gbSeconds, 1), num(c.billableGbSeconds, 1), usd(c.durationUsd)],
  ];
  if (c.ephemeralUsd > 0) rows.push(['ephemeral storage', '', '', usd(c.ephemeralUsd)]);
  if (c.provisionedAllocationUsd > 0) {
    rows.push(['provisioned allocation', '', '', usd(c.provisionedAllocationUsd)]);
    rows.push(['provisioned duration', '', '', usd(c.provisionedDurationUsd)]);
    rows.push(['provisioned requests', '', '', usd(c.provisionedRequestUsd)]);
  }
  rows.push(['total', '', '', usd(c.totalUsd)]);
  return [
    `AWS Lambda monthly cost, us-east-1 list prices, ${input.architecture}, ${input.memoryMB} MB, free tier ${input.freeTier ? 'applied' : 'not applied'}`,
    '',
    table(['item', 'usage', 'billable', 'USD'], rows),
  ].join('\n');
}
