/**
 * The lines `squall run` prints after a run, as pure functions returning text: the headline
 * series measured beside predicted (on success too), and the message accounting, which adds up as
 * written, by kind, with the collateral and its advice.
 */
import { formatOutcomes, type MessageAccounting } from '../compare/accounting.ts';

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
