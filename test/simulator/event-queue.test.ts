import { describe, expect, it } from 'vitest';
import { createRng } from '../../harness/contracts/distributions.ts';
import { Deque, DueRing, EventQueue, IntPairDeque } from '../../harness/simulator/event-queue.ts';

describe('EventQueue', () => {
  /** Random pushes (times from `delay`) interleaved with pops, checked against a sorted reference. */
  function check(seed: number, delay: (u: number, v: number) => number, steps: number, pushes: number): void {
    const rng = createRng(seed);
    const q = new EventQueue(4);
    // The reference: every pending event with its insertion number, popped by sorting.
    const pending: Array<{ t: number; seq: number; type: number; a: number; b: number }> = [];
    let seq = 0;
    let now = 0;
    const push = (t: number) => {
      const e = { t, seq: seq++, type: 1 + (seq % 200), a: seq * 7, b: -seq };
      pending.push(e);
      q.push(e.t, e.type, e.a, e.b);
    };
    for (let step = 0; step < steps; step++) {
      const k = Math.floor(rng.next() * pushes);
      for (let j = 0; j < k; j++) push(now + delay(rng.next(), rng.next()));
      // The loop peeks, then may push before it pops (an open-loop arrival before the agenda's next event).
      if (rng.next() < 0.3) q.peekTime();
      if (rng.next() < 0.5 && pending.length > 0) {
        pending.sort((x, y) => x.t - y.t || x.seq - y.seq);
        const want = pending.shift()!;
        expect(q.size).toBe(pending.length + 1);
        expect(q.peekTime()).toBe(want.t);
        expect(q.pop()).toBe(true);
        expect([q.t, q.type, q.a, q.b]).toEqual([want.t, want.type, want.a, want.b]);
        if (Number.isFinite(want.t)) now = want.t;
      }
    }
    pending.sort((x, y) => x.t - y.t || x.seq - y.seq);
    for (const want of pending) {
      expect(q.peekTime()).toBe(want.t);
      expect(q.pop()).toBe(true);
      expect([q.t, q.type, q.a, q.b]).toEqual([want.t, want.type, want.a, want.b]);
    }
    expect(q.pop()).toBe(false);
    expect(q.peekTime()).toBe(Infinity);
  }

  it('pops in (time, insertion) order with many ties at nearby times', () => {
    check(5, (u) => Math.floor(u * 8) * 0.5, 20_000, 3);
  });

  it('pops in order with times far ahead, gaps, bursts at one instant and infinite times', () => {
    check(
      6,
      (u, v) =>
        u < 0.4 ? v * 80 : u < 0.55 ? 60_000 : u < 0.7 ? v * 20_000 : u < 0.75 ? 4_095 + Math.floor(v * 3) : u < 0.8 ? 0 : u < 0.82 ? Infinity : u < 0.9 ? 1e6 * v : v * 5,
      30_000,
      4,
    );
  });

  it('keeps its order when times run backwards (before the current bucket)', () => {
    check(7, (u, v) => (u < 0.3 ? -v * 3 : v * 9_000), 10_000, 3);
  });
});

describe('Deque', () => {
  it('behaves as a double-ended queue across growth and wrap-around, for ids and fractional times', () => {
    for (const d of [new Deque(2), new Deque(8)]) {
      const ref: number[] = [];
      const rng = createRng(9);
      for (let i = 0; i < 5_000; i++) {
        const r = rng.next();
        if (r < 0.5 || ref.length === 0) {
          const x = i % 2 === 0 ? i : i + r;
          d.pushBack(x);
          ref.push(x);
        } else if (r < 0.75) expect(d.popFront()).toBe(ref.shift());
        else expect(d.popBack()).toBe(ref.pop());
        expect(d.length).toBe(ref.length);
        if (ref.length > 0) expect(d.front()).toBe(ref[0]);
      }
    }
  });
});

describe('IntPairDeque / DueRing', () => {
  it('keep their records in order across growth and wrap-around', () => {
    const pairs = new IntPairDeque(2);
    const ring = new DueRing(2);
    const ref: number[] = [];
    const rng = createRng(11);
    for (let i = 0; i < 5_000; i++) {
      if (rng.next() < 0.55 || ref.length === 0) {
        pairs.pushBack(i, 1000 - i);
        ring.pushBack(i / 4, i, i + 1, i + 2, 1000 - i);
        ref.push(i);
      } else {
        const x = ref.shift()!;
        expect([pairs.front(), pairs.frontSecond()]).toEqual([x, 1000 - x]);
        expect(pairs.popFront()).toBe(x);
        expect(ring.frontDue()).toBe(x / 4);
        ring.popFront();
        expect([ring.a, ring.b, ring.c, ring.d]).toEqual([x, x + 1, x + 2, 1000 - x]);
      }
      expect(pairs.length).toBe(ref.length);
      expect(ring.length).toBe(ref.length);
    }
  });
});
