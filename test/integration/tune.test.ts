/**
 * `squall tune` end to end through the real CLI on the emulator: a CPU-bound handler's duration
 * follows 1/vCPUs below 1,769 MB and stays flat above, an I/O-bound one stays flat, the cost
 * strategy picks what the price arithmetic (computed here, independently) says, squall's
 * prediction agrees with the measurement, and a tune killed mid-way is undone by `squall restore`
 * (memory read back through the SDK). In test/integration: timing-sensitive, it runs alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetFunctionConfigurationCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { spawnEmulatorProcess, type EmulatorProcess } from '../../harness/emulator/lambda/process.ts';
import { createClients, EMULATOR_CREDENTIALS } from '../../harness/target/clients.ts';
import type { TuneResult } from '../../harness/tune/tune.ts';

const root = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(root, 'bin/squall.js');
const EXP = path.join(root, 'examples/tuning/power-tuning.yaml');
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' };

function tuneFolder(reports: string): string {
  const base = path.join(reports, 'power-tuning');
  const d = readdirSync(base).find((x) => x.startsWith('tune-'));
  if (!d) throw new Error(`no tune folder under ${base}`);
  return path.join(base, d);
}

/**
 * The example with `calibrated` measured on this machine by `squall calibrate` (how fast the
 * host runs the handler's arithmetic is the machine's, not the model's), handler paths absolute.
 */
function calibratedExperiment(fn: string): string {
  const r = spawnSync(process.execPath, [BIN, 'calibrate', EXP, '-f', fn, '-n', '20', '--cold', '1', '--json'], { encoding: 'utf8', env: ENV, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const calibrated = (JSON.parse(r.stdout) as { calibrated: unknown }).calibrated;
  const doc = YAML.parse(readFileSync(EXP, 'utf8')) as { system: { functions: Record<string, { handler: string; calibrated: unknown }> } };
  for (const f of Object.values(doc.system.functions)) f.handler = path.resolve(path.dirname(EXP), f.handler);
  doc.system.functions[fn]!.calibrated = calibrated;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'squall-tune-exp-')), 'power-tuning.yaml');
  writeFileSync(file, YAML.stringify(doc));
  return file;
}

function runTune(args: string[], experiment = EXP): { code: number | null; out: string; result: TuneResult; dir: string } {
  const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-tune-'));
  const r = spawnSync(process.execPath, [BIN, 'tune', experiment, ...args, '--reports', reports], { encoding: 'utf8', env: ENV, timeout: 120_000 });
  const out = `${r.stdout}${r.stderr}`;
  expect(r.status, out).toBe(0);
  const dir = tuneFolder(reports);
  return { code: r.status, out, dir, result: JSON.parse(readFileSync(path.join(dir, 'tune.json'), 'utf8')) as TuneResult };
}

/** Issue 15: measured within 15 % of 1/vCPUs and of the prediction at every memory size. */
const CPU_BOUND_TOLERANCE = 0.15;
const within = (measured: number, expected: number, rel: number) => Math.abs(measured - expected) <= rel * expected;

