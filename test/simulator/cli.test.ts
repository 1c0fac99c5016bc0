/**
 * `squall simulate` and `squall cost` as a user runs them: the real binary, real files in a
 * temporary folder, exit codes and the exact numbers the commands print.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { constantRate, experiment, fault, fn, http, scenario } from './builder.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function squall(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), ...args], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// 100 requests/s for 10 s, reserved concurrency 0 from 2 s to 5 s: exactly 300 throttles.
const exp = experiment({
  functions: [fn('api', { duration: { kind: 'constant', ms: 20 }, reservedConcurrency: 5, initMs: { kind: 'constant', ms: 0 } })],
  scenarios: [scenario('load', http('api'), constantRate(100, 10_000))],
  faults: [fault(0, 2000, 3000, { action: 'set-reserved-concurrency', function: 'api', value: 0 })],
  thresholds: { 'lambda.throttles{function=api}': ['sum<100'] },
});
const expFile = path.join(dir, 'experiment.json');
writeFileSync(expFile, JSON.stringify(exp));

describe('squall simulate', () => {
  it('prints tables and writes predicted.json (squall.series/v1) from a resolved experiment.json', () => {
    const r = squall('simulate', expFile, '--out', 'predicted.json');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Functions/);
    expect(r.out).toMatch(/300 × ReservedFunctionConcurrentInvocationLimitExceeded/);
    expect(r.out).toMatch(/Expectations: NOT met/);
    const series = JSON.parse(readFileSync(path.join(dir, 'predicted.json'), 'utf8'));
    expect(series.schema).toBe('squall.series/v1');
    const th = series.series.find((s: { name: string }) => s.name === 'lambda.throttles');
    expect(th.values.slice(0, 6)).toEqual([0, 0, 100, 100, 100, 0]);
  });
  it('--json prints one object with totals, spread across --runs and the expectation checks', () => {
    const r = squall('simulate', expFile, '--json', '--runs', '2', '--seed', '5');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.totals.functions.api.throttles).toBe(300);
    expect(j.totals.runs).toBe(2);
    expect(j.spread['functions.api.throttles'].stddev).toBe(0);
    expect(j.expectations.met).toBe(false);
    expect(j.expectations.checks[0].value).toBe(300);
  });
  it('--sweep finds the smallest value meeting expect.thresholds and writes a chart-ready file', () => {
    const r = squall('simulate', expFile, '--sweep', 'system.chaos', '--json');
    expect(r.code).toBe(2);
    const ok = squall('simulate', expFile, '--sweep', 'reservedConcurrency=1..4', '--out', 'sweep.json');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/No swept value meets/);
    const s = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    expect(s.schema).toBe('squall.sweep/v1');
    expect(s.columns.value).toEqual([1, 2, 3, 4]);
    expect(s.columns.throttles.length).toBe(4);
  });
  it('bad input: a clear message and exit 2, never a stack trace', () => {
    const missing = squall('simulate', path.join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).not.toMatch(/\n\s+at /);
    const knob = squall('simulate', expFile, '--sweep', 'batchSize=1..3');
    expect(knob.code).toBe(2);
    expect(knob.err).toMatch(/batchSize/);
    expect(knob.err).toMatch(/hint:/);
    const runs = squall('simulate', expFile, '--runs', '0');
    expect(runs.code).toBe(2);
    expect(runs.err).toMatch(/--runs must be an integer ≥ 1/);
  });
  it('--help shows examples', () => {
    const r = squall('simulate', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Examples:/);
    expect(r.out).toMatch(/squall simulate exp\.yaml --sweep reservedConcurren/);
  });
});

describe('squall cost', () => {
  it("reproduces AWS's pricing example: 3 M × 1 s × 512 MB with the free tier = $18.73", () => {
    const r = squall('cost', '--requests', '3M', '--memory', '512', '--duration', '1s', '--free-tier');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/total\s+\$18\.73/);
    const j = JSON.parse(squall('cost', '--requests', '3M', '--memory', '512', '--duration', '1s', '--free-tier', '--json').out);
    expect(j.cost.totalUsd).toBeCloseTo(18.73337, 4);
  });
  it('provisioned concurrency adds allocation and PC-rate duration', () => {
    const j = JSON.parse(squall('cost', '--requests', '1M', '--memory', '1024', '--duration', '100', '--provisioned', '10', '--provisioned-hours', '1', '--json').out);
    expect(j.cost.provisionedAllocationUsd).toBeCloseTo(10 * 3600 * 0.0000041667, 9);
    expect(j.cost.provisionedDurationUsd).toBeCloseTo(100_000 * 0.0000097222, 6);
    expect(j.cost.durationUsd).toBe(0);
  });
  it('rejects a bad memory size with a hint', () => {
    const r = squall('cost', '--requests', '1M', '--memory', '64', '--duration', '100');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--memory/);
    expect(r.err).toMatch(/128 to 10240/);
  });
});
