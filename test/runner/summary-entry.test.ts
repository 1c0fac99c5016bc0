import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { hasDefaultExport, writeSummaryEntry } from '../../harness/runner/summary-entry.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'squall-entry-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The legacy handleSummary object (k6-contract §1.2), trimmed.
const DATA = {
  root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: [], checks: [{ name: 'ok', path: '::ok', id: 'x', passes: 3, fails: 1 }] },
  options: { summaryTrendStats: ['avg', 'p(95)'], summaryTimeUnit: '', noColor: false },
  state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
  metrics: {
    http_reqs: { type: 'counter', contains: 'default', values: { count: 3, rate: 3 }, thresholds: { 'rate<100': { ok: false } } },
    http_req_duration: { type: 'trend', contains: 'time', values: { avg: 1.5, 'p(95)': 2 } },
    checks: { type: 'rate', contains: 'default', values: { rate: 0.75, passes: 3, fails: 1 } },
    vus: { type: 'gauge', contains: 'default', values: { value: 1, min: 1, max: 1 } },
  },
};

let n = 0;
/** Writes `source` as a script, builds its entry, imports the entry in Node (no k6 APIs used). */
async function entryFor(source: string) {
  const dir = path.join(tmp, `s${++n}`);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  const script = path.join(dir, 'script.js');
  writeFileSync(script, source);
  const summaryPath = path.join(dir, 'run', 'k6-summary.json');
  const e = writeSummaryEntry(script, summaryPath);
  const mod = (await import(pathToFileURL(e.entry).href)) as Record<string, unknown> & { handleSummary: (d: unknown) => unknown };
  return { e, mod, dir, summaryPath };
}

describe('hasDefaultExport', () => {
  it.each([
    ['export default function () {}', true],
    ['export default async function main() {}', true],
    ['  export default () => {}', true],
    ['function main() {}\nexport { main as default };', true],
    ["export { default } from './lib.js';", true],
    ['export function hit() {}', false],
    ['// export default function () {}\nexport function hit() {}', false],
    ['/* export default x */ export const options = {};', false],
    ["const s = 'export default';", false],
  ])('%j → %s', (src, want) => {
    expect(hasDefaultExport(src)).toBe(want);
  });
});

