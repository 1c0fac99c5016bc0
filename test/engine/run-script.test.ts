/**
 * End to end through `runK6Script`: real k6-style scripts against a real HTTP server on
 * 127.0.0.1. Checks the summary object, NDJSON points and tags, per-VU isolation, unawaited-call
 * detection, unsupported modules, handleSummary, scenarios, timers and TypeScript scripts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K6_EXIT, SquallError } from '../../harness/contracts/exit-codes.ts';
import { runK6Script } from '../../harness/engine/run.ts';
import { type TestServer, capture, startServer } from './server.ts';

const FIX = join(import.meta.dirname, '../fixtures/k6');
let server: TestServer;
const dir = mkdtempSync(join(tmpdir(), 'squall-engine-'));

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

interface Line {
  type: 'Metric' | 'Point';
  metric: string;
  data: { name?: string; time?: string; value?: number; tags?: Record<string, string>; thresholds?: unknown[]; submetrics?: unknown };
}

function readNdjson(path: string): Line[] {
  const raw = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString() : raw.toString();
  return text.trim().split('\n').map((l) => JSON.parse(l) as Line);
}

async function run(script: string, extra: Parameters<typeof runK6Script>[0] extends infer O ? Partial<O> : never = {}) {
  const io = capture();
  const r = await runK6Script({
    script: join(FIX, script),
    env: { BASE_URL: server.url, OUT_DIR: dir },
    includeSystemEnv: false,
    progress: 'none',
    quiet: true,
    stdout: io.stdout,
    stderr: io.stderr,
    ...extra,
  });
  return { ...r, out: io.out.join(''), err: io.err.join('') };
}

describe('a portable k6 script, end to end', () => {
  let result: Awaited<ReturnType<typeof run>>;
  let lines: Line[];
  beforeAll(async () => {
    const out = join(dir, 'basic.ndjson.gz');
    result = await run('basic.js', { out: [`json=${out}`], summaryExport: join(dir, 'basic-export.json') });
    lines = readNdjson(out);
  });

  it('exits 0 with every threshold met', () => {
    expect(result.exitCode).toBe(0);
    const m = result.summary!.metrics;
    expect(m['http_req_duration']?.thresholds).toEqual({ 'p(95)<2000': { ok: true } });
    expect(m['posts_made']?.thresholds).toEqual({ 'count==6': { ok: true } });
  });

  it('counts requests, iterations and checks like k6', () => {
    const m = result.summary!.metrics;
    expect(m['http_reqs']?.values.count).toBe(18);
    expect(m['iterations']?.values.count).toBe(6);
    expect(m['checks']?.values).toMatchObject({ passes: 30, fails: 0, rate: 1 });
    // A 404 declared expected by its responseCallback is not a failure.
    expect(m['http_req_failed']?.values).toMatchObject({ passes: 0, fails: 18 });
    expect(m['ok_rate']?.values.rate).toBe(1);
    expect(m['last_status']?.values.value).toBe(200);
    expect(m['http_req_duration{expected_response:true}']?.values.count).toBeUndefined();
    expect(Object.keys(m['http_req_duration']!.values)).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    expect(m['http_req_duration{name:post-echo}']?.type).toBe('trend');
  });

  it('keeps module state per VU: each VU counted its own iterations', () => {
    // 2 VUs share 6 iterations; each VU's counter runs 1, 2, 3 ... on its own.
    const t = result.summary!.metrics['per_vu_iterations']!.values;
    expect(t.min).toBe(1);
    expect(t.max).toBeLessThanOrEqual(5);
    expect(t.max).toBeGreaterThanOrEqual(3);
  });

  it('builds the group/check tree and setup_data', () => {
    const root = result.summary!.root_group;
    expect(root.checks.map((c) => c.name)).toEqual(['status is 200', 'json body', 'header canonical', 'echoed', '404 expected']);
    expect(root.groups.map((g) => g.path)).toEqual(['::api']);
    expect(result.summary!.setup_data).toEqual({ base: server.url, token: 'abc' });
    expect(result.summary!.state.testRunDurationMs).toBeGreaterThan(0);
  });

  it('writes k6 NDJSON: a Metric line right before the first Point of each metric', () => {
    const seen = new Set<string>();
    for (const l of lines) {
      if (l.type === 'Metric') {
        expect(seen.has(l.metric)).toBe(false);
        seen.add(l.metric);
      } else expect(seen.has(l.metric)).toBe(true);
    }
    const durMetric = lines.find((l) => l.type === 'Metric' && l.metric === 'http_req_duration')!;
    expect(durMetric.data.thresholds).toEqual(['p(95)<2000']);
    expect(durMetric.data.submetrics).toContainEqual({ name: 'http_req_duration{expected_response:true}', suffix: 'expected_response:true', tags: { expected_response: 'true' } });
  });

  it('tags HTTP points like k6, keys sorted, RFC 3339 times', () => {
    const p = lines.find((l) => l.type === 'Point' && l.metric === 'http_req_duration' && l.data.tags?.url === `${server.url}/ok`)!;
    expect(p.data.tags).toEqual({ expected_response: 'true', group: '', method: 'GET', name: `${server.url}/ok`, proto: 'HTTP/1.1', scenario: 'default', status: '200', url: `${server.url}/ok` });
    expect(Object.keys(p.data.tags!)).toEqual(Object.keys(p.data.tags!).sort());
    expect(p.data.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const named = lines.find((l) => l.type === 'Point' && l.data.tags?.name === 'post-echo')!;
    expect(named.data.tags?.url).toBe('post-echo');
    const nf = lines.find((l) => l.type === 'Point' && l.metric === 'http_reqs' && l.data.tags?.status === '404')!;
    expect(nf.data.tags).toMatchObject({ error_code: '1404', expected_response: 'true' });
    const setupData = lines.find((l) => l.type === 'Point' && l.metric === 'data_sent' && l.data.tags?.group === '::setup')!;
    expect(setupData.data.tags).toEqual({ group: '::setup' });
  });

  it('emits the k6 trail in k6 order, all with the same time', () => {
    const first = lines.findIndex((l) => l.type === 'Point' && l.metric === 'http_reqs');
    const names = lines.slice(first).filter((l) => l.type === 'Point').slice(0, 9).map((l) => l.metric);
    expect(names).toEqual(['http_reqs', 'http_req_duration', 'http_req_blocked', 'http_req_connecting', 'http_req_tls_handshaking', 'http_req_sending', 'http_req_waiting', 'http_req_receiving', 'http_req_failed']);
  });

  it('writes the --summary-export shape', () => {
    const exp = JSON.parse(readFileSync(join(dir, 'basic-export.json'), 'utf8'));
    expect(exp.metrics.checks).toMatchObject({ value: 1, passes: 30, fails: 0, thresholds: { 'rate==1': false } });
    expect(exp.root_group.checks['status is 200'].passes).toBe(6);
    expect(exp.options).toBeUndefined();
  });

  it('prints the text summary on stdout when there is no handleSummary', () => {
    expect(result.out).toContain('█ TOTAL RESULTS');
    expect(result.out).toContain("✓ 'p(95)<2000'");
  });
});

describe('--out json through the writer thread', () => {
  it('keeps every line, in order, across many batches', async () => {
    const out = join(dir, 'volume.ndjson.gz');
    const r = await run('volume.js', { out: [`json=${out}`] });
    expect(r.exitCode).toBe(0);
    const lines = readNdjson(out);
    const points = lines.filter((l) => l.type === 'Point');
    expect(points.filter((l) => l.metric === 'http_reqs')).toHaveLength(1200);
    expect(points.filter((l) => l.metric === 'iterations')).toHaveLength(1200);
    const seen = new Set<string>();
    for (const l of lines) {
      if (l.type === 'Metric') seen.add(l.metric);
      else expect(seen.has(l.metric)).toBe(true);
    }
    const times = points.map((p) => Date.parse(p.data.time!));
    expect(times.every((t) => Number.isFinite(t))).toBe(true);
    expect(points.find((p) => p.metric === 'http_reqs')!.data.tags).toMatchObject({ name: 'ok', url: 'ok', scenario: 'v' });
  });
});

describe('per-VU isolation of __VU, __ITER, k6/execution and module state', () => {
  it('each VU sees its own values, before and after an await', async () => {
    server.records.length = 0;
    const r = await run('isolation.js');
    expect(r.exitCode).toBe(0);
    expect(server.records).toHaveLength(20);
    const byVu = new Map<string, URLSearchParams[]>();
    for (const q of server.records) byVu.set(q.get('vu')!, [...(byVu.get(q.get('vu')!) ?? []), q]);
    expect([...byVu.keys()].sort()).toEqual(['1', '2', '3', '4']);
    for (const [vu, qs] of byVu) {
      expect(qs.map((q) => Number(q.get('iter'))).sort()).toEqual([0, 1, 2, 3, 4]);
      for (const q of qs) {
        const iter = q.get('iter');
        expect(q.get('count')).toBe(String(Number(iter) + 1));
        expect(q.get('helper')).toBe(String(Number(iter) + 1));
        expect(q.get('init')).toBe(vu);
        expect(q.get('before')).toBe(`${vu}/${iter}/${vu}/${iter}`);
        expect(q.get('after')).toBe(`${vu}/${iter}/${vu}/${iter}`);
        expect(q.get('scenario')).toBe('loop');
      }
    }
  });
});

describe('what per-VU isolation costs', () => {
  it('200 VUs with their own module graphs: small heap and init time per VU', async () => {
    const r = await run('many-vus.js');
    expect(r.exitCode).toBe(0);
    expect(r.vuInit?.count).toBe(200);
    // Measured ~30–60 KB and ~1–3 ms per VU on a 2-core machine; bounds leave room for load.
    expect(r.vuInit!.heapBytesPerVU).toBeLessThan(200 * 1024);
    expect(r.vuInit!.ms / 200).toBeLessThan(25);
    expect(r.summary!.root_group.checks[0]).toMatchObject({ name: 'own id', passes: 200, fails: 0 });
  });
});

describe('mistakes are caught and named', () => {
  it('an un-awaited http.get: reading .status off the Promise says to write await', async () => {
    const r = await run('unawaited.js');
    expect(r.exitCode).toBe(0);
    expect(r.err).toContain('http.get(...) returns a Promise in squall\'s engine, and .status was read from the Promise; write `await http.get(...)`');
    expect(r.summary!.metrics['iterations']?.values.count).toBe(1);
  });
  it('a request whose Promise is never awaited still runs, and is reported once with the fix', async () => {
    const r = await run('unawaited-fire.js');
    expect(r.exitCode).toBe(0);
    expect(r.summary!.metrics['http_reqs']?.values.count).toBe(2);
    expect(r.err.match(/http\.post\(\.\.\.\) was called without await/g)).toHaveLength(1);
    expect(r.err).toContain('write `await http.post(...)`'.replace('write', 'Write'));
    // An awaited script is not reported.
    const ok = await run('isolation.js');
    expect(ok.err).not.toContain('without await');
  });
  it('an un-awaited sleep() is reported with the fix', async () => {
    const r = await run('unawaited-sleep.js');
    expect(r.err).toContain('sleep() was called without await');
    expect(r.err).toContain('await sleep(1)');
    expect(r.err.match(/sleep\(\) was called without await/g)).toHaveLength(1);
  });
  it('importing a module squall does not run fails at start, naming it and pointing to k6 (107)', async () => {
    const e = await run('unsupported.js').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SquallError);
    expect((e as SquallError).exitCode).toBe(K6_EXIT.scriptException);
    expect((e as Error).message).toContain('"k6/ws"');
    expect((e as Error).message).toContain('real k6');
  });
});

describe('handleSummary', () => {
  it('may be async; its stdout and file outputs replace the text summary', async () => {
    const r = await run('handle-summary.js');
    expect(r.exitCode).toBe(0);
    expect(r.out).toBe('iterations=2\n');
    const data = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(data.setup_data).toEqual({ n: 5 });
    expect(data.options.summaryTrendStats).toEqual(['avg', 'p(99)', 'count']);
    expect(Object.keys(data.metrics.http_req_duration.values)).toEqual(['avg', 'p(99)', 'count']);
    expect(data.state).toMatchObject({ isStdOutTTY: false });
  });
});

describe('the k6-summary jslib', () => {
  it('textSummary and jUnit work without downloading anything', async () => {
    const r = await run('jslib-summary.js');
    expect(r.exitCode).toBe(99);
    expect(r.out).toContain(' █ TOTAL RESULTS');
    const xml = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(xml).toContain('<testsuites tests="2" failures="1">');
    expect(xml).toContain('<testcase name="http_reqs - count&gt;5"><failure message="failed" /></testcase>');
  });
});

describe('scenarios: startTime, exec, env, tags', () => {
  it('runs each scenario with its own function, env and tags', async () => {
    server.records.length = 0;
    const out = join(dir, 'scen.ndjson');
    const t0 = Date.now();
    const r = await run('scenarios.js', { out: [`json=${out}`] });
    expect(r.exitCode).toBe(0);
    const first = server.records.filter((q) => q.get('scenario') === 'first');
    const second = server.records.filter((q) => q.get('scenario') === 'second');
    expect(first.map((q) => q.get('who'))).toEqual(['one', 'one']);
    expect(second.map((q) => q.get('who'))).toEqual(['two', 'two']);
    for (const q of second) expect(Number(q.get('t')) - t0).toBeGreaterThanOrEqual(250);
    const pts = readNdjson(out).filter((l) => l.type === 'Point' && l.metric === 'http_reqs');
    expect(pts.filter((p) => p.data.tags?.scenario === 'first').every((p) => p.data.tags?.kind === 'a' && p.data.tags?.team === 'squall')).toBe(true);
    expect(pts.filter((p) => p.data.tags?.scenario === 'second').every((p) => p.data.tags?.kind === undefined && p.data.tags?.team === 'squall')).toBe(true);
    const vus = readNdjson(out).find((l) => l.type === 'Point' && l.metric === 'vus');
    if (vus) expect(vus.data.tags).toEqual({ team: 'squall' });
  });
});

describe('event loop semantics and TypeScript', () => {
  it('an iteration ends only after its timers (and requests they start) are done', async () => {
    server.records.length = 0;
    const r = await run('timers.js');
    expect(r.exitCode).toBe(0);
    expect(server.records.map((q) => q.get('iter'))).toEqual(['0', '1']);
    expect(r.summary!.metrics['iteration_duration']!.values.min).toBeGreaterThanOrEqual(35);
  });
  it('runs .ts scripts importing .ts modules outside a "type": "module" package, state per VU', async () => {
    const tsDir = mkdtempSync(join(tmpdir(), 'squall-ts-'));
    writeFileSync(join(tsDir, 'counter.ts'), 'export const state: { n: number } = { n: 0 };\nexport function bump(): number { return ++state.n; }\n');
    writeFileSync(
      join(tsDir, 'main.ts'),
      [
        "import http from 'k6/http';",
        "import { bump } from './counter.ts';",
        "export const options = { scenarios: { s: { executor: 'per-vu-iterations', vus: 3, iterations: 3 } } };",
        'export default async function (): Promise<void> {',
        '  const n: number = bump();',
        '  await http.get(`${__ENV.BASE_URL}/record?vu=${__VU}&iter=${__ITER}&n=${n}`);',
        '}',
      ].join('\n'),
    );
    server.records.length = 0;
    const r = await runK6Script({ script: join(tsDir, 'main.ts'), env: { BASE_URL: server.url }, includeSystemEnv: false, progress: 'none', quiet: true, stdout: () => {}, stderr: () => {} });
    expect(r.exitCode).toBe(0);
    expect(server.records).toHaveLength(9);
    for (const q of server.records) expect(q.get('n')).toBe(String(Number(q.get('iter')) + 1));
  });
  it('runs a .ts script', async () => {
    const r = await run('typed.ts');
    expect(r.exitCode).toBe(0);
    expect(r.summary!.root_group.checks[0]).toMatchObject({ name: 'typed status', passes: 2, fails: 0 });
  });
});
