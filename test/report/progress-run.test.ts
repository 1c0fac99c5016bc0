import { describe, expect, it } from 'vitest';
import { formatProgress, offeredRateAt, RunProgress, type ProgressSnapshot } from '../../harness/cli/progress-run.ts';
import type { ResolvedExperiment } from '../../harness/experiment/types.ts';

const snap: ProgressSnapshot = { phase: 'load', elapsedMs: 23_400, totalMs: 75_000, offeredPerSecond: 50, achievedPerSecond: 12, errors: 180, activeFaults: ['#0 reserved concurrency of orders-api → 0'] };

describe('formatProgress', () => {
  it('plain lines carry a UTC timestamp and every figure', () => {
    expect(formatProgress(snap, { tty: false, now: new Date('2026-12-07T02:03:04Z') })).toBe(
      '02:03:04 load        23/75 s offered 50.0/s achieved 12.0/s errors 180 | fault #0 reserved concurrency of orders-api → 0',
    );
  });
  it('a TTY line has a bar and never wraps', () => {
    const line = formatProgress(snap, { tty: true, width: 60 });
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line).toMatch(/^load {8}23\/75 s \[██████·+\]/);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('offeredRateAt', () => {
  const exp = {
    load: {
      scenarios: {
        a: { executor: 'constant-arrival-rate', rate: 50, timeUnitMs: 1000, durationMs: 60_000, startTimeMs: 0 },
        b: { executor: 'ramping-arrival-rate', startRate: 0, timeUnitMs: 1000, startTimeMs: 10_000, stages: [{ durationMs: 10_000, target: 100 }, { durationMs: 10_000, target: 100 }] },
      },
    },
  } as unknown as ResolvedExperiment;
  it('sums arrival-rate executors, ramps linearly, stops at their end', () => {
    expect(offeredRateAt(exp, 5000)).toBe(50);
    expect(offeredRateAt(exp, 15_000)).toBe(100);
    expect(offeredRateAt(exp, 25_000)).toBe(150);
    expect(offeredRateAt(exp, 65_000)).toBe(0);
    expect(offeredRateAt({ load: { scenarios: { v: { executor: 'constant-vus', startTimeMs: 0 } } } } as unknown as ResolvedExperiment, 0)).toBeNull();
  });
});

describe('RunProgress', () => {
  it('not a TTY: a line at each phase change and at most every everyMs otherwise', () => {
    const out: string[] = [];
    let t = 0;
    const p = new RunProgress({ write: (s: string) => out.push(s), isTTY: false }, 75_000, { everyMs: 10_000, now: () => t });
    p.update({ phase: 'load' });
    t = 2000;
    p.update({ elapsedMs: 2000 });
    t = 11_000;
    p.update({ elapsedMs: 11_000 });
    p.faultStarted('#0 x');
    p.update({ phase: 'tail' });
    expect(out).toHaveLength(3);
    expect(out[2]).toMatch(/draining .* \| fault #0 x\n$/);
    p.faultEnded('#0 x');
    expect(p.snapshot.activeFaults).toEqual([]);
  });
  it('a TTY: one line redrawn in place; log lines print above it; finish erases it', () => {
    const out: string[] = [];
    const p = new RunProgress({ write: (s: string) => out.push(s), isTTY: true, columns: 100 }, 60_000);
    p.update({ phase: 'load', elapsedMs: 1000 });
    p.log('chaos +22.5s applied');
    p.finish();
    const text = out.join('');
    expect(text).not.toMatch(/load .*\n/);
    expect(text).toContain('\r\x1b[2Kchaos +22.5s applied\n\r\x1b[2Kload');
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
  });
});

describe('progress from the run flow', () => {
  it('reads the phase and the emulator endpoint from log lines', async () => {
    const { progressFromLog } = await import('../../harness/cli/progress-run.ts');
    expect(progressFromLog('emulator at http://127.0.0.1:34871')).toEqual({ emulator: 'http://127.0.0.1:34871' });
    expect(progressFromLog('load: 1 scenario(s), 60 s, runner embedded')).toEqual({ phase: 'load' });
    expect(progressFromLog('observing the system for 15 s more')).toEqual({ phase: 'tail' });
    expect(progressFromLog('chaos +22.5s applied: x')).toEqual({ loadClockMs: 22_500 });
    expect(progressFromLog('chaos plan: at 22.5s for 15s: x')).toEqual({});
  });
  it('faults in force follow the planned windows; figures come from the last complete second', async () => {
    const { activeFaultsAt, figuresFromMetrics } = await import('../../harness/cli/progress-run.ts');
    const exp = { chaos: { faults: [{ id: 0, atMs: 22_500, forMs: 15_000 }, { id: 1, atMs: 50_000, forMs: null }] } } as unknown as ResolvedExperiment;
    expect(activeFaultsAt(exp, 22_000, () => 'a')).toEqual([]);
    expect(activeFaultsAt(exp, 30_000, () => 'a')).toEqual(['#0 a']);
    expect(activeFaultsAt(exp, 37_500, () => 'a')).toEqual([]);
    expect(activeFaultsAt(exp, 90_000, () => 'b')).toEqual(['#1 b']);
    expect(
      figuresFromMetrics({
        series: [
          { name: 'lambda.invocations', values: [50, 48, 3] },
          { name: 'lambda.throttles', values: [0, 2, 1] },
          { name: 'lambda.errors', values: [1, null, 0] },
        ],
      }),
    ).toEqual({ achievedPerSecond: 48, errors: 4 });
  });
});
