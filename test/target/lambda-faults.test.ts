/**
 * The squall/lambda-faults wrapper on its own: no spec runs the handler untouched; latency (fixed,
 * uniform, past the timeout), errors (with or without the handler) and status overrides apply to
 * their percentage of invocations, drawn from the random source.
 */
import { describe, expect, it } from 'vitest';
// A plain ES module shipped as is (no build step, no dependency), typed by index.d.mts beside it.
import { decideFaults, latencyMs, quantileMs, readFaults, SquallInjectedError, withFaults } from '../../lambda-faults/index.mjs';
import { quantileDuration } from '../../harness/contracts/distributions.ts';
import type { DurationDistribution } from '../../harness/experiment/types.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
const ctx = { getRemainingTimeInMillis: () => 3000 };

function harness(spec: unknown, draws: number[]) {
  let i = 0;
  const slept: number[] = [];
  let ran = 0;
  const h = withFaults(
    async (event: { n: number }) => {
      ran++;
      return { statusCode: 200, body: `ok ${event.n}` };
    },
    { env: spec === undefined ? {} : { SQUALL_FAULTS: JSON.stringify(spec) }, random: () => draws[i++ % draws.length]!, sleep: async (ms: number) => void slept.push(ms) },
  ) as Handler;
  return { h, slept, ran: () => ran };
}

describe('squall/lambda-faults', () => {
  it('runs the handler untouched without a spec, and ignores a spec that is not JSON', async () => {
    const t = harness(undefined, [0]);
    expect(await t.h({ n: 1 }, ctx)).toEqual({ statusCode: 200, body: 'ok 1' });
    expect(t.slept).toEqual([]);
    expect(readFaults({ SQUALL_FAULTS: '{broken' })).toBeNull();
  });

  it('adds fixed latency to the given percentage of invocations', async () => {
    // draws below 0.25 hit a 25 % fault
    const t = harness({ latency: { percentage: 25, ms: 200 } }, [0.1, 0.5, 0.9, 0.2]);
    for (let n = 0; n < 4; n++) await t.h({ n }, ctx);
    expect(t.slept).toEqual([200, 200]);
    expect(t.ran()).toBe(4);
  });

  it('draws uniform latency, and sleeps past the remaining time to force a timeout', () => {
    expect(latencyMs({ minMs: 100, maxMs: 300 }, ctx, () => 0.5)).toBe(200);
    expect(latencyMs({ timeout: true }, ctx, () => 0)).toBe(4000);
  });

  it('fails invocations without running the handler, or after running it', async () => {
    const skip = harness({ errors: { percentage: 100 } }, [0.3]);
    await expect(skip.h({ n: 1 }, ctx)).rejects.toBeInstanceOf(SquallInjectedError);
    expect(skip.ran()).toBe(0);
    const run = harness({ errors: { percentage: 100, runHandler: true, message: 'boom' } }, [0.3]);
    await expect(run.h({ n: 1 }, ctx)).rejects.toThrow('boom');
    expect(run.ran()).toBe(1);
    const never = harness({ errors: { percentage: 0 } }, [0]);
    expect(await never.h({ n: 2 }, ctx)).toEqual({ statusCode: 200, body: 'ok 2' });
  });

  it('overrides the response status of the given percentage', async () => {
    const t = harness({ status: { percentage: 50, statusCode: 503 } }, [0.1, 0.7]);
    const a = (await t.h({ n: 1 }, ctx)) as { statusCode: number; headers: Record<string, string> };
    const b = await t.h({ n: 2 }, ctx);
    expect(a.statusCode).toBe(503);
    expect(a.headers['x-squall-fault']).toBe('override-status');
    expect(b).toEqual({ statusCode: 200, body: 'ok 2' });
  });

  it('wraps callback-style handlers too', async () => {
    const h = withFaults((_e: unknown, _c: unknown, cb: (err: Error | null, r?: unknown) => void) => cb(null, 'cb-ok'), { env: {}, random: () => 0 }) as Handler;
    expect(await h({}, ctx)).toBe('cb-ok');
  });

  it('fails with the errorType the spec names (Lambda reports it as errorType)', async () => {
    const t = harness({ errors: { percentage: 100, errorType: 'ChaosError', message: 'down' } }, [0.5]);
    const err = await t.h({ n: 1 }, ctx).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SquallInjectedError);
    expect((err as Error).name).toBe('ChaosError');
    expect((err as Error).message).toBe('down');
  });

  it('stacks overlapping faults: latencies add, any error fails (before the handler unless every hit runs it), first status wins', () => {
    const spec = {
      latency: [{ percentage: 100, ms: 100 }, { percentage: 100, ms: 50 }],
      errors: [{ percentage: 50, runHandler: true }, { percentage: 50 }],
      status: [{ percentage: 50, statusCode: 503 }, { percentage: 100, statusCode: 429 }],
    };
    // draws: latency hit, latency hit, errors[0] 0.1 hit, errors[1] 0.9 miss, status[0] 0.9 miss, status[1] 0.2 hit
    const draws = [0, 0, 0.1, 0.9, 0.9, 0.2];
    let i = 0;
    const d = decideFaults(spec, () => draws[i++]!, ctx);
    expect(d.latencyMs).toBe(150);
    expect(d.error).toEqual({ errorType: 'SquallInjectedError', message: 'injected by squall (inject-errors)', runHandler: true });
    expect(d.status?.statusCode).toBe(429);
    const both = decideFaults({ errors: [{ percentage: 100, runHandler: true }, { percentage: 100 }] }, () => 0, ctx);
    expect(both.error?.runHandler).toBe(false);
  });

  it('draws distribution latencies with the same quantiles as squall\'s simulator', () => {
    const dists: DurationDistribution[] = [
      { kind: 'constant', ms: 40 },
      { kind: 'uniform', minMs: 10, maxMs: 30 },
      { kind: 'normal', meanMs: 300, stddevMs: 50 },
      { kind: 'normal', meanMs: 20, stddevMs: 40 },
      { kind: 'lognormal', p50Ms: 100, p99Ms: 900 },
      { kind: 'exponential', meanMs: 70 },
      { kind: 'empirical', percentiles: [{ p: 50, ms: 20 }, { p: 90, ms: 80 }, { p: 99, ms: 300 }] },
    ];
    for (const d of dists) {
      for (const q of [0, 0.001, 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.975, 0.99, 0.9999]) expect(quantileMs(d, q), `${d.kind} at ${q}`).toBe(quantileDuration(d, q));
    }
    expect(latencyMs({ distribution: { kind: 'normal', meanMs: 300, stddevMs: 50 } }, ctx, () => 0.5)).toBeCloseTo(300, 6);
  });
});
