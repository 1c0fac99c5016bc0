import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../harness/contracts/clock.ts';
import { Metrics } from '../../harness/emulator/metrics.ts';
import { startEmulator } from '../../harness/emulator/server.ts';

describe('aligning the emulator’s step grid to the load start', () => {
  it('moves step boundaries so a step starts exactly at the given instant', () => {
    const clock = new ManualClock(0, 1_000_000);
    const m = new Metrics(clock, { stepMs: 1000 });
    const c = m.counter('lambda.invocations', { function: 'f' });
    clock.advance(2400);
    m.align(1_000_000 + 2400); // the load starts 2.4 s after the emulator
    expect(m.startMs).toBe(1_000_400);
    c.add(); // at the load start: first step of the load's grid
    clock.advance(999);
    c.add(); // still the same step
    clock.advance(1);
    c.add(); // next step
    const s = m.snapshot();
    const v = s.series.find((x) => x.name === 'lambda.invocations')!.values;
    const loadStep = (1_002_400 - s.startMs) / 1000;
    expect(loadStep).toBe(2);
    expect(v.slice(loadStep)).toEqual([2, 1]);
  });

  it('is reachable over HTTP and validates its input', async () => {
    const emu = await startEmulator();
    try {
      const bad = await fetch(`${emu.endpoint}/_squall/metrics/align?epochMs=x`, { method: 'POST' });
      expect(bad.status).toBe(400);
      const at = Date.now() + 123;
      const ok = await fetch(`${emu.endpoint}/_squall/metrics/align?epochMs=${at}`, { method: 'POST' });
      const body = (await ok.json()) as { startMs: number; stepMs: number };
      expect(((at - body.startMs) % body.stepMs + body.stepMs) % body.stepMs).toBe(0);
    } finally {
      await emu.close();
    }
  });
});
