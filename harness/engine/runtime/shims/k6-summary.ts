/**
 * What `import { textSummary, jUnit } from 'https://jslib.k6.io/k6-summary/0.0.x/index.js'`
 * resolves to: that jslib is the common way handleSummary keeps k6's text summary while writing
 * files, and squall does not download modules. Shared by all VUs (stateless).
 */
import type { K6SummaryData } from '../../summary/legacy.ts';
import { textSummary as render } from '../../summary/text.ts';

export function textSummary(data: K6SummaryData, options?: { indent?: string; enableColors?: boolean }): string {
  const text = render(data);
  const indent = options?.indent;
  return indent ? text.split('\n').map((l) => (l ? indent + l : l)).join('\n') : text;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One JUnit test case per threshold, failed when the threshold was crossed (as the jslib does). */
export function jUnit(data: K6SummaryData, options?: { name?: string; classname?: string }): string {
  const cases: string[] = [];
  let failures = 0;
  for (const [metric, m] of Object.entries(data.metrics)) {
    for (const [expr, r] of Object.entries(m.thresholds ?? {})) {
      const name = esc(`${metric} - ${expr}`);
      const cls = options?.classname ? ` classname="${esc(options.classname)}"` : '';
      if (r.ok) cases.push(`<testcase name="${name}"${cls} />`);
      else {
        failures++;
        cases.push(`<testcase name="${name}"${cls}><failure message="failed" /></testcase>`);
      }
    }
  }
  const suite = esc(options?.name ?? 'k6 thresholds');
  return `<?xml version="1.0"?>\n<testsuites tests="${cases.length}" failures="${failures}">\n<testsuite name="${suite}" tests="${cases.length}" failures="${failures}">${cases.join('\n')}\n</testsuite >\n</testsuites >`;
}

export default { textSummary, jUnit };
