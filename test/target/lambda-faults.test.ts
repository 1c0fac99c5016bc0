/**
 * The squall/lambda-faults wrapper on its own: no spec runs the handler untouched; latency (fixed,
 * uniform, past the timeout), errors (with or without the handler) and status overrides apply to
 * their percentage of invocations, drawn from the random source.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types, shipped as is (no build step, no dependency).
import { latencyMs, readFaults, SquallInjectedError, withFaults } from '../../lambda-faults/index.mjs';

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
});
