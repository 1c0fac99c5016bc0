/**
 * `squall k6 run` as a user runs it: a subprocess of bin/squall.js with k6's flags. Checks k6's
 * exit codes (0, 99, 100, 101, 104, 105, 107, 108, 110), the files it writes, and --workers merging.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from './server.ts';

const ROOT = join(import.meta.dirname, '../..');
const FIX = join(ROOT, 'test/fixtures/k6');
const dir = mkdtempSync(join(tmpdir(), 'squall-cli-'));
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

function squall(args: string[], opts: { killAfterMs?: number } = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/squall.js'), ...args], {
      cwd: dir,
      env: { ...process.env, BASE_URL: server.url, OUT_DIR: dir },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (opts.killAfterMs !== undefined && err.includes('scenarios:')) {
        setTimeout(() => child.kill('SIGINT'), opts.killAfterMs);
        opts.killAfterMs = undefined;
      }
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('squall k6 run', () => {
  it('runs with -u/-i/--tag/-e/--out/--summary-export/--summary-trend-stats and exits 0', async () => {
    const pts = join(dir, 'p.ndjson.gz');
    const r = await squall(['k6', 'run', '-q', '-u', '3', '-i', '9', '--tag', 'run=nightly', '-e', 'EXTRA=1', '--out', `json=${pts}`, '--summary-export', 'export.json', '--summary-trend-stats', 'avg,p(99),count', join(FIX, 'cli-basic.js')]);
    expect(r.err).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.out).toContain('█ TOTAL RESULTS');
    const exp = JSON.parse(readFileSync(join(dir, 'export.json'), 'utf8'));
    expect(exp.metrics.iterations.count).toBe(9);
    expect(Object.keys(exp.metrics.http_req_duration)).toEqual(['avg', 'p(99)', 'count']);
    const lines = gunzipSync(readFileSync(pts)).toString().trim().split('\n').map((l) => JSON.parse(l));
    const req = lines.find((l) => l.type === 'Point' && l.metric === 'http_reqs');
    expect(req.data.tags.run).toBe('nightly');
  });

  it('--no-setup, --no-teardown and --user-agent act as in k6', async () => {
    server.records.length = 0;
    const r = await squall(['k6', 'run', '-q', '--no-setup', '--no-teardown', '--user-agent', 'nightly-probe/1', join(FIX, 'abort.js').replace('abort.js', 'scenarios.js')]);
    expect(r.code).toBe(0);
    expect(server.records.length).toBeGreaterThan(0);
    expect(server.records.every((q) => q.get('__ua') === 'nightly-probe/1')).toBe(true);
    const s = await squall(['k6', 'run', '-q', '--no-setup', join(FIX, 'handle-summary.js')]);
    expect(s.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).setup_data).toBeUndefined();
    const t = await squall(['k6', 'run', '-q', '--no-teardown', join(FIX, 'abort.js')]);
    expect(t.err).not.toContain('teardown ran after abort');
  });

  it('exits right after the test when interrupted iterations were sleeping', async () => {
    const t0 = Date.now();
    const r = await squall(['k6', 'run', '-q', join(FIX, 'long-sleep.js')]);
    expect(r.code).toBe(0);
    // The script sleeps 20 s per iteration; the test lasts 1 s with gracefulStop 0.
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('--help lists the flags with examples', async () => {
    const r = await squall(['k6', 'run', '--help']);
    expect(r.code).toBe(0);
    for (const f of ['--vus', '--duration', '--iterations', '--stage', '--out', '--summary-export', '--no-thresholds', '--workers', 'Examples:']) expect(r.out).toContain(f);
  });

  it('exit 99 when thresholds fail; --no-thresholds turns that off', async () => {
    const r = await squall(['k6', 'run', '-q', join(FIX, 'thresholds-fail.js')]);
    expect(r.code).toBe(99);
    expect(r.out).toContain("✗ 'rate<0.5'");
    const off = await squall(['k6', 'run', '-q', '--no-thresholds', join(FIX, 'thresholds-fail.js')]);
    expect(off.code).toBe(0);
  });

  it('exit 99 early on abortOnFail', async () => {
    const t0 = Date.now();
    const r = await squall(['k6', 'run', '-q', join(FIX, 'abort-on-fail.js')]);
    expect(r.code).toBe(99);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.err).toContain('abortOnFail');
  });

  it('exit 104 for invalid thresholds and options, with every problem named', async () => {
    const r = await squall(['k6', 'run', '-q', join(FIX, 'bad-threshold.js')]);
    expect(r.code).toBe(104);
    expect(r.err).toContain('"p95<200"');
    expect(r.err).toContain('no metric named "no_such_metric"');
    const bad = await squall(['k6', 'run', '-q', '--stage', 'abc', join(FIX, 'cli-basic.js')]);
    expect(bad.code).toBe(104);
    expect(bad.err).toContain('--stage abc');
  });

  it('exit 107 for init and setup exceptions, without a stack trace', async () => {
    const init = await squall(['k6', 'run', '-q', join(FIX, 'init-error.js')]);
    expect(init.code).toBe(107);
    expect(init.err).toContain('init code failed');
    expect(init.err).not.toMatch(/\n\s+at /);
    const setup = await squall(['k6', 'run', '-q', join(FIX, 'setup-error.js')]);
    expect(setup.code).toBe(107);
    expect(setup.err).toContain('cannot prepare the data');
  });

  it('exit 100 and 101 when setup or teardown outlive their timeouts', async () => {
    const setup = await squall(['k6', 'run', '-q', join(FIX, 'setup-timeout.js')]);
    expect(setup.code).toBe(100);
    expect(setup.err).toContain('setup() execution timed out after 300ms');
    const teardown = await squall(['k6', 'run', '-q', join(FIX, 'teardown-timeout.js')]);
    expect(teardown.code).toBe(101);
    expect(teardown.err).toContain('teardown() execution timed out after 300ms');
  });

  it('exit 108 on exec.test.abort(), teardown still runs', async () => {
    const r = await squall(['k6', 'run', '-q', join(FIX, 'abort.js')]);
    expect(r.code).toBe(108);
    expect(r.err).toContain('test aborted: enough');
    expect(r.err).toContain('teardown ran after abort');
  });

  it('exit 110 on exec.test.fail(), even with failed thresholds', async () => {
    const r = await squall(['k6', 'run', '-q', join(FIX, 'fail.js')]);
    expect(r.code).toBe(110);
  });

  it('exit 105 on SIGINT, after teardown and the summary', async () => {
    const r = await squall(['k6', 'run', join(FIX, 'signal.js')], { killAfterMs: 700 });
    expect(r.code).toBe(105);
    expect(r.err).toContain('teardown after signal');
    expect(r.out).toContain('TOTAL RESULTS');
  });

  it('--workers 2 merges both halves into one summary and one NDJSON stream', async () => {
    const pts = join(dir, 'w.ndjson.gz');
    const r = await squall(['k6', 'run', '-q', '--workers', '2', '-u', '4', '-i', '20', '--out', `json=${pts}`, '--summary-export', 'w.json', join(FIX, 'cli-basic.js')]);
    expect(r.code).toBe(0);
    const exp = JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8'));
    expect(exp.metrics.iterations.count).toBe(20);
    expect(exp.metrics.http_reqs.count).toBe(20);
    expect(exp.root_group.checks['status is 200'].passes).toBe(20);
    const lines = gunzipSync(readFileSync(pts)).toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'Point' && l.metric === 'http_reqs')).toHaveLength(20);
    const metricLines = lines.filter((l) => l.type === 'Metric').map((l) => l.metric);
    expect(new Set(metricLines).size).toBe(metricLines.length);
  });
});
