import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../harness/compare/compare.ts';
import { buildRunReport, findBaseline, writeRunReport } from '../../harness/report/write.ts';
import { junitCases, renderJUnit } from '../../harness/report/junit.ts';
import { buildIndexData, writeIndex } from '../../harness/report/index-page.ts';
import { runFolderArg } from '../../harness/cli/report.ts';
import { POISON, QUICKSTART, reportsCopy, TRAP, TRAP_LEDGER } from './fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const squall = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/squall.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
const dataBlock = (html: string) => JSON.parse(/<script type="application\/json" id="squall-data">(.*?)<\/script>/s.exec(html)![1]!) as { charts: Array<{ id: string; lines: Array<{ role: string; label: string }> }>; faults: Array<{ fromS: number; toS: number }>; verdict: string };

describe('report.html of the quick start run', async () => {
  const { dirs } = reportsCopy(QUICKSTART);
  const dir = dirs[0]!;
  const out = await writeRunReport(dir);
  const html = readFileSync(out.html, 'utf8');

  it('is one self-contained file: no external URL is loaded, uPlot and the data are inline', () => {
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/url\(\s*['"]?(https?:)?\/\//i);
    expect(html).toContain('uPlot');
    expect(html.match(/id="squall-data"/g)).toHaveLength(1);
    expect(statSync(out.html).size).toBeLessThan(400_000);
  });

  it('says pass, as comparison.json and the k6 summary do, and shows the fault window on every chart', () => {
    const c = JSON.parse(readFileSync(path.join(dir, 'comparison.json'), 'utf8')) as Comparison;
    expect(c.verdict).toEqual({ predictions: 'pass', thresholds: 'pass', messages: 'off' });
    expect(out.verdict).toBe('pass');
    expect(html).toMatch(/class="banner pass"/);
    const d = dataBlock(html);
    expect(d.faults).toEqual([{ id: 0, label: 'reserved concurrency of orders-api → 0', fromS: 22.5, toS: 37.5 }]);
    const ids = d.charts.map((ch) => ch.id);
    expect(ids).toEqual(expect.arrayContaining(['load', 'status', 'latency', 'inv-orders-api', 'conc-orders-api', 'thr-orders-api', 'k6-squall_throttled']));
    // No queue in this experiment: no SQS chart is drawn (a chart only where its series exist).
    expect(ids.some((i) => i.startsWith('sqs'))).toBe(false);
    const status = d.charts.find((ch) => ch.id === 'status')!;
    expect(status.lines.map((l) => `${l.role}:${l.label}`)).toEqual(expect.arrayContaining(['measured:429', 'predicted:429 (predicted)']));
  });

  it('has every table: thresholds with expression and observed value, checks, accuracy, windows, recovery, cost, journal, metadata', () => {
    expect(html).toContain('http_req_duration{expected_response:true}');
    expect(html).toContain('p(95)&lt;1000');
    expect(html).toMatch(/p\(95\)(=|&#x3D;)\d+/);
    expect(html).toContain('answered (200 or throttled)');
    expect(html).toContain('id="accuracy"');
    expect(html).toContain('during #0: reserved concurrency of orders-api → 0');
    expect(html).toContain('Recovery after each fault');
    expect(html).toContain('30 days, measured');
    expect(html).toContain('Chaos journal');
    expect(html).toContain('not reproduced by the emulator');
  });

  it('windowed SLOs: one row per series, a measured/predicted pair per window; the fault window shows the throttling', async () => {
    const { data } = await buildRunReport(dir);
    const t = data.windowTable!;
    expect(t.columns.map((c) => [c.kind, c.fromS, c.toS])).toEqual([['before', 0, 22.5], ['fault', 22.5, 37.5], ['after', 37.5, 75]]);
    const row = t.rows.find((r) => r.key === 'http.status_429{scenario=orders}')!;
    expect(row.cells[0]!.measured!).toBeLessThan(2);
    expect(row.cells[1]!.measured!).toBeGreaterThan(45);
    expect(row.cells[1]!.perSecond).toBe(true);
    expect(row.cells[2]!.measured).toBe(0);
  });

  it('re-rendering gives the same bytes', async () => {
    await writeRunReport(dir);
    expect(readFileSync(out.html, 'utf8')).toBe(html);
  });

  it('breaks requests down by scenario, group and name tag from the points file', async () => {
    const { data } = await buildRunReport(dir);
    const by = Object.fromEntries(data.breakdown.map((b) => [`${b.by}:${b.value}`, b]));
    expect(by['scenario:orders']!.requests).toBe(3000);
    // 749 requests were throttled (429): http_req_failed counts them, as comparison.json's http.failed does.
    expect(by['scenario:orders']!.failed).toBe(749);
    expect(data.custom.find((c) => c.name === 'squall_throttled')).toMatchObject({ type: 'rate', samples: 3000 });
    expect(data.custom.find((c) => c.name === 'squall_throttled')!.total).toBeCloseTo(749 / 3000, 5);
  });
});

describe('failures, partial runs, baselines', () => {
  it('a failing run says one sentence per failed series, in the banner and in junit.xml', async () => {
    const { dirs } = reportsCopy(POISON);
    const out = await writeRunReport(dirs[0]!);
    const c = JSON.parse(readFileSync(path.join(dirs[0]!, 'comparison.json'), 'utf8')) as Comparison;
    const failed = c.series.filter((s) => s.verdict === 'fail').map((s) => s.key);
    expect(failed.length).toBeGreaterThan(0);
    expect(out.verdict).toBe('fail');
    expect(out.failures).toHaveLength(failed.length);
    failed.forEach((k, i) => expect(out.failures[i]).toContain(`${k}: measured`));
    const xml = readFileSync(out.junit, 'utf8');
    expect((xml.match(/<failure /g) ?? []).length).toBe(failed.length);
  });

  it('the throttle→DLQ trap: good messages in the DLQ are a finding with a recommendation', async () => {
    const { dirs } = reportsCopy(TRAP);
    const { data } = await buildRunReport(dirs[0]!);
    const good = data.accounting!.rows.find((r) => r.kind === 'good')!;
    expect(good.deadLettered).toBeGreaterThan(0);
    expect(data.accounting!.finding).toMatch(/good message\(s\) reached a dead-letter queue/);
    expect(data.accounting!.recommendation).toMatch(/MaximumConcurrency/);
  });

  it('with the message ledger: the accounting by kind is exact, and the trap comes with the settings that avoid it and their predicted effect', async () => {
    const { dirs } = reportsCopy(TRAP_LEDGER);
    const { data } = await buildRunReport(dirs[0]!);
    const c = JSON.parse(readFileSync(path.join(dirs[0]!, 'comparison.json'), 'utf8')) as { messages: { byKind: { good: { sent: number; deadLettered: number } }; collateral: { goodMessages: number } } };
    const good = data.accounting!.rows.find((r) => r.kind === 'good')!;
    expect(good).toMatchObject({ sent: c.messages.byKind.good.sent, deadLettered: c.messages.byKind.good.deadLettered });
    expect(data.accounting!.finding).toContain(`${c.messages.collateral.goodMessages} good message(s) reached a dead-letter queue`);
    expect(data.accounting!.recommendation).toMatch(/maxReceiveCount: 2 → 5/);
    expect(data.accounting!.recommendation).toMatch(/the simulator predicts \d+ dead-lettered as configured, 0 with these settings/);
    const html = readFileSync((await writeRunReport(dirs[0]!)).html, 'utf8');
    expect(html).toContain('<b>Finding.</b>');
    expect(html).toContain('Exact by kind, from the target');
  });

  it('a run that stopped before the comparison renders a partial report saying what is missing', async () => {
    const { dirs } = reportsCopy(QUICKSTART);
    for (const f of ['comparison.json', 'measured.json', 'predicted.json', 'k6-summary.json']) rmSync(path.join(dirs[0]!, f));
    const out = await writeRunReport(dirs[0]!);
    expect(out.verdict).toBe('incomplete');
    expect(out.missing).toEqual(expect.arrayContaining(['comparison.json', 'measured.json', 'predicted.json', 'k6-summary.json']));
    const html = readFileSync(out.html, 'utf8');
    expect(html).toContain('Partial report.');
    expect(html).toContain('INCOMPLETE');
    expect(readFileSync(out.junit, 'utf8')).toContain('run completed');
  });

  it('an interrupted run says so first, before the comparisons that fail because of it', async () => {
    const { dirs } = reportsCopy(QUICKSTART);
    const k6Run = path.join(dirs[0]!, 'k6-run.json');
    writeFileSync(k6Run, JSON.stringify({ ...JSON.parse(readFileSync(k6Run, 'utf8')), exitCode: 105 }));
    const out = await writeRunReport(dirs[0]!);
    expect(out.verdict).toBe('fail');
    expect(out.failures[0]).toMatch(/^The run was interrupted \(the load generator exited with 105\)/);
  });

  it('the default baseline is the previous passing run of the same experiment; deltas and faint series follow', async () => {
    const { dirs } = reportsCopy(POISON, QUICKSTART);
    const first = dirs[1]!;
    const second = path.join(path.dirname(first), '20261208-020347-zzzz');
    cpSync(first, second, { recursive: true });
    expect(findBaseline(second)).toBe(first);
    expect(findBaseline(first)).toBeNull();
    const out = await writeRunReport(second);
    expect(out.baseline).toBe(first);
    const html = readFileSync(out.html, 'utf8');
    expect(html).toContain('Compared with baseline run <code>20261207-020347-auy5</code>');
    expect(html).toMatch(/class="delta same">±0/);
    expect(dataBlock(html).charts.find((c) => c.id === 'status')!.lines.some((l) => l.role === 'baseline')).toBe(true);
    // A failing run is never the default baseline.
    const poisonNext = path.join(path.dirname(dirs[0]!), '20261209-000000-aaaa');
    cpSync(dirs[0]!, poisonNext, { recursive: true });
    expect(findBaseline(poisonNext)).toBeNull();
  });
});

describe('junit.xml', () => {
  it('one testcase per k6 threshold, series tolerance, series threshold, accounting rule and restored fault', async () => {
    const { dirs } = reportsCopy(QUICKSTART, POISON);
    const { files } = await buildRunReport(dirs[0]!);
    const cases = junitCases(files);
    const kinds = (k: string) => cases.filter((c) => c.classname.endsWith(k)).length;
    expect(kinds('.k6-thresholds')).toBe(1);
    expect(kinds('.predictions')).toBe(files.comparison!.series.filter((s) => s.tolerance).length);
    expect(kinds('.series-thresholds')).toBe(1);
    expect(kinds('.faults')).toBe(1);
    expect(kinds('.accounting')).toBe(0);
    const poison = (await buildRunReport(dirs[1]!)).files;
    expect(junitCases(poison).filter((c) => c.classname.endsWith('.accounting'))).toHaveLength(1);
    const xml = renderJUnit(files);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toContain(`tests="${cases.length}"`);
  });
});

describe('index.html', () => {
  it('lists every run newest first with verdict and figures, and each experiment\'s trend', async () => {
    const { reports, dirs } = reportsCopy(QUICKSTART, POISON, TRAP);
    const later = path.join(path.dirname(dirs[0]!), '20261208-000000-bbbb');
    cpSync(dirs[1]!, later, { recursive: true });
    rmSync(path.join(later, 'experiment.json'));
    cpSync(path.join(dirs[0]!, 'experiment.json'), path.join(later, 'experiment.json'));
    for (const d of [...dirs, later]) await writeRunReport(d);
    const data = buildIndexData(reports);
    expect(data.runs.map((r) => r.runId)).toEqual(['20261208-000000-bbbb', '20261207-020714-ygwo', '20261207-020549-8y2s', '20261207-020347-auy5']);
    expect(data.runs.map((r) => r.verdict)).toEqual(['fail', 'pass', 'fail', 'pass']);
    const qs = data.experiments.find((e) => e.name === 'quickstart')!;
    expect(qs.runs).toBe(2);
    expect(qs.verdictChangedAt).toBe('2026-12-08T00:00:00Z');
    expect(qs.trend['requests']).toHaveLength(2);
    const { file } = writeIndex(reports);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('href="quickstart/20261207-020347-auy5/report.html"');
    expect(html).not.toMatch(/\bsrc\s*=/i);
  });
});

describe('squall report / squall index (CLI)', () => {
  it('renders a run folder and prints the file:// path', () => {
    const { dirs } = reportsCopy(QUICKSTART);
    const r = squall('report', dirs[0]!, '--no-baseline');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('verdict: pass');
    expect(r.stdout).toContain(`report: file://${path.join(dirs[0]!, 'report.html')}`);
    expect(existsSync(path.join(dirs[0]!, 'junit.xml'))).toBe(true);
  });

  it('bad input: exit 2, a message naming the argument and the fix, no stack trace, nothing written', () => {
    const { reports, dirs } = reportsCopy(QUICKSTART);
    const before = readdirSync(dirs[0]!).sort();
    // Each child costs seconds on a loaded machine: two through the CLI, the other cases in-process below.
    for (const args of [['report', dirs[0]!, '--baseline', reports], ['index', path.join(reports, 'nope')]]) {
      const r = squall(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: (run|--baseline|reports): /m);
      expect(r.stderr).toMatch(/^hint: /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(readdirSync(dirs[0]!).sort()).toEqual(before);
    expect(() => runFolderArg('run', path.join(reports, 'nope'))).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('is not a folder') }));
    expect(() => runFolderArg('run', reports)).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('is not a run folder (it has no experiment.json)') }));
  });
});
