/**
 * The embedded engine against its peer, in one run on one nginx (bench/nginx.ts):
 * (a) autocannon, 50 connections, 10 s: the peer's req/s;
 * (b) `squall k6 run` closed loop, 50 VUs, 10 s, `await http.get(URL)`: req/s (http_reqs rate) and
 *     the ratio to (a);
 * (c) the same with `--out json=FILE.gz`;
 * (d) constant-arrival-rate 2,000/s for 20 s (through the engine's programmatic entry, in a child
 *     process): completed and dropped iterations, and the scheduling lag p99 the engine measures
 *     (if it reports none: from the NDJSON points, iteration start = iteration_duration point time
 *     − value, the k-th start in time order against the k-th due time k·0.5 ms after the first);
 * (e) peak RSS of the squall process tree over a shared-iterations run of 200,000 requests with
 *     100 VUs (2,000,000 with SQUALL_BENCH_FULL=1), sampled from /proc every 200 ms.
 * Every process is a child of this one, talks only to 127.0.0.1, and is bounded.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { startNginx } from './nginx.ts';
import type { BenchRow } from './run.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SQUALL_BIN = path.join(ROOT, 'bin', 'squall.js');
const AUTOCANNON_BIN = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
const ENGINE_ENTRY = path.join(ROOT, 'harness', 'engine', 'run.ts');
const ENGINE_CHILD = path.join(ROOT, 'bench', 'engine-child.ts');
const BENCH = 'engine';
const FULL = process.env.SQUALL_BENCH_FULL === '1';

interface Measured {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Highest sampled sum of VmRSS over the process and its descendants, bytes. */
  peakTreeRss: number;
}

/** Sum of VmRSS (and the root's VmHWM) over `root` and every descendant, from /proc. */
function treeRss(root: number): { rss: number; rootHwm: number } {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // the process ended between readdir and read
    }
  }
  let rss = 0;
  let rootHwm = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      rss += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      if (pid === root) rootHwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return { rss, rootHwm };
}

function runMeasured(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Keep the tail only: a chatty failure must not grow this process.
    child.stdout.on('data', (c: Buffer) => (stdout = (stdout + c.toString()).slice(-1_000_000)));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-20_000)));
    let peak = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      const { rss, rootHwm } = treeRss(child.pid);
      peak = Math.max(peak, rss, rootHwm);
    };
    const poll = setInterval(sample, 200);
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearInterval(poll);
      clearTimeout(kill);
      reject(e);
    });
    // 'exit' fires before stdio closes; sample the root's VmHWM while it may still be readable.
    child.once('exit', () => clearInterval(poll));
    child.once('close', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, stdout, stderr, wallMs: performance.now() - t0, peakTreeRss: peak });
    });
  });
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const fmtRps = (x: number) => `${Math.round(x).toLocaleString('en-US')} req/s`;

