import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ExecutionSegment,
  ExecutionSegmentSequence,
  ExecutionTuple,
  Rational,
  SegmentError,
  Striping,
  parseRational,
  segmentScenario,
  segmentShare,
  workerTuples,
} from '../../harness/engine/segments.ts';

const r = (n: number, d = 1) => new Rational(BigInt(n), BigInt(d));

describe('parseRational (k6-contract §6.1 value forms)', () => {
  it.each([
    ['1/3', r(1, 3)],
    ['2/4', r(1, 2)],
    ['0.2', r(1, 5)],
    ['.5', r(1, 2)],
    ['1.', r(1)],
    ['20%', r(1, 5)],
    ['12.5%', r(1, 8)],
    ['0', r(0)],
    ['1', r(1)],
    [' 3 / 4 ', r(3, 4)],
  ])('%s', (text, want) => {
    expect(parseRational(text).eq(want)).toBe(true);
  });

  it.each(['', 'abc', '1/0', '-1/2', '1e-1', '.', '%', '20%%', '1/2%', '0x1'])('rejects %j with a hint', (text) => {
    expect(() => parseRational(text, '--execution-segment')).toThrow(SegmentError);
    expect(() => parseRational(text, '--execution-segment')).toThrow(/--execution-segment.*fraction like 1\/3/);
  });

  it('errors carry k6 exit code 104 (InvalidConfig)', () => {
    const e = (() => {
      try {
        ExecutionSegment.parse('1/2:1/4');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(SegmentError);
    expect((e as SegmentError).exitCode).toBe(104);
  });
});

describe('ExecutionSegment', () => {
  it('parses from:to and the `to` shorthand', () => {
    expect(ExecutionSegment.parse('1/4:2/4').toString()).toBe('1/4:1/2');
    expect(ExecutionSegment.parse('0.25').toString()).toBe('0:1/4');
    expect(ExecutionSegment.parse('25%:50%').toString()).toBe('1/4:1/2');
    expect(ExecutionSegment.parse('').isFull()).toBe(true);
    expect(ExecutionSegment.parse('0:1').isFull()).toBe(true);
  });

  it.each([
    ['1/2:1/4', /start must be less than its end/],
    ['1/2:1/2', /start must be less than its end/],
    ['0:3/2', /outside 0\.\.1/],
    ['0:1/2:1', /more than one ':'/],
    ['0:x', /--execution-segment: "x"/],
  ])('rejects %s', (text, msg) => {
    expect(() => ExecutionSegment.parse(text)).toThrow(msg);
  });

  it('scales without a sequence by rounding half up at both ends', () => {
    expect(ExecutionSegment.parse('0:1/2').scale(3)).toBe(2); // round(1.5) = 2
    expect(ExecutionSegment.parse('1/2:1').scale(3)).toBe(1); // 3 − 2
    expect(ExecutionSegment.parse('0:1/3').scale(1)).toBe(0); // round(0.333) = 0
    expect(ExecutionSegment.parse('1/3:2/3').scale(1)).toBe(1); // round(0.667) − 0
    expect(ExecutionSegment.parse('2/3:1').scale(1)).toBe(0);
    expect(ExecutionSegment.parse('0:1').scale(7)).toBe(7);
    expect(ExecutionSegment.parse('0:1/4').scale(10)).toBe(3); // round(2.5) = 3
  });

  it('rejects a non-integer or negative count', () => {
    expect(() => ExecutionSegment.parse('0:1/2').scale(1.5)).toThrow(/whole number/);
    expect(() => ExecutionSegment.parse('0:1/2').scale(-1)).toThrow(/whole number/);
  });

  it('scaled rates are exact', () => {
    expect(ExecutionSegment.parse('0:1/3').scaleRate(r(2000)).eq(r(2000, 3))).toBe(true);
  });

  it('property: segments tiling 0..1 scale to exactly the whole (no sequence)', () => {
    fc.assert(
      fc.property(cutPoints(), fc.integer({ min: 0, max: 10_000_000 }), (pts, v) => {
        const seq = new ExecutionSegmentSequence(pts);
        const sum = seq.segments.reduce((a, s) => a + s.scale(v), 0);
        expect(sum).toBe(v);
      }),
    );
  });
});

describe('ExecutionSegmentSequence', () => {
  it('parses and fills to 0..1', () => {
    expect(ExecutionSegmentSequence.parse('0,1/3,2/3,1')!.toString()).toBe('0,1/3,2/3,1');
    expect(ExecutionSegmentSequence.parse('1/3,2/3')!.toString()).toBe('0,1/3,2/3,1');
    expect(ExecutionSegmentSequence.parse('0,50%')!.segments.map(String)).toEqual(['0:1/2', '1/2:1']);
    expect(ExecutionSegmentSequence.parse('')).toBeNull();
  });

  it.each([
    ['1/2', /only one point/],
    ['0,1/2,1/3,1', /not strictly increasing/],
    ['0,1/2,1/2,1', /not strictly increasing/],
    ['0,2', /not strictly increasing/],
    ['0,x,1', /--execution-segment-sequence: "x"/],
  ])('rejects %s', (text, msg) => {
    expect(() => ExecutionSegmentSequence.parse(text)).toThrow(msg);
  });

  it('evenly(n) is what k6-operator passes to n runners', () => {
    expect(ExecutionSegmentSequence.evenly(4).toString()).toBe('0,1/4,1/2,3/4,1');
    expect(ExecutionSegmentSequence.evenly(1).toString()).toBe('0,1');
    expect(() => ExecutionSegmentSequence.evenly(0)).toThrow(/at least 1/);
  });

  it('lcd is the least common denominator of the lengths', () => {
    expect(ExecutionSegmentSequence.parse('0,1/3,1/2,1')!.lcd()).toBe(6n); // 1/3, 1/6, 1/2
    expect(ExecutionSegmentSequence.parse('0,0.3,1')!.lcd()).toBe(10n);
  });

  it('refuses sequences whose cycle would be huge', () => {
    expect(() => new Striping(ExecutionSegmentSequence.parse('0,0.12345678,1')!)).toThrow(/use simpler boundaries/);
  });
});

describe('striping (largest segments first, LCD cycle)', () => {
  it('deals an even split round-robin: instance i takes every N-th tick from i−1', () => {
    const s = new Striping(ExecutionSegmentSequence.evenly(3));
    expect(s.positions.map((p) => [...p])).toEqual([[0], [1], [2]]);
  });

  it('spreads a larger segment through the cycle (worked by hand from the rule)', () => {
    // 0,1/2,3/4,1: shares 2,1,1 of a 4-cycle.
    // i=0 → seg0; i=1: seg0 has 1·4 > 1·2, seg1 0 ≤ 1 → seg1; i=2: seg0 1·4 ≤ 2·2 → seg0; i=3 → seg2.
    const s = new Striping(ExecutionSegmentSequence.parse('0,1/2,3/4,1')!);
    expect(s.positions.map((p) => [...p])).toEqual([[0, 2], [1], [3]]);
  });

  it('puts the largest segment first even when it is not first in the sequence', () => {
    // 0,1/4,1: shares 1,3; seg1 takes position 0, then seg0 position 1, seg1 positions 2 and 3.
    const s = new Striping(ExecutionSegmentSequence.parse('0,1/4,1')!);
    expect(s.positions.map((p) => [...p])).toEqual([[1], [0, 2, 3]]);
  });

  it('property: every position of a cycle is dealt exactly once, n_s to each segment', () => {
    fc.assert(
      fc.property(cutPoints(), (pts) => {
        const seq = new ExecutionSegmentSequence(pts);
        const s = new Striping(seq);
        const seen = new Array<number>(s.lcd).fill(0);
        seq.segments.forEach((seg, i) => {
          const p = s.positions[i]!;
          expect(p.length * Number(seg.length.den)).toBe(Number(seg.length.num) * s.lcd);
          for (const x of p) seen[x]!++;
        });
        expect(seen.every((c) => c === 1)).toBe(true);
      }),
    );
  });
});

describe('ExecutionTuple', () => {
  it('scale with a sequence stripes by index', () => {
    const [a, b, c] = workerTuples(3) as [ExecutionTuple, ExecutionTuple, ExecutionTuple];
    expect([a.scale(10), b.scale(10), c.scale(10)]).toEqual([4, 3, 3]); // indices 0,3,6,9 | 1,4,7 | 2,5,8
    expect([a.scale(1), b.scale(1), c.scale(1)]).toEqual([1, 0, 0]);
    expect([a.scale(0), b.scale(0), c.scale(0)]).toEqual([0, 0, 0]);
  });

  it('fills the sequence from a lone segment and finds its index', () => {
    const t = ExecutionTuple.fromFlags('1/4:1/2', undefined);
    expect(t.sequence.toString()).toBe('0,1/4,1/2,1');
    expect(t.index).toBe(1);
    const whole = ExecutionTuple.fromFlags(undefined, undefined);
    expect(whole.scale(123)).toBe(123);
    expect(whole.toFlags()).toEqual([]);
  });

  it('rejects a segment that is not in the sequence', () => {
    expect(() => ExecutionTuple.fromFlags('0:1/3', '0,1/4,1/2,1')).toThrow(/not one of the segments.*pick one of 0:1\/4 1\/4:1\/2 1\/2:1/);
  });

  it('toFlags round-trips through the k6 flag parser', () => {
    for (const t of workerTuples(4)) {
      const [seg, seq] = t.toFlags() as [string, string];
      const back = ExecutionTuple.fromFlags(seg.split('=')[1], seq.split('=')[1]);
      expect(back.segment.equals(t.segment)).toBe(true);
      expect(back.index).toBe(t.index);
    }
    expect(workerTuples(4)[0]!.toFlags()).toEqual(['--execution-segment=0:1/4', '--execution-segment-sequence=0,1/4,1/2,3/4,1']);
  });

  it('stripedOffsets: 0:1/3 of 0,1/3,2/3,1 fires every third global tick from tick 0', () => {
    const t = ExecutionTuple.fromFlags('0:1/3', '0,1/3,2/3,1');
    expect(t.stripedOffsets()).toEqual({ start: 0, gaps: [3], lcd: 3 });
    const c = t.ticks();
    expect([c.next(), c.next(), c.next()]).toEqual([0, 3, 6]);
  });

  it('stripedOffsets wraps the last gap into the next cycle', () => {
    const t = ExecutionTuple.fromFlags('0:1/2', '0,1/2,3/4,1'); // positions 0,2 of 4
    expect(t.stripedOffsets()).toEqual({ start: 0, gaps: [2, 2], lcd: 4 });
    const u = ExecutionTuple.fromFlags('1/4:1', '0,1/4,1'); // positions 0,2,3 of 4
    const c = u.ticks();
    expect(Array.from({ length: 7 }, () => c.next())).toEqual([0, 2, 3, 4, 6, 7, 8]);
  });

  it('globalIndex / localIndex map an instance’s k-th VU to a test-wide unique id', () => {
    const t = ExecutionTuple.fromFlags('1/4:1', '0,1/4,1');
    expect([0, 1, 2, 3, 4].map((k) => t.globalIndex(k))).toEqual([0, 2, 3, 4, 6]);
    expect([0, 1, 2, 3, 4, 5, 6].map((g) => t.localIndex(g))).toEqual([0, -1, 1, 2, 3, -1, 4]);
    expect(t.owns(5)).toBe(false);
    expect(t.owns(6)).toBe(true);
  });

  it('property: for any N and any count, the workers’ parts sum exactly to the whole', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 2 ** 40 }), (n, v) => {
        const parts = workerTuples(n).map((t) => t.scale(v));
        expect(parts.reduce((a, b) => a + b, 0)).toBe(v);
        // An even split never differs by more than one between workers.
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('property: for any sequence and count, the parts sum exactly to the whole', () => {
    fc.assert(
      fc.property(cutPoints(), fc.integer({ min: 0, max: 10_000_000 }), (pts, v) => {
        const seq = new ExecutionSegmentSequence(pts);
        const sum = seq.segments.reduce((a, s) => a + new ExecutionTuple(s, seq).scale(v), 0);
        expect(sum).toBe(v);
      }),
    );
  });

  it('property: every global tick goes to exactly one instance, and scale/owns/ticks agree', () => {
    fc.assert(
      fc.property(cutPoints(), fc.integer({ min: 1, max: 500 }), (pts, k) => {
        const seq = new ExecutionSegmentSequence(pts);
        const tuples = seq.segments.map((s) => new ExecutionTuple(s, seq));
        const owner = new Array<number>(k).fill(-1);
        tuples.forEach((t, i) => {
          const c = t.ticks();
          let count = 0;
          for (let g = c.next(); g >= 0 && g < k; g = c.next()) {
            expect(owner[g]).toBe(-1);
            owner[g] = i;
            expect(t.owns(g)).toBe(true);
            expect(t.globalIndex(count)).toBe(g);
            expect(t.localIndex(g)).toBe(count);
            count++;
          }
          expect(count).toBe(t.scale(k));
        });
        expect(owner.every((o) => o >= 0)).toBe(true);
      }),
    );
  });
});

describe('vectors from k6 (lib/execution_segment_test.go; data only, the code is re-derived)', () => {
  it.each([
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0:0.3', 0, [4, 3, 3], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.3:0.5', 1, [4, 6], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.5:0.6', 2, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.8:0.9', 8, [10], 10],
    ['0,0.3,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.9:1', 9, [10], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0:0.2', 1, [4, 6], 10],
    ['0,0.2,0.5,0.6,0.7,0.8,0.9,1', '0.6:0.7', 3, [10], 10],
    ['0,0.2,0.5', '0:0.2', 3, [6, 4], 10],
    ['0,0.2,0.5', '0.2:0.5', 1, [4, 2, 4], 10],
    ['0,2/5,4/5', '0:2/5', 0, [3, 2], 5],
    ['0,2/5,4/5', '2/5:4/5', 1, [3, 2], 5],
    ['', '0:0.2', 1, [5], 5],
    ['', '0:1/5', 1, [5], 5],
    ['', '0:0.4', 1, [2, 3], 5],
    ['', '2/5:4/5', 1, [3, 2], 5],
    ['', '1/10:5/10', 1, [2, 2, 4, 2], 10],
  ])('striped offsets of %s / %s', (seq, seg, start, gaps, lcd) => {
    expect(ExecutionTuple.fromFlags(seg, seq).stripedOffsets()).toEqual({ start, gaps, lcd });
  });

  it('lcd of sequences', () => {
    expect(ExecutionSegmentSequence.parse('0,0.1,0.5,0.6,0.7,0.8,0.9,1')!.lcd()).toBe(10n);
    expect(ExecutionSegmentSequence.parse('0,1/3,5/6')!.lcd()).toBe(6n);
    expect(ExecutionSegmentSequence.parse('0,1/3,4/7')!.lcd()).toBe(21n);
  });

  it('scale without a sequence, and tuples with or without one', () => {
    const seg = (t: string) => ExecutionSegment.parse(t);
    expect([seg('0:0.25').scale(2), seg('0:0.25').scale(3)]).toEqual([1, 1]);
    expect([seg('0.25:0.5').scale(2), seg('0.25:0.5').scale(3)]).toEqual([0, 1]);
    expect([seg('0.5:0.75').scale(2), seg('0.5:0.75').scale(3)]).toEqual([1, 0]);
    expect([seg('0.75:1').scale(2), seg('0.75:1').scale(3)]).toEqual([0, 1]);
    for (const seq of [undefined, '0,0.5,1']) {
      expect([ExecutionTuple.fromFlags('0.5', seq).scale(2), ExecutionTuple.fromFlags('0.5', seq).scale(3)]).toEqual([1, 2]);
      expect([ExecutionTuple.fromFlags('0.5:1.0', seq).scale(2), ExecutionTuple.fromFlags('0.5:1.0', seq).scale(3)]).toEqual([1, 1]);
    }
    expect(ExecutionTuple.fromFlags('0:7/20', '0,7/20,7/10,1').scale(50)).toBe(18);
  });

  it('forValue re-segments on a value (20 → 0,7/20,7/10,1)', () => {
    expect(ExecutionTuple.fromFlags('0:1/3', '0,1/3,2/3,1').forValue(20).sequence.toString()).toBe('0,7/20,7/10,1');
  });

  it.each([
    ['0:1/3', { 50: 17, 3: 1, 2: 1, 1: 1, 0: 0 }, { 50: [17, 1, 0], 20: [18, 1, 0], 3: [17, 1, 0], 2: [25, 1, 0], 1: [50, 1, 0], 0: [0, 0, 0] }],
    ['1/3:2/3', { 50: 17, 3: 1, 2: 1, 1: 0, 0: 0 }, { 50: [17, 0, 0], 20: [17, 0, 0], 3: [17, 0, 0], 2: [25, 0, 0], 1: [0, 0, 0], 0: [0, 0, 0] }],
    ['2/3:1', { 50: 16, 3: 1, 2: 0, 1: 0, 0: 0 }, { 50: [16, 0, 0], 20: [15, 0, 0], 3: [16, 0, 0], 2: [0, 0, 0], 1: [0, 0, 0], 0: [0, 0, 0] }],
  ] as const)('scale and forValue-scale of %s in 0,1/3,2/3,1', (seg, scales, after) => {
    const t = ExecutionTuple.fromFlags(seg, '0,1/3,2/3,1');
    for (const [v, want] of Object.entries(scales)) expect(t.scale(Number(v)), `scale(${v})`).toBe(want);
    for (const [value, [s50, s1, s0]] of Object.entries(after)) {
      const u = t.forValue(Number(value));
      expect([u.scale(50), u.scale(1), u.scale(0)], `forValue(${value})`).toEqual([s50, s1, s0]);
    }
  });

  it('property: forValue tuples still partition every count exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100_000 }), (n, value, v) => {
        const sum = workerTuples(n).reduce((a, t) => a + t.forValue(value).scale(v), 0);
        expect(sum).toBe(value === 0 ? 0 : v);
      }),
    );
  });
});

