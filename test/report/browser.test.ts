/**
 * The quick-start report and the index in real Chromium: no console error, no request beyond the
 * file itself, every chart's canvas has drawn pixels, the fault window is shaded where the fault
 * was, the banner says what comparison.json says. Screenshots go to reports/screenshots/ (a CI
 * artifact).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../harness/compare/compare.ts';
import { writeIndex } from '../../harness/report/index-page.ts';
import { writeRunReport } from '../../harness/report/write.ts';
import { external } from '../helpers/external.ts';
import { openBrowser, type Browser } from './chromium.ts';
import { POISON, QUICKSTART, reportsCopy } from './fixture.ts';

const chromium = external('chromium', 'the report browser tests');
// Browser-side probes as source text: they run in the page, and tsconfig has no DOM types.
const PROBE_REPORT = `(() => {
  const data = JSON.parse(document.getElementById('squall-data').textContent);
  const plots = window.squallPlots;
  return {
    charts: data.charts.length,
    canvases: document.querySelectorAll('.chart canvas').length,
    perPlot: plots.map((u) => {
      const { width, height } = u.ctx.canvas;
      const px = u.ctx.getImageData(0, 0, width, height).data;
      let drawn = 0;
      for (let k = 3; k < px.length; k += 4) if (px[k] > 0) drawn++;
      // Fault shading: columns inside each fault window, below its label; a column may fall on a
      // vertical grid line, so the best of several counts.
      const shaded = data.faults.map((f) => Math.max(...[0.35, 0.45, 0.55, 0.65].map((q) => {
        const x = Math.round(u.valToPos(f.fromS + q * (f.toS - f.fromS), 'x', true));
        let orange = 0, n = 0;
        for (let y = u.bbox.top + Math.round(u.bbox.height * 0.3); y < u.bbox.top + u.bbox.height * 0.9; y += 4) {
          const p = u.ctx.getImageData(x, y, 1, 1).data;
          n++;
          if (p[3] > 0 && p[0] > 200 && p[0] - p[2] > 60) orange++;
        }
        return orange / n;
      })));
      return { drawn, shaded };
    }),
    verdict: document.querySelector('#verdict').getAttribute('data-verdict'),
    banner: document.querySelector('#verdict').textContent.replace(/\\s+/g, ' ').trim(),
    chips: document.querySelectorAll('.fault-chip').length,
  };
})()`;
const PROBE_INDEX = `(() => ({
  rows: [...document.querySelectorAll('table.runs tbody tr')].map((r) => r.querySelector('td.verdict').textContent),
  sparks: Number(document.documentElement.getAttribute('data-sparklines-drawn')),
  links: [...document.querySelectorAll('table.runs a')].map((a) => a.getAttribute('href')),
}))()`;
interface ReportProbe {
  charts: number;
  canvases: number;
  perPlot: Array<{ drawn: number; shaded: number[] }>;
  verdict: string;
  banner: string;
  chips: number;
}

const SHOTS = path.resolve(import.meta.dirname, '../../reports/screenshots');

describe.skipIf(!chromium.available)('report.html and index.html in Chromium', () => {
  let browser: Browser;
  const { reports, dirs } = reportsCopy(QUICKSTART, POISON);
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const d of dirs) await writeRunReport(d);
    writeIndex(reports);
    browser = await openBrowser(chromium.command!);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const [name, i] of [['quick start (pass)', 0], ['sqs-poison (fail)', 1]] as const) {
    it(`${name}: loads offline with no error, draws every chart, shades the fault window, banner = comparison.json`, async () => {
      const dir = dirs[i]!;
      const { page, errors, requests } = browser;
      errors.length = 0;
      requests.length = 0;
      await page.goto(pathToFileURL(path.join(dir, 'report.html')).href);
      await page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", undefined, { timeout: 20_000 });
      const probe = (await page.evaluate(PROBE_REPORT)) as ReportProbe;
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(probe.charts).toBeGreaterThanOrEqual(5);
      expect(probe.perPlot).toHaveLength(probe.charts);
      for (const p of probe.perPlot) {
        expect(p.drawn).toBeGreaterThan(1000);
        for (const s of p.shaded) expect(s, JSON.stringify(probe.perPlot)).toBeGreaterThan(0.5);
      }
      const c = JSON.parse(readFileSync(path.join(dir, 'comparison.json'), 'utf8')) as Comparison;
      const failing = c.series.filter((s) => s.verdict === 'fail');
      const expected = failing.length || c.verdict.thresholds === 'fail' || c.verdict.messages === 'fail' ? 'fail' : 'pass';
      expect(probe.verdict).toBe(expected);
      expect(probe.banner.startsWith(expected.toUpperCase())).toBe(true);
      for (const s of failing) expect(probe.banner).toContain(`${s.key}: measured`);
      const exp = JSON.parse(readFileSync(path.join(dir, 'experiment.json'), 'utf8')) as { chaos: { faults: unknown[] } };
      expect(probe.chips).toBe(exp.chaos.faults.length);
      await page.screenshot({ path: path.join(SHOTS, `${path.basename(path.dirname(dir))}-report.png`), fullPage: true });
    }, 60_000);
  }

  it('index.html: lists both runs, draws the sparklines, no error, no request', async () => {
    const { page, errors, requests } = browser;
    errors.length = 0;
    requests.length = 0;
    await page.goto(pathToFileURL(path.join(reports, 'index.html')).href);
    await page.waitForFunction("document.documentElement.hasAttribute('data-sparklines-drawn')", undefined, { timeout: 20_000 });
    const probe = (await page.evaluate(PROBE_INDEX)) as { rows: string[]; sparks: number; links: string[] };
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(probe.rows).toEqual(['fail', 'pass']);
    expect(probe.sparks).toBeGreaterThan(4);
    expect(probe.links).toEqual([`${POISON}/report.html`, `${QUICKSTART}/report.html`]);
    await page.screenshot({ path: path.join(SHOTS, 'index.png'), fullPage: true });
  }, 60_000);
});