describe('squall tune on the emulator', () => {
  // Each memory size runs in a new execution environment (a configuration update recycles them).
  // The reference for "∝ 1/vCPUs" is the median over all sizes of the 1-vCPU time each implies, not
  // one size's. The handler does 32-bit integer arithmetic: its earlier floating-point version ran
  // 16 or 20 ms an invocation by which optimised code V8 gave a worker, which put single sizes
  // 15–23 % off on CI; with integer arithmetic the sizes agree within ~5 %.
  it('CPU-bound: duration ∝ 1/vCPUs below 1,769 MB, flat above, and predicted, within 15 %; cost choice by the price arithmetic', { retry: 2, timeout: 180_000 }, () => {
    const { result, dir, out } = runTune(['-f', 'cpu-bound', '--memory', '128,256,512,1024,1769,3008', '-n', '7'], calibratedExperiment('cpu-bound'));
    const at = (m: number) => result.results.find((r) => r.memoryMB === m)!;
    const stretch = (m: number) => Math.max(1, 1769 / m);
    const implied = result.results.map((r) => r.averageMs / stretch(r.memoryMB)).sort((a, b) => a - b);
    const oneVcpu = implied[Math.floor(implied.length / 2)]!;
    for (const m of [128, 256, 512, 1024]) expect(within(at(m).averageMs, oneVcpu * stretch(m), CPU_BOUND_TOLERANCE), `${m} MB: ${at(m).averageMs} ms vs ${oneVcpu * stretch(m)}\n${out}`).toBe(true);
    for (const m of [1769, 3008]) expect(within(at(m).averageMs, oneVcpu, CPU_BOUND_TOLERANCE), `${m} MB: ${at(m).averageMs} vs ${oneVcpu}`).toBe(true);
    for (const r of result.results) expect(within(r.averageMs, r.predicted!.averageMs, CPU_BOUND_TOLERANCE), `${r.memoryMB} MB: measured ${r.averageMs} predicted ${r.predicted!.averageMs}`).toBe(true);
    // Independently: a request ($0.20 per million) plus GB-seconds at $0.0000166667 (x86_64, first tier).
    const price = (r: TuneResult['results'][number]) => 0.2e-6 + (r.memoryMB / 1024) * (r.averageBilledMs / 1000) * 0.0000166667;
    const cheapest = [...result.results].sort((a, b) => price(a) - price(b) || a.averageMs - b.averageMs)[0]!;
    expect(result.best.cost.memoryMB).toBe(cheapest.memoryMB);
    expect(result.chosen.memoryMB).toBe(cheapest.memoryMB);
    expect(result.originalMemoryMB).toBe(1769);
    const html = readFileSync(path.join(dir, 'tune.html'), 'utf8');
    expect(html).toContain('squall-tune-data');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/);
  });

  it('I/O-bound: flat across memory, so the cheapest is the smallest', () => {
    const { result } = runTune(['-f', 'io-bound', '--memory', '128,512,1769,3008', '-n', '5'], calibratedExperiment('io-bound'));
    const ref = result.results.find((r) => r.memoryMB === 1769)!.averageMs;
    for (const r of result.results) {
      expect(within(r.averageMs, ref, 0.15), `${r.memoryMB} MB: ${r.averageMs} vs ${ref}`).toBe(true);
      expect(within(r.averageMs, r.predicted!.averageMs, 0.15)).toBe(true);
    }
    expect(result.best.cost.memoryMB).toBe(128);
  }, 120_000);
});

describe('squall tune killed mid-way', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await spawnEmulatorProcess({ config: EXP });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  /** Start `squall tune … --target aws` in its own process group, wait for `marker` in its journal, then kill -9 the group. */
  async function tuneKilledAt(args: string[], marker: string, thenWaitMs = 0): Promise<string> {
    const reports = mkdtempSync(path.join(os.tmpdir(), 'squall-tune-kill-'));
    const child = spawn(process.execPath, [BIN, 'tune', EXP, ...args, '--target', 'aws', '--endpoint', emu.endpoint, '--region', 'us-east-1', '--reports', reports], { env: ENV, detached: true, stdio: 'ignore' });
    const journal = () => {
      try {
        return readFileSync(path.join(tuneFolder(reports), 'chaos-journal.ndjson'), 'utf8');
      } catch {
        return '';
      }
    };
    const deadline = Date.now() + 60_000;
    while (!journal().includes(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(journal()).toContain(marker);
    if (thenWaitMs) await new Promise((r) => setTimeout(r, thenWaitMs));
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    return tuneFolder(reports);
  }

  it('kill -9 leaves the journal; squall restore puts the original memory back (read back)', async () => {
    const dir = await tuneKilledAt(['-f', 'cpu-bound', '--memory', '128,256', '-n', '40'], '"applied"');
    const c = createClients({ endpoint: emu.endpoint, credentials: EMULATOR_CREDENTIALS });
    try {
      const during = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'cpu-bound' }));
      expect(during.MemorySize).toBe(128); // the tune's change is still in force
      const r = spawnSync(process.execPath, [BIN, 'restore', dir], { encoding: 'utf8', env: ENV, timeout: 60_000 });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      const after = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'cpu-bound' }));
      expect(after.MemorySize).toBe(1769);
      expect(existsSync(path.join(dir, 'tune.json'))).toBe(false);
    } finally {
      c.destroy();
    }
  }, 120_000);

  it('--only-cold-starts: kill -9 mid-way, squall restore puts the original Description back too (read back)', async () => {
    const c = createClients({ endpoint: emu.endpoint, credentials: EMULATOR_CREDENTIALS });
    try {
      await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'io-bound', Description: 'orders worker' }));
      // Let it change the Description a few times, then kill it.
      const dir = await tuneKilledAt(['-f', 'io-bound', '--memory', '128,256', '-n', '40', '--only-cold-starts'], 'set-description', 1500);
      const during = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'io-bound' }));
      expect(during.Description).toMatch(/^orders worker \(squall tune cold start \d+\)$/);
      const r = spawnSync(process.execPath, [BIN, 'restore', dir], { encoding: 'utf8', env: ENV, timeout: 60_000 });
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      const after = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'io-bound' }));
      expect(after.Description).toBe('orders worker');
      expect(after.MemorySize).toBe(256);
    } finally {
      c.destroy();
    }
  }, 120_000);
});