describe('segmentScenario (per-executor rules of §6.1)', () => {
  const sumOver = <T,>(n: number, f: (t: ExecutionTuple) => T) => workerTuples(n).map(f);

  it('shared-iterations scales vus and iterations', () => {
    const parts = sumOver(3, (t) => segmentScenario({ executor: 'shared-iterations', vus: 10, iterations: 100, maxDuration: '10m' }, t));
    expect(parts.map((p) => p.config.vus)).toEqual([4, 3, 3]);
    // Iterations follow the VUs (re-segmented on vus = 10: 4/10, 3/10, 3/10), as in k6.
    expect(parts.map((p) => p.config.iterations)).toEqual([40, 30, 30]);
    expect(parts.map((p) => p.tuple.sequence.toString())).toEqual(Array(3).fill('0,2/5,7/10,1'));
    expect(parts[0]!.config.maxDuration).toBe('10m');
    expect(parts[0]!.ticks).toBeNull();
  });

  it('per-vu-iterations scales only vus', () => {
    const parts = sumOver(4, (t) => segmentScenario({ executor: 'per-vu-iterations', vus: 6, iterations: 5 }, t));
    expect(parts.map((p) => p.config.vus)).toEqual([2, 2, 1, 1]);
    expect(parts.map((p) => p.config.iterations)).toEqual([5, 5, 5, 5]);
  });

  it('ramping-vus scales startVUs and every stage target', () => {
    const stages = [
      { duration: '10s', target: 10 },
      { duration: '5s', target: 0 },
    ];
    const parts = sumOver(3, (t) => segmentScenario({ executor: 'ramping-vus', startVUs: 2, stages }, t));
    expect(parts.map((p) => p.config.startVUs)).toEqual([1, 1, 0]);
    expect(parts.map((p) => p.config.stages!.map((s) => s.target))).toEqual([[4, 0], [3, 0], [3, 0]]);
    expect(parts[0]!.config.stages![0]!).toEqual({ duration: '10s', target: 4 });
    expect(stages[0]!.target).toBe(10); // the input is not mutated
  });

  it('arrival-rate keeps the global rate, scales VU pools and stripes the ticks', () => {
    const parts = sumOver(2, (t) =>
      segmentScenario({ executor: 'constant-arrival-rate', rate: 2000, timeUnit: '1s', duration: '20s', preAllocatedVUs: 5, maxVUs: 9 }, t),
    );
    expect(parts.map((p) => p.config.rate)).toEqual([2000, 2000]);
    expect(parts.map((p) => p.config.preAllocatedVUs)).toEqual([3, 2]);
    expect(parts.map((p) => p.config.maxVUs)).toEqual([5, 4]);
    const [a, b] = parts.map((p) => p.ticks!);
    expect([a!.next(), a!.next(), b!.next(), b!.next()]).toEqual([0, 2, 1, 3]);
    // One VU in all: the second worker has none, so it gets no tick it could only drop.
    const ramp = workerTuples(2).map((t) => segmentScenario({ executor: 'ramping-arrival-rate', startRate: 0, stages: [{ target: 100 }], preAllocatedVUs: 1 }, t));
    expect(ramp[0]!.config.stages![0]!.target).toBe(100);
    expect([ramp[0]!.ticks!.next(), ramp[0]!.ticks!.next(), ramp[0]!.ticks!.next()]).toEqual([0, 1, 2]);
    expect(ramp[1]!.ticks!.empty).toBe(true);
    expect(ramp[1]!.ticks!.next()).toBe(-1);
  });

  it('property: arrival-rate ticks go to exactly one instance, in proportion to its maxVUs share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 40 }), (n, maxVUs) => {
        const parts = workerTuples(n).map((t) => segmentScenario({ executor: 'constant-arrival-rate', rate: 10, preAllocatedVUs: maxVUs }, t));
        const k = 3 * Math.max(1, maxVUs);
        const owner = new Array<number>(k).fill(-1);
        parts.forEach((p, i) => {
          let count = 0;
          for (let g = p.ticks!.next(); g >= 0 && g < k; g = p.ticks!.next()) {
            expect(owner[g]).toBe(-1);
            owner[g] = i;
            count++;
          }
          if (maxVUs > 0) expect(count).toBe(3 * p.config.preAllocatedVUs!); // ticks follow VUs exactly over 3 cycles
          else expect(count).toBe(0);
        });
        if (maxVUs > 0) expect(owner.every((o) => o >= 0)).toBe(true);
      }),
    );
  });

  it('property: every scaled field sums to the original over the workers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.record({
          vus: fc.integer({ min: 1, max: 10_000 }), // k6 requires vus > 0 (§4.2 validate)
          iterations: fc.integer({ min: 0, max: 1_000_000 }),
          preAllocatedVUs: fc.integer({ min: 0, max: 10_000 }),
          maxVUs: fc.integer({ min: 0, max: 10_000 }),
          startVUs: fc.integer({ min: 0, max: 10_000 }),
          t1: fc.integer({ min: 0, max: 10_000 }),
          t2: fc.integer({ min: 0, max: 10_000 }),
        }),
        fc.constantFrom('shared-iterations', 'ramping-vus', 'constant-arrival-rate'),
        (n, f, executor) => {
          const cfg = { executor, vus: f.vus, iterations: f.iterations, preAllocatedVUs: f.preAllocatedVUs, maxVUs: f.maxVUs, startVUs: f.startVUs, stages: [{ target: f.t1 }, { target: f.t2 }] };
          const parts = workerTuples(n).map((t) => segmentScenario(cfg, t).config);
          const total = (g: (c: typeof cfg) => number) => parts.reduce((a, c) => a + g(c), 0);
          expect(total((c) => c.vus)).toBe(f.vus);
          expect(total((c) => c.preAllocatedVUs)).toBe(f.preAllocatedVUs);
          expect(total((c) => c.maxVUs)).toBe(f.maxVUs);
          expect(total((c) => c.startVUs)).toBe(f.startVUs);
          expect(total((c) => c.iterations)).toBe(executor === 'shared-iterations' ? f.iterations : n * f.iterations);
          if (executor === 'ramping-vus') {
            expect(total((c) => c.stages[0]!.target)).toBe(f.t1);
            expect(total((c) => c.stages[1]!.target)).toBe(f.t2);
          }
        },
      ),
    );
  });
});

