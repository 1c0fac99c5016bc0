/**
 * junit.xml for CI: one <testsuite> per run; one <testcase> per k6 threshold, per series
 * tolerance, per series threshold, per accounting rule and per restored fault. A failure carries
 * the banner's sentence. The shape is the one Jenkins' and Surefire's JUnit schema accepts
 * (test/fixtures/junit/jenkins-junit.xsd validates it in the tests).
 */
import type { RunFiles } from './run-folder.ts';
import { failureSentences, observedFor, runIdTime } from './model.ts';

export interface JUnitCase {
  classname: string;
  name: string;
  failure: { message: string; type: string } | null;
  skipped: string | null;
}

export function xmlEscape(s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the rest are escaped.
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitCases(files: RunFiles): JUnitCase[] {
  const exp = files.experiment?.name ?? 'experiment';
  const sentences = failureSentences(files);
  const sentence = (kind: string, name: string, fallback: string) => sentences.find((s) => s.kind === kind && s.name === name)?.text ?? fallback;
  const cases: JUnitCase[] = [];
  for (const [metric, m] of Object.entries(files.summary?.metrics ?? {}))
    for (const [expr, r] of Object.entries(m.thresholds ?? {}))
      cases.push({
        classname: `${exp}.k6-thresholds`,
        name: `${metric} ${expr}`,
        failure: r.ok ? null : { type: 'k6-threshold', message: sentence('k6-threshold', `${metric} ${expr}`, `k6 threshold ${metric} ${expr} failed: observed ${observedFor(m.values, expr)}.`) },
        skipped: null,
      });
  for (const s of files.comparison?.series ?? []) {
    if (!s.tolerance) continue;
    cases.push({
      classname: `${exp}.predictions`,
      name: s.key,
      failure: s.verdict === 'fail' ? { type: 'prediction', message: sentence('prediction', s.key, `${s.key} outside its tolerance`) } : null,
      skipped: s.verdict === 'skipped' ? 'one side has no data' : null,
    });
  }
  for (const t of files.comparison?.thresholds ?? [])
    cases.push({
      classname: `${exp}.series-thresholds`,
      name: `${t.key} ${t.expression}`,
      failure: t.ok ? null : { type: 'series-threshold', message: sentence('series-threshold', `${t.key} ${t.expression}`, `${t.key} ${t.expression} failed`) },
      skipped: null,
    });
  const m = files.comparison?.messages;
  if (m)
    cases.push({
      classname: `${exp}.accounting`,
      name: 'no message lost (sent = deleted + dead-lettered + still queued)',
      failure: m.ok ? null : { type: 'messages', message: sentence('messages', 'no message lost', !m.measured ? `not measured: ${m.reason}` : m.lost !== 0 ? `${m.lost} message(s) lost` : `the dead-letter queues hold ${m.dlq.holds} of the ${m.dlq.movedToDlq} moved to them`) },
      skipped: null,
    });
  const planned = new Map<number, string>();
  const restored = new Set<number>();
  for (const e of files.journal) {
    if (e.event === 'planned' && e.previous.kind !== 'none') planned.set(e.faultId, e.action);
    if (e.event === 'restored') restored.add(e.faultId);
  }
  for (const [id, action] of [...planned].sort((a, b) => a[0] - b[0]))
    cases.push({
      classname: `${exp}.faults`,
      name: `fault #${id} ${action} restored`,
      failure: restored.has(id) ? null : { type: 'restore', message: sentence('restore', `fault #${id} restored`, `fault #${id} not restored`) },
      skipped: null,
    });
  if (files.missing.some((x) => x.file === 'comparison.json' || x.file === 'k6-summary.json'))
    cases.push({ classname: `${exp}.run`, name: 'run completed', failure: { type: 'incomplete', message: `The run left no ${files.missing.map((x) => x.file).join(', ')}: it failed or was interrupted.` }, skipped: null });
  return cases;
}

export function renderJUnit(files: RunFiles): string {
  const cases = junitCases(files);
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped).length;
  const seconds = ((files.k6Run?.durationMs ?? 0) / 1000).toFixed(3);
  const ts = runIdTime(files.runId);
  const name = `${files.experiment?.name ?? 'experiment'} ${files.runId}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="squall" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds}">`,
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds}"${ts ? ` timestamp="${ts.slice(0, 19)}"` : ''} hostname="squall" id="0" package="squall">`,
    '    <properties>',
    `      <property name="runId" value="${xmlEscape(files.runId)}"/>`,
    `      <property name="runDir" value="${xmlEscape(files.dir)}"/>`,
    ...(files.experiment ? [`      <property name="seed" value="${files.experiment.seed}"/>`, `      <property name="target" value="${files.experiment.target.kind}"/>`] : []),
    '    </properties>',
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="0"`;
    if (c.failure) lines.push(`${open}>`, `      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.message)}</failure>`, '    </testcase>');
    else if (c.skipped) lines.push(`${open}>`, `      <skipped message="${xmlEscape(c.skipped)}"/>`, '    </testcase>');
    else lines.push(`${open}/>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
