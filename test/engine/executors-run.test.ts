/**
 * The executors running in real (short) time against a real server: arrival-rate timing and
 * counts, dropped iterations and VU growth, ramping-arrival-rate's k6 vector in time,
 * gracefulStop interruption, ramping-vus counts, maxDuration drops.
 */
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

async function run(script: string) {
  server.records.length = 0;
  const io = capture();
  const t0 = Date.now();
  const r = await runK6Script({ script: join(FIX, script), env: { BASE_URL: server.url }, includeSystemEnv: false, progress: 'none', quiet: true, stdout: io.stdout, stderr: io.stderr });
  return { ...r, t0, err: io.err.join(''), wallMs: Date.now() - t0 };
}

describe('constant-arrival-rate', () => {
  it('50/s for 2 s: 100 iterations (±1), first at t = 0, none dropped, lag small', async () => {
    const r = await run('arrival.js');
    expect(r.exitCode).toBe(0);
    const n = r.summary!.metrics['iterations']!.values.count!;
    expect(Math.abs(n - 100)).toBeLessThanOrEqual(1);
    expect(r.summary!.metrics['dropped_iterations']).toBeUndefined();
    expect(r.droppedIterations).toBe(0);
    const times = server.records.map((q) => Number(q.get('t'))).sort((a, b) => a - b);
    // Evenly spaced: 2 s of ticks at 20 ms.
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThan(1900);
    expect(times[times.length - 1]! - times[0]!).toBeLessThan(2100);
    expect(new Set(server.records.map((q) => q.get('i'))).size).toBe(server.records.length);
    // Lag depends on machine load; the exact schedule is tested on a virtual clock.
    expect(r.schedulingLagP99Ms).toBeLessThan(250);
  });
  it('drops ticks without a free VU and grows VUs up to maxVUs', async () => {
    const r = await run('arrival-starved.js');
    const m = r.summary!.metrics;
    const done = m['iterations']!.values.count!;
    const dropped = m['dropped_iterations']!.values.count!;
    expect(done + dropped).toBe(20);
    expect(dropped).toBeGreaterThan(10);
    expect(m['vus_max']!.values.max).toBe(2);
    expect(r.err).toContain('Insufficient VUs, reached 2 active VUs and cannot initialize more');
  });
});

describe('ramping-arrival-rate', () => {
  it('starts the k6 vector iterations at their due times (10x compressed)', async () => {
    const r = await run('ramping-arrival.js');
    expect(r.summary!.metrics['iterations']!.values.count).toBeGreaterThanOrEqual(5);
    expect(r.summary!.metrics['iterations']!.values.count).toBeLessThanOrEqual(6);
    const times = server.records.map((q) => Number(q.get('t'))).sort((a, b) => a - b);
    const rel = times.map((t) => t - times[0]!);
    // Gaps of the k6 vector 316, 447, 550, 653, 784 ms (the 6th is due exactly at the end: racy).
    // Real time on a shared machine: the order and the overall span, loosely (the exact times
    // are tested on a virtual clock in executors-virtual.test.ts).
    expect(rel[4]! - rel[0]!).toBeGreaterThan(468 - 150);
    expect(rel[4]! - rel[0]!).toBeLessThan(468 + 150);
  });
});

describe('gracefulStop', () => {
  it('interrupts iterations still running after duration + gracefulStop; they emit no iterations', async () => {
    const r = await run('graceful.js');
    expect(r.exitCode).toBe(0);
    expect(r.summary!.metrics['iterations']).toBeUndefined();
    // Uninterrupted, the 5 s iterations would hold the run past 5 s; interrupted it ends near 1.2 s.
    expect(r.wallMs).toBeLessThan(4000);
  });
});

describe('ramping-vus', () => {
  it('runs up to 3 VUs and stops at the end of the stages', async () => {
    const r = await run('ramping-vus.js');
    expect(r.exitCode).toBe(0);
    const vus = new Set(server.records.map((q) => q.get('vu')));
    expect([...vus].sort()).toEqual(['1', '2', '3']);
    // VU 3 becomes active at 600 ms (k6 plan: v at D·(v−from)/(to−from)).
    const first3 = Math.min(...server.records.filter((q) => q.get('vu') === '3').map((q) => Number(q.get('t'))));
    const first1 = Math.min(...server.records.filter((q) => q.get('vu') === '1').map((q) => Number(q.get('t'))));
    expect(first3 - first1).toBeGreaterThan(150);
    // Ends with its 0.9 s of stages (generous for VU start-up on a loaded machine).
    expect(r.wallMs).toBeLessThan(6000);
  });
});

describe('iteration executors at maxDuration', () => {
  it('per-vu-iterations reports each VU\'s remaining iterations as dropped', async () => {
    const r = await run('per-vu-maxduration.js');
    const done = r.summary!.metrics['iterations']!.values.count!;
    const dropped = r.summary!.metrics['dropped_iterations']!.values.count!;
    expect(done).toBeGreaterThanOrEqual(16);
    expect(done).toBeLessThanOrEqual(20);
    // Started-but-interrupted iterations are neither done nor dropped.
    expect(done + dropped).toBeGreaterThanOrEqual(198);
    expect(done + dropped).toBeLessThanOrEqual(200);
  });
  it('shared-iterations reports total − started once at the end', async () => {
    const r = await run('shared-maxduration.js');
    const done = r.summary!.metrics['iterations']!.values.count!;
    const dropped = r.summary!.metrics['dropped_iterations']!.values.count!;
    expect(done + dropped).toBeGreaterThanOrEqual(998);
    expect(dropped).toBeGreaterThan(900);
  });
});
