import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedRunner } from '../../harness/runner/embedded.ts';
import { readPoints, runnerContract } from './runner.contract.ts';

// The engine is written in parallel; its programmatic entry landing is the sign it can run scripts.
const engineReady = existsSync(fileURLToPath(new URL('../../harness/engine/run.ts', import.meta.url)));

runnerContract('embedded', () => new EmbeddedRunner(), engineReady ? null : 'the embedded engine has not landed (harness/engine/run.ts is missing)');

describe('embedded runner only: --workers', { timeout: 90_000 }, () => {
  let server: Server;
  let target = '';
  let tmp = '';
  const seen: string[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'squall-workers-'));
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
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

  it.skipIf(!engineReady)('splits the test over 2 processes and still leaves one summary and one points file for the whole', async () => {
    const dir = path.join(tmp, 'w');
    mkdirSync(dir);
    const script = path.join(dir, 'script.js');
    writeFileSync(
      script,
      `import http from 'k6/http';
import exec from 'k6/execution';
export const options = { vus: 3, iterations: 12 };
export default async function () { await http.get(__ENV.TARGET + '/' + exec.scenario.iterationInTest); }
`,
    );
    const r = await new EmbeddedRunner().run({ script, runDir: path.join(dir, 'run'), env: { TARGET: target }, workers: 2, timeoutMs: 60_000 });
    expect(r.exitCode, readFileSync(r.files.stderr, 'utf8')).toBe(0);
    expect(r.command).toContain('--workers');
    const s = JSON.parse(readFileSync(r.files.summary, 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
    expect(s.metrics.iterations!.values.count).toBe(12);
    expect(s.metrics.http_reqs!.values.count).toBe(12);
    const reqs = readPoints(r.files.points).filter((p) => p.type === 'Point' && p.metric === 'http_reqs');
    expect(reqs).toHaveLength(12);
    // iterationInTest is unique across the two processes (k6-contract §5.2).
    const ids = seen.map((u) => Number(u.slice(1)));
    expect(new Set(ids).size, seen.join(' ')).toBe(12);
  });
});
