/**
 * The one contract every Runner implementation must meet (style.md: one shared suite per
 * interface). Each implementation's test file calls `runnerContract` with a factory and, when it
 * cannot run here, the reason it is skipped. Every run talks only to a server on 127.0.0.1 that this
 * suite starts and stops, and is bounded by an iteration count.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runner, RunnerOptions, RunnerResult } from '../../harness/runner/types.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

interface NdjsonLine {
  type: 'Metric' | 'Point';
  metric: string;
  data: { name?: string; type?: string; contains?: string; time?: string; value?: number; tags?: Record<string, string>; thresholds?: unknown[] };
}

/** Parses the gzip NDJSON points file and checks the line grammar of k6-contract §2.1. */
export function readPoints(file: string): NdjsonLine[] {
  const text = gunzipSync(readFileSync(file)).toString('utf8');
  const lines = text.split('\n').filter((l) => l !== '');
  const seenMetric = new Set<string>();
  const out: NdjsonLine[] = [];
  for (const l of lines) {
    const o = JSON.parse(l) as NdjsonLine;
    expect(['Metric', 'Point']).toContain(o.type);
    if (o.type === 'Metric') {
      expect(seenMetric.has(o.metric), `Metric line for ${o.metric} written twice`).toBe(false);
      expect(o.data.name).toBe(o.metric);
      expect(['counter', 'gauge', 'rate', 'trend']).toContain(o.data.type);
      expect(Array.isArray(o.data.thresholds)).toBe(true);
      seenMetric.add(o.metric);
    } else {
      expect(seenMetric.has(o.metric), `Point of ${o.metric} before its Metric line`).toBe(true);
      expect(typeof o.data.value).toBe('number');
      expect(Number.isNaN(Date.parse(o.data.time!))).toBe(false);
      expect(typeof o.data.tags).toBe('object');
    }
    out.push(o);
  }
  return out;
}

