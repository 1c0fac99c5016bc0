import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock, type TimerHandle } from '../../harness/contracts/clock.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';

/** A clock whose timers fire `lateMs` after they are due, as Node's do when the event loop is busy. */
function lateClock(inner: ManualClock, lateness: () => number): Clock {
  return {
    now: () => inner.now(),
    epochMs: () => inner.epochMs(),
    setTimer: (fn, ms): TimerHandle => inner.setTimer(fn, ms + lateness()),
    clearTimer: (h) => inner.clearTimer(h),
  };
}

describe('gauge sampling of the emulator’s per-second metrics', () => {
  it('leaves no empty second when the sampling timer fires late', () => {
    const inner = new ManualClock(0);
    // Every third timer is 40 ms late: it fires in the step after the one it was aimed at.
    let n = 0;
    const m = new Metrics(lateClock(inner, () => (++n % 3 === 0 ? 40 : 0)), { stepMs: 1000 });
    let level = 0;
    m.gauge('sqs.visible', { queue: 'q' }, () => level);
    m.start();
    for (let s = 0; s < 30; s++) {
      level = s;
      inner.advance(1000);
    }
    const v = m.snapshot().series.find((x) => x.name === 'sqs.visible')!.values;
    expect(v.length).toBeGreaterThanOrEqual(30);
    expect(v.slice(0, 30).filter((x) => x === null)).toEqual([]);
    // On-time samples read the level of the step they end.
    expect(v[0]).toBe(0);
    expect(v[10]).toBe(10);
  });

  it('keeps sampling every step after the grid is aligned to the load start', () => {
    const clock = new ManualClock(0, 1_000_000);
    const m = new Metrics(clock, { stepMs: 1000 });
    m.gauge('sqs.visible', { queue: 'q' }, () => 7);
    m.start();
    clock.advance(2600);
    m.align(1_000_000 + 2600);
    clock.advance(10_000);
    const s = m.snapshot();
    const v = s.series.find((x) => x.name === 'sqs.visible')!.values;
    expect(s.startMs).toBe(1_000_600);
    expect(v.slice(0, v.length).filter((x) => x === null)).toEqual([]);
    expect(v.length).toBe(13);
  });
});
