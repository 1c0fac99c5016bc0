/**
 * The one test suite every SystemSeriesSource runs (the emulator's metrics, CloudWatch on moto):
 * activity made to happen in the system comes back under squall's series names, units and labels,
 * on the source's grid, and after resampling to CloudWatch's 60 s grid the totals are exactly the
 * activity. Each implementation supplies how activity happens: for real on the emulator, as
 * CloudWatch would record it (PutMetricData) on moto, which runs no functions.
 */
import { describe, expect, it } from 'vitest';
import { SERIES, type SeriesFile } from '../../harness/contracts/series.ts';
import { resampleSeries } from '../../harness/observe/resample.ts';
import type { SystemSeriesSource } from '../../harness/target/system-series.ts';

export interface SeriesFixture {
  source: SystemSeriesSource;
  functionName: string;
  queueName: string;
  /** Makes the activity happen between the returned instants (epoch ms). */
  produce(a: { invocations: number; messagesSent: number }): Promise<{ startMs: number; endMs: number }>;
  close(): Promise<void>;
}

const total = (f: SeriesFile, name: string, labels: Record<string, string>) => {
  const s = f.series.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  if (!s) throw new Error(`no series ${name} ${JSON.stringify(labels)} in ${f.source}`);
  return s.values.reduce<number>((a, v) => a + (v ?? 0), 0);
};

export function systemSeriesContract(name: string, setup: () => Promise<SeriesFixture>, opts: { skip?: boolean } = {}): void {
  describe.skipIf(opts.skip)(`system series from ${name}`, () => {
    it('returns the activity under squall series names, units and labels, on its grid, and resampled to 60 s', async () => {
      const fx = await setup();
      try {
        const win = await fx.produce({ invocations: 7, messagesSent: 4 });
        const file = await fx.source.read({ startMs: win.startMs, endMs: win.endMs + 1000 });
        expect(file.source).toBe(fx.source.source);
        expect(file.stepMs).toBe(fx.source.stepMs);
        // The grid starts at or before the window, less than one step before it, and covers its end.
        expect(file.startMs).toBeLessThanOrEqual(win.startMs);
        expect(win.startMs - file.startMs).toBeLessThan(file.stepMs);
        for (const s of file.series) {
          expect(s.values.length * file.stepMs).toBeGreaterThanOrEqual(win.endMs - file.startMs);
          const def = SERIES[s.name];
          expect(def, s.name).toBeDefined();
          expect(s.unit).toBe(def.unit);
          for (const l of def.labels) expect(s.labels[l], `${s.name} label ${l}`).toBeDefined();
        }
        expect(total(file, 'lambda.invocations', { function: fx.functionName })).toBe(7);
        expect(total(file, 'sqs.sent', { queue: fx.queueName })).toBe(4);
        const minute = resampleSeries(file, { stepMs: 60_000 });
        expect(minute.stepMs).toBe(60_000);
        expect(minute.startMs % 60_000).toBe(0);
        expect(total(minute, 'lambda.invocations', { function: fx.functionName })).toBe(7);
        expect(total(minute, 'sqs.sent', { queue: fx.queueName })).toBe(4);
      } finally {
        await fx.close();
      }
    }, 60_000);

    it('reads zero counts for a window with no activity', async () => {
      const fx = await setup();
      try {
        await fx.produce({ invocations: 3, messagesSent: 2 });
        const longAgo = Date.now() - 3 * 3600_000;
        const file = await fx.source.read({ startMs: longAgo, endMs: longAgo + 120_000 });
        expect(total(file, 'lambda.invocations', { function: fx.functionName })).toBe(0);
        expect(total(file, 'sqs.sent', { queue: fx.queueName })).toBe(0);
      } finally {
        await fx.close();
      }
    }, 60_000);
  });
}
