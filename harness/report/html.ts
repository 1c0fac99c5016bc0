/**
 * Rendering report.html and index.html: one static Handlebars template per page, compiled once,
 * with one JSON data block and the chart library (uPlot) inlined, so the file opens offline from
 * file:// or a CI artifact and makes no request. Tables are rendered here (they print and read
 * without script); the page's own script draws only the charts and sorts tables.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

export const REPORT_TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates/report');

const require = createRequire(import.meta.url);

/** JSON safe inside <script>: `</script>`, `<!--` and U+2028/9 cannot end or break the block. */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function fmtNumber(v: unknown, digits = 2): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(1);
  if (a > 0 && a < 0.01) return v.toPrecision(2);
  return v.toFixed(digits);
}

export function fmtUsd(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '—';
  if (v === 0) return '$0';
  if (Math.abs(v) < 0.01) return `$${Number(v.toPrecision(2))}`;
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** "+12.3 %" style delta of a against b; its class says better/worse when the direction is known. */
export function delta(a: unknown, b: unknown, higherIsBetter: unknown): { text: string; cls: string } | null {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  const d = a - b;
  const text = b !== 0 ? `${d >= 0 ? '+' : '−'}${fmtNumber(Math.abs((d / Math.abs(b)) * 100), 1)} %` : d === 0 ? '±0' : `${d > 0 ? '+' : '−'}${fmtNumber(Math.abs(d))}`;
  let cls = 'same';
  if (Math.abs(d) > 1e-9 && typeof higherIsBetter === 'boolean') cls = d > 0 === higherIsBetter ? 'better' : 'worse';
  return { text, cls };
}

function environment(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('fmt', (v: unknown, d: unknown) => fmtNumber(v, typeof d === 'number' ? d : 2));
  hb.registerHelper('usd', (v: unknown) => fmtUsd(v));
  hb.registerHelper('pct', (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${fmtNumber(v * 100, 1)} %` : '—'));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('sec', (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? `${fmtNumber(v / 1000, 1)} s` : 'not within the run'));
  hb.registerHelper('delta', (a: unknown, b: unknown, h: unknown) => {
    const d = delta(a, b, h);
    return d ? new hb.SafeString(`<span class="delta ${d.cls}">${hb.escapeExpression(d.text)}</span>`) : '';
  });
  hb.registerHelper('json', (v: unknown) => new hb.SafeString(scriptJson(v)));
  return hb;
}

let compiled: { report: Handlebars.TemplateDelegate; index: Handlebars.TemplateDelegate; assets: Record<string, string> } | null = null;

/** Templates and inlined assets, read and compiled once per process. */
function templates() {
  if (compiled) return compiled;
  const hb = environment();
  const read = (f: string) => readFileSync(path.join(REPORT_TEMPLATES_DIR, f), 'utf8');
  const uplotDir = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const assets = {
    uplotJs: readFileSync(path.join(uplotDir, 'uPlot.iife.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script'),
    uplotCss: readFileSync(path.join(uplotDir, 'uPlot.min.css'), 'utf8'),
    css: read('report.css'),
    reportJs: read('report.client.js'),
    indexJs: read('index.client.js'),
  };
  compiled = { report: hb.compile(read('report.hbs'), { strict: false }), index: hb.compile(read('index.hbs'), { strict: false }), assets };
  return compiled;
}

/** What the page's script needs: the timelines. Tables are rendered into the HTML already. */
const CLIENT_KEYS = ['schema', 'runId', 'verdict', 'stepMs', 'x', 'loadEndS', 'faults', 'charts'] as const;

export function renderReportHtml(data: object): string {
  const t = templates();
  const client = Object.fromEntries(CLIENT_KEYS.map((k) => [k, (data as Record<string, unknown>)[k]]));
  return t.report({ ...data, data: client, assets: t.assets });
}

export function renderIndexHtml(data: object): string {
  const t = templates();
  return t.index({ ...data, data, assets: t.assets });
}
