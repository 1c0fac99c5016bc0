/**
 * `squall run` through the CLI: a short experiment on the emulator, with a fault, ends in a run
 * folder with every contract file, a journal whose fault was applied and restored, and the exit
 * code of the verdict (0 when everything holds, 3 when an expectation fails).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SeriesFile } from '../../harness/contracts/series.ts';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function experiment(expectBlock: string): string {
  return `
name: short-run
seed: 3
system:
  functions:
    api:
      synthetic: { duration: 20ms }
      reservedConcurrency: 10
      url: true
load:
  scenarios:
    hits:
      template: http
      url: { function: api }
      executor: constant-arrival-rate
      rate: 20
      duration: 6s
      preAllocatedVUs: 5
chaos:
  faults:
    - { at: 2s, for: 2s, action: set-reserved-concurrency, function: api, value: 0 }
expect:
${expectBlock}
`;
}

function run(yaml: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-run-cli-'));
  const file = path.join(dir, 'short-run.yaml');
  writeFileSync(file, yaml);
  const r = spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), 'run', file, '--reports', path.join(dir, 'reports'), '--tail', '1s'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const runs = readdirSync(path.join(dir, 'reports', 'short-run'));
  return { r, runDir: path.join(dir, 'reports', 'short-run', runs[0]!) };
}

describe('squall run', () => {
  it('runs load and a fault, restores it, and leaves every file of the run folder', () => {
    const { r, runDir } = run(
      experiment(`  thresholds:
    'http.status_429': ['sum>10']
  predictions:
    'http.requests': { relative: 0.1, absolute: 5 }
    'http.status_429': { relative: 0.25, absolute: 10 }`),
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.stdout).toMatch(/chaos \+2\.\ds applied: reserved concurrency of api set to 0/);
    expect(r.stdout).toMatch(/restored: reserved concurrency of api back to 10/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const files = readdirSync(runDir);
    for (const f of ['experiment.json', 'script.js', 'k6-summary.json', 'k6-points.ndjson.gz', 'chaos-journal.ndjson', 'measured.json', 'predicted.json', 'comparison.json', 'emulator.log']) {
      expect(files).toContain(f);
    }
    const journal = readFileSync(path.join(runDir, 'chaos-journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string });
    expect(journal.map((e) => e.event)).toEqual(['run', 'planned', 'applied', 'restored']);
    const summary = JSON.parse(readFileSync(path.join(runDir, 'k6-summary.json'), 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
    expect(summary.metrics.http_reqs!.values.count).toBeGreaterThan(100);
    const points = gunzipSync(readFileSync(path.join(runDir, 'k6-points.ndjson.gz'))).toString().split('\n').filter(Boolean);
    expect(points.some((l) => l.includes('"status":"429"'))).toBe(true);
    const comparison = JSON.parse(readFileSync(path.join(runDir, 'comparison.json'), 'utf8')) as { series: Array<{ key: string; verdict: string; measured: number; predicted: number }> };
    const thr = comparison.series.find((s) => s.key === 'http.status_429{scenario=hits}')!;
    expect(thr.verdict).toBe('pass');
    expect(thr.measured).toBeGreaterThan(20);
    // The run ends with its report, its JUnit file and the reports folder's index, and says where.
    expect(files).toEqual(expect.arrayContaining(['report.html', 'junit.xml']));
    expect(r.stdout).toContain(`report: file://${path.join(runDir, 'report.html')}`);
    expect(readdirSync(path.dirname(path.dirname(runDir)))).toContain('index.html');
    const windows = (JSON.parse(readFileSync(path.join(runDir, 'comparison.json'), 'utf8')) as { windows: { windows: Array<{ window: { kind: string } }>; recoveries: unknown[] } }).windows;
    expect(windows.windows.map((w) => w.window.kind)).toContain('fault');
    expect(windows.recoveries).toHaveLength(1);
    // The prediction carries its interval over seeds, and both files and every figure share one window.
    const predicted = JSON.parse(readFileSync(path.join(runDir, 'predicted.json'), 'utf8')) as SeriesFile;
    const measured = JSON.parse(readFileSync(path.join(runDir, 'measured.json'), 'utf8')) as SeriesFile;
    expect(predicted.interval).toMatchObject({ level: 0.95, runs: 20 });
    expect(predicted.window).toEqual(measured.window);
    const window = (comparison as unknown as { window: { steps: number } }).window;
    expect(window.steps).toBe(predicted.window!.steps);
    for (const s of [...predicted.series, ...measured.series]) expect(s.values, s.name).toHaveLength(window.steps);
    const p429 = predicted.series.find((s) => s.name === 'http.status_429')!;
    expect(p429.lower).toHaveLength(window.steps);
    expect(p429.total!.lower!).toBeLessThanOrEqual(p429.total!.upper!);
    expect(r.stdout).toMatch(/client path: GET http:\/\/127\.0\.0\.1:\d+\/_squall\/health p50/);
    expect(r.stdout).toMatch(/prediction: 20 simulator seeds in [\d.]+ s on a worker thread/);
  }, 150_000);

  it('exits 3 when an expectation on the measured series fails', () => {
    const { r } = run(experiment(`  thresholds:
    'http.status_429': ['sum==0']`));
    expect(r.stdout).toContain('FAIL http.status_429 sum==0');
    expect(r.status).toBe(3);
  }, 150_000);

  it('exits 2 on an invalid experiment, naming the field', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'squall-run-cli-'));
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, experiment('  messages: no-loss'));
    const r = spawnSync(process.execPath, [path.join(root, 'bin/squall.js'), 'run', file, '--reports', dir], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('expect.messages: message accounting needs at least one queue');
  });
});
