/** The progress line: one redrawn line on a TTY, plain lines every few seconds otherwise. */
import { describe, expect, it } from 'vitest';
import { ProgressReporter, formatProgress } from '../../harness/engine/progress.ts';

const state = (elapsedMs: number, completed: number) => ({
  elapsedMs,
  vusActive: 10,
  vusMax: 12,
  completed,
  interrupted: 1,
  scenarios: [{ name: 'default', executor: 'constant-vus', activeVUs: 10, progress: elapsedMs / 30_000, elapsedMs, totalMs: 30_000 }],
});

describe('progress', () => {
  it('names executor, VUs, iterations/s and elapsed of total', () => {
    expect(formatProgress({ ...state(12_000, 500), iterationsPerSec: 41.66 })).toBe(
      'running (12.0s), 10/12 VUs, 500 complete and 1 interrupted iterations, 41.7 iters/s | default [ 40%] constant-vus 10 VUs 12.0s/30s',
    );
  });
  it('redraws one line on a TTY, with the rate over the last tick', () => {
    const out: string[] = [];
    const p = new ProgressReporter((s) => void out.push(s), true);
    p.tick(state(1000, 100));
    p.tick(state(2000, 300));
    p.end();
    expect(out[0]!.startsWith('\r\u001b[K')).toBe(true);
    expect(out[1]).toContain('200.0 iters/s');
    expect(out[2]).toBe('\n');
  });
  it('prints a plain line every 5 ticks otherwise', () => {
    const out: string[] = [];
    const p = new ProgressReporter((s) => void out.push(s), false);
    for (let i = 1; i <= 10; i++) p.tick(state(i * 1000, i * 10));
    p.end();
    expect(out).toHaveLength(2);
    expect(out.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });
});
