/**
 * The lines `squall run` prints after a run, as pure functions returning text: the headline
 * series measured beside predicted (on success too), and the message accounting, which adds up as
 * written, by kind, with the collateral and its advice.
 */
import { formatOutcomes, type MessageAccounting } from '../compare/accounting.ts';
import type { Comparison, SeriesComparison } from '../compare/compare.ts';

/** The series a reader looks at first, in this order: load, throttling, latency, functions, dead letters. */
export const HEADLINE_SERIES = ['http.requests', 'http.status_429', 'http.latency_p95_ms', 'lambda.throttles', 'lambda.invocations', 'sqs.moved_to_dlq'] as const;

function num(v: number | null): string {
  if (v === null) return '—';
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function row(s: SeriesComparison): string {
  const unit = s.unit === 'ms' ? ' ms' : '';
  const verdict = s.verdict === 'skipped' ? 'no tolerance' : s.verdict;
  const band = s.interval ? `; ${Math.round(s.interval.level * 100)} % interval ${num(s.interval.lower)}–${num(s.interval.upper)}, passes ${num(s.interval.passBand[0])}–${num(s.interval.passBand[1])}` : '';
  return `  ${s.key}: measured ${num(s.measured)}${unit} vs predicted ${num(s.predicted)}${unit} (${verdict}${band})`;
}

/**
 * The prediction verdict, then every headline series measured beside predicted — whether or not
 * it passed, so a success shows its numbers too — then the other series that failed.
 */
export function formatPredictions(c: Comparison, maxFailed = 10): string {
  const failed = c.series.filter((s) => s.verdict === 'fail');
  const lines = [`predictions: ${c.verdict.predictions} (${c.series.filter((s) => s.verdict === 'pass').length} pass, ${failed.length} fail)`];
  const w = c.window;
  if (w) lines.push(`  over ${w.steps} s (load ${w.loadSteps ?? '?'} s + tail)${w.prediction ? `, intervals from ${w.prediction.runs} simulator seeds` : ''}`);
  const headline = new Set<SeriesComparison>();
  for (const name of HEADLINE_SERIES) {
    // A series the load or the target never produced (e.g. 429s with no throttling) is left out.
    for (const s of c.series) if (s.name === name && (s.measured !== null || s.predicted !== null) && !(s.measured === 0 && (s.predicted ?? 0) === 0)) headline.add(s);
  }
  for (const s of headline) lines.push(row(s));
  const rest = failed.filter((s) => !headline.has(s));
  for (const s of rest.slice(0, maxFailed)) lines.push(row(s));
  if (rest.length > maxFailed) lines.push(`  … and ${rest.length - maxFailed} more failing series in comparison.json`);
  return `${lines.join('\n')}\n`;
}

export function formatMessages(m: MessageAccounting): string {
  if (!m.measured) {
    return `messages: not measured — ${m.reason}${m.policy === 'fail' ? ' (fails the run: expect.messagesWhenUnmeasured: fail)' : ' (warning only: expect.messagesWhenUnmeasured: warn)'}\n`;
  }
  const lines = [`messages: ${formatOutcomes(m)}`];
  lines.push(`  good:   ${formatOutcomes(m.byKind.good)}`);
  if (m.byKind.poison.sent || m.byKind.poison.deadLettered) lines.push(`  poison: ${formatOutcomes(m.byKind.poison)}`);
  const d = m.dlq;
  if (!d.agrees) lines.push(`  dead-letter queues DISAGREE: moved ${d.movedToDlq}${d.sentDirectly ? ` + sent directly ${d.sentDirectly}` : ''}, but they hold ${d.holds}${d.deletedFromDlq ? ` + deleted ${d.deletedFromDlq}` : ''}${d.expiredFromDlq ? ` + expired ${d.expiredFromDlq}` : ''}`);
  const c = m.collateral;
  if (c) {
    lines.push(`  collateral: ${c.goodMessages} good message(s) dead-lettered (${c.queues.map((q) => `${q.queue} → ${q.deadLetterQueue}: ${q.goodMessages}`).join(', ')})`);
    lines.push(`    why: ${c.diagnosis}`);
    for (const r of c.recommendation) lines.push(`    fix: ${r.field}: ${r.current ?? 'unset'} → ${r.recommended} (${r.why})`);
    if (c.predicted) lines.push(`    the simulator predicts ${c.predicted.asConfigured} dead-lettered as configured, ${c.predicted.withRecommendation} with these settings`);
  }
  return `${lines.join('\n')}\n`;
}