describe('summary entry module', () => {
  it('re-exports the script unchanged and writes the exact data object plus a text summary', async () => {
    const { e, mod, dir, summaryPath } = await entryFor(
      "export const options = { vus: 2 };\nexport function setup() { return 1; }\nexport function hit() {}\nexport default function () { return 'default ran'; }\n",
    );
    expect(path.dirname(e.entry)).toBe(dir); // beside the script, so open() paths resolve as before
    expect(mod.options).toEqual({ vus: 2 });
    expect(typeof mod.setup).toBe('function');
    expect(typeof mod.hit).toBe('function');
    expect((mod.default as () => string)()).toBe('default ran');
    const out = mod.handleSummary(DATA) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual([summaryPath, 'stdout'].sort());
    expect(JSON.parse(out[summaryPath]!)).toEqual(DATA);
    expect(out.stdout).toMatch(/^\n[\s\S]*\n\n$/);
    expect(out.stdout).toMatch(/✗ http_reqs \.*: 3 3\/s/);
    expect(out.stdout).toMatch(/http_req_duration \.*: avg=1\.50ms p\(95\)=2\.00ms/);
    expect(out.stdout).toMatch(/checks \.*: 75\.00% 3 out of 4/);
    expect(out.stdout).toContain('✗ ::ok');
    e.remove();
    expect(readdirSync(dir)).toEqual(['script.js']);
  });

  it('links without a default export (export * never re-exports default)', async () => {
    const { mod } = await entryFor('export function hit() {}\n');
    expect('default' in mod).toBe(false);
    expect(typeof mod.hit).toBe('function');
  });

  it("merges the script's own handleSummary map and keeps its outputs", async () => {
    const { mod, summaryPath } = await entryFor(
      "export default function () {}\nexport function handleSummary(d) { return { stdout: 'mine', 'own.json': String(d.metrics.http_reqs.values.count) }; }\n",
    );
    const out = mod.handleSummary(DATA) as Record<string, string>;
    expect(out.stdout).toBe('mine');
    expect(out['own.json']).toBe('3');
    expect(JSON.parse(out[summaryPath]!)).toEqual(DATA);
  });

  it('awaits an async handleSummary and stays synchronous for a synchronous one', async () => {
    const { mod, summaryPath } = await entryFor(
      "export default function () {}\nexport async function handleSummary() { await null; return { 'a.txt': 'A' }; }\n",
    );
    const p = mod.handleSummary(DATA);
    expect(p).toBeInstanceOf(Promise);
    const out = (await p) as Record<string, string>;
    expect(out['a.txt']).toBe('A');
    expect(out[summaryPath]).toBeDefined();
  });

  it('prints the text summary when the script returns nothing, as k6 prints its default', async () => {
    const { mod, summaryPath } = await entryFor('export default function () {}\nexport function handleSummary() { return undefined; }\n');
    const out = mod.handleSummary(DATA) as Record<string, string>;
    expect(Object.keys(out).sort()).toEqual([summaryPath, 'stdout'].sort());
    expect(out.stdout).toContain('http_reqs');
  });

  it('logs a throwing handleSummary (sync or async) and still writes the summary', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const sync = await entryFor("export default function () {}\nexport function handleSummary() { throw new Error('user bug'); }\n");
      const out = sync.mod.handleSummary(DATA) as Record<string, string>;
      expect(out[sync.summaryPath]).toBeDefined();
      expect(out.stdout).toContain('http_reqs');
      const asyncEntry = await entryFor("export default function () {}\nexport async function handleSummary() { throw new Error('async bug'); }\n");
      const out2 = (await asyncEntry.mod.handleSummary(DATA)) as Record<string, string>;
      expect(out2[asyncEntry.summaryPath]).toBeDefined();
      const notFn = await entryFor('export default function () {}\nexport const handleSummary = 42;\n');
      expect((notFn.mod.handleSummary(DATA) as Record<string, string>)[notFn.summaryPath]).toBeDefined();
      const logged = err.mock.calls.map((c) => String(c[0])).join('\n');
      expect(logged).toContain('user bug');
      expect(logged).toContain('async bug');
      expect(logged).toContain('not a function');
    } finally {
      err.mockRestore();
    }
  });

  it('gives a TypeScript script a JavaScript entry that imports the .ts file', () => {
    const dir = path.join(tmp, 'ts');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'load.ts'), 'export default async function (): Promise<void> {}\n');
    const e = writeSummaryEntry(path.join(dir, 'load.ts'), path.join(dir, 'k6-summary.json'));
    expect(path.basename(e.entry)).toMatch(/^\.squall-entry-load-[0-9a-f]{8}\.js$/);
    expect(readFileSync(e.entry, 'utf8')).toContain('export { default } from "./load.ts";');
    e.remove();
  });

  it('names a missing script', () => {
    expect(() => writeSummaryEntry(path.join(tmp, 'no-such-dir', 'script.js'), '/tmp/x.json')).toThrow(/k6 script .*no-such-dir\/script\.js does not exist/);
  });

  // Skipped as root (as in CI): root ignores directory permissions, so the directory stays writable.
  it.skipIf(process.getuid?.() === 0)('names the directory when the entry cannot be written beside the script', () => {
    const dir = path.join(tmp, 'read-only');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'script.js'), 'export default function () {}\n');
    chmodSync(dir, 0o555);
    try {
      expect(() => writeSummaryEntry(path.join(dir, 'script.js'), '/tmp/x.json')).toThrow(/cannot write squall's k6 entry module next to .*read-only/);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});
