/**
 * Stop conditions end to end, through the real CLI on the emulator: a fault that throttles every
 * request is cut short by "more than 20 throttles within 5 s" — the journal shows the condition,
 * then the restore within two seconds of it; the throttle count stays far below what the whole
 * fault window would have produced; comparison.json and the summary name the condition, its time
 * and value. A second run watches a client series (from the load's live points) and lets the load
 * continue after the restore.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const RATE = 50;
const FAULT_SECONDS = 10;

function experiment(stop: string, loadExtra = ''): string {
  return `
name: stop-run
seed: 3
system:
  functions:
    api:
      synthetic: { duration: 10ms }
      reservedConcurrency: 10
      url: true
load:
  scenarios:
    hits:
      template: http
      url: { function: api }
      executor: constant-arrival-rate
      rate: ${RATE}
      duration: 14s
      preAllocatedVUs: 5
      maxVUs: 20
${loadExtra}
chaos:
  faults:
    - { at: 2s, for: ${FAULT_SECONDS}s, action: set-reserved-concurrency, function: api, value: 0 }
  stopConditions:
${stop}
`;
}

interface Entry {
  event: string;
  at: string;
  atMs?: number;
  value?: number | null;
  condition?: string;
  then?: string;
}

function run(yaml: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-stop-cli-'));
  const file = path.join(dir, 'stop-run.yaml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), 'run', file, '--reports', path.join(dir, 'reports'), '--tail', '1s'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (!existsSync(path.join(dir, 'reports', 'stop-run'))) throw new Error(`no run folder: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  const runs = readdirSync(path.join(dir, 'reports', 'stop-run'));
  const runDir = path.join(dir, 'reports', 'stop-run', runs[0]!);
  const journal = readFileSync(path.join(runDir, 'chaos-journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Entry);
  const comparison = JSON.parse(readFileSync(path.join(runDir, 'comparison.json'), 'utf8')) as {
    stoppedBy: { condition: string; atMs: number; value: number; then: string } | null;
    series: Array<{ key: string; measured: number | null }>;
  };
  return { r, runDir, journal, comparison };
}

describe('stop conditions through squall run', () => {
  it('restores the fault within 2 s of "more than 20 throttles within 5 s" and stops the load', () => {
    const { r, runDir, journal, comparison } = run(experiment(`    - { series: lambda.throttles, labels: { function: api }, when: 'sum > 20', window: 5s }`));
    expect(r.stderr).not.toContain('internal error');
    expect(r.status, r.stdout + r.stderr).toBe(3);

    expect(journal.map((e) => e.event)).toEqual(['run', 'planned', 'applied', 'stop-condition', 'restored']);
    const applied = Date.parse(journal.find((e) => e.event === 'applied')!.at);
    const fired = journal.find((e) => e.event === 'stop-condition')!;
    const restored = Date.parse(journal.find((e) => e.event === 'restored')!.at);
    expect(fired.condition).toBe('sum(lambda.throttles{function=api}) over 5s > 20');
    expect(fired.value).toBeGreaterThan(20);
    expect(restored - Date.parse(fired.at)).toBeLessThanOrEqual(2000);
    // Evaluated once a second: it fires within a couple of ticks of becoming true (21 throttles
    // take 0.4 s at 50/s), long before the 10 s window would have ended.
    expect(Date.parse(fired.at) - applied).toBeLessThan(5000);

    const throttles = comparison.series.find((s) => s.key === 'lambda.throttles{function=api}')!.measured!;
    expect(throttles).toBeGreaterThan(20);
    // Every request in the faulted span is throttled, none after the restore.
    const faultedSeconds = (restored - applied) / 1000;
    expect(throttles).toBeLessThanOrEqual(RATE * faultedSeconds + 10);
    expect(throttles).toBeLessThan(RATE * FAULT_SECONDS * 0.6);

    expect(comparison.stoppedBy).toMatchObject({ condition: fired.condition, value: fired.value, then: 'stop-load' });
    expect(comparison.stoppedBy!.atMs).toBe(fired.atMs);
    // The load stopped: far fewer than 14 s × 50 requests.
    const requests = comparison.series.find((s) => s.key === 'http.requests{scenario=hits}')!.measured!;
    expect(requests).toBeLessThan(RATE * 10);
    expect(r.stdout).toMatch(/stopped by: sum\(lambda\.throttles\{function=api\}\) over 5s > 20 at \+\d+\.\ds \(value \d+\)/);
    expect(existsSync(path.join(runDir, 'k6-live.ndjson'))).toBe(false);
    // Issue 10: the headline series measured beside predicted, on every run.
    expect(r.stdout).toMatch(/ {2}lambda\.throttles\{function=api\}: measured \d+ vs predicted \d+ \((pass|fail|no tolerance)\)/);
    expect(r.stdout).toMatch(/ {2}http\.requests\{scenario=hits\}: measured \d+ vs predicted \d+/);
  }, 120_000);

  it('watches a client series from the live points and lets the load continue when told to', () => {
    const { r, journal, comparison } = run(experiment(`    - { series: http.status_429, when: 'sum > 20', window: 5s, then: continue }`));
    expect(r.status, r.stdout + r.stderr).toBe(3);
    expect(journal.map((e) => e.event)).toEqual(['run', 'planned', 'applied', 'stop-condition', 'restored']);
    const fired = journal.find((e) => e.event === 'stop-condition')!;
    expect(fired.then).toBe('continue');
    expect(Date.parse(journal.find((e) => e.event === 'restored')!.at) - Date.parse(fired.at)).toBeLessThanOrEqual(2000);
    expect(comparison.stoppedBy!.condition).toBe('sum(http.status_429) over 5s > 20');
    // The load ran its 14 s: close to 14 × 50 requests.
    const requests = comparison.series.find((s) => s.key === 'http.requests{scenario=hits}')!.measured!;
    expect(requests).toBeGreaterThan(RATE * 12);
  }, 120_000);

  it("notices k6's abortOnFail stop: faults restored at once, recorded with the threshold's value", () => {
    const { r, journal, comparison } = run(
      experiment(`    []`, `  thresholds:\n    http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true }]`),
    );
    expect(r.status, r.stdout + r.stderr).toBe(3);
    const fired = journal.find((e) => e.event === 'stop-condition')!;
    expect(fired.condition).toBe('k6 threshold on http_req_failed (abortOnFail)');
    expect(journal.map((e) => e.event)).toEqual(['run', 'planned', 'applied', 'stop-condition', 'restored']);
    expect(Date.parse(journal.find((e) => e.event === 'restored')!.at) - Date.parse(fired.at)).toBeLessThanOrEqual(2000);
    expect(comparison.stoppedBy!.condition).toBe(fired.condition);
    expect(comparison.stoppedBy!.value).toBeGreaterThan(0.01);
    expect(r.stdout).toMatch(/stopped by: k6 threshold on http_req_failed \(abortOnFail\) at \+\d+\.\ds \(value 0\.\d+\)/);
  }, 120_000);
});
