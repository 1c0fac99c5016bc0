/**
 * `squall calibrate`'s logic: a real handler run in worker environments (cold and warm), fitted
 * with the shared fitting code, and written in the experiment file's own syntax — checked by
 * parsing it back through the experiment schema.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isSquallError } from '../../harness/contracts/exit-codes.ts';
import type { DurationDistribution } from '../../harness/experiment/types.ts';
import { calibrate, formatCalibration, sampleEvent, toExperimentSyntax } from '../../harness/emulator/lambda/calibrate.ts';
import { loadExperiment } from '../../harness/experiment/load.ts';
import { resolveDistribution } from '../../harness/experiment/resolve.ts';
import { DistributionSchema } from '../../harness/experiment/schema.ts';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples/experiments');

describe('calibrate', () => {
  it('fits the slow consumer (190–210 ms per batch) from cold and warm runs in workers', async () => {
    const exp = await loadExperiment(path.join(examples, 'throttle-dlq-trap.yaml'));
    const r = await calibrate(exp, 'slow-consumer', { invocations: 24, coldStarts: 3, payload: null });
    expect(r.errors).toBe(0);
    expect(r.coldInit.n).toBe(3);
    expect(r.durations.n).toBe(24);
    expect(r.durations.p50Ms).toBeGreaterThanOrEqual(185);
    expect(r.durations.p50Ms).toBeLessThan(400);
    // The printed block is valid experiment syntax and resolves back to the fitted distribution.
    const parsed = DistributionSchema.parse(r.calibrated);
    const back = resolveDistribution(parsed as never);
    expect(back.kind).toBe(r.resolved.kind);
    expect(formatCalibration(r)).toContain(`calibrated: ${JSON.stringify(r.calibrated)}`);
  });

  it('refuses synthetic or unknown functions with exit 2', async () => {
    const exp = await loadExperiment(path.join(examples, 'quickstart.yaml'));
    for (const name of ['orders-api', 'nope']) {
      const e = await calibrate(exp, name, { invocations: 10, coldStarts: 1, payload: null }).catch((x: unknown) => x);
      expect(isSquallError(e)).toBe(true);
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('writes every distribution kind in syntax the experiment schema reads back exactly', () => {
    const kinds: DurationDistribution[] = [
      { kind: 'constant', ms: 12.5 },
      { kind: 'uniform', minMs: 1, maxMs: 9 },
      { kind: 'normal', meanMs: 100, stddevMs: 7.25 },
      { kind: 'lognormal', p50Ms: 40, p99Ms: 120 },
      { kind: 'exponential', meanMs: 33 },
      { kind: 'empirical', percentiles: [{ p: 0, ms: 1 }, { p: 50, ms: 20 }, { p: 99.5, ms: 80 }, { p: 100, ms: 90 }] },
    ];
    for (const d of kinds) expect(resolveDistribution(DistributionSchema.parse(toExperimentSyntax(d)) as never)).toEqual(d);
  });

  it('builds sample events the way the experiment invokes the function', async () => {
    const trap = await loadExperiment(path.join(examples, 'throttle-dlq-trap.yaml'));
    const sqsEvent = JSON.parse(sampleEvent(trap, trap.system.functions['slow-consumer']!));
    expect(sqsEvent.Records).toHaveLength(5);
    expect(sqsEvent.Records[0].eventSource).toBe('aws:sqs');
    const quick = await loadExperiment(path.join(examples, 'quickstart.yaml'));
    expect(JSON.parse(sampleEvent(quick, quick.system.functions['orders-api']!)).version).toBe('2.0');
  });
});