/**
 * Random strictly increasing cut points in (0,1). Denominators come from a small set (2…12, 100) so
 * the striping cycle stays small (lcd ≤ 138,600) and a run of this property stays fast.
 */
function cutPoints(): fc.Arbitrary<Rational[]> {
  return fc
    .uniqueArray(
      fc.constantFrom(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100).chain((den) => fc.integer({ min: 1, max: den - 1 }).map((num) => new Rational(BigInt(num), BigInt(den)))),
      { minLength: 0, maxLength: 6, selector: (q) => q.toString() },
    )
    .map((qs) => qs.sort((a, b) => a.cmp(b)));
}

describe('segmentShare (the shape the engine executors take)', () => {
  it('carries scale, stripe and a VU id offset that tiles the ids', () => {
    const shares = workerTuples(3).map(segmentShare);
    expect(shares.map((x) => x.whole)).toEqual([false, false, false]);
    expect(shares[0]!.length).toBeCloseTo(1 / 3);
    expect(shares.map((x) => x.scale(10))).toEqual([4, 3, 3]);
    expect(shares.map((x) => x.stripe)).toEqual([
      { start: 0, offsets: [3] },
      { start: 1, offsets: [3] },
      { start: 2, offsets: [3] },
    ]);
    expect(shares.map((x) => x.vuIdOffset(10))).toEqual([0, 4, 7]);
    const whole = segmentShare(new ExecutionTuple());
    expect(whole).toMatchObject({ whole: true, length: 1, stripe: { start: 0, offsets: [1] } });
    expect(whole.scale(7)).toBe(7);
  });

  it('forValue drops an instance without VUs: no tick, no length', () => {
    const none = segmentShare(workerTuples(2)[1]!).forValue(1);
    expect(none).toMatchObject({ length: 0, stripe: { start: -1, offsets: [] } });
    expect(none.scale(100)).toBe(0);
  });

  it('property: the VU id blocks of all instances tile 0…total−1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 1000 }), (n, total) => {
        let next = 0;
        for (const sh of workerTuples(n).map(segmentShare)) {
          expect(sh.vuIdOffset(total)).toBe(next);
          next += sh.scale(total);
        }
        expect(next).toBe(total);
      }),
    );
  });
});
