/**
 * The k6 modules beyond the basics, through a real script: crypto, encoding, SharedArray, open(),
 * batch, asyncRequest, form bodies, redirects, timeouts, network errors and response callbacks.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runK6Script } from '../../harness/engine/run.ts';
import { type TestServer, capture, startServer } from './server.ts';

const FIX = join(import.meta.dirname, '../fixtures/k6');
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('k6 modules', () => {
  it('every check of modules.js passes, and errors become k6 tags', async () => {
    const io = capture();
    const out = join(mkdtempSync(join(tmpdir(), 'squall-mod-')), 'p.ndjson');
    const r = await runK6Script({ script: join(FIX, 'modules.js'), env: { BASE_URL: server.url }, includeSystemEnv: false, progress: 'none', quiet: true, stdout: io.stdout, stderr: io.stderr, out: [`json=${out}`] });
    expect(r.exitCode).toBe(0);
    const failed = r.summary!.root_group.checks.filter((c) => c.fails > 0).map((c) => c.name);
    expect(failed).toEqual([]);
    expect(r.summary!.root_group.checks).toHaveLength(19);
    const pts = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { tags: Record<string, string>; value: number } });
    const reqs = pts.filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
    const refused = reqs.find((p) => p.data.tags.url === 'http://127.0.0.1:1/')!;
    expect(refused.data.tags).toMatchObject({ status: '0', error_code: '1212', expected_response: 'false' });
    expect(refused.data.tags.error).toContain('connection refused');
    const timedOut = reqs.find((p) => p.data.tags.error_code === '1050')!;
    expect(timedOut.data.tags.status).toBe('0');
    // setResponseCallback(expectedStatuses(200, 500..503)) made the 503 expected.
    const s503 = pts.find((p) => p.type === 'Point' && p.metric === 'http_req_failed' && p.data.tags.status === '503')!;
    expect(s503.data.value).toBe(0);
    expect(s503.data.tags.expected_response).toBe('true');
    // The redirect counts as two requests; the 302 hop is tagged with its own status.
    expect(reqs.filter((p) => p.data.tags.status === '302')).toHaveLength(2);
    expect(io.err.join('')).toContain('Request Failed');
    // http.url keeps ${} in the name and url tags, so generated URLs group into one series.
    const named = reqs.find((p) => p.data.tags.name?.endsWith('/ok?id=${}'))!;
    expect(named.data.tags.url).toBe(named.data.tags.name);
  });
});

describe('cookies', () => {
  it('keeps a per-VU jar like k6: set, sent back by domain and path, reset each iteration', async () => {
    const io = capture();
    const r = await runK6Script({ script: join(FIX, 'cookies.js'), env: { BASE_URL: server.url }, includeSystemEnv: false, progress: 'none', quiet: true, stdout: io.stdout, stderr: io.stderr });
    expect(r.exitCode).toBe(0);
    const checks = r.summary!.root_group.checks;
    expect(checks.filter((c) => c.fails > 0).map((c) => c.name)).toEqual([]);
    expect(checks.map((c) => c.passes)).toEqual(Array(7).fill(2));
  });
});
