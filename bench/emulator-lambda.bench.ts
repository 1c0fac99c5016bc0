/**
 * The emulator's Lambda side against its peers, in one run:
 * (a) Function URL → synthetic 0 ms function on the emulator vs a bare `node:http` server returning
 *     the same JSON: autocannon (50 connections, 3 s, three rounds each, interleaved, best round)
 *     against both, each server in its own child process; goal emulator/bare ≥ 0.6×. The servers'
 *     CPU time per request is reported too: on a shared machine it is the steadier figure.
 * (b) 1,000 warm synthetic environments: 1,000 concurrent invokes (all cold), then 1,000 more (all
 *     warm: no new cold start); heap held per environment and wall time of each wave.
 * (c) 100 worker-backed environments (examples/functions/flaky.mjs in a Worker each): 100 concurrent
 *     cold invokes, then 100 warm ones; RSS held per worker and wall times.
 * Everything talks only to 127.0.0.1 and ends by itself (about 30 s in all).
 *
 * Run as a child with SQUALL_BENCH_ROLE=bare|emulator, this file is the server under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../harness/contracts/clock.ts';
import { createRng } from '../harness/contracts/distributions.ts';
import { Metrics } from '../harness/emulator/metrics.ts';
import { startLambdaEmulator } from '../harness/emulator/index.ts';
import { defaultSpec, DEFAULT_ACCOUNT, LambdaModel, type LambdaFunction } from '../harness/emulator/lambda/model/functions.ts';
import { fn } from '../test/generate/builders.ts';
import type { BenchRow } from './run.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AUTOCANNON_BIN = path.join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
const SELF = fileURLToPath(import.meta.url);
const BENCH = 'emulator-lambda';
const BODY = '{"ok":true}';

// ---------------------------------------------------------------------------------------------
// Child role: one server, prints its URL, runs until killed.

async function serve(role: string): Promise<void> {
  if (role === 'bare') {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
        res.end(BODY);
      });
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.stdout.write(`url=http://127.0.0.1:${(server.address() as { port: number }).port}/\n`);
    return;
  }
  const emu = await startLambdaEmulator({ port: 0 });
  const f = fn('zero', {
    synthetic: { duration: { kind: 'constant', ms: 0 }, errorRate: 0, poison: null, response: { ok: true } },
    coldStart: { initMs: { kind: 'constant', ms: 0 } },
  });
  const r = await fetch(`${emu.emulator.endpoint}/_squall/lambda/functions`, { method: 'POST', body: JSON.stringify(f) });
  if (r.status !== 201) throw new Error(`creating the bench function failed: ${r.status} ${await r.text()}`);
  await fetch(`${emu.emulator.endpoint}/2021-10-31/functions/zero/url`, { method: 'POST', body: '{"AuthType":"NONE"}' });
  process.stdout.write(`url=${emu.emulator.endpoint}/_url/zero/\n`);
}

if (process.env.SQUALL_BENCH_ROLE && process.argv[1] === SELF) {
  await serve(process.env.SQUALL_BENCH_ROLE);
}

// ---------------------------------------------------------------------------------------------
// Parent: measurements.

function startServer(role: 'bare' | 'emulator'): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SELF], { env: { ...process.env, SQUALL_BENCH_ROLE: role }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${role} server did not start: ${err.slice(-500)}`));
    }, 30_000);
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-5000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /url=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${role} server exited ${code}: ${err.slice(-500)}`));
    });
  });
}

/** utime + stime of a process in ms (from /proc; 0 where /proc is missing). */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

interface Round {
  rps: number;
  cpuUsPerReq: number;
}

async function round(server: { url: string; child: ChildProcess }, seconds: number): Promise<Round> {
  const c0 = cpuMs(server.child.pid!);
  const rps = await autocannon(server.url, seconds);
  const c1 = cpuMs(server.child.pid!);
  return { rps, cpuUsPerReq: ((c1 - c0) * 1000) / (rps * seconds) };
}

