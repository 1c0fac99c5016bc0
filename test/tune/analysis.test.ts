import { describe, expect, it } from 'vitest';
import { durationScale, measuredCpuStretchMs, usableCpu, vcpus } from '../../harness/rules/memory-cpu.ts';
import { choose, invocationCostUsd, parseReportLine, percentile, summarize, trimmedMean, type PowerResult } from '../../harness/tune/analysis.ts';
import { expandPayloads, predictAt } from '../../harness/tune/tune.ts';
import { parseMemoryList, parsePayloads } from '../../harness/cli/tune.ts';
import type { ResolvedFunction } from '../../harness/experiment/types.ts';

describe('memory is CPU (rules/memory-cpu.ts)', () => {
  it('one vCPU at 1,769 MB, six at most, proportional below', () => {
    expect(vcpus(1769)).toBe(1);
    expect(vcpus(10240)).toBeCloseTo(10240 / 1769, 12); // AWS: "up to 6"; proportional gives 5.79
    expect(vcpus(128)).toBeCloseTo(128 / 1769, 12);
    expect(usableCpu(3008)).toBe(1); // one thread uses one vCPU
    expect(usableCpu(3538, 4)).toBeCloseTo(2, 12);
  });
  it('the CPU part of a duration scales with usable CPU, the waiting part does not', () => {
    const cpuBound = { fraction: 1, referenceMemoryMB: 1769, threads: 1 };
    expect(durationScale(cpuBound, 128)).toBeCloseTo(1769 / 128, 9); // ~13.8× slower
    expect(durationScale(cpuBound, 3008)).toBe(1);
    const mixed = { fraction: 0.5, referenceMemoryMB: 256, threads: 1 };
    // 0.5 waiting + 0.5 × (256/1769)/(512/1769) = 0.75
    expect(durationScale(mixed, 512)).toBeCloseTo(0.75, 12);
    expect(durationScale(null, 128)).toBe(1);
    expect(durationScale({ fraction: 0, referenceMemoryMB: 1769, threads: 1 }, 128)).toBe(1);
  });
  it('a handler measured on a host core is stretched below one vCPU and never above', () => {
    expect(measuredCpuStretchMs(10, 1769)).toBe(0);
    expect(measuredCpuStretchMs(10, 4000)).toBe(0);
    expect(10 + measuredCpuStretchMs(10, 128)).toBeCloseTo((10 * 1769) / 128, 9);
  });
});