type Summary = {
  root_group: { name: string; path: string; id: string; groups: Array<{ name: string; path: string; id: string; checks: Array<{ name: string; path: string; id: string; passes: number; fails: number }> }>; checks: unknown[] };
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, { type: string; contains: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
};

const readSummary = (r: RunnerResult) => JSON.parse(readFileSync(r.files.summary, 'utf8')) as Summary;

export function runnerContract(name: string, makeRunner: () => Runner, skipReason: string | null): void {
  const skip = skipReason !== null;
  // Each case starts a k6 process; on a loaded 2-core machine that can take several seconds.
  describe(`runner contract: ${name}${skip ? ` (skipped: ${skipReason})` : ''}`, { timeout: 90_000 }, () => {
    let server: Server;
    let target = '';
    let tmp = '';
    let n = 0;
    let requests = 0;

    beforeAll(async () => {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'squall-runner-'));
      server = createServer((req, res) => {
        requests++;
        res.writeHead(req.url === '/fail' ? 503 : 200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      rmSync(tmp, { recursive: true, force: true });
    });

    /** Writes `source` as a script in its own folder and runs it into a fresh run folder. */
    async function runScript(source: string, opts: Partial<RunnerOptions> = {}, extraFiles: Record<string, string> = {}, fileName = 'script.js') {
      const dir = path.join(tmp, `case-${++n}`);
      const scriptDir = path.join(dir, 'scripts');
      const script = path.join(scriptDir, fileName);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(scriptDir, { recursive: true });
      writeFileSync(script, source);
      for (const [f, c] of Object.entries(extraFiles)) writeFileSync(path.join(scriptDir, f), c);
      const result = await makeRunner().run({
        timeoutMs: 60_000,
        ...opts,
        script,
        runDir: path.join(dir, 'run'),
        env: { TARGET: target, ...(opts.env ?? {}) },
      });
      return { result, scriptDir, script };
    }

    const SCRIPT = `
import http from 'k6/http';
import { check, group } from 'k6';
export const options = {
  vus: 2,
  iterations: 10,
  thresholds: { http_req_failed: ['rate<0.5'] },
};
// \`await http.get\` is valid k6 (await passes a Response through) and what squall's engine needs;
// group() callbacks must stay synchronous in k6 (§5.1), so the request is made outside the group.
export default async function () {
  const res = await http.get(__ENV.TARGET + '/');
  group('api', () => {
    check(res, { 'status is 200': (r) => r.status === 200 });
  });
}
`;

    it.skipIf(skip)('leaves the summary object, the NDJSON points, the logs and the record', async () => {
      const t0 = Date.now();
      const { result, scriptDir } = await runScript(SCRIPT, { tags: { run: 'contract' } });
      const stderr = readFileSync(result.files.stderr, 'utf8');
      expect(result.exitCode, stderr).toBe(0);
      expect(stderr).not.toMatch(/ERRO|level=error/);
      expect(result.runner).toBe(name);
      for (const f of Object.values(result.files)) expect(existsSync(f), f).toBe(true);

      const s = readSummary(result);
      expect(s.options.summaryTrendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
      expect(s.state.testRunDurationMs).toBeGreaterThan(0);
      expect(s.state.testRunDurationMs).toBeLessThan(Date.now() - t0 + 1);
      expect(s.metrics.http_reqs).toMatchObject({ type: 'counter', contains: 'default', values: { count: 10 } });
      expect(s.metrics.iterations!.values.count).toBe(10);
      expect(s.metrics.http_req_duration).toMatchObject({ type: 'trend', contains: 'time' });
      expect(Object.keys(s.metrics.http_req_duration!.values)).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
      expect(s.metrics.checks!.values).toMatchObject({ passes: 10, fails: 0, rate: 1 });
      expect(s.metrics.http_req_failed!.thresholds).toEqual({ 'rate<0.5': { ok: true } });
      expect(s.root_group).toMatchObject({ name: '', path: '', id: md5('') });
      const api = s.root_group.groups.find((g) => g.name === 'api');
      expect(api).toMatchObject({ path: '::api', id: md5('::api') });
      expect(api!.checks).toEqual([{ name: 'status is 200', path: '::api::status is 200', id: md5('::api::status is 200'), passes: 10, fails: 0 }]);

      const points = readPoints(result.files.points);
      const reqs = points.filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
      expect(reqs).toHaveLength(10);
      for (const p of reqs) {
        expect(p.data.tags).toMatchObject({ method: 'GET', status: '200', scenario: 'default', group: '', run: 'contract', url: `${target}/` });
        const at = Date.parse(p.data.time!);
        expect(at).toBeGreaterThanOrEqual(t0 - 1000);
        expect(at).toBeLessThanOrEqual(Date.now() + 1000);
      }

      const record = JSON.parse(readFileSync(result.files.record, 'utf8')) as { exitCode: number; runner: string; script: string; command: string[] };
      expect(record).toMatchObject({ exitCode: 0, runner: name, script: path.join(scriptDir, 'script.js'), command: result.command });
      // Without a handleSummary of its own, the script still gets an end-of-test text summary.
      expect(readFileSync(result.files.stdout, 'utf8')).toMatch(/http_reqs \.*: 10 /);
      // The entry module is gone and the script is untouched.
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(scriptDir)).toEqual(['script.js']);
    });

    it.skipIf(skip)('exits 99 when a threshold fails and still writes every file', async () => {
      const { result } = await runScript(`
import http from 'k6/http';
export const options = { vus: 1, iterations: 3, thresholds: { http_req_duration: ['max<0'] } };
export default async function () { await http.get(__ENV.TARGET + '/'); }
`);
      expect(result.exitCode).toBe(99);
      const s = readSummary(result);
      expect(s.metrics.http_reqs!.values.count).toBe(3);
      expect(s.metrics.http_req_duration!.thresholds).toEqual({ 'max<0': { ok: false } });
      expect(readPoints(result.files.points).some((p) => p.type === 'Metric' && p.metric === 'http_req_duration')).toBe(true);
    });

    it.skipIf(skip)("keeps the script's own handleSummary outputs beside k6-summary.json", async () => {
      const { result, scriptDir } = await runScript(`
import http from 'k6/http';
export const options = { vus: 1, iterations: 2 };
export default async function () { await http.get(__ENV.TARGET + '/fail'); }
export function handleSummary(data) {
  return { stdout: 'USER SUMMARY\\n', 'own-summary.json': JSON.stringify({ n: data.metrics.iterations.values.count }) };
}
`);
      expect(result.exitCode).toBe(0);
      expect(readFileSync(result.files.stdout, 'utf8')).toContain('USER SUMMARY');
      expect(JSON.parse(readFileSync(path.join(scriptDir, 'own-summary.json'), 'utf8'))).toEqual({ n: 2 });
      const s = readSummary(result);
      expect(s.metrics.http_req_failed!.values).toMatchObject({ passes: 2, fails: 0, rate: 1 });
    });

    it.skipIf(skip)('runs a script without a default export (scenario exec) and honours run options', async () => {
      const { result } = await runScript(
        `
import http from 'k6/http';
export const options = { scenarios: { hits: { executor: 'shared-iterations', exec: 'hit', vus: 1, iterations: 4 } } };
export async function hit() { await http.get(__ENV.TARGET + '/' + __ENV.SUFFIX); }
`,
        { env: { SUFFIX: 'x' }, summaryTrendStats: ['avg', 'p(99)', 'count'] },
      );
      expect(result.exitCode, readFileSync(result.files.stderr, 'utf8')).toBe(0);
      const s = readSummary(result);
      expect(s.metrics.iterations!.values.count).toBe(4);
      expect(Object.keys(s.metrics), readFileSync(result.files.stderr, 'utf8')).toContain('http_req_duration');
      expect(Object.keys(s.metrics.http_req_duration!.values)).toEqual(['avg', 'p(99)', 'count']);
      const reqs = readPoints(result.files.points).filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
      expect(reqs.map((p) => [p.data.tags!.scenario, p.data.tags!.url])).toEqual(Array(4).fill(['hits', `${target}/x`]));
    });

    it.skipIf(skip)("resolves open() against the script's directory", async () => {
      const { result } = await runScript(
        `
import http from 'k6/http';
const cfg = JSON.parse(open('./cfg.json'));
export const options = { vus: 1, iterations: 1 };
export default async function () { await http.get(__ENV.TARGET + '/' + cfg.path); }
`,
        {},
        { 'cfg.json': '{"path":"from-open"}' },
      );
      expect(result.exitCode, readFileSync(result.files.stderr, 'utf8')).toBe(0);
      const reqs = readPoints(result.files.points).filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
      expect(reqs.map((p) => p.data.tags!.url)).toEqual([`${target}/from-open`]);
    });

    it.skipIf(skip)('runs a TypeScript script (k6 v1+ runs .ts directly, §5.1)', async () => {
      const { result, scriptDir } = await runScript(
        `
import http from 'k6/http';
import type { Options } from 'k6/options';
export const options: Options = { vus: 1, iterations: 2 };
export default async function (): Promise<void> {
  const url: string = __ENV.TARGET + '/ts';
  await http.get(url);
}
`,
        {},
        {},
        'script.ts',
      );
      expect(result.exitCode, readFileSync(result.files.stderr, 'utf8')).toBe(0);
      expect(readSummary(result).metrics.http_reqs!.values.count).toBe(2);
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(scriptDir)).toEqual(['script.ts']);
    });

    it.skipIf(skip)('an abort signal stops k6 gracefully: exit 105, summary and points still written', async () => {
      const ac = new AbortController();
      const t0 = Date.now();
      const pending = runScript(
        `
import http from 'k6/http';
export const options = { vus: 1, duration: '60s' };
export default async function () { await http.get(__ENV.TARGET + '/'); }
`,
        { signal: ac.signal },
      );
      // Abort once load is flowing, so the engine has installed its signal handling (a slow start
      // on a loaded machine must not turn this into a kill before k6 is up).
      const before = requests;
      const started = Date.now();
      while (requests === before && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
      setTimeout(() => ac.abort(), 300);
      const { result } = await pending;
      expect(Date.now() - t0).toBeLessThan(30_000);
      expect(result.exitCode).toBe(105); // ExternalAbort (k6-contract §3.5)
      expect(readSummary(result).metrics.http_reqs!.values.count).toBeGreaterThan(0);
      expect(readPoints(result.files.points).length).toBeGreaterThan(0);
    });

    it.skipIf(skip)('exits 107 on an exception in the init context, with the error in the stderr log', async () => {
      const { result } = await runScript(`
export const options = { vus: 1, iterations: 1 };
throw new Error('boom in init');
export default function () {}
`);
      expect(result.exitCode).toBe(107);
      expect(readFileSync(result.files.stderr, 'utf8') + readFileSync(result.files.stdout, 'utf8')).toContain('boom in init');
      expect(existsSync(result.files.record)).toBe(true);
    });
  });
}