function autocannon(url: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AUTOCANNON_BIN, '-c', '50', '-d', String(seconds), '-j', '-n', url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}`));
      const j = JSON.parse(out) as { requests: { average: number }; errors: number; non2xx: number };
      if (j.errors > 0 || j.non2xx > 0) return reject(new Error(`autocannon saw ${j.errors} errors and ${j.non2xx} non-2xx responses`));
      resolve(j.requests.average);
    });
  });
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;

async function urlThroughput(rows: BenchRow[]): Promise<void> {
  const bare = await startServer('bare');
  const emu = await startServer('emulator');
  try {
    const b: Round[] = [];
    const e: Round[] = [];
    // Interleaved rounds, best of three each: other work on a shared machine hits both alike.
    for (let i = 0; i < 3; i++) {
      b.push(await round(bare, 3));
      e.push(await round(emu, 3));
    }
    const bareRps = Math.max(...b.map((r) => r.rps));
    const emuRps = Math.max(...e.map((r) => r.rps));
    const ratio = emuRps / bareRps;
    const bareCpu = Math.min(...b.map((r) => r.cpuUsPerReq));
    const emuCpu = Math.min(...e.map((r) => r.cpuUsPerReq));
    rows.push({ bench: BENCH, metric: '(a) bare node:http, same JSON, autocannon 50 conn (peer, best of 3 × 3 s)', value: `${fmt(bareRps)}, ${bareCpu.toFixed(1)} µs CPU/req` });
    rows.push({ bench: BENCH, metric: '(a) function URL → synthetic 0 ms function, same client', value: `${fmt(emuRps)}, ${emuCpu.toFixed(1)} µs CPU/req` });
    rows.push({ bench: BENCH, metric: '(a) function URL / bare node:http (requests/s)', value: `${ratio.toFixed(2)}×`, goal: '≥ 0.6×', met: ratio >= 0.6 });
    // Server CPU per request does not depend on what else the machine runs: the ratio a
    // CPU-bound server would reach, shown beside the measured one.
    rows.push({ bench: BENCH, metric: '(a) same ratio from server CPU per request (load-independent)', value: `${(bareCpu / emuCpu).toFixed(2)}×` });
  } finally {
    bare.child.kill('SIGTERM');
    emu.child.kill('SIGTERM');
  }
}

function invokeAll(model: LambdaModel, fn: LambdaFunction, n: number, payload: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    let left = n;
    for (let i = 0; i < n; i++) {
      model.invoke(fn, null, { requestId: `r${i}`, payload, event: undefined, logTail: false, clientContext: null }, (throttle, o) => {
        if (throttle || !o || o.functionError) reject(new Error(`invoke failed: ${throttle ?? o?.payload}`));
        if (--left === 0) resolve(performance.now() - t0);
      });
    }
  });
}

async function environments(rows: BenchRow[]): Promise<void> {
  const clock = systemClock();
  const metrics = new Metrics(clock);
  const model = new LambdaModel({ clock, metrics, account: { ...DEFAULT_ACCOUNT, concurrencyLimit: 2000 }, rng: createRng(1) });
  const cold = () => metrics.snapshot().series.filter((s) => s.name === 'lambda.cold_starts').reduce((a, s) => a + s.values.reduce<number>((x, v) => x + (v ?? 0), 0), 0);

  const synth = model.create({
    ...defaultSpec('synthetic-1000', { kind: 'synthetic', behaviour: { duration: { kind: 'constant', ms: 500 }, errorRate: 0, poison: null, response: null } }),
    initMs: { kind: 'constant', ms: 100 },
  });
  const heap0 = process.memoryUsage().heapUsed;
  const coldMs = await invokeAll(model, synth, 1000, '{}');
  const heap1 = process.memoryUsage().heapUsed;
  const warmMs = await invokeAll(model, synth, 1000, '{}');
  const warmOk = synth.aliveEnvironments() === 1000 && cold() === 1000;
  rows.push({ bench: BENCH, metric: '(b) 1,000 synthetic environments: cold wave / warm wave (500 ms each)', value: `${Math.round(coldMs)} ms / ${Math.round(warmMs)} ms` });
  rows.push({
    bench: BENCH,
    metric: '(b) 1,000 warm synthetic environments held; heap per environment',
    value: `${synth.aliveEnvironments()} alive, ${cold()} cold starts, ${((heap1 - heap0) / 1000 / 1024).toFixed(1)} KB each`,
    goal: '1,000 held, warm wave without cold starts',
    met: warmOk,
  });

  const rss0 = process.memoryUsage().rss;
  const worker = model.create({
    ...defaultSpec('workers-100', { kind: 'handler', file: path.join(ROOT, 'examples/functions/flaky.mjs'), export: 'handler' }),
    timeoutSeconds: 60,
  });
  const payload = '{"delayMs":300,"failRate":0}';
  const wColdMs = await invokeAll(model, worker, 100, payload);
  const rss1 = process.memoryUsage().rss;
  const wWarmMs = await invokeAll(model, worker, 100, payload);
  const held = worker.aliveEnvironments();
  rows.push({ bench: BENCH, metric: '(c) 100 worker environments: cold wave / warm wave (300 ms handler)', value: `${Math.round(wColdMs)} ms / ${Math.round(wWarmMs)} ms` });
  rows.push({
    bench: BENCH,
    metric: '(c) 100 worker-backed environments held; RSS per worker',
    value: `${held} alive, RSS +${mb(rss1 - rss0)} (${mb((rss1 - rss0) / 100)} each)`,
    goal: '100 held, warm wave faster than cold',
    met: held === 100 && wWarmMs < wColdMs,
  });
  model.close();
  metrics.stop();
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await urlThroughput(rows);
  // The system clock's timers are unref'd (they never hold a process open); hold it here.
  const hold = setInterval(() => {}, 1000);
  try {
    await environments(rows);
  } finally {
    clearInterval(hold);
  }
  return rows;
}