/** RFC3339 with up to 9 fractional digits (k6-contract §2.4) → epoch ms, keeping sub-ms digits. */
export function parseRfc3339Ms(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return Number.NaN;
  return Date.parse(`${m[1]}${m[3]}`) + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

async function autocannon(url: string, seconds: number): Promise<number> {
  const r = await runMeasured(process.execPath, [AUTOCANNON_BIN, '-c', '50', '-d', String(seconds), '-j', '-n', url], process.env, (seconds + 30) * 1000);
  if (r.code !== 0) throw new Error(`autocannon exited ${r.code}: ${r.stderr.slice(-500)}`);
  const j = JSON.parse(r.stdout) as { requests: { total: number }; duration: number; errors: number; non2xx: number };
  if (j.errors > 0 || j.non2xx > 0) throw new Error(`autocannon saw ${j.errors} errors and ${j.non2xx} non-2xx responses`);
  return j.requests.total / j.duration;
}

/** The old `--summary-export` shape (k6-contract §1.5): metrics flattened to their values. */
type ExportSummary = { metrics: Record<string, Record<string, number>> };

async function squallRun(dir: string, name: string, script: string, flags: string[], url: string, timeoutMs: number) {
  const scriptPath = path.join(dir, `${name}.js`);
  writeFileSync(scriptPath, script);
  const exportPath = path.join(dir, `${name}-summary.json`);
  const args = [SQUALL_BIN, 'k6', 'run', '--quiet', '--summary-export', exportPath, '-e', `URL=${url}`, ...flags, scriptPath];
  const r = await runMeasured(process.execPath, args, process.env, timeoutMs);
  if (r.code !== 0 || !existsSync(exportPath)) {
    throw new Error(`squall k6 run (${name}) exited ${r.code}: ${(r.stderr || r.stdout).slice(-600).trim()}`);
  }
  const summary = JSON.parse(readFileSync(exportPath, 'utf8')) as ExportSummary;
  return { ...r, summary };
}

const CLOSED_LOOP = `import http from 'k6/http';
export default async function () {
  await http.get(__ENV.URL);
}
`;

const ARRIVAL = `import http from 'k6/http';
export const options = {
  scenarios: {
    arrivals: { executor: 'constant-arrival-rate', rate: 2000, timeUnit: '1s', duration: '20s', preAllocatedVUs: 200, maxVUs: 400 },
  },
};
export default async function () {
  await http.get(__ENV.URL);
}
`;

/** Scheduling lag from NDJSON: k-th iteration start (time order) minus the k-th due time. */
async function arrivalLagP99(pointsFile: string, periodMs: number): Promise<{ p99: number; p50: number; max: number; n: number }> {
  const starts: number[] = [];
  const rl = createInterface({ input: createReadStream(pointsFile).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.includes('"iteration_duration"') || !line.includes('"Point"')) continue;
    const p = JSON.parse(line) as { type: string; metric: string; data: { time: string; value: number } };
    if (p.type !== 'Point' || p.metric !== 'iteration_duration') continue;
    starts.push(parseRfc3339Ms(p.data.time) - p.data.value);
  }
  starts.sort((a, b) => a - b);
  const first = starts[0] ?? 0;
  const lags = starts.map((s, k) => s - first - k * periodMs).sort((a, b) => a - b);
  const q = (f: number) => lags[Math.min(lags.length - 1, Math.floor(f * lags.length))] ?? Number.NaN;
  return { p99: q(0.99), p50: q(0.5), max: lags[lags.length - 1] ?? Number.NaN, n: starts.length };
}

async function guarded(rows: BenchRow[], metric: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    rows.push({ bench: BENCH, metric, value: `error: ${e instanceof Error ? e.message : String(e)}`.slice(0, 400), met: false });
  }
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const nginx = await startNginx();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-bench-engine-'));
  try {
    const peer = await autocannon(nginx.url, 10);
    rows.push({ bench: BENCH, metric: '(a) nginx, autocannon 50 connections 10 s (peer)', value: fmtRps(peer) });

    if (!existsSync(ENGINE_ENTRY)) {
      rows.push({ bench: BENCH, metric: '(b)–(e) squall k6 run', value: `not run: the embedded engine has not landed (${path.relative(ROOT, ENGINE_ENTRY)} is missing)`, met: false });
      return rows;
    }

    await guarded(rows, '(b) squall k6 run, 50 VUs 10 s', async () => {
      const r = await squallRun(dir, 'closed', CLOSED_LOOP, ['-u', '50', '-d', '10s'], nginx.url, 60_000);
      const rps = r.summary.metrics.http_reqs?.rate ?? 0;
      const ratio = rps / peer;
      rows.push({ bench: BENCH, metric: '(b) squall k6 run, 50 VUs 10 s, await http.get', value: `${fmtRps(rps)} = ${ratio.toFixed(3)}× peer`, goal: '≥ 0.6× (stretch 0.8×)', met: ratio >= 0.6 });
      rows.push({ bench: BENCH, metric: '(b) peak RSS of the squall process tree', value: mb(r.peakTreeRss) });
    });

    await guarded(rows, '(c) squall k6 run --out json=.gz', async () => {
      const points = path.join(dir, 'closed-points.ndjson.gz');
      const r = await squallRun(dir, 'closed-out', CLOSED_LOOP, ['-u', '50', '-d', '10s', '--out', `json=${points}`], nginx.url, 90_000);
      const rps = r.summary.metrics.http_reqs?.rate ?? 0;
      const ratio = rps / peer;
      rows.push({ bench: BENCH, metric: '(c) the same with --out json=FILE.gz', value: `${fmtRps(rps)} = ${ratio.toFixed(3)}× peer`, goal: '≥ 0.6× (stretch 0.8×)', met: ratio >= 0.6 });
      rows.push({ bench: BENCH, metric: '(c) points file size, peak RSS', value: `${mb(statSync(points).size)} gz, ${mb(r.peakTreeRss)} RSS` });
      rmSync(points, { force: true });
    });

    await guarded(rows, '(d) constant-arrival-rate 2,000/s 20 s', async () => {
      // Through the engine's programmatic entry in a child process: it reports the scheduling lag
      // (how late each arrival-rate iteration started after its due time) that the CLI does not.
      const points = path.join(dir, 'arrival-points.ndjson.gz');
      const script = path.join(dir, 'arrival.js');
      writeFileSync(script, ARRIVAL);
      const job = JSON.stringify({ script, env: { URL: nginx.url }, out: [`json=${points}`] });
      const r = await runMeasured(process.execPath, ['--import', 'tsx', ENGINE_CHILD, job], process.env, 120_000);
      const last = r.stdout.trim().split('\n').pop() ?? '';
      if (r.code !== 0 || !last.startsWith('{')) throw new Error(`arrival-rate run exited ${r.code}: ${(r.stderr || r.stdout).slice(-600).trim()}`);
      const res = JSON.parse(last) as { iterations: number; droppedIterations: number; schedulingLagP99Ms: number | null };
      rows.push({ bench: BENCH, metric: '(d) constant-arrival-rate 2,000/s 20 s: iterations', value: String(res.iterations), goal: '40,000 ± 1', met: Math.abs(res.iterations - 40_000) <= 1 });
      rows.push({ bench: BENCH, metric: '(d) dropped_iterations', value: String(res.droppedIterations), goal: '0', met: res.droppedIterations === 0 });
      if (res.schedulingLagP99Ms !== null) {
        rows.push({ bench: BENCH, metric: '(d) scheduling lag p99, as the engine measures it (start − due)', value: `${res.schedulingLagP99Ms.toFixed(2)} ms` });
      } else {
        // Fallback only: pairing the k-th start with the k-th due time is exact without drops, but
        // every dropped tick shifts the later pairs by one period.
        const lag = await arrivalLagP99(points, 1000 / 2000);
        rows.push({
          bench: BENCH,
          metric: '(d) lag from NDJSON: k-th start vs k-th due, p50 / p99 / max',
          value: `${lag.p50.toFixed(2)} / ${lag.p99.toFixed(2)} / ${lag.max.toFixed(2)} ms over ${lag.n} iterations${res.droppedIterations > 0 ? ' (inflated by drops)' : ''}`,
        });
      }
      rmSync(points, { force: true });
    });

    const total = FULL ? 2_000_000 : 200_000;
    await guarded(rows, `(e) memory, ${total} requests`, async () => {
      const r = await squallRun(dir, 'memory', CLOSED_LOOP, ['-u', '100', '-i', String(total)], nginx.url, FULL ? 600_000 : 120_000);
      const count = r.summary.metrics.http_reqs?.count ?? 0;
      rows.push({
        bench: BENCH,
        metric: `(e) peak RSS, ${total.toLocaleString('en-US')} requests, 100 VUs shared-iterations${FULL ? '' : ' (SQUALL_BENCH_FULL=1: 2,000,000)'}`,
        value: `${mb(r.peakTreeRss)} (${count.toLocaleString('en-US')} requests in ${(r.wallMs / 1000).toFixed(1)} s)`,
        goal: '< 300 MB',
        met: r.peakTreeRss < 300 * 2 ** 20 && count === total,
      });
    });
    return rows;
  } finally {
    await nginx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