describe('power tuning arithmetic', () => {
  it('reads a REPORT line as Lambda writes it', () => {
    const tail = 'START RequestId: a Version: $LATEST\nEND RequestId: a\nREPORT RequestId: a\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 71 MB\tInit Duration: 150.20 ms\t\n';
    expect(parseReportLine(tail)).toEqual({ durationMs: 12.34, billedMs: 13, initMs: 150.2, maxMemoryUsedMB: 71 });
    const warm = parseReportLine('REPORT RequestId: b\tDuration: 2.00 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t');
    expect(warm?.initMs).toBeNull();
    expect(parseReportLine('no report here')).toBeNull();
  });
  it('trimmed mean drops the same share at each end', () => {
    expect(trimmedMean([1, 2, 3, 4, 100], 0.2)).toBe(3); // drops 1 and 100
    expect(trimmedMean([1, 2, 3, 4, 100], 0)).toBe(22);
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
  });
  it('prices an invocation as a request plus its billed GB-seconds (us-east-1, x86_64)', () => {
    // $0.20 per million requests + 0.25 GB × 0.1 s × $0.0000166667 per GB-s
    expect(invocationCostUsd(256, 100, 'x86_64')).toBeCloseTo(0.2e-6 + 0.25 * 0.1 * 0.0000166667, 12);
  });
  it('chooses as Power Tuning does: cost ties go to the faster, speed ties to the cheaper, balanced by its formula', () => {
    const r = (memoryMB: number, averageMs: number, cost: number): PowerResult => ({ memoryMB, invocations: 5, errors: 0, coldStarts: 1, averageMs, p50Ms: averageMs, p95Ms: averageMs, averageBilledMs: averageMs, costPerInvocationUsd: cost, costPerMillionUsd: cost * 1e6, maxMemoryUsedMB: null, predicted: null });
    const rs = [r(128, 300, 1e-6), r(512, 80, 1e-6), r(1024, 40, 1.6e-6), r(2048, 39, 3e-6)];
    expect(choose(rs, 'cost').memoryMB).toBe(512);
    expect(choose(rs, 'speed').memoryMB).toBe(2048);
    // w = 0.5: 128 → .5·1/3 + .5·1 = .667; 512 → .167+.133=.3; 1024 → .267+.067=.333; 2048 → .5+.065=.565
    expect(choose(rs, 'balanced', 0.5).memoryMB).toBe(512);
    expect(choose(rs, 'balanced', 0).memoryMB).toBe(2048);
    expect(choose(rs, 'balanced', 1).memoryMB).toBe(128); // cost only; 128 and 512 tie at the same value → first by value
  });
  it('summarizes failed invocations apart from the averages', () => {
    const s = summarize(256, [
      { durationMs: 10, billedMs: 10, initMs: 100, maxMemoryUsedMB: 50, error: false },
      { durationMs: 12, billedMs: 12, initMs: null, maxMemoryUsedMB: 55, error: false },
      { durationMs: 1000, billedMs: 1000, initMs: null, maxMemoryUsedMB: 55, error: true },
    ], { discardTopBottom: 0, architecture: 'x86_64' });
    expect(s.errors).toBe(1);
    expect(s.coldStarts).toBe(1);
    expect(s.averageMs).toBe(11);
    expect(s.maxMemoryUsedMB).toBe(55);
  });
  it('spreads weighted payloads in proportion', () => {
    const p = expandPayloads([{ payload: 'a', weight: 3 }, { payload: 'b', weight: 1 }], 8);
    expect(p.filter((x) => x === 'a')).toHaveLength(6);
    expect(p.filter((x) => x === 'b')).toHaveLength(2);
    expect(expandPayloads([], 3)).toEqual([{}, {}, {}]);
  });
  it('predicts from the function model: trimmed mean scaled by memory', () => {
    const f = { synthetic: null, calibrated: { kind: 'constant', ms: 20 }, cpu: { fraction: 1, referenceMemoryMB: 1769, threads: 1 } } as unknown as ResolvedFunction;
    expect(predictAt(f, 128, 0.2, 'x86_64')!.averageMs).toBeCloseTo((20 * 1769) / 128, 6);
    expect(predictAt(f, 3008, 0.2, 'x86_64')!.averageMs).toBeCloseTo(20, 6);
    expect(predictAt({ synthetic: null, calibrated: null } as unknown as ResolvedFunction, 128, 0.2, 'x86_64')).toBeNull();
  });
});

describe('squall tune input', () => {
  it('memory sizes are whole MB within Lambda\'s range', () => {
    expect(parseMemoryList('512,128,512')).toEqual([128, 512]);
    expect(parseMemoryList('all')).toContain(1769);
    expect(() => parseMemoryList('64')).toThrow(/whole MB from 128 to 10240/);
    expect(() => parseMemoryList('128.5')).toThrow(/not a memory size/);
    expect(() => parseMemoryList('20000')).toThrow(/10240/);
  });
  it('payloads: one JSON value or a weighted list', () => {
    expect(parsePayloads('{"a":1}')).toEqual([{ payload: { a: 1 }, weight: 1 }]);
    expect(parsePayloads('[{"payload":1,"weight":2}]')).toEqual([{ payload: 1, weight: 2 }]);
    expect(() => parsePayloads('{nope')).toThrow(/JSON/);
    expect(() => parsePayloads('[{"payload":1,"weight":0}]')).toThrow(/greater than 0/);
  });
});
