/**
 * The end-of-test text summary, after k6 v1's default "compact" layout (k6-contract.md §1.6):
 * thresholds first, then total results grouped as HTTP / EXECUTION / NETWORK / custom, with checks
 * listed per group. A pure function of the summary object: it returns a string and prints nothing.
 */
import type { K6Group, K6SummaryData, K6SummaryMetric } from './legacy.ts';

function fmtTime(ms: number, unit: string): string {
  if (unit === 's') return `${(ms / 1000).toFixed(2)}s`;
  if (unit === 'ms') return `${ms.toFixed(2)}ms`;
  if (unit === 'us') return `${(ms * 1000).toFixed(2)}µs`;
  if (ms === 0) return '0s';
  if (ms < 1) return `${(ms * 1000).toFixed(2)}µs`;
  if (ms < 1000) return `${ms.toFixed(2)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${((ms - m * 60_000) / 1000).toFixed(1)}s`;
}

function fmtData(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

function fmtNum(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(6).replace(/\.?0+$/, '');
}

function fmtValue(m: K6SummaryMetric, v: number, unit: string): string {
  if (m.contains === 'time') return fmtTime(v, unit);
  if (m.contains === 'data') return fmtData(v);
  return fmtNum(v);
}

function metricLine(name: string, m: K6SummaryMetric, unit: string, indent: string): string {
  const dots = '.'.repeat(Math.max(3, 40 - name.length));
  let body: string;
  const v = m.values;
  switch (m.type) {
    case 'counter': {
      const rate = m.contains === 'data' ? `${fmtData(v.rate ?? 0)}/s` : `${fmtNum(Math.round((v.rate ?? 0) * 1000) / 1000)}/s`;
      body = `${fmtValue(m, v.count ?? 0, unit).padEnd(8)} ${rate}`;
      break;
    }
    case 'gauge':
      body = `${fmtValue(m, v.value ?? 0, unit).padEnd(8)} min=${fmtValue(m, v.min ?? 0, unit)} max=${fmtValue(m, v.max ?? 0, unit)}`;
      break;
    case 'rate': {
      const total = (v.passes ?? 0) + (v.fails ?? 0);
      body = `${((v.rate ?? 0) * 100).toFixed(2)}%  ${v.passes ?? 0} out of ${total}`;
      break;
    }
    case 'trend':
      body = Object.entries(v)
        .map(([k, x]) => `${k}=${k === 'count' ? fmtNum(x) : fmtValue(m, x, unit)}`)
        .join(' ');
      break;
  }
  return `${indent}${name}${dots}: ${body}`;
}

const SECTIONS: readonly [string, RegExp][] = [
  ['HTTP', /^http_/],
  ['EXECUTION', /^(iteration_duration|iterations|vus|vus_max|dropped_iterations|group_duration)$/],
  ['NETWORK', /^data_(sent|received)$/],
];

function checkLines(g: K6Group, indent: string, out: string[]): void {
  for (const c of g.checks) {
    const total = c.passes + c.fails;
    const mark = c.fails === 0 ? '✓' : '✗';
    out.push(`${indent}${mark} ${c.name}${c.fails ? `\n${indent}  ↳  ${Math.round((c.passes / total) * 100)}% — ✓ ${c.passes} / ✗ ${c.fails}` : ''}`);
  }
  for (const sub of g.groups) {
    out.push(`${indent}█ ${sub.name}`);
    checkLines(sub, `${indent}  `, out);
  }
}

export function textSummary(data: K6SummaryData): string {
  const unit = data.options.summaryTimeUnit;
  const out: string[] = [];
  const entries = Object.entries(data.metrics).sort(([a], [b]) => a.localeCompare(b));
  const withThresholds = entries.filter(([, m]) => m.thresholds);
  if (withThresholds.length) {
    out.push('  █ THRESHOLDS ', '');
    for (const [name, m] of withThresholds) {
      out.push(`    ${name}`);
      for (const [expr, r] of Object.entries(m.thresholds ?? {})) {
        const method = expr.split(/[<>=!]/)[0]?.trim() ?? '';
        const val = m.values[method.replace(/\s+/g, '')];
        const shown = val === undefined ? '' : ` ${method}=${fmtValue(m, val, unit)}`;
        out.push(`    ${r.ok ? '✓' : '✗'} '${expr}'${shown}`);
      }
      out.push('');
    }
    out.push('');
  }
  out.push('  █ TOTAL RESULTS ', '');
  const checks = data.metrics.checks;
  if (checks) {
    const total = (checks.values.passes ?? 0) + (checks.values.fails ?? 0);
    out.push(`    checks_total.......................: ${total}`);
    out.push(`    checks_succeeded...................: ${((checks.values.rate ?? 0) * 100).toFixed(2)}% ${checks.values.passes ?? 0} out of ${total}`);
    out.push(`    checks_failed......................: ${((1 - (checks.values.rate ?? 0)) * 100).toFixed(2)}% ${checks.values.fails ?? 0} out of ${total}`, '');
    checkLines(data.root_group, '    ', out);
    out.push('');
  }
  const used = new Set<string>(['checks']);
  for (const [title, re] of SECTIONS) {
    const rows = entries.filter(([n]) => re.test(n.replace(/\{.*$/, '')));
    if (!rows.length) continue;
    out.push(`    ${title}`);
    for (const [name, m] of rows) {
      used.add(name);
      const brace = name.indexOf('{');
      out.push(brace < 0 ? metricLine(name, m, unit, '    ') : metricLine(`  { ${name.slice(brace + 1, -1)} }`, m, unit, '    '));
    }
    out.push('');
  }
  const custom = entries.filter(([n]) => !used.has(n));
  if (custom.length) {
    out.push('    CUSTOM');
    for (const [name, m] of custom) out.push(metricLine(name, m, unit, '    '));
    out.push('');
  }
  return out.join('\n');
}
